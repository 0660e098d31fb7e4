"""When each scheduled item of a child is due, and the database conditions built on it.

An item (a vaccine dose, a scheduled check, the newborn visit, the screening) falls due at an age
(months, plus days) and has a *deadline*: the due day plus a grace period. On a day after the
deadline without a record the item is *overdue*; some items have a window that closes (a
scheduled check once the next one falls due, the newborn visit, the screening), after which a
missing item is *missed* rather than still to be done. Vaccine doses never close: a missed dose is
caught up (补种), so it stays overdue.

Because due days depend only on the birth date, the children for whom an item is overdue on a
day are those born within a range of dates. The conditions below turn the schedule into such
ranges in Python and compare one correlated count per child in SQL: "records of the owed items"
against "number of owed items", so a child costs one index range scan, not one query per item.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from carecircle.childhealth.choices import (
    NEWBORN_VISIT_DAYS,
    SCREENING_DAYS,
    Checkpoint,
)

ONE_DAY = dt.timedelta(days=1)
# A late newborn visit is still made up to twice the 28 days; a missed screening sample is taken
# up to the 20th day (新生儿疾病筛查技术规范（2010年版）: 一般不超过出生后20天).
NEWBORN_VISIT_CLOSE_DAYS = 2 * NEWBORN_VISIT_DAYS
SCREENING_CLOSE_DAYS = 20
DEFAULT_VACCINE_GRACE_DAYS = 30
DEFAULT_CHECK_GRACE_DAYS = 30


def vaccine_grace_days() -> int:
    """Days after a dose's due age before it is overdue (``CARECIRCLE_VACCINE_GRACE_DAYS``)."""
    return int(getattr(settings, "CARECIRCLE_VACCINE_GRACE_DAYS", DEFAULT_VACCINE_GRACE_DAYS))


def check_grace_days() -> int:
    """Days after a check's age before it is overdue (``CARECIRCLE_CHILD_CHECK_GRACE_DAYS``)."""
    return int(getattr(settings, "CARECIRCLE_CHILD_CHECK_GRACE_DAYS", DEFAULT_CHECK_GRACE_DAYS))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day missing in that month becomes its last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    """An item's age: due ``months`` months and ``days`` days after birth, with ``grace`` days to
    the deadline, and a window that closes ``close_months``/``close_days`` after birth (never
    when both are None)."""

    key: str
    months: int
    days: int = 0
    grace: int = 0
    close_months: int | None = None
    close_days: int | None = None

    def due_on(self, birth: dt.date) -> dt.date:
        return add_months(birth, self.months) + dt.timedelta(days=self.days)

    def deadline(self, birth: dt.date) -> dt.date:
        """The last day on which the item is still on time."""
        return self.due_on(birth) + dt.timedelta(days=self.grace)

    def closes_on(self, birth: dt.date) -> dt.date | None:
        """The first day on which a missing item can no longer be made up (None: never)."""
        if self.close_months is None and self.close_days is None:
            return None
        return add_months(birth, self.close_months or 0) + dt.timedelta(days=self.close_days or 0)


def latest_birth(on: dt.date, day_of) -> dt.date:
    """The latest birth date ``b`` with ``day_of(b) < on`` (``day_of`` non-decreasing in ``b``)."""
    b = on
    while day_of(b) >= on:
        step = max(1, (day_of(b) - on).days)
        b -= dt.timedelta(days=step)
    while day_of(b + ONE_DAY) < on:
        b += ONE_DAY
    return b


def earliest_birth(start: dt.date, day_of) -> dt.date:
    """The earliest birth date ``b`` with ``day_of(b) >= start``."""
    return latest_birth(start, day_of) + ONE_DAY


def vaccine_items(doses: Iterable) -> list[Due]:
    grace = vaccine_grace_days()
    return [Due(str(d.pk), d.due_months, d.due_days, grace) for d in doses]


def check_items(checkpoints: Iterable[Checkpoint]) -> list[Due]:
    """The scheduled checks; each window closes when the next check falls due (the 36-month
    check six months later)."""
    grace = check_grace_days()
    ordered = sorted((Checkpoint(c) for c in checkpoints), key=lambda c: c.months)
    months_all = sorted(c.months for c in Checkpoint)
    items = []
    for c in ordered:
        later = [m for m in months_all if m > c.months]
        items.append(Due(c.value, c.months, 0, grace, close_months=later[0] if later else 42))
    return items


NEWBORN_VISIT = Due("visit", 0, 0, NEWBORN_VISIT_DAYS, close_days=NEWBORN_VISIT_CLOSE_DAYS)
SCREENING = Due("screening", 0, 0, SCREENING_DAYS, close_days=SCREENING_CLOSE_DAYS)


# Database conditions ------------------------------------------------------------------------


def _p(prefix: str) -> str:
    return f"{prefix}__" if prefix else ""


def _child_ref(prefix: str) -> str:
    return prefix or "pk"


def owed_ranges(
    items: Iterable[Due], on: dt.date, *, since: dt.date | None = None, open_only: bool = False
) -> dict[tuple[dt.date | None, dt.date], list[str]]:
    """(earliest birth or None, latest birth) → item keys overdue on ``on`` for children born in
    that range: past the deadline; with ``since``, only items whose deadline fell on or after
    that day (so each item is judged in the one year its deadline passes); with ``open_only``,
    only while the item's window is still open."""
    ranges: dict[tuple[dt.date | None, dt.date], list[str]] = defaultdict(list)
    for item in items:
        hi = latest_birth(on, item.deadline)
        lo = None
        if since is not None:
            lo = earliest_birth(since, item.deadline)
        if open_only and item.closes_on(on) is not None:
            # Open while closes_on(birth) > on, i.e. born after the latest birth closing by ``on``.
            opened = latest_birth(on + ONE_DAY, item.closes_on) + ONE_DAY
            lo = opened if lo is None else max(lo, opened)
        if lo is not None and lo > hi:
            continue
        ranges[(lo, hi)].append(item.key)
    return dict(ranges)


def _born_in(birth_field: str, lo: dt.date | None, hi: dt.date) -> Q:
    condition = Q(**{f"{birth_field}__lte": hi})
    if lo is not None:
        condition &= Q(**{f"{birth_field}__gte": lo})
    return condition


def all_done_q(
    model,
    item_field: str,
    date_field: str,
    ranges: dict[tuple[dt.date | None, dt.date], list[str]],
    on: dt.date,
    prefix: str = "",
) -> Q:
    """The child (``prefix`` leads from the row to the person) has a record of ``model`` dated on
    or before ``on`` for every item it owes by ``ranges``. One correlated count per child."""
    p = _p(prefix)
    if not ranges:
        return Q(**{f"{p}pk__isnull": False})
    birth = f"{p}birth_date"
    required = None
    owed_rows = Q()
    for (lo, hi), keys in ranges.items():
        term = Case(
            When(_born_in(birth, lo, hi), then=Value(len(keys))),
            default=Value(0),
            output_field=IntegerField(),
        )
        required = term if required is None else required + term
        row = Q(**{f"{item_field}__in": keys}) & Q(LessThanOrEqual(OuterRef(birth), hi))
        if lo is not None:
            row &= Q(GreaterThanOrEqual(OuterRef(birth), lo))
        owed_rows |= row
    given = (
        model._base_manager.filter(
            owed_rows, child=OuterRef(_child_ref(prefix)), **{f"{date_field}__lte": on}
        )
        .order_by()
        .values("child")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Q(GreaterThanOrEqual(Coalesce(Subquery(given), Value(0)), required))


def vaccines_up_to_date_q(on: dt.date, prefix: str = "", doses=None) -> Q:
    """No dose of the schedule is overdue on ``on`` (given by then, or not yet past its
    deadline): the definition of "up to date" in C03 and the worklist."""
    from carecircle.childhealth.models import Vaccination, VaccineDose

    doses = list(VaccineDose.objects.all()) if doses is None else doses
    ranges = owed_ranges(vaccine_items(doses), on)
    return all_done_q(Vaccination, "dose_id", "given_on", ranges, on, prefix)


def checks_done_q(
    on: dt.date,
    checkpoints: Iterable[Checkpoint],
    prefix: str = "",
    *,
    since: dt.date | None = None,
    open_only: bool = False,
) -> Q:
    """Every scheduled check of ``checkpoints`` past its deadline on ``on`` (the deadline on or
    after ``since`` when given; still open when ``open_only``) is recorded by then."""
    from carecircle.childhealth.models import ChildHealthCheck

    ranges = owed_ranges(check_items(checkpoints), on, since=since, open_only=open_only)
    return all_done_q(ChildHealthCheck, "checkpoint", "checked_on", ranges, on, prefix)


def visited_in_time_q(prefix: str = "") -> Q:
    """A home visit within ``NEWBORN_VISIT_DAYS`` days of birth (C01's numerator)."""
    from django.db.models import DateField, ExpressionWrapper

    from carecircle.childhealth.models import NewbornVisit

    birth = OuterRef(f"{_p(prefix)}birth_date")
    limit = ExpressionWrapper(birth + dt.timedelta(days=NEWBORN_VISIT_DAYS), DateField())
    visits = NewbornVisit.objects.filter(
        child=OuterRef(_child_ref(prefix)), visited_on__gte=birth, visited_on__lte=limit
    )
    return Q(Exists(visits))


def screened_q(prefix: str = "") -> Q:
    """A newborn screening covering all four diseases (C04's numerator)."""
    from carecircle.childhealth.models import NewbornScreening, complete_screening_q

    screenings = NewbornScreening.objects.filter(
        complete_screening_q(), child=OuterRef(_child_ref(prefix))
    )
    return Q(Exists(screenings))


def _open_overdue_q(item: Due, model, date_field: str, on: dt.date, prefix: str) -> Q:
    """Past the deadline, window still open, and no record by ``on``."""
    ranges = owed_ranges([item], on, open_only=True)
    if not ranges:
        return Q(**{f"{_p(prefix)}pk__isnull": True})  # never true
    ((lo, hi),) = ranges
    records = model._base_manager.filter(
        child=OuterRef(_child_ref(prefix)), **{f"{date_field}__lte": on}
    )
    return _born_in(f"{_p(prefix)}birth_date", lo, hi) & ~Exists(records)


def visit_overdue_q(on: dt.date, prefix: str = "") -> Q:
    from carecircle.childhealth.models import NewbornVisit

    return _open_overdue_q(NEWBORN_VISIT, NewbornVisit, "visited_on", on, prefix)


def screening_overdue_q(on: dt.date, prefix: str = "") -> Q:
    from carecircle.childhealth.models import NewbornScreening

    return _open_overdue_q(SCREENING, NewbornScreening, "sampled_on", on, prefix)
