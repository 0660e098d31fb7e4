"""The growth-ratio status method at its boundaries."""

import datetime as dt
from decimal import Decimal as D

import pytest

from carecircle.indicators.choices import Status
from carecircle.indicators.models import Indicator
from carecircle.indicators.status import BASELINE_DAY, assess, classify

ON = dt.date(2023, 12, 31)  # two years (730 days) after the baseline day


def indicator(op=">=", target="100"):
    return Indicator(code="T01", target_op=op, target_value=D(target), unit="percent")


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        ("0.95", Status.ON_TRACK),
        ("0.9499", Status.NEEDS_ACCELERATION),
        ("0.60", Status.NEEDS_ACCELERATION),
        ("0.5999", Status.OFF_TRACK),
        ("0", Status.OFF_TRACK),
        ("-0.0001", Status.DETERIORATING),
    ],
)
def test_classify_boundaries(ratio, status):
    assert classify(D(ratio)) == status


def test_ratio_is_actual_over_needed_change_per_year():
    # Baseline 60 → target 100 by 2025-12-31: 10 points a year needed. Two years later at 78:
    # 9 points a year done → ratio ≈ 0.9 (730 days is a hair under two years).
    status, ratio = assess(indicator(), D(78), D(60), D(100), ON)
    assert status == Status.NEEDS_ACCELERATION
    assert D("0.90") < ratio < D("0.91")


def test_achieved_wins_and_strict_targets():
    assert assess(indicator(), D(100), D(60), D(100), ON)[0] == Status.ACHIEVED
    strict = indicator(">", "40")
    assert assess(strict, D(40), D(30), D(40), ON)[0] != Status.ACHIEVED
    assert assess(strict, D("40.01"), D(30), D(40), ON)[0] == Status.ACHIEVED


def test_lower_is_better():
    lower = indicator("<=", "10")
    # From 30 to 20 in two years: 5 a year done, 5 a year needed.
    status, ratio = assess(lower, D(20), D(30), D(10), ON)
    assert status == Status.ON_TRACK
    assert ratio > D("0.99")
    assert assess(lower, D(35), D(30), D(10), ON)[0] == Status.DETERIORATING


def test_no_value_no_target_no_baseline_and_baseline_period():
    assert assess(indicator(), None, D(1), D(100), ON)[0] == Status.NOT_AVAILABLE
    assert assess(indicator(), D(50), D(1), None, ON)[0] == Status.NO_TARGET
    assert assess(indicator(), D(50), None, D(100), ON)[0] == Status.NO_BASELINE
    assert assess(indicator(), D(50), D(50), D(100), BASELINE_DAY)[0] == Status.BASELINE


def test_met_at_baseline_then_lost_is_deteriorating():
    assert assess(indicator(">=", "90"), D(85), D(95), D(90), ON)[0] == Status.DETERIORATING


def test_baseline_exactly_at_strict_target():
    strict = indicator(">", "40")
    assert assess(strict, D(40), D(40), D(40), ON)[0] == Status.OFF_TRACK
    assert assess(strict, D(39), D(40), D(40), ON)[0] == Status.DETERIORATING


def test_after_the_target_year_a_missed_target_is_off_track_whatever_the_pace():
    late = dt.date(2026, 6, 30)
    # 39 of the 40 points in 4.5 years: a ratio near 0.87, "needs acceleration" by pace alone.
    status, ratio = assess(indicator(), D(99), D(60), D(100), late)
    assert D("0.60") < ratio < D("0.95")
    assert status == Status.OFF_TRACK
    assert assess(indicator(), D(50), D(60), D(100), late)[0] == Status.DETERIORATING
    assert assess(indicator(), D(100), D(60), D(100), late)[0] == Status.ACHIEVED
