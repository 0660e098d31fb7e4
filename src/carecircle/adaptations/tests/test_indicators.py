"""E11 against values computed by hand on a small fixture.

海安镇 (TOWN_A) village A1 and 城东镇 (TOWN_B) village VB:

* e1 A1, flagged 2019, completed 2021-06-01                       → counts from 2021
* e3 VB, flagged 2019, completed 2022-12-31                       → counts from 2022
* e2 A1, flagged 2019, completed 2023-03-10                       → counts from 2023Q1
* e8 A1, flagged 2019, completed 2023-07-01, dies 2024-02-01      → still counts in 2024
* e4 A1, flagged only from 2024, completed 2022-05-01             → never (not in the group then)
* e5 A1, flagged 2019, completed 2020-11-01                       → never (before 2021)
* e6 A1, flagged 2019, project still in progress                  → the worklist, not counted
* e7 A1, not in the group, project applied                        → neither
"""

import datetime as dt
from decimal import Decimal

import pytest

from carecircle.adaptations import services
from carecircle.adaptations.models import AdaptationProject
from carecircle.adaptations.tests.helpers import (
    add_item,
    completed_project,
    hardship_elder,
    indicator_figures,
)
from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.indicators import queries
from carecircle.indicators.engine import NO_SOURCE, computation
from carecircle.indicators.models import Indicator

pytestmark = pytest.mark.django_db

D = dt.date
VB = "320685101210"
TODAY = D(2025, 6, 30)
AREAS = (t.CITY, t.TOWN_A, t.TOWN_B)


def done(person, completed: dt.date):
    return completed_project(
        person,
        applied=completed - dt.timedelta(days=40),
        assessed=completed - dt.timedelta(days=30),
        started=completed - dt.timedelta(days=10),
        completed=completed,
    )


@pytest.fixture
def world():
    w = {}
    w["e1"] = done(hardship_elder(t.VILLAGE_A1, address="1号"), D(2021, 6, 1))
    w["e3"] = done(hardship_elder(VB, address="3号"), D(2022, 12, 31))
    w["e2"] = done(hardship_elder(t.VILLAGE_A1, address="2号"), D(2023, 3, 10))
    e8 = hardship_elder(t.VILLAGE_A1, address="8号")
    w["e8"] = done(e8, D(2023, 7, 1))
    e8.death_date = D(2024, 2, 1)
    e8.save()
    late = hardship_elder(t.VILLAGE_A1, address="4号", flag_from=D(2024, 1, 1))
    w["e4"] = done(late, D(2022, 5, 1))
    w["e5"] = done(hardship_elder(t.VILLAGE_A1, address="5号"), D(2020, 11, 1))
    e6 = hardship_elder(t.VILLAGE_A1, address="6号", name="钱多多")
    pipeline = services.apply(AdaptationProject(person=e6, applied_on=D(2024, 11, 1)))
    services.assess(pipeline, D(2024, 11, 10), "门槛高差")
    add_item(pipeline)
    w["e6"] = pipeline
    e7 = hardship_elder(t.VILLAGE_A1, address="7号", name="孙不困", flag_from=None)
    w["e7"] = services.apply(AdaptationProject(person=e7, applied_on=D(2024, 12, 1)))
    return w


EXPECTED = {
    "2021": {t.CITY: 1, t.TOWN_A: 1, t.TOWN_B: 0},
    "2022": {t.CITY: 2, t.TOWN_A: 1, t.TOWN_B: 1},
    "2023Q1": {t.CITY: 3, t.TOWN_A: 2, t.TOWN_B: 1},
    "2023": {t.CITY: 4, t.TOWN_A: 3, t.TOWN_B: 1},
    "2024": {t.CITY: 4, t.TOWN_A: 3, t.TOWN_B: 1},
}


def test_e11_is_declared_and_no_longer_pending():
    comp = computation("E11")
    assert comp is not None and comp.denominator is None
    assert "E11" not in NO_SOURCE
    assert comp.gap_rule() is not None


def test_e11_hand_computed(world):
    assert world["e4"].target_group is False and world["e1"].target_group is True
    got = indicator_figures("E11", tuple(EXPECTED), AREAS, TODAY)
    for period, areas in EXPECTED.items():
        for area, count in areas.items():
            figure = got[period][area]
            assert figure.numerator == count, (period, area)
            assert figure.denominator is None
            assert figure.value == Decimal(count), (period, area)


def test_e11_worklist_is_the_pipeline_of_the_group(world):
    indicator = Indicator.objects.get(code="E11")
    _rule, rows = queries.gap(indicator, Area.objects.get(code=t.CITY), "2024")
    assert [row.pk for row in rows] == [world["e6"].pk]
    _rule, rows = queries.gap(indicator, Area.objects.get(code=t.CITY), "2023")
    assert list(rows) == []  # the pipeline project was applied for in 2024


def test_e11_follows_a_completion_live(elder, settings, django_capture_on_commit_callbacks):
    from carecircle.adaptations.tests.helpers import days_ago
    from carecircle.indicators.models import IndicatorValue
    from carecircle.indicators.services import compute

    settings.CARECIRCLE_LIVE_INDICATORS = True
    year = str(days_ago(1).year)
    compute(["E11"], [year])

    def stored():
        return IndicatorValue.objects.get(indicator__code="E11", area__code=t.CITY, period=year)

    assert stored().numerator == 0
    with django_capture_on_commit_callbacks(execute=True):
        done(elder, days_ago(1))
    assert stored().numerator == 1
