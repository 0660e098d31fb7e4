"""Working-day deadline arithmetic against the 2025–2026 holiday calendar (seeded by the
migration), worked out by hand from the State Council's notices."""

import datetime as dt

import pytest

from carecircle.childcare.choices import CalendarDayKind
from carecircle.childcare.models import WorkingCalendarDay
from carecircle.childcare.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Plain weeks: Monday + 5 → next Monday; Friday + 1 → Monday (weekend skipped).
        (D(2025, 3, 3), 5, D(2025, 3, 10)),
        (D(2025, 3, 7), 1, D(2025, 3, 10)),
        (D(2025, 3, 8), 5, D(2025, 3, 14)),  # submitted on a Saturday
        # National Day 2025: 1–8 Oct off, Saturday 11 Oct worked.
        # 9 Oct (1), 10 Oct (2), Sat 11 Oct (3), 13 Oct (4), 14 Oct (5).
        (D(2025, 9, 30), 5, D(2025, 10, 14)),
        # Sunday 28 Sep worked: 28 (1), 29 (2), 30 (3), 9 Oct (4), 10 Oct (5).
        (D(2025, 9, 26), 5, D(2025, 10, 10)),
        # Spring Festival 2026: Sat 14 Feb worked, 15–23 Feb off.
        # 13 Feb (1), Sat 14 Feb (2), 24 (3), 25 (4), 26 (5).
        (D(2026, 2, 12), 5, D(2026, 2, 26)),
        # 15 working days over Labour Day 2025 (Sun 27 Apr worked, 1–5 May off):
        # 27, 28, 29, 30 Apr (4); 6–9 May (8); 12–16 May (13); 19, 20 May (15).
        (D(2025, 4, 25), 15, D(2025, 5, 20)),
        # New Year 2026: 1–3 Jan off, Sunday 4 Jan worked: 31 Dec (1), 4 Jan (2), 5–7 Jan (5).
        (D(2025, 12, 30), 5, D(2026, 1, 7)),
    ],
)
def test_add_working_days(start, days, due):
    assert WorkingCalendar().add(start, days) == due


def test_working_days_between():
    calendar = WorkingCalendar()
    assert calendar.between(D(2025, 9, 30), D(2025, 10, 14)) == 5
    assert calendar.between(D(2025, 10, 14), D(2025, 9, 30)) == -5
    assert calendar.between(D(2025, 10, 1), D(2025, 10, 8)) == 0  # the holiday itself
    assert calendar.between(D(2025, 10, 10), D(2025, 10, 11)) == 1  # make-up Saturday counts


def test_holidays_and_make_up_days():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(D(2025, 10, 3))  # a Friday in the holiday
    assert calendar.is_working_day(D(2025, 10, 11))  # a Saturday worked
    assert not calendar.is_working_day(D(2025, 10, 12))  # an ordinary Sunday
    assert calendar.is_working_day(D(2025, 10, 13))


def test_calendar_changes_are_data(db):
    """A day added in the admin (a local holiday) moves the deadline."""
    WorkingCalendarDay.objects.create(day=D(2025, 3, 5), kind=CalendarDayKind.HOLIDAY, name="测试")
    assert WorkingCalendar().add(D(2025, 3, 3), 5) == D(2025, 3, 11)


def test_overdue_cutoff_agrees_with_the_deadline():
    """A filing is overdue exactly when submitted on or before the cutoff."""
    calendar = WorkingCalendar()
    for today in (D(2025, 10, 15), D(2026, 2, 27), D(2025, 3, 10), D(2026, 1, 8)):
        cutoff = calendar.overdue_cutoff(today, 5)
        for offset in range(40):
            start = today - dt.timedelta(days=offset)
            assert (calendar.add(start, 5) < today) == (start <= cutoff), (today, start)


def test_cutoff_by_hand():
    # Today Wednesday 15 Oct 2025: the 5 working days before it are 14, 13, Sat 11, 10, 9 Oct,
    # so a filing submitted on 8 Oct or earlier is overdue (due 14 Oct at the latest).
    assert WorkingCalendar().overdue_cutoff(D(2025, 10, 15), 5) == D(2025, 10, 8)
