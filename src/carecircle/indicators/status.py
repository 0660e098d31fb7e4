"""Status of a value against its 2025 target by the growth-ratio method.

ratio = (actual change per year since the baseline) ÷ (change per year needed to reach the target
by the end of 2025). ≥ 95 % on track, 60–95 % needs acceleration, 0–60 % off track, below 0
deteriorating. The baseline is the value at 2021-12-31; without it the status is "no baseline".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from carecircle.indicators.choices import Status

BASELINE_DAY = dt.date(2021, 12, 31)
TARGET_DAY = dt.date(2025, 12, 31)
ON_TRACK = Decimal("0.95")
NEEDS_ACCELERATION = Decimal("0.60")


def years_between(start: dt.date, end: dt.date) -> Decimal:
    return Decimal((end - start).days) / Decimal("365.25")


def assess(
    indicator,
    value: Decimal | None,
    baseline: Decimal | None,
    target: Decimal | None,
    on: dt.date,
) -> tuple[str, Decimal | None]:
    """(status, growth ratio) of ``value`` observed on ``on``."""
    if value is None:
        return Status.NOT_AVAILABLE, None
    if target is None:
        return Status.NO_TARGET, None
    if indicator.meets(value, target):
        return Status.ACHIEVED, None
    if on <= BASELINE_DAY:
        return Status.BASELINE, None
    if baseline is None:
        return Status.NO_BASELINE, None
    if indicator.meets(baseline, target):
        # It met the target at the baseline and no longer does.
        return Status.DETERIORATING, None
    needed = (target - baseline) / years_between(BASELINE_DAY, TARGET_DAY)
    actual = (value - baseline) / years_between(BASELINE_DAY, on)
    if needed == 0:
        # Baseline exactly at a strict target (">" 40 with 40): any move the right way is on track.
        improving = actual > 0 if indicator.target_op in (">", ">=") else actual < 0
        if actual == 0:
            return Status.OFF_TRACK, None
        return (Status.ON_TRACK if improving else Status.DETERIORATING), None
    ratio = (actual / needed).quantize(Decimal("0.0001"))
    if on > TARGET_DAY:
        # The deadline has passed without the target: the pace no longer puts it on track.
        return (Status.OFF_TRACK if ratio >= 0 else Status.DETERIORATING), ratio
    return classify(ratio), ratio


def classify(ratio: Decimal) -> str:
    if ratio >= ON_TRACK:
        return Status.ON_TRACK
    if ratio >= NEEDS_ACCELERATION:
        return Status.NEEDS_ACCELERATION
    if ratio >= 0:
        return Status.OFF_TRACK
    return Status.DETERIORATING
