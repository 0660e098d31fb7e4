import datetime as dt

import pytest

from carecircle.indicators.periods import (
    PeriodError,
    current_periods,
    parse,
    parse_adx,
    standard_periods,
    window,
)


@pytest.mark.parametrize(
    ("code", "start", "end", "adx"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025-01-01/P1Y"),
        ("2025Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "2025-01-01/P3M"),
        ("2024Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31), "2024-10-01/P3M"),
        ("202402", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02-01/P1M"),
    ],
)
def test_dhis2_periods_and_adx(code, start, end, adx):
    period = parse(code)
    assert (period.start, period.end, period.adx()) == (start, end, adx)
    assert parse_adx(adx) == period


@pytest.mark.parametrize("bad", ["25", "2025Q5", "202513", "2025-01", "", "2025W1"])
def test_bad_periods(bad):
    with pytest.raises(PeriodError):
        parse(bad)


def test_previous_wraps_years():
    assert parse("2025Q1").previous().code == "2024Q4"
    assert parse("202501").previous().code == "202412"
    assert parse("2025").previous().code == "2024"


def test_current_and_standard_periods():
    today = dt.date(2026, 11, 29)
    assert [p.code for p in current_periods(today)] == ["202611", "2026Q4", "2026"]
    codes = [p.code for p in standard_periods(today)]
    assert codes[:6] == ["2021", "2022", "2023", "2024", "2025", "2026"]
    assert "2026Q4" in codes and "202611" in codes and "202612" not in codes


def test_window_snapshot_is_today_while_running():
    today = dt.date(2026, 11, 29)
    assert window("2026", today).on == today
    assert window("2025", today).on == dt.date(2025, 12, 31)
