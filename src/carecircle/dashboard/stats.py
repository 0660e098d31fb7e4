"""Data summary of an area on a reference date: the 2022 baseline figures, population, people.

Everything is counted from the database for the area's subtree (materialised path prefix), with a
handful of aggregate queries: providers (counts, beds and places in force), designations in force,
population facts (latest year up to the reference year) and persons present on the date.
Not scoped to a user: this is the command-line and reporting view of the whole area.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from carecircle.areas.models import Area, PopulationFact
from carecircle.core.dates import years_before
from carecircle.institutions.choices import (
    ELDERLY_INSTITUTION_KINDS,
    DesignationKind,
    Ownership,
    ProviderKind,
)
from carecircle.institutions.models import Designation, Provider
from carecircle.persons.models import ELDER_AGE, Person

K = ProviderKind
PRIVATE_ELDERLY_KINDS = (K.PRIVATE_INSTITUTION, K.NURSING_HOME)
# The baseline's "daycare centres and home-care centres (stations)", comprehensive centres included.
DAYCARE_AND_HOME_CARE_KINDS = (K.DAYCARE_CENTRE, K.HOME_CARE_STATION, K.COMPREHENSIVE_CENTRE)
# Childcare *institutions*: community and family points (托育点) are not institutions.
CHILDCARE_INSTITUTION_KINDS = (K.CHILDCARE_STANDALONE, K.KINDERGARTEN_CLASS, K.EMPLOYER_RUN)
PRIVATE_OWNERSHIP = (Ownership.PRIVATE,)
DESIGNATION_FIGURES = {
    "provincial_affordable_childcare": DesignationKind.PROVINCIAL_AFFORDABLE_CHILDCARE,
    "provincial_model_childcare": DesignationKind.PROVINCIAL_MODEL_CHILDCARE,
    "nantong_affordable_childcare": DesignationKind.NANTONG_AFFORDABLE_CHILDCARE,
}


def reference_date(on: dt.date | str | None) -> dt.date:
    if on is None or on == "":
        return timezone.localdate()
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    return dt.date.fromisoformat(str(on))


def _designated(kind: str, on: dt.date) -> Exists:
    in_force = Designation.objects.filter(
        provider=OuterRef("pk"), kind=kind, granted_on__lte=on
    ).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
    return Exists(in_force)


def area_summary(code: str = "320685", on: dt.date | str | None = None) -> dict:
    """The summary of area ``code`` on ``on`` (a date or ISO string; default today)."""
    on = reference_date(on)
    try:
        area = Area.objects.get(code=str(code))
    except Area.DoesNotExist:
        raise LookupError(f"no area with code {code}") from None

    # Providers operating on the date, with the capacity and designations then in force, all
    # counted in one query.
    providers = (
        Provider.objects.filter(area__path__startswith=area.path)
        .operating_on(on)
        .with_capacity(on)
        .annotate(
            **{
                f"has_{figure}": _designated(kind, on)
                for figure, kind in DESIGNATION_FIGURES.items()
            }
        )
    )
    elderly = Q(kind__in=ELDERLY_INSTITUTION_KINDS)
    childcare = Q(kind__in=CHILDCARE_INSTITUTION_KINDS)
    kindergarten = Q(kind=K.KINDERGARTEN_CLASS)
    figures = providers.aggregate(
        elderly_institutions_total=Count("pk", filter=elderly),
        elderly_institutions_welfare_home=Count("pk", filter=Q(kind=K.WELFARE_HOME)),
        elderly_institutions_rural_home=Count("pk", filter=Q(kind=K.RURAL_HOME)),
        elderly_institutions_private=Count("pk", filter=Q(kind__in=PRIVATE_ELDERLY_KINDS)),
        elderly_institution_beds=Sum("cap_beds_total", filter=elderly),
        daycare_and_home_care_centres=Count("pk", filter=Q(kind__in=DAYCARE_AND_HOME_CARE_KINDS)),
        childcare_institutions_total=Count("pk", filter=childcare),
        childcare_standalone=Count("pk", filter=Q(kind=K.CHILDCARE_STANDALONE)),
        childcare_kindergarten_classes=Count("pk", filter=kindergarten),
        childcare_kindergarten_classes_public=Count(
            "pk", filter=kindergarten & ~Q(ownership__in=PRIVATE_OWNERSHIP)
        ),
        childcare_kindergarten_classes_private=Count(
            "pk", filter=kindergarten & Q(ownership__in=PRIVATE_OWNERSHIP)
        ),
        childcare_places=Sum("cap_places_total", filter=childcare),
        childcare_places_affordable=Sum("cap_places_affordable", filter=childcare),
        **{
            figure: Count("pk", filter=childcare & Q(**{f"has_{figure}": True}))
            for figure in DESIGNATION_FIGURES
        },
    )

    # Population: the latest year with facts up to the reference year, rolled up.
    facts = PopulationFact.objects.filter(area__path__startswith=area.path, year__lte=on.year)
    year = facts.aggregate(year=Max("year"))["year"]
    population = PopulationFact.objects.rollup(area, year) if year else {}

    people = (
        Person.objects.filter(area__path__startswith=area.path)
        .present_on(on)
        .aggregate(
            elders=Count("pk", filter=Q(birth_date__lte=years_before(on, ELDER_AGE))),
            elders_80_plus=Count("pk", filter=Q(birth_date__lte=years_before(on, 80))),
            children_under_3=Count(
                "pk", filter=Q(birth_date__gt=years_before(on, 3), birth_date__lte=on)
            ),
        )
    )

    summary: dict = {
        "area_code": area.code,
        "area_name": area.name,
        "reference_date": on.isoformat(),
    }
    summary.update({key: value or 0 for key, value in figures.items()})
    summary["resident_population"] = population.get("total", 0)
    summary["population_year"] = year
    summary.update({key: value or 0 for key, value in people.items()})
    return summary
