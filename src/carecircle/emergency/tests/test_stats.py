"""Response-time statistics against values computed by hand.

Answer times (seconds) 60, 120, 180, 240, 300, 600, 1200, 3600 and two calls never answered:
median (240 + 300) / 2 = 270; 90th percentile (inclusive) at rank 0.9 × 7 = 6.3 between 1200 and
3600: 1200 + 0.3 × 2400 = 1920; within 15 minutes 6 of the 10 calls = 60.0 %.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.emergency import stats
from carecircle.emergency.models import CallEvent
from carecircle.emergency.tests.helpers import call

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
MARCH = [60, 120, 180, 240, 300]
APRIL = [600, 1200, 3600, None, None]


def test_percentiles_by_hand():
    values = [60, 120, 180, 240, 300, 600, 1200, 3600]
    assert stats.median(values) == 270
    assert stats.percentile_90(values) == 1920
    assert stats.median([45]) == 45 and stats.percentile_90([45]) == 45
    assert stats.median([]) is None and stats.percentile_90([]) is None
    figures = stats.figures("all", "", [*values, None, None], 900)
    assert (figures.calls, figures.answered, figures.within_target) == (10, 8, 6)
    assert figures.within_share == Decimal("60.0") and figures.unanswered == 2


@pytest.fixture
def calls(elder, other_elder):
    for day, seconds in enumerate(MARCH, start=1):
        call(elder, at=dt.datetime(2025, 3, day, 9, 0, tzinfo=TZ), answer_after=seconds)
    for day, seconds in enumerate(APRIL, start=1):
        # 1 April 00:30 in Hai'an is still 31 March in UTC: months are local.
        at = dt.datetime(2025, 4, day, 0, 30, tzinfo=TZ)
        call(other_elder, at=at, answer_after=seconds)
    call(elder, at=dt.datetime(2025, 5, 1, 9, 0, tzinfo=TZ), answer_after=10)  # outside


def test_report_by_month_and_by_village(calls):
    town = Area.objects.get(code=t.TOWN_A)
    result = stats.report(CallEvent.objects.all(), dt.date(2025, 3, 1), dt.date(2025, 4, 30), town)
    assert result.target_minutes == 15
    assert (result.total.calls, result.total.answered) == (10, 8)
    assert (result.total.median_seconds, result.total.p90_seconds) == (270, 1920)
    assert result.total.within_share == Decimal("60.0")
    march, april = result.by_month
    assert (march.key, march.calls, march.median_seconds, march.within_share) == (
        "2025-03", 5, 180, Decimal("100.0"),
    )  # fmt: skip
    assert march.p90_seconds == 276  # 240 + 0.6 × 60
    assert (april.key, april.calls, april.answered, april.median_seconds) == ("2025-04", 5, 3, 1200)
    assert april.within_share == Decimal("20.0")
    villages = {row.key: row for row in result.by_area}
    assert villages[t.VILLAGE_A1].calls == 5 and villages[t.VILLAGE_A2].calls == 5
    assert sum(row.calls for row in result.by_area) == 10


@override_settings(CARECIRCLE_CALL_RESPONSE_TARGET_MINUTES=5)
def test_the_target_is_a_setting(calls):
    town = Area.objects.get(code=t.TOWN_A)
    result = stats.report(CallEvent.objects.all(), dt.date(2025, 3, 1), dt.date(2025, 4, 30), town)
    assert result.target_minutes == 5
    assert result.total.within_target == 5  # 60 … 300 seconds
