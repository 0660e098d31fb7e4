"""Month-end settlement: arithmetic with caps, every exception, the approved lock and re-runs.

March 2025 throughout; amounts computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carecircle.core import testing as t
from carecircle.homecare import settlement as s
from carecircle.homecare.choices import (
    ExceptionKind,
    Funding,
    OrderStatus,
    ServiceCategory,
    SettlementStatus,
)
from carecircle.homecare.models import Settlement
from carecircle.homecare.tests.conftest import MONTH, at, entitle, make_item, order

pytestmark = pytest.mark.django_db
C = ServiceCategory
D = dt.date
K = ExceptionKind


def kinds(settlement) -> list[str]:
    return sorted(settlement.exceptions.values_list("kind", flat=True))


def line(settlement, person, category):
    return settlement.lines.get(person=person, category=category)


def test_hours_cap_pays_pro_rata_and_lists_the_excess(station, contract, items, elder):
    entitle(elder, station, C.CLEANING, hours="4")
    for day, hours in ((3, "2"), (10, "2"), (17, "1.5")):
        order(elder, station, items["cleaning"], at(D(2025, 3, day), 9), quantity=hours)
    result = s.settle(station, MONTH)
    # 5.5 h × 30 = 165 delivered; 4 h entitled: 165 × 4 / 5.5 = 120 paid, 45 not.
    row = line(result, elder, C.CLEANING)
    assert (row.orders_count, row.quantity, row.delivered_amount) == (3, Decimal("5.5"), 165)
    assert (row.paid_hours, row.government_amount, row.excess_amount) == (4, 120, 45)
    assert (result.government_amount, result.withheld_amount) == (120, 45)
    excess = result.exceptions.get()
    assert (excess.kind, excess.amount, excess.order) == (K.OVER_ENTITLEMENT, 45, None)


def test_hours_cap_with_two_prices_never_exceeds_the_entitled_hours(station, contract, elder):
    cheap = make_item("ZJ02", "简单保洁", C.CLEANING, "hour", "20")
    dear = make_item("ZJ03", "深度保洁", C.CLEANING, "hour", "50")
    contract.items.add(cheap, dear)
    entitle(elder, station, C.CLEANING, hours="3")
    order(elder, station, cheap, at(D(2025, 3, 3), 9), quantity="2")  # 40
    order(elder, station, dear, at(D(2025, 3, 4), 9), quantity="2")  # 100
    row = line(s.settle(station, MONTH), elder, C.CLEANING)
    # 4 h for 140; 3 h entitled: 140 × 3 / 4 = 105.
    assert (row.paid_hours, row.government_amount, row.excess_amount) == (3, 105, 35)


def test_amount_cap(station, contract, items, elder):
    entitle(elder, station, C.MEAL, amount="100")
    entitle(elder, station, C.BATHING, amount="200")
    for day in range(1, 11):
        order(elder, station, items["meal"], at(D(2025, 3, day), 11))  # 10 × 12 = 120
    order(elder, station, items["bath"], at(D(2025, 3, 12), 15))  # 80, within 200
    result = s.settle(station, MONTH)
    meals = line(result, elder, C.MEAL)
    assert (meals.delivered_amount, meals.government_amount, meals.excess_amount) == (120, 100, 20)
    assert line(result, elder, C.BATHING).government_amount == 80
    assert result.government_amount == 180
    assert result.delivered_amount == 200
    assert kinds(result) == [K.OVER_ENTITLEMENT]


def test_only_completed_government_orders_of_the_month_are_paid(station, contract, items, elder):
    entitle(elder, station, C.CLEANING, hours="10")
    care = items["cleaning"]
    order(elder, station, care, at(D(2025, 3, 2), 9))  # paid 30
    order(elder, station, care, at(D(2025, 3, 3), 9), funding=Funding.SELF_PAID)  # self-paid 30
    order(elder, station, care, at(D(2025, 3, 4), 9), status=OrderStatus.CANCELLED)
    order(elder, station, care, at(D(2025, 3, 5), 9), status=OrderStatus.MISSED)
    # 23:30 on 31 March (15:30 UTC) is March; 00:30 on 1 April is not, nor is 28 February.
    order(elder, station, care, at(D(2025, 3, 31), 23, 30), minutes=30, quantity="0.5")  # 15
    order(elder, station, care, at(D(2025, 4, 1), 0, 30))
    order(elder, station, care, at(D(2025, 2, 28), 23, 30))
    result = s.settle(station, MONTH)
    assert result.orders_count == 3
    assert (result.government_amount, result.self_paid_amount) == (45, 30)
    assert result.exceptions_count == 0


def test_every_order_exception_is_listed_and_not_paid(station, contract, items, elder, elder_a2):
    cleaning, bath = items["cleaning"], items["bath"]
    entitle(elder, station, C.CLEANING, hours="20")
    entitle(elder, station, C.BATHING, hours="4")  # hours for an item priced per time
    entitle(elder_a2, station, C.CLEANING, hours="20", end=D(2025, 3, 15))
    outsider = t.make_person(t.TOWN_B + "208", birth=D(1941, 1, 1), name="赵一")
    entitle(outsider, station, C.CLEANING, hours="20")
    medical = make_item("ZY09", "陪同就医", C.MEDICAL, "hour", "40")  # not in the contract
    entitle(elder, station, C.MEDICAL, amount="200")
    day = D(2025, 3, 10)
    expected = {
        K.MISSING_CHECK: order(elder, station, cleaning, at(day, 8), checked_out=False),
        K.CHECKOUT_BEFORE_CHECKIN: order(
            elder, station, cleaning, at(day, 9), minutes=-15, duration_minutes=None
        ),
        # 2 h booked, 30 min delivered: under 50 %.
        K.SHORT_DURATION: order(elder, station, cleaning, at(day, 10), quantity="2", minutes=30),
        K.NOT_IN_CONTRACT: order(elder, station, medical, at(day, 11)),
        K.AREA_NOT_COVERED: order(outsider, station, cleaning, at(day, 12)),
        K.UNIT_MISMATCH: order(elder, station, bath, at(day, 13)),
        K.NO_ENTITLEMENT: order(elder, station, items["meal"], at(day, 14)),
        # 钟涵's neighbour's entitlement ends on 15 March; 00:30 on the 16th (16:30 UTC on the
        # 15th) is after it.
        "a2_after_end": order(elder_a2, station, cleaning, at(D(2025, 3, 16), 0, 30)),
    }
    first = order(elder, station, cleaning, at(day, 16))
    expected[K.DUPLICATE] = order(elder, station, cleaning, at(day, 16))
    result = s.settle(station, MONTH)
    listed = {(e.order_id, e.kind) for e in result.exceptions.all()}
    for kind, bad in expected.items():
        want = K.NO_ENTITLEMENT if kind == "a2_after_end" else kind
        assert (bad.pk, want) in listed, kind
    assert len(listed) == len(expected)
    # Only the first of the duplicates is paid.
    row = line(result, elder, C.CLEANING)
    assert (row.orders_count, row.government_amount) == (1, first.cost)
    assert result.government_amount == first.cost
    withheld = sum(o.cost for o in expected.values())
    assert result.withheld_amount == withheld
    assert result.exceptions.get(order=expected[K.SHORT_DURATION]).amount == 60


def test_short_duration_of_items_not_priced_by_the_hour_uses_the_booked_end(
    station, contract, items, elder
):
    entitle(elder, station, C.BATHING, amount="500")
    bath = items["bath"]
    start = at(D(2025, 3, 5), 9)
    booked = start + dt.timedelta(minutes=60)
    short = order(elder, station, bath, start, end=booked, minutes=20)  # 20 < 50 % of 60
    order(elder, station, bath, at(D(2025, 3, 6), 9), end=booked + dt.timedelta(days=1), minutes=40)
    order(elder, station, bath, at(D(2025, 3, 7), 9), minutes=5)  # no booked end: no check
    result = s.settle(station, MONTH)
    assert list(result.exceptions.values_list("order", "kind")) == [(short.pk, K.SHORT_DURATION)]
    assert result.government_amount == 160


def test_contract_not_in_force_and_person_absent(station, contract, items, elder, elder_a2):
    contract.valid_from = D(2025, 3, 10)
    contract.save()
    entitle(elder, station, C.CLEANING, hours="20")
    entitle(elder_a2, station, C.CLEANING, hours="20")
    elder_a2.death_date = D(2025, 3, 15)
    elder_a2.save()
    before = order(elder, station, items["cleaning"], at(D(2025, 3, 5), 9))
    paid = order(elder, station, items["cleaning"], at(D(2025, 3, 12), 9))
    alive = order(elder_a2, station, items["cleaning"], at(D(2025, 3, 14), 9))
    dead = order(elder_a2, station, items["cleaning"], at(D(2025, 3, 15), 9))
    result = s.settle(station, MONTH)
    assert set(result.exceptions.values_list("order", "kind")) == {
        (before.pk, K.NO_CONTRACT),
        (dead.pk, K.PERSON_ABSENT),
    }
    assert result.government_amount == paid.cost + alive.cost


def test_entitlement_with_another_provider_does_not_count(
    station, other_station, contract, items, elder
):
    entitle(elder, other_station, C.CLEANING, hours="20")
    bad = order(elder, station, items["cleaning"], at(D(2025, 3, 5), 9))
    result = s.settle(station, MONTH)
    assert list(result.exceptions.values_list("order", "kind")) == [(bad.pk, K.NO_ENTITLEMENT)]
    assert result.government_amount == 0


def test_latest_entitlement_of_the_month_caps_it(station, contract, items, elder):
    entitle(elder, station, C.CLEANING, hours="2", end=D(2025, 3, 14))
    entitle(elder, station, C.CLEANING, hours="3", start=D(2025, 3, 15))
    order(elder, station, items["cleaning"], at(D(2025, 3, 5), 9), quantity="2")
    order(elder, station, items["cleaning"], at(D(2025, 3, 20), 9), quantity="2")
    row = line(s.settle(station, MONTH), elder, C.CLEANING)
    assert (row.cap_hours, row.paid_hours, row.government_amount) == (3, 3, 90)


def test_rerun_replaces_the_draft(station, contract, items, elder):
    entitle(elder, station, C.CLEANING, hours="4")
    order(elder, station, items["cleaning"], at(D(2025, 3, 3), 9), quantity="3")
    first = s.settle(station, MONTH)
    assert (first.government_amount, first.exceptions_count) == (90, 0)
    order(elder, station, items["cleaning"], at(D(2025, 3, 4), 9), quantity="3")
    again = s.settle(station, MONTH)
    assert again.pk == first.pk and again.uuid == first.uuid
    assert Settlement.objects.count() == 1
    assert again.lines.count() == 1
    assert (again.government_amount, again.withheld_amount, again.exceptions_count) == (120, 60, 1)


def test_approved_settlement_is_locked(station, contract, items, elder, civil_affairs_officer):
    entitle(elder, station, C.CLEANING, hours="4")
    order(elder, station, items["cleaning"], at(D(2025, 3, 3), 9))
    result = s.settle(station, MONTH)
    s.approve(result, civil_affairs_officer)
    result.refresh_from_db()
    assert result.status == SettlementStatus.APPROVED
    assert result.approved_by == civil_affairs_officer
    order(elder, station, items["cleaning"], at(D(2025, 3, 4), 9))
    with pytest.raises(ValidationError, match="已审核"):
        s.settle(station, MONTH)
    assert s.settle_month(MONTH) == []
    with pytest.raises(ValidationError):
        s.approve(result, civil_affairs_officer)
    result.refresh_from_db()
    assert result.government_amount == 30
    assert result.lines.get().orders_count == 1


def test_months_not_begun_or_not_ended(station, contract, civil_affairs_officer):
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError):
        s.settle(station, s.next_month(this_month))
    draft = s.settle(station, this_month)
    with pytest.raises(ValidationError, match="尚未结束"):
        s.approve(draft, civil_affairs_officer)


def test_settle_month_covers_every_provider_with_orders(
    station, other_station, contract, items, elder, elder_a2
):
    entitle(elder, station, C.CLEANING, hours="4")
    order(elder, station, items["cleaning"], at(D(2025, 3, 3), 9))
    order(elder_a2, other_station, items["cleaning"], at(D(2025, 3, 3), 9))
    written = s.settle_month(MONTH)
    by_provider = {x.provider_id: x for x in written}
    assert set(by_provider) == {station.pk, other_station.pk}
    assert by_provider[station.pk].government_amount == 30
    # The other station has neither contract nor entitlement.
    assert kinds(by_provider[other_station.pk]) == [K.NO_CONTRACT, K.NO_ENTITLEMENT]


def test_never_pays_above_the_entitlement(station, contract, items, elder, elder_a2):
    rng = random.Random(7)
    caps = {}
    for person in (elder, elder_a2):
        caps[(person.pk, C.CLEANING)] = ("hours", Decimal(rng.randrange(2, 12)))
        entitle(person, station, C.CLEANING, hours=caps[(person.pk, C.CLEANING)][1])
        caps[(person.pk, C.MEAL)] = ("amount", Decimal(rng.randrange(50, 200)))
        entitle(person, station, C.MEAL, amount=caps[(person.pk, C.MEAL)][1])
        for n in range(25):
            item = items["cleaning"] if n % 2 else items["meal"]
            start = at(D(2025, 3, 1 + n), rng.randrange(7, 18))
            order(person, station, item, start, quantity=str(rng.choice((1, 1.5, 2, 3))))
    result = s.settle(station, MONTH)
    total = Decimal(0)
    for row in result.lines.all():
        kind, cap = caps[(row.person_id, row.category)]
        if kind == "hours":
            assert row.paid_hours <= cap
            assert row.government_amount <= cap * 30
        else:
            assert row.government_amount <= cap
        assert row.government_amount + row.excess_amount == row.delivered_amount
        total += row.government_amount
    assert total == result.government_amount
    assert result.government_amount + result.withheld_amount == result.delivered_amount
