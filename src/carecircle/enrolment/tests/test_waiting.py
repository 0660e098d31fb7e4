"""Waiting-list order (priority rank, then submission time, ties by id) and offers: vacancy,
order, expiry, and the next in line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from carecircle.enrolment import occupancy, services
from carecircle.enrolment.choices import ApplicationStatus
from carecircle.enrolment.models import Offer
from carecircle.enrolment.tests.helpers import (
    MONDAY,
    at,
    birth_for,
    enrol,
    group,
    make_application,
    make_class,
    on_duty,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def toddlers(nursery):
    cls = make_class(nursery, "toddler", capacity=3)
    on_duty(cls, 3, MONDAY)
    return cls


def _queue(cls):
    birth = birth_for(18, MONDAY)
    day = MONDAY - dt.timedelta(days=20)

    def later(days):
        return at(day + dt.timedelta(days=days))

    return {
        "plain_early": make_application(cls, birth=birth, submitted_at=at(day)),
        "multi_child": make_application(
            cls,
            birth=birth,
            submitted_at=at(day + dt.timedelta(days=2)),
            groups=[group("multi_child")],
        ),
        "military": make_application(
            cls,
            birth=birth,
            submitted_at=at(day + dt.timedelta(days=4)),
            groups=[group("military")],
        ),
        "plain_tie": make_application(cls, birth=birth, submitted_at=at(day)),
        "both": make_application(
            cls,
            birth=birth,
            submitted_at=at(day + dt.timedelta(days=1)),
            groups=[group("dual_employee"), group("multi_child")],
        ),
    }


def _order(cls):
    return list(occupancy.waiting_list(cls).values_list("pk", flat=True))


def test_priority_rank_then_time_then_id(toddlers):
    q = _queue(toddlers)
    expected = ["military", "both", "multi_child", "plain_early", "plain_tie"]
    assert _order(toddlers) == [q[name].pk for name in expected]
    positions = occupancy.positions(q.values())
    assert [positions[q[name].pk] for name in expected] == [1, 2, 3, 4, 5]
    assert occupancy.position_of(q["plain_tie"]) == 5


def test_ranks_are_configuration(toddlers):
    q = _queue(toddlers)
    military, multi = group("military"), group("multi_child")
    military.rank, multi.rank = 5, 1
    military.save()
    multi.save()
    assert _order(toddlers)[:2] == [q["both"].pk, q["multi_child"].pk]
    multi.active = False  # an inactive group no longer gives priority
    multi.save()
    expected = ["both", "military", "plain_early", "plain_tie", "multi_child"]
    assert _order(toddlers) == [q[name].pk for name in expected]


def test_only_waiting_applications_queue(toddlers):
    q = _queue(toddlers)
    services.refuse(q["military"], "材料不全")
    submitted = make_application(
        toddlers, birth=birth_for(18, MONDAY), status=ApplicationStatus.SUBMITTED
    )
    assert q["military"].pk not in _order(toddlers)
    assert occupancy.position_of(submitted) is None
    assert occupancy.position_of(q["both"]) == 1


def test_offers_follow_the_order_unless_a_reason_is_given(toddlers, monday):
    q = _queue(toddlers)
    with pytest.raises(ValidationError) as out_of_order:
        services.make_offer(q["plain_early"], toddlers, MONDAY)
    assert "前面还有 3 人" in out_of_order.value.messages[0]
    offer = services.make_offer(
        q["plain_early"], toddlers, MONDAY, out_of_order_reason="前序家庭暂缓入托"
    )
    assert offer.out_of_order_reason == "前序家庭暂缓入托"
    first = services.make_offer(q["military"], toddlers, MONDAY)
    assert first.out_of_order_reason == ""
    assert services.next_in_line(toddlers) == q["both"]


def test_an_offer_needs_a_free_place(toddlers, monday):
    q = _queue(toddlers)
    birth = birth_for(18, MONDAY)
    enrol(toddlers, birth, MONDAY - dt.timedelta(days=10))
    services.make_offer(q["military"], toddlers, MONDAY)
    services.make_offer(q["both"], toddlers, MONDAY)
    assert occupancy.vacancies(toddlers, MONDAY) == 0
    with pytest.raises(ValidationError) as full:
        services.make_offer(q["multi_child"], toddlers, MONDAY)
    assert "已无空位" in full.value.messages[0]


def test_an_offer_lapses_and_the_next_in_line_can_be_offered(toddlers, monday):
    q = _queue(toddlers)
    birth = birth_for(18, MONDAY)
    enrol(toddlers, birth, MONDAY - dt.timedelta(days=10))
    enrol(toddlers, birth, MONDAY - dt.timedelta(days=10))
    offer = services.make_offer(q["military"], toddlers, MONDAY)
    assert offer.expires_at == offer.made_at + dt.timedelta(days=services.offer_valid_days())
    with pytest.raises(ValidationError):
        services.make_offer(q["both"], toddlers, MONDAY)  # the last place is on offer
    monday.move_to(offer.expires_at - dt.timedelta(minutes=1))
    assert services.lapse_expired_offers() == 0
    assert occupancy.vacancies(toddlers, MONDAY) == 0
    monday.move_to(offer.expires_at + dt.timedelta(minutes=1))
    # Past the deadline the place is free at once, before the daily job has run …
    assert occupancy.vacancies(toddlers, MONDAY) == 1
    with pytest.raises(ValidationError) as late:
        services.accept_offer(offer)
    assert "已过期" in late.value.messages[0]
    # … and the job marks the offer and its application.
    assert services.lapse_expired_offers() == 1
    offer.refresh_from_db()
    q["military"].refresh_from_db()
    assert offer.lapsed_at is not None
    assert q["military"].status == ApplicationStatus.OFFER_EXPIRED
    assert services.next_in_line(toddlers) == q["both"]
    later = MONDAY + dt.timedelta(days=14)
    on_duty(toddlers, 3, later)
    second = services.make_offer(q["both"], toddlers, later)
    assert Offer.objects.pending().get() == second


def test_offer_days_are_a_setting(toddlers, monday, settings):
    settings.CARECIRCLE_OFFER_VALID_DAYS = 3
    q = _queue(toddlers)
    offer = services.make_offer(q["military"], toddlers, MONDAY)
    assert offer.expires_at - offer.made_at == dt.timedelta(days=3)


def test_declining_and_withdrawing(toddlers, monday):
    q = _queue(toddlers)
    offer = services.make_offer(q["military"], toddlers, MONDAY)
    services.decline_offer(offer)
    q["military"].refresh_from_db()
    assert q["military"].status == ApplicationStatus.WITHDRAWN
    services.withdraw(q["both"], "已入读其他机构")
    q["both"].refresh_from_db()
    assert q["both"].status == ApplicationStatus.WITHDRAWN
    assert q["both"].decision_note == "已入读其他机构"
    with pytest.raises(ValidationError):
        services.withdraw(q["both"])


def test_offer_refused_for_a_child_outside_the_band(toddlers, monday):
    q = _queue(toddlers)
    infant = make_application(toddlers, birth=birth_for(8, MONDAY))
    with pytest.raises(ValidationError) as wrong:
        services.make_offer(infant, toddlers, MONDAY, out_of_order_reason="测试")
    assert "月龄不符" in wrong.value.messages[0]
    assert q
