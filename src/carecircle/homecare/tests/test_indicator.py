"""X01 against values computed by hand on a small city, its gap list and live recomputation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.homecare import services
from carecircle.homecare.choices import Funding, OrderStatus
from carecircle.homecare.tests.conftest import at, order
from carecircle.indicators import queries
from carecircle.indicators.engine import NO_SOURCE, computation, evaluate
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.periods import window
from carecircle.indicators.services import _figures, compute
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind
from carecircle.persons.models import HardshipFlag

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 6, 30)
CITY, TOWN_A, TOWN_B = t.CITY, t.TOWN_A, t.TOWN_B
A1, A2, VB2 = t.VILLAGE_A1, t.VILLAGE_A2, "320685101210"
H = HardshipKind


def elder(area, age_on_today: int, *flags: str, name="张三丰", **extra):
    person = t.make_person(area, birth=D(TODAY.year - age_on_today, 1, 1), name=name, **extra)
    for kind in flags:
        HardshipFlag.objects.create(person=person, kind=kind, valid_from=D(2020, 1, 1))
    return person


def assess(person, total: int):
    from carecircle.assessments.tests.helpers import make_assessment

    return make_assessment(person, total=total, on=D(2025, 1, 10))


def figures(periods) -> dict:
    comp = computation("X01")
    indicator = Indicator.objects.get(code="X01")
    windows = [window(p, TODAY) for p in periods]
    num = evaluate(comp.numerator, windows)
    den = evaluate(comp.denominator, windows)
    codes = dict(Area.objects.filter(code__in=(CITY, TOWN_A, TOWN_B)).values_list("pk", "code"))
    out = {}
    for i, w in enumerate(windows):
        found = _figures(comp, indicator, num[i], den[i], hierarchy_on(w.on), list(codes))
        out[w.code] = {codes[pk]: (f.numerator, f.denominator, f.value) for pk, f in found.items()}
    return out


@pytest.fixture
def city(station, items):
    care, e = items["care"], {}
    e["e1"] = elder(A1, 85, H.MINIMUM_LIVING)
    order(e["e1"], station, care, at(D(2025, 6, 10), 9))
    order(e["e1"], station, care, at(D(2025, 3, 1), 9))
    e["e2"] = elder(A1, 70, H.NEAR_MINIMUM, H.DISABLED)
    order(e["e2"], station, care, at(D(2025, 3, 2), 0, 30))  # 16:30 UTC on 1 March
    e["e3"] = elder(A2, 72, H.ECONOMIC_HARDSHIP)
    assess(e["e3"], 50)  # level 2
    order(e["e3"], station, care, at(D(2025, 6, 20), 9), funding=Funding.SELF_PAID)
    order(e["e3"], station, care, at(D(2025, 6, 21), 9), status=OrderStatus.CANCELLED)
    e["e4"] = elder(A2, 88, H.EXTREME_POVERTY)
    home = t.make_provider(A2, kind="rural_home")
    Residency.objects.create(provider=home, person=e["e4"], admitted_on=D(2024, 1, 1))
    e["e5"] = elder(A1, 75, H.MINIMUM_LIVING)  # neither old nor disabled
    order(e["e5"], station, care, at(D(2025, 6, 10), 9))
    e["e6"] = elder(A1, 85, H.DISABLED)  # no economic hardship
    order(e["e6"], station, care, at(D(2025, 6, 10), 9))
    e["e7"] = elder(VB2, 90, H.MINIMUM_LIVING, death_date=D(2025, 5, 1))
    e["e8"] = elder(A1, 72, H.MINIMUM_LIVING)
    assess(e["e8"], 70)  # level 1
    e["e9"] = elder(VB2, 82, H.MINIMUM_LIVING)
    order(e["e9"], station, care, at(D(2025, 6, 29), 15))
    return e


def test_x01_by_hand(city):
    got = figures(("2025", "2025Q1"))
    expected = {
        # 30 June: eligible e1 e2 e3 e4 (海安镇) and e9 (城东镇); served e1 (order 10 June),
        # e4 (lives in an institution), e9 (29 June). e2's last order was in March; e3's orders
        # were self-paid or cancelled.
        "2025": {CITY: (3, 5, "60"), TOWN_A: (2, 4, "50"), TOWN_B: (1, 1, "100")},
        # 31 March: e7 was alive. The 30 days start on 2 March (local): e2's order at 00:30 that
        # day counts, e1's of 1 March does not.
        "2025Q1": {CITY: (2, 6, "33.3333"), TOWN_A: (2, 4, "50"), TOWN_B: (0, 2, "0")},
    }
    for period, areas in expected.items():
        for area, (num, den, value) in areas.items():
            assert got[period][area] == (num, den, Decimal(value)), (period, area)


def test_x01_gap_lists_the_eligible_without_service(city):
    indicator = Indicator.objects.get(code="X01")
    with time_machine.travel(dt.datetime(2025, 6, 30, 12), tick=False):
        rule, rows = queries.gap(indicator, t.area(CITY), "2025")
    assert "未享受居家上门服务" in str(rule.label)
    assert {r.person_id for r in rows} == {city["e2"].pk, city["e3"].pk}


def test_x01_is_computed_not_pending():
    assert "X01" not in NO_SOURCE and computation("X01") is not None


def test_a_completed_order_updates_x01_live(settings, django_capture_on_commit_callbacks, city):
    settings.CARECIRCLE_LIVE_INDICATORS = True
    with time_machine.travel(dt.datetime(2025, 6, 30, 12), tick=False):
        compute(["X01"], ["202506"])
        with django_capture_on_commit_callbacks(execute=True):
            first = city["e1"].service_orders.first()
            done = order(
                city["e2"], first.provider, first.item, at(D(2025, 6, 28), 9),
                status=OrderStatus.SCHEDULED, checked_in=False, checked_out=False,
            )  # fmt: skip
            services.check_in(done, at(D(2025, 6, 28), 9))
            services.check_out(done, at(D(2025, 6, 28), 10))
            services.complete(done)
        live_value = IndicatorValue.objects.get(
            indicator__code="X01", area__code=CITY, period="202506"
        )
    assert (live_value.numerator, live_value.denominator) == (4, 5)
