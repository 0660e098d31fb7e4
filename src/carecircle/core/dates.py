import datetime as dt

from django.utils import timezone


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February falls back to 28 February."""
    return years_before(day, -years)


def year_choices(first: int) -> list[tuple[str, str]]:
    """Choices for a year filter: this year (platform-local) back to ``first``."""
    return [(str(y), str(y)) for y in range(timezone.localdate().year, first - 1, -1)]


def local_minute(value: dt.datetime | None) -> str:
    """A moment as ``YYYY-MM-DD HH:MM`` in the platform's time zone; "" for none."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
