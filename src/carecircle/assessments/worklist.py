"""Who is due for an assessment: elders 80+ without a valid assessment, and any elder whose valid
assessment expires within the configured number of days (``CARECIRCLE_ASSESSMENT_DUE_DAYS``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from carecircle.assessments.choices import DueReason
from carecircle.assessments.models import Assessment, has_valid_assessment, valid_q
from carecircle.core.choices import Domain
from carecircle.core.dates import years_before
from carecircle.persons.groups import OLD_AGE
from carecircle.persons.models import Person


def due_elders(persons: QuerySet[Person], on: dt.date, days: int) -> QuerySet[Person]:
    """``persons`` (already scoped) due on ``on``, annotated with ``due_reason``, their latest
    assessment (``last_assessed_on``, ``last_level``) and ``expires_on``, by village and name."""
    later = on + dt.timedelta(days=days)
    old = Q(birth_date__lte=years_before(on, OLD_AGE))
    latest = Assessment.objects.filter(person=OuterRef("pk")).order_by("-assessed_on", "-pk")
    latest_valid = (
        Assessment.objects.filter(valid_q(on), person=OuterRef("pk"))
        .order_by("-valid_until", "-pk")
        .values("valid_until")[:1]
    )
    return (
        persons.filter(domain=Domain.ELDERLY, merged_into__isnull=True)
        .elders(on)
        .annotate(
            valid_now=has_valid_assessment(on),
            valid_later=has_valid_assessment(later),
            ever=Exists(Assessment.objects.filter(person=OuterRef("pk"), assessed_on__lte=on)),
        )
        .filter((old & Q(valid_now=False)) | Q(valid_now=True, valid_later=False))
        .annotate(
            due_reason=Case(
                When(valid_now=True, then=Value(DueReason.EXPIRING.value)),
                When(ever=True, then=Value(DueReason.LAPSED.value)),
                default=Value(DueReason.NEVER.value),
            ),
            last_assessed_on=Subquery(latest.values("assessed_on")[:1]),
            last_level=Subquery(latest.values("final_level")[:1]),
            # The valid assessment's last day, else the last day of the latest one (lapsed).
            expires_on=Coalesce(Subquery(latest_valid), Subquery(latest.values("valid_until")[:1])),
        )
        .select_related("area__parent")
        .order_by("area__code", "name", "pk")
    )
