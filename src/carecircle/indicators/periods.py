"""Periods as DHIS2 writes them: ``2025`` (year), ``2025Q1`` (quarter), ``202503`` (month).

A :class:`Window` is what a computation needs to know about a period: its first and last day and
the day its snapshot is taken (the last day, or today while the period is still running).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

CUMULATIVE_START = dt.date(2021, 1, 1)
BASELINE_PERIOD = "2021"

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    code: str
    kind: str  # "year", "quarter" or "month"

    @property
    def year(self) -> int:
        return self.start.year

    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)s年") % {"year": self.year}
        if self.kind == "quarter":
            return _("%(year)s年第%(q)s季度") % {"year": self.year, "q": self.code[-1]}
        return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.start.month}

    def adx(self) -> str:
        """ADX (ISO 8601 start/duration) form: ``2025-01-01/P1Y``."""
        duration = {"year": "P1Y", "quarter": "P3M", "month": "P1M"}[self.kind]
        return f"{self.start.isoformat()}/{duration}"

    def previous(self) -> Period:
        return parse(_shift(self, -1))


def _shift(period: Period, steps: int) -> str:
    if period.kind == "year":
        return str(period.year + steps)
    if period.kind == "quarter":
        index = period.year * 4 + int(period.code[-1]) - 1 + steps
        return f"{index // 4}Q{index % 4 + 1}"
    index = period.year * 12 + period.start.month - 1 + steps
    return f"{index // 12}{index % 12 + 1:02d}"


def parse(code: str) -> Period:
    code = str(code).strip()
    if m := _YEAR.match(code):
        year = int(m.group(1))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), code, "year")
    if m := _QUARTER.match(code):
        year, quarter = int(m.group(1)), int(m.group(2))
        first = 3 * quarter - 2
        last = first + 2
        return Period(
            dt.date(year, first, 1),
            dt.date(year, last, calendar.monthrange(year, last)[1]),
            code,
            "quarter",
        )
    if m := _MONTH.match(code):
        year, month = int(m.group(1)), int(m.group(2))
        return Period(
            dt.date(year, month, 1),
            dt.date(year, month, calendar.monthrange(year, month)[1]),
            code,
            "month",
        )
    raise PeriodError(_("期间“%(code)s”格式不正确，应为 2025、2025Q1 或 202503") % {"code": code})


def parse_adx(text: str) -> Period:
    """Read an ADX period (``2025-01-01/P1Y``, ``2025-04-01/P3M``, ``2025-03-01/P1M``)."""
    try:
        start_text, duration = text.strip().split("/")
        start = dt.date.fromisoformat(start_text)
    except ValueError as exc:
        raise PeriodError(_("ADX 期间“%(text)s”格式不正确") % {"text": text}) from exc
    if duration == "P1Y" and (start.month, start.day) == (1, 1):
        return parse(str(start.year))
    if duration == "P3M" and start.day == 1 and start.month in (1, 4, 7, 10):
        return parse(f"{start.year}Q{(start.month - 1) // 3 + 1}")
    if duration == "P1M" and start.day == 1:
        return parse(f"{start.year}{start.month:02d}")
    raise PeriodError(_("ADX 期间“%(text)s”不受支持") % {"text": text})


def containing(day: dt.date, kind: str) -> Period:
    if kind == "year":
        return parse(str(day.year))
    if kind == "quarter":
        return parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return parse(f"{day.year}{day.month:02d}")


def current_periods(today: dt.date | None = None) -> list[Period]:
    """This month, this quarter and this year."""
    today = today or timezone.localdate()
    return [containing(today, kind) for kind in ("month", "quarter", "year")]


def standard_periods(today: dt.date | None = None) -> list[Period]:
    """What is kept up to date: every year from 2021 (the baseline) to this one, and the quarters
    and months of this year so far."""
    today = today or timezone.localdate()
    years = [parse(str(year)) for year in range(CUMULATIVE_START.year, today.year + 1)]
    quarters = [parse(f"{today.year}Q{q}") for q in range(1, (today.month - 1) // 3 + 2)]
    months = [parse(f"{today.year}{m:02d}") for m in range(1, today.month + 1)]
    return years + quarters + months


@dataclass(frozen=True)
class Window:
    """A period as a computation sees it."""

    period: Period
    on: dt.date  # the snapshot day: the period's last day, or today while it runs
    since: dt.date = CUMULATIVE_START  # first day counted by cumulative indicators

    @property
    def code(self) -> str:
        return self.period.code


def window(period: Period | str, today: dt.date | None = None) -> Window:
    period = parse(period) if isinstance(period, str) else period
    today = today or timezone.localdate()
    return Window(period=period, on=min(period.end, today))
