"""Health-check figures for the list page (the indicator E06 computes the coverage itself)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from carecircle.health.models import ElderHealthCheck, counting_q


def year_summary(checks: QuerySet[ElderHealthCheck], year: int, on: dt.date) -> dict[str, int]:
    """Checks in ``year`` up to ``on`` among ``checks``: all, and those that count as the
    annual health-management record (one aggregate query)."""
    in_year = checks.filter(checked_on__gte=dt.date(year, 1, 1), checked_on__lte=on)
    return in_year.aggregate(
        checks=Count("pk"),
        counting=Count("pk", filter=counting_q()),
        persons=Count("person", distinct=True, filter=counting_q()),
    )


def fill_institution_name(check: ElderHealthCheck) -> None:
    """A registered hospital's name is the check's institution name (kept if it is renamed)."""
    if check.hospital_id and not check.institution_name:
        check.institution_name = check.hospital.name
