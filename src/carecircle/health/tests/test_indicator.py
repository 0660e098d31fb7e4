"""E06 老年人健康管理率 computed by hand on a small fixture.

Residents (a residence from 2020-01-01 each; today is 2025-06-30 for the periods):

=====  =====  ==========  ==============================================================
who    where  born        checks
=====  =====  ==========  ==============================================================
p1     A1     1950-05-17  2024-04-10 complete; 2025-03-01 complete
p2     A1     1959-12-31  none (turns 65 on 2024-12-31: counted at the end of 2024)
p3     A1     1960-01-01  2024-06-01 complete, but 64 at the end of 2024; none in 2025
p4     A2     1945-01-01  2024-08-01 without guidance (does not count)
p5     VB2    1940-01-01  2024-02-02 complete; died 2024-10-01
p6     VB2    1948-01-01  2024-11-11 complete; moves to A1 on 2025-02-01
p7     A1     1963-01-01  2025-01-05 complete (61: not under health management)
p9     A2     1944-01-01  2024-12-31 complete; 2025-06-30 complete
=====  =====  ==========  ==============================================================

2024: denominator p1 p2 p4 p9 (海安镇) + p6 (城东镇) = 5; numerator p1 p9 + p6 = 3.
2025Q1 (on 2025-03-31): denominator p1 p2 p3 p6 (A1) + p4 p9 (A2) = 6; numerator p1 = 1.
2025 (on 2025-06-30): numerator p1 p9 = 2 of 6.
"""

import datetime as dt
from decimal import Decimal

import pytest

from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.health.models import ElderHealthCheck
from carecircle.health.tests.conftest import make_check
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
NA = "分母为0：本区划没有65周岁及以上老年人"


@pytest.fixture
def residents(db):
    p = {}
    p[1] = t.make_person(t.VILLAGE_A1, birth=D(1950, 5, 17))
    make_check(p[1], D(2024, 4, 10))
    make_check(p[1], D(2025, 3, 1))
    p[2] = t.make_person(t.VILLAGE_A1, birth=D(1959, 12, 31))
    p[3] = t.make_person(t.VILLAGE_A1, birth=D(1960, 1, 1))
    make_check(p[3], D(2024, 6, 1))
    p[4] = t.make_person(t.VILLAGE_A2, birth=D(1945, 1, 1))
    make_check(p[4], D(2024, 8, 1), guidance_given=False)
    p[5] = t.make_person(VB2, birth=D(1940, 1, 1), death_date=D(2024, 10, 1))
    make_check(p[5], D(2024, 2, 2))
    p[6] = t.make_person(VB2, birth=D(1948, 1, 1))
    make_check(p[6], D(2024, 11, 11))
    Residence.objects.filter(person=p[6]).update(valid_to=D(2025, 2, 1))
    Residence.objects.create(person=p[6], area=t.area(t.VILLAGE_A1), valid_from=D(2025, 2, 1))
    p[7] = t.make_person(t.VILLAGE_A1, birth=D(1963, 1, 1))
    make_check(p[7], D(2025, 1, 5))
    p[9] = t.make_person(t.VILLAGE_A2, birth=D(1944, 1, 1))
    make_check(p[9], D(2024, 12, 31))
    make_check(p[9], D(2025, 6, 30))
    return p


def figures(code, periods):
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
            codes[pk]: (f.numerator, f.denominator, f.value, f.na_reason) for pk, f in found.items()
        }
    return out


def test_e06_hand_computed(residents):
    got = figures("E06", ["2024", "2025Q1", "2025"])
    assert got["2024"] == {
        t.CITY: (3, 5, Decimal("60"), ""),
        t.TOWN_A: (2, 4, Decimal("50"), ""),
        t.TOWN_B: (1, 1, Decimal("100"), ""),
    }
    assert got["2025Q1"][t.CITY] == (1, 6, Decimal("16.6667"), "")
    assert got["2025Q1"][t.TOWN_B] == (0, 0, None, NA)
    assert got["2025"][t.CITY] == (2, 6, Decimal("33.3333"), "")
    assert got["2025"][t.TOWN_A] == (2, 6, Decimal("33.3333"), "")


def test_e06_gap_lists_the_65_plus_without_a_counting_check(residents):
    indicator = Indicator.objects.get(code="E06")
    rule, rows = queries.gap(indicator, t.area(t.CITY), "2024")
    assert str(rule.label) == "本年度尚未接受健康管理的65周岁及以上老年人"
    persons = {row.person_id for row in rows}
    # 2024 runs to the period's end whatever today is.
    assert persons == {residents[2].pk, residents[4].pk}


def test_e06_stored_and_kept_live(residents, django_capture_on_commit_callbacks):
    compute(["E06"])
    stored = IndicatorValue.objects.get(indicator__code="E06", period="2024", area__code=t.CITY)
    assert (stored.numerator, stored.denominator, stored.value) == (3, 5, Decimal("60"))
    with django_capture_on_commit_callbacks(execute=True):
        make_check(residents[2], D(2024, 12, 1))
    stored.refresh_from_db()
    assert (stored.numerator, stored.denominator, stored.value) == (4, 5, Decimal("80"))
    with django_capture_on_commit_callbacks(execute=True):
        ElderHealthCheck.objects.filter(person=residents[2]).update(guidance_given=False)
        ElderHealthCheck.objects.get(person=residents[2]).save()
    stored.refresh_from_db()
    assert stored.numerator == 3
