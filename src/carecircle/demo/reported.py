"""Demo reported values: what the departments reported for the city, 2021 to last year.

The four indicators the platform cannot compute (E01 pension contribution rate, E02 medical
insurance enrolment rate, E03 long-term care insurance coverage, E05 life expectancy) get approved
yearly values consistent with the policy's figures (E02 around 98–99 %, life expectancy just below
the 83.5-year target), this year's E02 waits for approval and E03 is a draft. E01 of this year is
left for the department to enter. Every indicator also gets its yearly deadline (31 March of the
following year).

Idempotent: values and deadlines that exist are left as they are (a department may have changed
them); approved values missing from the published indicator values are published.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from carecircle.accounts.models import User
from carecircle.areas.models import Area
from carecircle.demo.population import CITY_CODE
from carecircle.indicators.choices import ReportState, Source
from carecircle.indicators.models import (
    FIRST_YEAR,
    TARGET_YEAR,
    Indicator,
    IndicatorValue,
    PeriodState,
    ReportedValue,
    ReportingDeadline,
)
from carecircle.indicators.reporting import default_due_on, publish_reported

CODES = ("E01", "E02", "E03", "E05")
REPORTERS = {"E01": "renshe", "E02": "yibao", "E03": "yibao", "E05": "weijian"}
APPROVER = "city"

# year → (value, denominator); ratios get numerator = value × denominator ÷ 100.
SERIES: dict[str, dict[int, tuple[str, int | None]]] = {
    # Contributors ÷ residents obliged to contribute (working age, shrinking slowly).
    "E01": {
        2021: ("93.62", 512400),
        2022: ("94.15", 508900),
        2023: ("94.58", 505300),
        2024: ("95.03", 501800),
        2025: ("95.41", 498600),
    },
    # Insured ÷ registered residents.
    "E02": {
        2021: ("98.42", 924800),
        2022: ("98.61", 921300),
        2023: ("98.77", 917600),
        2024: ("98.93", 913900),
        2025: ("99.06", 910200),
    },
    # Long-term care insured ÷ basic medical insured (Nantong piloted the insurance in 2016).
    "E03": {
        2021: ("97.85", 910200),
        2022: ("98.30", 908500),
        2023: ("98.62", 906300),
        2024: ("98.95", 904100),
        2025: ("99.12", 901600),
    },
    # Life expectancy at birth, years.
    "E05": {
        2021: ("82.61", None),
        2022: ("82.74", None),
        2023: ("82.96", None),
        2024: ("83.22", None),
        2025: ("83.48", None),
    },
}
# This year's values: (code, value, denominator, state, comment).
CURRENT = (
    ("E02", "99.12", 906500, ReportState.SUBMITTED, "据医保信息平台年度参保数据"),
    ("E03", "99.18", 897900, ReportState.DRAFT, "待与医保基金年报核对"),
)
COMMENTS = {
    "E01": "据社保年报",
    "E02": "据医保信息平台年度参保数据",
    "E03": "据长期照护保险经办数据",
    "E05": "据卫健委人口死亡监测",
}


def _figures(value: str, denominator: int | None) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """Value, numerator and denominator that agree with each other."""
    if denominator is None:
        return Decimal(value), None, None
    den = Decimal(denominator)
    num = (den * Decimal(value) / 100).quantize(Decimal(1))
    return (num / den * 100).quantize(Decimal("0.01")), num, den


def _at(year: int, month: int, day: int, hour: int, now: dt.datetime) -> dt.datetime:
    moment = timezone.make_aware(dt.datetime(year, month, day, hour))
    return min(moment, now)


@transaction.atomic
def create_reported_values(today: dt.date | None = None) -> dict[str, int]:
    """Seed the demo's reported values and deadlines; returns how many rows were created."""
    today = today or timezone.localdate()
    now = timezone.now()
    city = Area.objects.get(code=CITY_CODE)
    indicators = Indicator.objects.in_bulk(CODES, field_name="code")
    users = User.objects.in_bulk([*REPORTERS.values(), APPROVER], field_name="username")
    approver = users.get(APPROVER)
    closed = set(PeriodState.objects.values_list("period", flat=True))
    counts = {"reported": 0, "deadlines": 0, "published": 0}

    for code in CODES:
        indicator = indicators[code]
        for year in range(FIRST_YEAR, today.year + 1):
            _deadline, created = ReportingDeadline.objects.get_or_create(
                indicator=indicator,
                period=str(year),
                defaults={"due_on": default_due_on(str(year))},
            )
            counts["deadlines"] += created

    last_year = min(TARGET_YEAR, today.year - 1)
    for code in CODES:
        indicator = indicators[code]
        reporter = users.get(REPORTERS[code])
        for year, (text, denominator) in sorted(SERIES[code].items()):
            if year > last_year:
                continue
            value, numerator, den = _figures(text, denominator)
            report = ReportedValue.objects.filter(
                indicator=indicator, area=city, period=str(year)
            ).first()
            if report is None:
                report = ReportedValue(
                    indicator=indicator,
                    area=city,
                    period=str(year),
                    value=value,
                    numerator=numerator,
                    denominator=den,
                    state=ReportState.APPROVED,
                    comment=f"{COMMENTS[code]}（{year}年）",
                    entered_by=reporter,
                    submitted_at=_at(year + 1, 3, 10, 10, now),
                    decided_by=approver,
                    decided_at=_at(year + 1, 3, 20, 15, now),
                )
                report._history_user = reporter
                report.save()
                counts["reported"] += 1
            if report.state != ReportState.APPROVED or report.period in closed:
                continue
            published = IndicatorValue.objects.filter(
                indicator=indicator, area=city, period=report.period, source=Source.REPORTED
            ).exists()
            if not published:
                publish_reported(report)
                counts["published"] += 1

    for code, text, denominator, state, comment in CURRENT:
        indicator = indicators[code]
        period = str(today.year)
        if ReportedValue.objects.filter(indicator=indicator, area=city, period=period).exists():
            continue
        value, numerator, den = _figures(text, denominator)
        reporter = users.get(REPORTERS[code])
        report = ReportedValue(
            indicator=indicator,
            area=city,
            period=period,
            value=value,
            numerator=numerator,
            denominator=den,
            state=state,
            comment=comment,
            entered_by=reporter,
            submitted_at=now if state == ReportState.SUBMITTED else None,
        )
        report._history_user = reporter
        report.save()
        counts["reported"] += 1
    return counts
