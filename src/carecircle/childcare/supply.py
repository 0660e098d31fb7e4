"""Supply and demand of childcare per town or village: children under 3 against places,
vacancies, applications and waiting times, places per 1000 residents, and the towns without a
普惠 institution.

Everything starts from the user's scoped querysets (persons, providers); enrolments and
applications are counted for the providers in scope (aggregates, no personal data). The 普惠
test is the one of indicator X09 (an operating childcare institution with 普惠 places in force,
located in or serving the town), evaluated through the indicator engine so the page and the
indicator always agree.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area, PopulationFact
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person

APPLICATION_WINDOW = dt.timedelta(days=365)
TWO_PLACES = Decimal("0.01")


def _optional_model(app_label: str, name: str):
    """A model of another app that may not exist yet (enrolment comes with its own module)."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


@dataclass
class SupplyRow:
    area: Area | None
    label: str
    code: str = ""
    children: int = 0
    places: int = 0
    affordable: int = 0
    providers: int = 0
    enrolled: int | None = None
    vacancies: int | None = None
    applications: int | None = None
    waiting: int | None = None
    waits: list[int] = field(default_factory=list)
    residents: int = 0
    has_affordable_institution: bool | None = None

    @property
    def median_wait_days(self) -> Decimal | None:
        if not self.waits:
            return None
        return Decimal(str(statistics.median(self.waits))).quantize(Decimal("0.1"))

    @property
    def places_per_1000(self) -> Decimal | None:
        if not self.residents:
            return None
        value = Decimal(self.places * 1000) / Decimal(self.residents)
        return value.quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def places_per_100_children(self) -> Decimal | None:
        if not self.children:
            return None
        value = Decimal(self.places * 100) / Decimal(self.children)
        return value.quantize(TWO_PLACES, ROUND_HALF_UP)

    def add(self, other: SupplyRow) -> None:
        for name in ("children", "places", "affordable", "providers", "residents"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("enrolled", "vacancies", "applications", "waiting"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None:
                setattr(self, name, (mine or 0) + theirs)
        self.waits.extend(other.waits)


@dataclass
class SupplyTable:
    area: Area
    on: dt.date
    total: SupplyRow
    rows: list[SupplyRow]
    towns_without_affordable: list[Area]
    enrolment_available: bool
    applications_available: bool


def towns_and_affordable(area: Area, on: dt.date) -> tuple[list[Area], set[int]]:
    """The towns (streets, zones) in ``area`` that indicator X09 counts, and the ids of those
    with a 普惠 institution on ``on``."""
    from carecircle.indicators.engine import computation
    from carecircle.indicators.periods import parse, window

    x09 = computation("X09")
    if x09 is None or x09.denominator is None:
        return [], set()
    w = window(parse(str(on.year)), on)
    towns = list(
        x09.denominator.rows(w).filter(path__startswith=area.path).order_by("code").distinct()
    )
    served = set(
        x09.numerator.rows(w).filter(path__startswith=area.path).values_list("pk", flat=True)
    )
    return towns, served


class _Rows:
    """Rows for the units directly below ``area``; records at ``area`` itself go to a row of
    their own (a provider registered at town level when the town is shown by village)."""

    def __init__(self, area: Area, on: dt.date):
        self.area = area
        children = Area.objects.current(on).filter(parent=area).order_by("code")
        self.by_code = {a.code: SupplyRow(area=a, label=a.name, code=a.code) for a in children}
        self.own = SupplyRow(area=area, label=f"{area.name}（本级）", code=area.code)

    def for_path(self, path: str) -> SupplyRow:
        for code in path.split("/"):
            row = self.by_code.get(code)
            if row is not None:
                return row
        return self.own

    def listed(self) -> list[SupplyRow]:
        rows = list(self.by_code.values())
        if any(
            getattr(self.own, name)
            for name in ("children", "places", "providers", "applications", "enrolled")
        ):
            rows.append(self.own)
        return rows


def supply_demand(user, area: Area, on: dt.date) -> SupplyTable:
    rows = _Rows(area, on)
    inside = {"area__path__startswith": area.path}

    children = (
        Person.objects.for_user(user)
        .children_under_3(on)
        .filter(**inside)
        .order_by()
        .values_list("area__path")
        .annotate(n=Count("pk"))
    )
    for path, count in children:
        rows.for_path(path).children += count

    providers = list(
        Provider.objects.for_user(user)
        .childcare()
        .operating_on(on)
        .filter(**inside)
        .with_capacity(on)
        .order_by()
        .values_list("pk", "area__path", "cap_places_total", "cap_places_affordable")
    )
    row_of_provider = {}
    places_of_provider = {}
    for pk, path, places, affordable in providers:
        row = rows.for_path(path)
        row.providers += 1
        row.places += places or 0
        row.affordable += affordable or 0
        row_of_provider[pk] = row
        places_of_provider[pk] = places or 0

    enrolment_model = _optional_model("enrolment", "Enrolment")
    application_model = _optional_model("enrolment", "Application")
    if enrolment_model is not None:
        _count_enrolments(enrolment_model, rows, row_of_provider, places_of_provider, on)
    if application_model is not None:
        _count_applications(application_model, rows, row_of_provider, on)
    if enrolment_model is not None and application_model is not None:
        offer_model = _optional_model("enrolment", "Offer")
        _collect_waits(application_model, offer_model, enrolment_model, row_of_provider, on)

    _count_residents(rows, area, on)

    towns, served = towns_and_affordable(area, on)
    town_ids = {t.pk for t in towns}
    for row in [*rows.by_code.values(), rows.own]:
        if row.area is not None and row.area.pk in town_ids:
            row.has_affordable_institution = row.area.pk in served
    total = SupplyRow(area=area, label=area.name, code=area.code)
    listed = rows.listed()
    for row in listed:
        total.add(row)
    if area.pk in town_ids:
        total.has_affordable_institution = area.pk in served
    return SupplyTable(
        area=area,
        on=on,
        total=total,
        rows=listed,
        towns_without_affordable=[t for t in towns if t.pk not in served],
        enrolment_available=enrolment_model is not None,
        applications_available=application_model is not None,
    )


def _current(on: dt.date) -> Q:
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def _count_enrolments(model, rows: _Rows, row_of_provider, places_of_provider, on) -> None:
    for row in [*rows.by_code.values(), rows.own]:
        row.enrolled = 0
        row.vacancies = 0
    enrolled = dict(
        model.objects.filter(_current(on), provider_id__in=list(row_of_provider))
        .order_by()
        .values_list("provider_id")
        .annotate(n=Count("pk"))
    )
    for pk, row in row_of_provider.items():
        count = enrolled.get(pk, 0)
        row.enrolled += count
        # An over-full provider does not offset vacancies elsewhere.
        row.vacancies += max(places_of_provider[pk] - count, 0)


def _count_applications(model, rows: _Rows, row_of_provider, on) -> None:
    """Applications submitted in the last 12 months, and those still open (waiting for a place
    or answering an offer) whenever submitted."""
    try:
        from carecircle.enrolment.choices import OPEN_STATUSES
    except ImportError:
        OPEN_STATUSES = ()  # noqa: N806 - the enrolment module's constant, when present
    for row in [*rows.by_code.values(), rows.own]:
        row.applications = 0
        row.waiting = 0 if OPEN_STATUSES else None
    since = on - APPLICATION_WINDOW
    recent = Q(submitted_at__date__gt=since, submitted_at__date__lte=on)
    open_now = Q(status__in=OPEN_STATUSES) if OPEN_STATUSES else Q(pk__in=[])
    counts = (
        model.objects.filter(provider_id__in=list(row_of_provider))
        .filter(recent | open_now)
        .order_by()
        .values_list("provider_id")
        .annotate(recent=Count("pk", filter=recent), waiting=Count("pk", filter=open_now))
    )
    for pk, recent_count, waiting in counts:
        row = row_of_provider[pk]
        row.applications += recent_count
        if OPEN_STATUSES:
            row.waiting += waiting


def _link(model, target) -> str | None:
    """The name of ``model``'s foreign key (or one-to-one) to ``target``, if it has one."""
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is target and (f.many_to_one or f.one_to_one):
            return f.name
    return None


def _collect_waits(application_model, offer_model, enrolment_model, row_of_provider, on) -> None:
    """Days from an application to its first offer or, without one, its enrolment, for those
    reached in the last 12 months."""
    since = on - APPLICATION_WINDOW
    providers = list(row_of_provider)
    reached: dict[int, dt.date] = {}

    def reach(application_id, day: dt.date) -> None:
        if since < day <= on:
            reached[application_id] = min(reached.get(application_id, day), day)

    offer_link = _link(offer_model, application_model) if offer_model is not None else None
    if offer_link and any(f.name == "made_at" for f in offer_model._meta.concrete_fields):
        offers = offer_model.objects.filter(
            **{f"{offer_link}__provider_id__in": providers, "made_at__date__lte": on}
        ).values_list(f"{offer_link}_id", "made_at")
        for application_id, made_at in offers:
            reach(application_id, timezone.localtime(made_at).date())
    enrolment_link = _link(enrolment_model, application_model)
    if enrolment_link:
        starts = enrolment_model.objects.filter(
            provider_id__in=providers, **{f"{enrolment_link}__isnull": False}
        ).values_list(f"{enrolment_link}_id", "started_on")
        for application_id, started_on in starts:
            reach(application_id, started_on)
    submitted = application_model.objects.filter(pk__in=list(reached)).values_list(
        "pk", "provider_id", "submitted_at"
    )
    for pk, provider_id, submitted_at in submitted:
        days = (reached[pk] - timezone.localtime(submitted_at).date()).days
        if days >= 0 and provider_id in row_of_provider:
            row_of_provider[provider_id].waits.append(days)


def _count_residents(rows: _Rows, area: Area, on: dt.date) -> None:
    """Residents of each village from its latest population facts up to this year."""
    latest: dict[str, tuple[int, int]] = {}
    facts = (
        PopulationFact.objects.filter(
            area__path__startswith=area.path, area__level=AreaLevel.VILLAGE, year__lte=on.year
        )
        .order_by()
        .values_list("area__path", "year", "total")
    )
    for path, year, total in facts:
        if path not in latest or latest[path][0] < year:
            latest[path] = (year, total)
    for path, (_year, total) in latest.items():
        rows.for_path(path).residents += total
