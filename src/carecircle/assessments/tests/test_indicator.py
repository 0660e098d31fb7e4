"""E13 80周岁及以上老年人能力评估覆盖率 against values computed by hand on a small fixture.

Village A1 (钟涵村) and A2 (拥徐村) of 海安镇 (TOWN_A), and one village of 城东镇 (TOWN_B), on
the snapshot day 2025-06-30 (period 2025Q2):

* A1: 王 (88) valid assessment; 陈 (85) assessment expired 2025-03-09; 刘 (81) assessment
  replaced by nothing but assessed after the day (2025-07-05); 赵 (79, not counted); 孙 (90)
  valid but died 2025-05-01 (not counted).
* A2: 周 (84) valid, replaced on 2025-06-30 by an immediate assessment (still counted: the
  new one is valid); 吴 (83) never assessed.
* TOWN_B village: 郑 (86) valid.

Denominator: A1 3 (王, 陈, 刘), A2 2, B 1 → TOWN_A 5, CITY 6.
Numerator: A1 1 (王), A2 1 (周), B 1 → TOWN_A 2, CITY 3.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.assessments.tests.helpers import make_assessment
from carecircle.core import testing as t
from carecircle.indicators.engine import computation, evaluate
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.periods import window
from carecircle.indicators.services import _figures, compute
from carecircle.persons.models import Person

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)
VB = "320685101210"


def person(code, name, age, **extra):
    birth = dt.date(DAY.year - age, 1, 15)
    return t.make_person(code, name=name, birth=birth, **extra)


@pytest.fixture
def city(db):
    w = {}
    w["wang"] = person(t.VILLAGE_A1, "王一", 88)
    make_assessment(w["wang"], on=dt.date(2025, 2, 1))
    w["chen"] = person(t.VILLAGE_A1, "陈二", 85)
    make_assessment(w["chen"], on=dt.date(2024, 3, 10))
    w["liu"] = person(t.VILLAGE_A1, "刘三", 81)
    w["zhao"] = person(t.VILLAGE_A1, "赵四", 79)
    make_assessment(w["zhao"], on=dt.date(2025, 1, 5))
    w["sun"] = person(t.VILLAGE_A1, "孙五", 90, death_date=dt.date(2025, 5, 1))
    make_assessment(w["sun"], on=dt.date(2025, 1, 5))
    w["zhou"] = person(t.VILLAGE_A2, "周六", 84)
    make_assessment(w["zhou"], on=dt.date(2025, 1, 20), reason="first")
    make_assessment(w["zhou"], on=DAY, reason="immediate", total=40)
    w["wu"] = person(t.VILLAGE_A2, "吴七", 83)
    w["zheng"] = person(VB, "郑八", 86)
    make_assessment(w["zheng"], on=dt.date(2024, 7, 1))
    return w


def figures(period="2025Q2", today=dt.date(2025, 12, 31)):
    comp = computation("E13")
    indicator = Indicator.objects.get(code="E13")
    w = window(period, today)
    num = evaluate(comp.numerator, [w])[0]
    den = evaluate(comp.denominator, [w])[0]
    codes = dict(
        Area.objects.filter(code__in=(t.CITY, t.TOWN_A, t.TOWN_B, t.VILLAGE_A1)).values_list(
            "pk", "code"
        )
    )
    h = hierarchy_on(w.on)
    found = _figures(comp, indicator, num, den, h, [pk for pk in codes if pk in h.valid])
    return {codes[pk]: (f.numerator, f.denominator, f.value) for pk, f in found.items()}


def test_hand_computed_values(city):
    got = figures()
    assert got[t.VILLAGE_A1] == (1, 3, Decimal("33.3333"))
    assert got[t.TOWN_A] == (2, 5, Decimal("40"))
    assert got[t.TOWN_B] == (1, 1, Decimal("100"))
    assert got[t.CITY] == (3, 6, Decimal("50"))


def test_a_month_later(city):
    # 2025-07-31: 刘 assessed on 2025-07-05 now counts; 周's first assessment stays replaced
    # (the immediate one counts); 郑's assessment of 2024-07-01 expired after 2025-06-30.
    make_assessment(city["liu"], on=dt.date(2025, 7, 5))
    got = figures("202507")
    assert got[t.VILLAGE_A1] == (2, 3, Decimal("66.6667"))
    assert got[t.TOWN_B] == (0, 1, Decimal("0"))
    assert got[t.CITY] == (3, 6, Decimal("50"))


def test_gap_list_is_the_unassessed_80_plus_by_area_and_name(city):
    from carecircle.indicators import queries

    indicator = Indicator.objects.get(code="E13")
    rule, rows = queries.gap(indicator, Area.objects.get(code=t.CITY), "2025Q2")
    assert isinstance(rows.first(), Person)
    assert [p.name for p in rows] == ["刘三", "陈二", "吴七"]  # A1 (…200) before A2 (…201)


def test_a_saved_assessment_updates_e13_live(city, django_capture_on_commit_callbacks):
    """The live path recomputes the open periods (this year, snapshot today)."""
    today = timezone.localdate()
    year = str(today.year)
    compute(codes=["E13"], periods=[year])
    stored = IndicatorValue.objects.get(indicator__code="E13", area__code=t.TOWN_A, period=year)
    before = (stored.numerator, stored.denominator)
    with django_capture_on_commit_callbacks(execute=True):
        make_assessment(city["wu"], on=today - dt.timedelta(days=3))
    stored.refresh_from_db()
    assert (stored.numerator, stored.denominator) == (before[0] + 1, before[1])
