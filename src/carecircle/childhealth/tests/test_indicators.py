"""C01–C05 and X06 computed by hand on a small fixture (today 2025-06-30, grace 30 days).

Children (a residence from 2020-01-01 each unless said; "on time" = every vaccine dose three
days after its due day, up to today; checks recorded on their due day):

====  =====  ==========  =====================================================================
who   where  born        records
====  =====  ==========  =====================================================================
c1    A1     2024-03-05  visit day 7; screening complete; vaccines on time; checks 满月, 3, 6,
                         8, 12; guidance 2024-05-01 and 2025-02-01
c2    A1     2024-10-20  visit day 36 (late); screening PKU+CH only; no vaccine; no check
c3    A2     2024-12-20  visit 2025-01-05 (day 16); screening complete; HepB-1 and BCG at
                         birth only; 3-month check 2025-03-20; guidance 2024-12-28
c4    VB2    2022-08-01  vaccines on time; checks 3, 6, 8, 12, 24 (18 and 30 missing); guidance
                         2025-03-01
c5    VB2    2022-05-01  vaccines on time; checks 3 … 30 (turns 3 on 2025-05-01)
c6    A1     2024-06-01  died 2024-09-01 (never counted)
c7    A2     2024-02-01  moves to VB2 on 2025-01-15; visit day 5; no screening; vaccines on
                         time; checks 满月, 3, 6, 8 (12 missing); guidance 2025-04-01
c9    A1     2025-03-10  visit day 5; screening complete; vaccines on time; 满月 check
c10   A2     2025-05-01  nothing
====  =====  ==========  =====================================================================

2024 (on 2024-12-31): newborns c1 c2 c3 c7 (all 海安镇); children under 3 c1 c2 c3 c7 (海安镇)
+ c4 c5 (城东镇).
  C01 c1 c3 c7 = 3/4. C04 c1 c3 = 2/4. C03 all but c2 = 5/6 (海安镇 3/4, 城东镇 2/2).
  C02: c2 owes 满月, c4 owes 18 → 4/6 (3/4, 1/2). X06: c4 → 5/6 (4/4, 1/2). C05 c1 c3 → 2/6.
2025 (on 2025-06-30): newborns c9 c10; children c1 c2 c3 c9 c10 (海安镇) + c4 c7 (城东镇).
  C01 c9 = 1/2; C04 c9 = 1/2. C03 c1 c4 c7 c9 = 4/7 (c3 lacks HepB-2, c10 its birth doses).
  C02 c1 c9 c10 = 3/7 (3/5, 0/2). X06 c1 c3 c9 c10 = 4/7 (4/5, 0/2). C05 c1 c4 c7 = 3/7.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from carecircle.areas.models import Area
from carecircle.childhealth.schedule import add_months
from carecircle.childhealth.tests.conftest import (
    check,
    guide,
    make_child,
    screen,
    vaccinate,
    vaccinate_on_time,
    visit,
)
from carecircle.core import testing as t
from carecircle.indicators import queries
from carecircle.indicators.engine import computation, evaluate
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.periods import window
from carecircle.indicators.services import _figures, compute
from carecircle.persons.models import Residence

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 6, 30)
VB2 = "320685101210"
AREAS = (t.CITY, t.TOWN_A, t.TOWN_B)
# The gap list, drill-down and stored values take today from the clock.
FROZEN = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def on_due(child, *months):
    for m in months:
        check(child, m, add_months(child.birth_date, m))


@pytest.fixture
def children(db):
    c = {}
    c[1] = make_child(t.VILLAGE_A1, birth=D(2024, 3, 5))
    visit(c[1], D(2024, 3, 12))
    screen(c[1], D(2024, 3, 8))
    vaccinate_on_time(c[1], TODAY)
    on_due(c[1], 1, 3, 6, 8, 12)
    guide(c[1], D(2024, 5, 1))
    guide(c[1], D(2025, 2, 1), topic="language")
    c[2] = make_child(t.VILLAGE_A1, birth=D(2024, 10, 20))
    visit(c[2], D(2024, 11, 25))
    screen(c[2], D(2024, 10, 23), cah=False, g6pd=False)
    c[3] = make_child(t.VILLAGE_A2, birth=D(2024, 12, 20))
    visit(c[3], D(2025, 1, 5))
    screen(c[3], D(2024, 12, 23))
    vaccinate(c[3], "HepB", 1, D(2024, 12, 20))
    vaccinate(c[3], "BCG", 1, D(2024, 12, 20))
    check(c[3], 3, D(2025, 3, 20))
    guide(c[3], D(2024, 12, 28))
    c[4] = make_child(VB2, birth=D(2022, 8, 1))
    vaccinate_on_time(c[4], TODAY)
    on_due(c[4], 3, 6, 8, 12, 24)
    guide(c[4], D(2025, 3, 1))
    c[5] = make_child(VB2, birth=D(2022, 5, 1))
    vaccinate_on_time(c[5], TODAY)
    on_due(c[5], 3, 6, 8, 12, 18, 24, 30)
    c[6] = make_child(t.VILLAGE_A1, birth=D(2024, 6, 1), death_date=D(2024, 9, 1))
    visit(c[6], D(2024, 6, 5))
    c[7] = make_child(t.VILLAGE_A2, birth=D(2024, 2, 1))
    visit(c[7], D(2024, 2, 6))
    vaccinate_on_time(c[7], TODAY)
    on_due(c[7], 1, 3, 6, 8)
    guide(c[7], D(2025, 4, 1))
    Residence.objects.filter(person=c[7]).update(valid_to=D(2025, 1, 15))
    Residence.objects.create(person=c[7], area=t.area(VB2), valid_from=D(2025, 1, 15))
    c[9] = make_child(t.VILLAGE_A1, birth=D(2025, 3, 10))
    visit(c[9], D(2025, 3, 15))
    screen(c[9], D(2025, 3, 13))
    vaccinate_on_time(c[9], TODAY)
    on_due(c[9], 1)
    c[10] = make_child(t.VILLAGE_A2, birth=D(2025, 5, 1))
    t.make_person(t.VILLAGE_A1, birth=D(1950, 1, 1))  # an elder: never counted
    return c


def figures(code, periods=("2024", "2025")):
    comp = computation(code)
    indicator = Indicator.objects.get(code=code)
    windows = [window(p, TODAY) for p in periods]
    num = evaluate(comp.numerator, windows)
    den = evaluate(comp.denominator, windows)
    codes = dict(Area.objects.filter(code__in=AREAS).values_list("pk", "code"))
    out = {}
    for i, w in enumerate(windows):
        found = _figures(comp, indicator, num[i], den[i], hierarchy_on(w.on), list(codes))
        out[w.code] = {
            codes[pk]: (int(f.numerator), int(f.denominator), f.value) for pk, f in found.items()
        }
    return out


def value(n, d):
    return (n, d, (Decimal(n) / Decimal(d) * 100).quantize(Decimal("0.0001")) if d else None)


EXPECTED = {
    "C01": {
        "2024": {t.CITY: value(3, 4), t.TOWN_A: value(3, 4), t.TOWN_B: value(0, 0)},
        "2025": {t.CITY: value(1, 2), t.TOWN_A: value(1, 2), t.TOWN_B: value(0, 0)},
    },
    "C04": {
        "2024": {t.CITY: value(2, 4), t.TOWN_A: value(2, 4)},
        "2025": {t.CITY: value(1, 2)},
    },
    "C03": {
        "2024": {t.CITY: value(5, 6), t.TOWN_A: value(3, 4), t.TOWN_B: value(2, 2)},
        "2025": {t.CITY: value(4, 7), t.TOWN_A: value(2, 5), t.TOWN_B: value(2, 2)},
    },
    "C02": {
        "2024": {t.CITY: value(4, 6), t.TOWN_A: value(3, 4), t.TOWN_B: value(1, 2)},
        "2025": {t.CITY: value(3, 7), t.TOWN_A: value(3, 5), t.TOWN_B: value(0, 2)},
    },
    "X06": {
        "2024": {t.CITY: value(5, 6), t.TOWN_A: value(4, 4), t.TOWN_B: value(1, 2)},
        "2025": {t.CITY: value(4, 7), t.TOWN_A: value(4, 5), t.TOWN_B: value(0, 2)},
    },
    "C05": {
        "2024": {t.CITY: value(2, 6), t.TOWN_A: value(2, 4), t.TOWN_B: value(0, 2)},
        "2025": {t.CITY: value(3, 7), t.TOWN_A: value(1, 5), t.TOWN_B: value(2, 2)},
    },
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_hand_computed(children, code):
    got = figures(code)
    for period, areas in EXPECTED[code].items():
        for area, expected in areas.items():
            assert got[period][area] == expected, (code, period, area)


def _gap(code, period):
    indicator = Indicator.objects.get(code=code)
    rule, rows = queries.gap(indicator, t.area(t.CITY), period)
    return str(rule.label), {row.person_id for row in rows}


@time_machine.travel(FROZEN, tick=False)
def test_gap_lists(children):
    c = children
    label, persons = _gap("C01", "2024")
    assert label == "本年度出生、28天内未接受家庭访视的新生儿"
    assert persons == {c[2].pk}
    assert _gap("C04", "2024")[1] == {c[2].pk, c[7].pk}
    assert _gap("C03", "2025")[1] == {c[2].pk, c[3].pk, c[10].pk}
    assert _gap("C02", "2025")[1] == {c[2].pk, c[3].pk, c[4].pk, c[7].pk}
    assert _gap("X06", "2025")[1] == {c[2].pk, c[4].pk, c[7].pk}
    assert _gap("C05", "2024")[1] == {c[2].pk, c[4].pk, c[5].pk, c[7].pk}


@time_machine.travel(FROZEN, tick=False)
def test_drilldown_lists_the_counted_children(children):
    indicator = Indicator.objects.get(code="C01")
    rows = queries.drilldown(indicator, t.area(t.TOWN_A), "2024", "numerator")
    rows = rows[1] if isinstance(rows, tuple) else rows
    assert {row.person_id for row in rows} == {children[1].pk, children[3].pk, children[7].pk}


@time_machine.travel(FROZEN, tick=False)
def test_values_are_stored_and_kept_live(children, django_capture_on_commit_callbacks):
    compute(["C05", "C03"])
    stored = IndicatorValue.objects.get(indicator__code="C05", period="2025", area__code=t.CITY)
    assert (stored.numerator, stored.denominator) == (3, 7)
    with django_capture_on_commit_callbacks(execute=True):
        guide(children[2], D(2025, 6, 1))
    stored.refresh_from_db()
    assert (stored.numerator, stored.denominator) == (4, 7)
    c03 = IndicatorValue.objects.get(indicator__code="C03", period="2025", area__code=t.TOWN_A)
    assert c03.numerator == 2
    with django_capture_on_commit_callbacks(execute=True):
        vaccinate(children[10], "HepB", 1, D(2025, 5, 2))
        vaccinate(children[10], "BCG", 1, D(2025, 5, 2))
    c03.refresh_from_db()
    assert c03.numerator == 3
