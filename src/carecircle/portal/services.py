"""What the family portal shows: providers near a place, their classes, vacancies and fees.

Everything here is public: providers' published facts and counts, never a person. Queries are
unscoped on purpose and read only provider-level data (names, kinds, addresses, capacity, class
counts, fees, designations, filing, the home-care service menu).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.enrolment import occupancy
from carecircle.enrolment.models import ChildcareClass
from carecircle.institutions.choices import (
    CHILDCARE_KINDS,
    COMMUNITY_FACILITY_KINDS,
    ELDERLY_INSTITUTION_KINDS,
    FilingStatus,
    ProviderStatus,
)
from carecircle.institutions.models import Designation, Provider, Residency

EARTH_RADIUS_KM = 6371.0
PAGE_SIZE = 20
DEFAULT_APPLY_LIMIT = 5  # applications per address per hour
DEFAULT_LOOKUP_LIMIT = 30  # status look-ups per address per hour


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def point_of(latitude, longitude) -> Point | None:
    if latitude is None or longitude is None:
        return None
    return Point(float(latitude), float(longitude))


# Areas ---------------------------------------------------------------------------------------


def root_area() -> Area | None:
    return Area.objects.filter(code=settings.CARECIRCLE_ROOT_AREA).first()


def area_tree() -> list[tuple[Area, list[Area]]]:
    """Towns (streets, zones) in force with their villages and communities, for the picker."""
    root = root_area()
    if root is None:
        return []
    units = list(
        Area.objects.current()
        .filter(path__startswith=root.path, level__in=(AreaLevel.TOWNSHIP, AreaLevel.VILLAGE))
        .order_by("code")
    )
    towns = [u for u in units if u.level == AreaLevel.TOWNSHIP]
    villages: dict[int, list[Area]] = {t.pk: [] for t in towns}
    for unit in units:
        if unit.level == AreaLevel.VILLAGE and unit.parent_id in villages:
            villages[unit.parent_id].append(unit)
    return [(town, villages[town.pk]) for town in towns]


def area_point(area: Area) -> Point | None:
    """An area's own point, else the mean of its units' points (its centroid in the data)."""
    own = point_of(area.latitude, area.longitude)
    if own is not None:
        return own
    points = [
        point_of(lat, lon)
        for lat, lon in Area.objects.filter(path__startswith=area.path)
        .exclude(latitude__isnull=True)
        .values_list("latitude", "longitude")
    ]
    if not points:
        return None
    return Point(sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points))


def within_city(point: Point) -> bool:
    """A clicked point is accepted near the city only (its units' extent plus a margin)."""
    box = city_box()
    if box is None:
        return False
    south, west, north, east = box
    return south - 0.1 <= point.lat <= north + 0.1 and west - 0.1 <= point.lon <= east + 0.1


def city_box() -> tuple[float, float, float, float] | None:
    """South, west, north, east of the units with a point (cached: reference data)."""
    cached = cache.get("portal:city-box")
    if cached:
        return tuple(cached)
    root = root_area()
    if root is None:
        return None
    coords = list(
        Area.objects.filter(path__startswith=root.path)
        .exclude(latitude__isnull=True)
        .values_list("latitude", "longitude")
    )
    coords += list(
        Provider.objects.exclude(latitude__isnull=True).values_list("latitude", "longitude")
    )
    if not coords:
        return None
    lats = [float(lat) for lat, _lon in coords]
    lons = [float(lon) for _lat, lon in coords]
    box = (min(lats), min(lons), max(lats), max(lons))
    cache.set("portal:city-box", box, 3600)
    return box


# Providers -----------------------------------------------------------------------------------


def public_providers(on: dt.date) -> QuerySet[Provider]:
    """Providers a family can turn to: operating on ``on`` and not suspended or closed."""
    return (
        Provider.objects.operating_on(on)
        .filter(status=ProviderStatus.ACTIVE)
        .select_related("area", "area__parent")
    )


def provider_point(provider: Provider) -> Point | None:
    return point_of(provider.latitude, provider.longitude) or point_of(
        provider.area.latitude, provider.area.longitude
    )


def designations_in_force(providers: list[Provider], on: dt.date) -> dict[int, list[str]]:
    held: dict[int, list[str]] = {p.pk: [] for p in providers}
    rows = (
        Designation.objects.filter(provider__in=providers, granted_on__lte=on)
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
        .order_by("provider_id", "granted_on")
    )
    for designation in rows:
        held[designation.provider_id].append(str(designation.get_kind_display()))
    return held


@dataclass
class ClassOffer:
    """A class as a family sees it: ages, mode, size, places free, fees."""

    childcare_class: ChildcareClass
    vacancies: int
    enrolled: int

    @property
    def price_from(self) -> Decimal:
        fees = [self.childcare_class.monthly_fee, self.childcare_class.affordable_fee]
        return min(fee for fee in fees if fee is not None)


@dataclass
class Place:
    provider: Provider
    point: Point | None
    distance: float | None = None
    designations: list[str] = field(default_factory=list)
    classes: list[ClassOffer] = field(default_factory=list)
    capacity: int = 0
    capacity_affordable: int = 0
    vacancies: int | None = None
    price_from: Decimal | None = None
    service_items: int = 0

    @property
    def is_childcare(self) -> bool:
        return self.provider.kind in CHILDCARE_KINDS

    @property
    def is_filed(self) -> bool:
        return self.provider.filing_status == FilingStatus.FILED

    @property
    def distance_label(self) -> str:
        if self.distance is None:
            return ""
        if self.distance < 1:
            return f"{round(self.distance * 1000, -1):.0f} m"
        return f"{self.distance:.1f} km"


@dataclass
class ChildcareFilters:
    rule_id: int | None = None
    mode: str = ""
    affordable: bool = False
    max_price: Decimal | None = None
    vacancy: bool = False

    @property
    def on_classes(self) -> bool:
        return bool(self.rule_id or self.mode or self.affordable or self.max_price or self.vacancy)

    def accepts(self, offer: ClassOffer) -> bool:
        cls = offer.childcare_class
        if self.rule_id and cls.rule_id != self.rule_id:
            return False
        if self.mode and cls.mode != self.mode:
            return False
        if self.affordable and cls.affordable_fee is None:
            return False
        if self.vacancy and offer.vacancies < 1:
            return False
        price = cls.affordable_fee if self.affordable else offer.price_from
        return not (self.max_price is not None and price > self.max_price)


def class_offers(providers: list[Provider], on: dt.date) -> dict[int, list[ClassOffer]]:
    """The open classes of the providers with today's counts (one query)."""
    offers: dict[int, list[ClassOffer]] = {p.pk: [] for p in providers}
    classes = occupancy.with_counts(
        ChildcareClass.objects.filter(provider__in=providers)
        .open_on(on)
        .select_related("rule")
        .order_by("provider_id", "rule__sort_order", "name"),
        on,
    )
    for cls in classes:
        day = occupancy.day_of(cls, on)
        offers[cls.provider_id].append(ClassOffer(cls, day.vacancies, day.enrolled))
    return offers


def search_childcare(
    filters: ChildcareFilters, origin: Point | None, on: dt.date | None = None
) -> list[Place]:
    on = on or timezone.localdate()
    providers = list(public_providers(on).filter(kind__in=CHILDCARE_KINDS).with_capacity(on))
    offers = class_offers(providers, on)
    held = designations_in_force(providers, on)
    places = []
    for provider in providers:
        matching = [o for o in offers[provider.pk] if filters.accepts(o)]
        if filters.on_classes and not matching:
            continue
        if filters.affordable and not provider.cap_places_affordable:
            continue
        shown = matching if filters.on_classes else offers[provider.pk]
        place = Place(
            provider=provider,
            point=provider_point(provider),
            designations=held[provider.pk],
            classes=offers[provider.pk],
            capacity=provider.cap_places_total or 0,
            capacity_affordable=provider.cap_places_affordable or 0,
            vacancies=sum(o.vacancies for o in shown) if offers[provider.pk] else None,
            price_from=min((o.price_from for o in shown), default=provider.monthly_fee),
        )
        places.append(place)
    return _by_distance(places, origin)


@dataclass
class ElderlyFilters:
    group: str = ""  # "institution" or "community"
    vacancy: bool = False
    max_price: Decimal | None = None


INSTITUTION, COMMUNITY = "institution", "community"


def search_elderly(
    filters: ElderlyFilters, origin: Point | None, on: dt.date | None = None
) -> list[Place]:
    on = on or timezone.localdate()
    kinds = {
        INSTITUTION: ELDERLY_INSTITUTION_KINDS,
        COMMUNITY: COMMUNITY_FACILITY_KINDS,
    }.get(filters.group, ELDERLY_INSTITUTION_KINDS + COMMUNITY_FACILITY_KINDS)
    providers = list(public_providers(on).filter(kind__in=kinds).with_capacity(on))
    occupied = _occupied_beds(providers, on)
    held = designations_in_force(providers, on)
    menus = service_item_counts(providers, on)
    places = []
    for provider in providers:
        beds = provider.cap_beds_total or 0
        vacancies = max(beds - occupied.get(provider.pk, 0), 0) if beds else None
        if filters.vacancy and not vacancies:
            continue
        fee = provider.monthly_fee
        if filters.max_price is not None and (fee is None or fee > filters.max_price):
            continue
        places.append(
            Place(
                provider=provider,
                point=provider_point(provider),
                designations=held[provider.pk],
                capacity=beds,
                vacancies=vacancies,
                price_from=fee,
                service_items=menus.get(provider.pk, 0),
            )
        )
    return _by_distance(places, origin)


def _occupied_beds(providers: list[Provider], on: dt.date) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        Residency.objects.filter(provider__in=providers, admitted_on__lte=on)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=on))
        .values("provider_id")
        .annotate(n=Count("pk"))
        .values_list("provider_id", "n")
    )
    return dict(rows)


def _by_distance(places: list[Place], origin: Point | None) -> list[Place]:
    if origin is None:
        return sorted(places, key=lambda p: (p.provider.area.code, p.provider.name))
    for place in places:
        place.distance = distance_km(origin, place.point) if place.point else None
    return sorted(
        places,
        key=lambda p: (p.distance is None, p.distance or 0.0, p.provider.name),
    )


# Home-care service menu (the homecare app, when installed) -----------------------------------


def _homecare_models():
    """The homecare app's menu models, or None while that app is absent."""
    try:
        return apps.get_model("homecare", "ServiceItem"), apps.get_model(
            "homecare", "ProviderContract"
        )
    except LookupError:
        return None


def _contracts_in_force(contract_model, on: dt.date) -> QuerySet:
    return contract_model.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def service_item_counts(providers: list[Provider], on: dt.date) -> dict[int, int]:
    models = _homecare_models()
    if models is None:
        return {}
    item_model, contract_model = models
    through = contract_model._meta.get_field("items").remote_field.through
    contracts = _contracts_in_force(contract_model, on).filter(provider__in=providers)
    counts: dict[int, set[int]] = {}
    rows = through.objects.filter(
        providercontract__in=contracts, serviceitem__active=True
    ).values_list("providercontract__provider_id", "serviceitem_id")
    for provider_id, item_id in rows:
        counts.setdefault(provider_id, set()).add(item_id)
    return {pk: len(items) for pk, items in counts.items()}


def service_menu(provider: Provider, on: dt.date | None = None) -> list:
    """The home-care items the provider is contracted to deliver today (name, unit, price)."""
    models = _homecare_models()
    if models is None:
        return []
    item_model, contract_model = models
    on = on or timezone.localdate()
    contracts = _contracts_in_force(contract_model, on).filter(provider=provider)
    return list(
        item_model.objects.filter(contracts__in=contracts, active=True)
        .distinct()
        .order_by("category", "code")
    )


# Rate limits ---------------------------------------------------------------------------------


def allow(request, bucket: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one more request of ``bucket`` from the client's address; False over the limit."""
    key = _rate_key(request, bucket)
    if cache.add(key, 1, window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return True
    return count <= limit


def used(request, bucket: str) -> int:
    """How many requests of ``bucket`` the client's address made in the current window."""
    return int(cache.get(_rate_key(request, bucket)) or 0)


def _rate_key(request, bucket: str) -> str:
    return f"portal:rate:{bucket}:{request.META.get('REMOTE_ADDR', '')}"


ATTEMPTS_PER_APPLICATION = 6  # corrections of a form with errors before the hour is up


def apply_limit() -> int:
    return int(getattr(settings, "CARECIRCLE_PORTAL_APPLY_LIMIT", DEFAULT_APPLY_LIMIT))


def lookup_limit() -> int:
    return int(getattr(settings, "CARECIRCLE_PORTAL_LOOKUP_LIMIT", DEFAULT_LOOKUP_LIMIT))
