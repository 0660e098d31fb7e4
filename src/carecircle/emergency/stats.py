"""Response-time statistics of calls: count, median and 90th percentile of the time to answer,
and the share answered within the target time, by month and by area.

Percentiles follow Python's ``statistics`` module: the median of an even count is the mean of the
two middle values; the 90th percentile is ``statistics.quantiles(n=10, method="inclusive")``
(linear interpolation between the closest ranks, as spreadsheets' PERCENTILE.INC). A call not yet
answered has no response time: it counts among the calls, not in the times, and not as answered
within the target.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from carecircle.areas.models import Area

# Answered within this many minutes counts as on time (CARECIRCLE_CALL_RESPONSE_TARGET_MINUTES).
DEFAULT_TARGET_MINUTES = 15
HUNDRED = Decimal(100)


def target_minutes() -> int:
    return int(getattr(settings, "CARECIRCLE_CALL_RESPONSE_TARGET_MINUTES", DEFAULT_TARGET_MINUTES))


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile_90(values: list[int]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])


@dataclass(frozen=True)
class ResponseFigures:
    """The figures of one group of calls (one month, one area, or all)."""

    key: str
    label: str
    calls: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None
    within_target: int
    target_seconds: int

    @property
    def within_share(self) -> Decimal | None:
        """Per cent of all calls answered within the target (None without calls)."""
        if not self.calls:
            return None
        share = Decimal(self.within_target) * HUNDRED / Decimal(self.calls)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def unanswered(self) -> int:
        return self.calls - self.answered


def figures(key: str, label: str, seconds: Iterable[int | None], target_seconds: int):
    values = list(seconds)
    answered = sorted(v for v in values if v is not None)
    return ResponseFigures(
        key=key,
        label=label,
        calls=len(values),
        answered=len(answered),
        median_seconds=median(answered),
        p90_seconds=percentile_90(answered),
        within_target=sum(1 for v in answered if v <= target_seconds),
        target_seconds=target_seconds,
    )


def month_keys(first: dt.date, last: dt.date) -> list[str]:
    """``YYYY-MM`` of every month from ``first`` to ``last``."""
    keys, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


@dataclass(frozen=True)
class ResponseReport:
    total: ResponseFigures
    by_month: list[ResponseFigures]
    by_area: list[ResponseFigures]
    target_minutes: int


def child_units(area: Area) -> list[Area]:
    """The units directly below ``area`` (towns of the city, villages of a town)."""
    return list(Area.objects.filter(parent=area).order_by("code"))


def report(calls: QuerySet, first: dt.date, last: dt.date, area: Area | None) -> ResponseReport:
    """Figures of ``calls`` made from ``first`` to ``last`` (local dates), by month and by the
    units directly below ``area`` (the elder's current village decides the unit; without an
    area, by month only)."""
    minutes = target_minutes()
    target = minutes * 60
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        calls.filter(called_at__gte=start, called_at__lt=end)
        .order_by()
        .values_list("called_at", "response_seconds", "person__area__path")
    )
    months: dict[str, list] = defaultdict(list)
    areas: dict[str, list] = defaultdict(list)
    everything: list = []
    units = child_units(area) if area is not None else []
    by_path = {unit.path: unit for unit in units}
    depth_of_unit = len(area.path) if units else 0
    for called_at, seconds, path in rows.iterator(chunk_size=5000):
        local = timezone.localtime(called_at, tz)
        months[f"{local.year}-{local.month:02d}"].append(seconds)
        everything.append(seconds)
        if units:
            rest = path[depth_of_unit:]
            code = rest.split("/", 1)[0]
            areas[f"{area.path}{code}/"].append(seconds)
    by_month = [figures(key, key, months.get(key, []), target) for key in month_keys(first, last)]
    # Units merged away are listed only while they still have calls in the period.
    by_area = [
        figures(unit.code, unit.name, areas.get(path, []), target)
        for path, unit in by_path.items()
        if unit.valid_to is None or areas.get(path)
    ]
    return ResponseReport(
        total=figures("all", "", everything, target),
        by_month=by_month,
        by_area=by_area,
        target_minutes=minutes,
    )


def as_minutes(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
