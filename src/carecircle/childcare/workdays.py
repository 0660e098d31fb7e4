"""Working days: Monday to Friday, minus public holidays, plus the weekend days worked instead.

The exceptions come from ``WorkingCalendarDay`` (seeded with the State Council's notices for
2025 and 2026, kept up to date in the admin site). Deadlines follow the usual rule for
administrative time limits: the day of the event is not counted, the period ends at the end of
its last working day.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from carecircle.childcare.choices import CalendarDayKind

DEFAULT_FILING_DAYS = 5  # 托育机构登记和备案办法: filed within 5 working days
DEFAULT_NOTICE_DAYS = 15  # problems notified within 15 working days
ONE_DAY = dt.timedelta(days=1)


def filing_days() -> int:
    return int(getattr(settings, "CARECIRCLE_FILING_DEADLINE_WORKING_DAYS", DEFAULT_FILING_DAYS))


def notice_days() -> int:
    return int(getattr(settings, "CARECIRCLE_FILING_NOTICE_WORKING_DAYS", DEFAULT_NOTICE_DAYS))


class WorkingCalendar:
    """Loads the calendar's exceptions one year at a time, once per instance (one instance per
    request or list, so a queue of filings costs one or two queries)."""

    def __init__(self, exceptions: dict[dt.date, str] | None = None):
        self._years: set[int] = set()
        self._exceptions: dict[dt.date, str] = {}
        if exceptions is not None:  # a fixed calendar (tests, previews)
            self._exceptions = dict(exceptions)
            self._years = set(range(1900, 2200))

    def _load(self, year: int) -> None:
        if year in self._years:
            return
        from carecircle.childcare.models import WorkingCalendarDay

        rows = WorkingCalendarDay.objects.filter(day__year__in=(year, year + 1)).values_list(
            "day", "kind"
        )
        self._exceptions.update(dict(rows))
        self._years.update((year, year + 1))

    def is_working_day(self, day: dt.date) -> bool:
        self._load(day.year)
        kind = self._exceptions.get(day)
        if kind == CalendarDayKind.HOLIDAY:
            return False
        if kind == CalendarDayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
        before ``start``)."""
        if end < start:
            return -self.between(end, start)
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def overdue_cutoff(self, today: dt.date, days: int) -> dt.date:
        """The latest start whose ``days``-working-day deadline has passed by ``today``: a
        deadline is missed when ``add(start, days) < today``, i.e. ``start <= cutoff``."""
        day = today
        remaining = days
        while True:
            day -= ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
                if remaining == 0:
                    return day - ONE_DAY

    def known_until(self) -> dt.date | None:
        """The last day the calendar has exceptions for (its published years end there)."""
        from carecircle.childcare.models import WorkingCalendarDay

        last = WorkingCalendarDay.objects.order_by("-day").values_list("day", flat=True).first()
        return dt.date(last.year, 12, 31) if last else None
