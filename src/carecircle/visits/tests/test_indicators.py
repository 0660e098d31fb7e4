"""E04 and X02 against values computed by hand on a small city, and live recomputation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.indicators import queries
from carecircle.indicators.engine import NO_SOURCE, computation, evaluate
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.periods import window
from carecircle.indicators.services import _figures, compute
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.models import HardshipFlag, Residence
from carecircle.visits.models import CareWish, Visit
from carecircle.visits.tests.conftest import elder

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 6, 30)
CITY, TOWN_A, TOWN_B = t.CITY, t.TOWN_A, t.TOWN_B
A1, A2, VB2 = t.VILLAGE_A1, t.VILLAGE_A2, "320685101210"
POOR = HardshipKind.EXTREME_POVERTY
LOW = HardshipKind.MINIMUM_LIVING


def visit(person, day, mode="home"):
    Visit.objects.create(person=person, visited_on=day, visitor_name="探访员", mode=mode)


def figures(code: str, periods) -> dict:
    comp = computation(code)
    indicator = Indicator.objects.get(code=code)
    windows = [window(p, TODAY) for p in periods]
    num = evaluate(comp.numerator, windows)
    den = evaluate(comp.denominator, windows)
    codes = dict(Area.objects.filter(code__in=(CITY, TOWN_A, TOWN_B)).values_list("pk", "code"))
    out = {}
    for i, w in enumerate(windows):
        h = hierarchy_on(w.on)
        found = _figures(comp, indicator, num[i], den[i], h, list(codes))
        out[w.code] = {codes[pk]: (f.numerator, f.denominator, f.value) for pk, f in found.items()}
    return out


def check(code: str, expected: dict) -> None:
    got = figures(code, tuple(expected))
    for period, areas in expected.items():
        for area, (num, den, value) in areas.items():
            value = None if value is None else Decimal(value)
            assert got[period][area] == (num, den, value), f"{code} {period} {area}"


@pytest.fixture
def visits_world(db):
    w = {}
    w["p1"] = elder(A1, flag=LOW)
    visit(w["p1"], D(2025, 3, 31))
    visit(w["p1"], D(2025, 6, 1))
    w["p2"] = elder(A1, flag=LOW)
    visit(w["p2"], D(2025, 2, 28))
    w["p3"] = elder(A2, flag=None, birth=D(1940, 1, 1), living_arrangement=LivingArrangement.ALONE)
    visit(w["p3"], D(2025, 3, 1), mode="phone")
    w["p4"] = elder(A2, flag=None, disability_kind="physical", disability_grade=1)
    w["p5"] = elder(A1, flag=LOW)  # lives in an institution
    Residency.objects.create(
        provider=t.make_provider(A1), person=w["p5"], admitted_on=D(2024, 1, 1)
    )
    visit(w["p5"], D(2025, 3, 2))
    w["p6"] = elder(VB2, flag=POOR, death_date=D(2025, 3, 15))
    visit(w["p6"], D(2025, 3, 10))
    w["p7"] = elder(A1, flag=LOW)  # moves to 城东镇 on 2025-02-01
    Residence.objects.filter(person=w["p7"]).update(valid_to=D(2025, 2, 1))
    Residence.objects.create(person=w["p7"], area=t.area(VB2), valid_from=D(2025, 2, 1))
    visit(w["p7"], D(2025, 3, 5))
    w["p8"] = elder(A1, flag=None, living_arrangement=LivingArrangement.WITH_FAMILY)
    visit(w["p8"], D(2025, 3, 6))
    w["p9"] = elder(A1, flag=None)
    HardshipFlag.objects.create(
        person=w["p9"], kind=LOW, valid_from=D(2020, 1, 1), valid_to=D(2025, 3, 20)
    )
    visit(w["p9"], D(2025, 3, 7))
    return w


def test_e04_by_hand(visits_world):
    check(
        "E04",
        {
            # March: A = p1 p3 visited, p2 p4 not; B = p7 (moved there, visited). p5 lives in an
            # institution, p6 died, p8 is not in the group, p9's flag ended on the 20th.
            "202503": {CITY: (3, 5, "60"), TOWN_A: (2, 4, "50"), TOWN_B: (1, 1, "100")},
            "2025Q1": {CITY: (3, 5, "60")},
            # January: no visits; p7 still lives in 海安镇, p6 is alive, p9 flagged.
            "202501": {CITY: (0, 7, "0"), TOWN_A: (0, 6, "0"), TOWN_B: (0, 1, "0")},
            # February (28 days): p2's visit on the 28th.
            "202502": {TOWN_A: (1, 5, "20"), TOWN_B: (0, 2, "0")},
            # The year while it runs: this month (June), p1's visit on the 1st.
            "2025": {CITY: (1, 5, "20"), TOWN_B: (0, 1, "0")},
        },
    )


def test_e04_gap_list_is_this_months_unvisited(visits_world):
    indicator = Indicator.objects.get(code="E04")
    with time_machine.travel(dt.datetime(2025, 6, 30, 12), tick=False):
        rule, rows = queries.gap(indicator, t.area(TOWN_A), "202503")
    assert str(rule.label) == "本月尚未探访的特殊困难老年人"
    assert sorted(r.person_id for r in rows) == sorted(
        [visits_world["p2"].pk, visits_world["p4"].pk]
    )


@pytest.fixture
def wishes_world(db):
    w = {}
    institution = t.make_provider(A1, kind="private_institution")
    daycare = t.make_provider(A1, kind="daycare_centre")
    w["q1"] = elder(A1, flag=POOR)
    CareWish.objects.create(person=w["q1"], registered_on=D(2025, 1, 10))
    Residency.objects.create(provider=institution, person=w["q1"], admitted_on=D(2025, 3, 1))
    w["q2"] = elder(A1, flag=POOR)
    CareWish.objects.create(person=w["q2"], registered_on=D(2025, 2, 1))
    w["q3"] = elder(A2, flag=POOR)
    CareWish.objects.create(
        person=w["q3"], registered_on=D(2024, 5, 1), withdrawn_on=D(2024, 10, 1)
    )
    w["q4"] = elder(A2, flag=LOW)  # not 特困
    CareWish.objects.create(person=w["q4"], registered_on=D(2025, 1, 1))
    w["q5"] = elder(VB2, flag=POOR)
    CareWish.objects.create(person=w["q5"], registered_on=D(2025, 4, 1))
    Residency.objects.create(
        provider=institution,
        person=w["q5"],
        admitted_on=D(2024, 12, 1),
        discharged_on=D(2025, 5, 1),
    )
    w["q6"] = elder(VB2, flag=None)
    HardshipFlag.objects.create(
        person=w["q6"], kind=POOR, valid_from=D(2020, 1, 1), valid_to=D(2025, 5, 1)
    )
    CareWish.objects.create(person=w["q6"], registered_on=D(2025, 1, 1))
    w["q7"] = elder(A1, flag=POOR)
    CareWish.objects.create(person=w["q7"], registered_on=D(2025, 6, 15))
    Residency.objects.create(provider=daycare, person=w["q7"], admitted_on=D(2025, 6, 20))
    return w


def test_x02_by_hand(wishes_world):
    check(
        "X02",
        {
            # On 30 June: q1 placed; q2 and q7 (a day-care centre is no institution) wait; q5 was
            # discharged; q3 withdrew, q4 is not 特困, q6's flag ended.
            "2025": {CITY: (1, 4, "25"), TOWN_A: (1, 3, "33.3333"), TOWN_B: (0, 1, "0")},
            # On 31 March: q1 placed, q2 and q6 wait; q5 and q7 had not asked yet.
            "2025Q1": {CITY: (1, 3, "33.3333"), TOWN_A: (1, 2, "50"), TOWN_B: (0, 1, "0")},
            # End of 2024: q3 had withdrawn; nobody else had asked.
            "2024": {CITY: (0, 0, None)},
        },
    )


def test_x02_gap_lists_those_waiting(wishes_world):
    indicator = Indicator.objects.get(code="X02")
    with time_machine.travel(dt.datetime(2025, 6, 30, 12), tick=False):
        _rule, rows = queries.gap(indicator, t.area(CITY), "2025")
    waiting = {wishes_world[k].pk for k in ("q2", "q5", "q7")}
    assert {r.person_id for r in rows} == waiting


def test_both_are_computed_not_pending():
    assert "E04" not in NO_SOURCE and "X02" not in NO_SOURCE
    assert computation("E04") is not None and computation("X02") is not None


@pytest.fixture
def live(settings, django_capture_on_commit_callbacks):
    settings.CARECIRCLE_LIVE_INDICATORS = True

    def run(code, change):
        with time_machine.travel(dt.datetime(2025, 6, 30, 12), tick=False):
            compute([code], ["202506"])
            with django_capture_on_commit_callbacks(execute=True):
                change()
            live_value = IndicatorValue.objects.get(
                indicator__code=code, area__code=CITY, period="202506"
            )
            compute([code], ["202506"])
            full = IndicatorValue.objects.get(
                indicator__code=code, area__code=CITY, period="202506"
            )
            return live_value, full

    return run


def test_a_visit_saved_updates_e04_live(live, visits_world):
    live_value, full = live("E04", lambda: visit(visits_world["p2"], D(2025, 6, 2)))
    assert (live_value.numerator, live_value.denominator) == (2, 5)
    assert (full.numerator, full.denominator, full.value) == (
        live_value.numerator,
        live_value.denominator,
        live_value.value,
    )


def test_a_wish_and_a_flag_update_x02_live(live, wishes_world):
    def change():
        CareWish.objects.create(person=wishes_world["q3"], registered_on=D(2025, 6, 1))
        HardshipFlag.objects.filter(person=wishes_world["q2"]).update(valid_to=D(2025, 6, 1))
        flag = HardshipFlag.objects.get(person=wishes_world["q2"])
        flag.note = "已终止"
        flag.save()

    live_value, full = live("X02", change)
    # q3 asks again and waits; q2's flag ended: still 4 asking, 1 placed.
    assert (live_value.numerator, live_value.denominator) == (1, 4)
    assert (full.numerator, full.denominator) == (1, 4)
