import datetime as dt


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February falls back to 28 February."""
    return years_before(day, -years)
