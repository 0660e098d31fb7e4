"""X11 against values computed by hand on a small fixture.

In the special-hardship group (flagged 低保 from 2019 unless said otherwise), villages A1 (海安镇)
and VB (城东镇); every elder resides in their village from 2020:

* e1 A1, call button from 2022-03-01
* e2 A1, hotline from 2020-01-01, ended 2023-06-30
* e3 VB, no device
* e4 A1, not in the group (no flag), call button from 2021            → in neither count
* e5 A1, no flag but 80+ and living alone, device from 2021-01-01
* e6 A1, device none, in an institution from 2022-01-01               → out of the group from 2022
* e7 A1 → VB on 2023-02-01, wearable from 2021-01-01
* e8 VB, no flag but a grade 2 disability certificate, fall radar from 2021-01-01

          2021      2022      2023Q1          2023            2024
CITY      4/7       5/6       5/6             4/6             4/6
海安镇    3/5       4/4       3/3             2/3             2/3
城东镇    1/2       1/2       2/3             2/3             2/3
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from carecircle.adaptations.tests.helpers import hardship_elder, indicator_figures
from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.emergency import services
from carecircle.emergency.choices import DeviceKind
from carecircle.emergency.tests.helpers import device
from carecircle.indicators import queries
from carecircle.indicators.engine import NO_SOURCE, computation, evaluate
from carecircle.indicators.models import Indicator
from carecircle.indicators.periods import window
from carecircle.institutions.models import Residency
from carecircle.persons.choices import LivingArrangement
from carecircle.persons.models import Residence

pytestmark = pytest.mark.django_db

D = dt.date
VB = "320685101210"
TODAY = D(2025, 6, 30)
AREAS = (t.CITY, t.TOWN_A, t.TOWN_B)
EXPECTED = {
    "2021": {t.CITY: (4, 7), t.TOWN_A: (3, 5), t.TOWN_B: (1, 2)},
    "2022": {t.CITY: (5, 6), t.TOWN_A: (4, 4), t.TOWN_B: (1, 2)},
    "2023Q1": {t.CITY: (5, 6), t.TOWN_A: (3, 3), t.TOWN_B: (2, 3)},
    "2023": {t.CITY: (4, 6), t.TOWN_A: (2, 3), t.TOWN_B: (2, 3)},
    "2024": {t.CITY: (4, 6), t.TOWN_A: (2, 3), t.TOWN_B: (2, 3)},
}


@pytest.fixture
def world():
    w = {}
    w["e1"] = hardship_elder(t.VILLAGE_A1, name="甲一")
    device(w["e1"], enrolled=D(2022, 3, 1))
    w["e2"] = hardship_elder(t.VILLAGE_A1, name="乙二")
    hotline = device(w["e2"], DeviceKind.HOTLINE, enrolled=D(2020, 1, 1))
    services.end_device(hotline, D(2023, 6, 30))
    w["e3"] = hardship_elder(VB, name="丙三")
    w["e4"] = hardship_elder(t.VILLAGE_A1, name="丁四", flag_from=None)
    device(w["e4"], enrolled=D(2021, 1, 1))
    w["e5"] = hardship_elder(
        t.VILLAGE_A1,
        name="戊五",
        flag_from=None,
        birth=D(1935, 1, 1),
        living_arrangement=LivingArrangement.ALONE,
    )
    device(w["e5"], enrolled=D(2021, 1, 1))
    w["e6"] = hardship_elder(t.VILLAGE_A1, name="己六")
    Residency.objects.create(
        person=w["e6"], provider=t.make_provider(t.VILLAGE_A1), admitted_on=D(2022, 1, 1)
    )
    e7 = w["e7"] = hardship_elder(t.VILLAGE_A1, name="庚七")
    device(e7, DeviceKind.WEARABLE, enrolled=D(2021, 1, 1))
    Residence.objects.filter(person=e7).update(valid_to=D(2023, 2, 1))
    Residence.objects.create(person=e7, area=t.area(VB), valid_from=D(2023, 2, 1))
    e7.area = t.area(VB)
    e7.save()
    w["e8"] = hardship_elder(
        VB, name="辛八", flag_from=None, disability_kind="physical", disability_grade=2
    )
    device(w["e8"], DeviceKind.FALL_RADAR, enrolled=D(2021, 1, 1))
    return w


def test_x11_is_declared_and_no_longer_pending():
    comp = computation("X11")
    assert comp is not None and comp.denominator is not None
    assert "X11" not in NO_SOURCE


def test_x11_hand_computed(world):
    got = indicator_figures("X11", tuple(EXPECTED), AREAS, TODAY)
    for period, areas in EXPECTED.items():
        for area, (numerator, denominator) in areas.items():
            figure = got[period][area]
            where = (period, area)
            assert (figure.numerator, figure.denominator) == (numerator, denominator), where
            value = Decimal(numerator) * 100 / Decimal(denominator)
            assert figure.value == value.quantize(figure.value), where


def test_the_candidate_prefilter_never_changes_a_count(world):
    comp = computation("X11")
    windows = [window(p, TODAY) for p in EXPECTED]
    for measure in comp.measures():
        unfiltered = dataclasses.replace(measure, base=Q(person__domain="elderly"))
        assert evaluate(measure, windows) == evaluate(unfiltered, windows), measure.label


def test_x11_gap_lists_uncovered_elders_of_the_group(world):
    indicator = Indicator.objects.get(code="X11")
    _rule, rows = queries.gap(indicator, Area.objects.get(code=t.CITY), "2023")
    assert sorted(row.person.name for row in rows) == ["丙三", "乙二"]
    _rule, rows = queries.gap(indicator, Area.objects.get(code=t.TOWN_A), "2022")
    assert list(rows) == []


def test_x11_follows_an_enrolment_live(elder, settings, django_capture_on_commit_callbacks):
    from carecircle.indicators.models import IndicatorValue
    from carecircle.indicators.services import compute

    settings.CARECIRCLE_LIVE_INDICATORS = True
    today = timezone.localdate()
    year = str(today.year)
    compute(["X11"], [year])

    def stored():
        return IndicatorValue.objects.get(indicator__code="X11", area__code=t.CITY, period=year)

    assert (stored().numerator, stored().denominator) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        device(elder, enrolled=today.replace(month=1, day=1))
    assert (stored().numerator, stored().denominator, stored().value) == (1, 1, 100)
