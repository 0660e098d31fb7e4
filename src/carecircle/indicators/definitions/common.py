"""Conditions the computations share: operating on a day, capacity in force, designations, the
units a facility serves on a day (in the hierarchy valid then) and shares below a target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, LessThan

from carecircle.areas.choices import LEVEL_DEPTH, AreaLevel
from carecircle.areas.models import Area, AreaVersion, PopulationFact
from carecircle.indicators.engine import GapRule
from carecircle.indicators.periods import Window
from carecircle.institutions.models import CapacityRecord, Designation, Provider

# The computations' root unit is a county (Hai'an): ancestors above it are never listed.
ROOT_DEPTH = LEVEL_DEPTH[AreaLevel.COUNTY]
LOWEST_DEPTH = LEVEL_DEPTH[AreaLevel.VILLAGE]
HUNDRED = Decimal(100)
_DECIMAL = DecimalField(max_digits=24, decimal_places=4)


def _p(prefix: str) -> str:
    return f"{prefix}__" if prefix else ""


def operating(w: Window, prefix: str = "") -> Q:
    """The provider (at ``prefix``) was open on the snapshot day."""
    p = _p(prefix)
    return Q(**{f"{p}opened_on__lte": w.on}) & (
        Q(**{f"{p}closed_on__isnull": True}) | Q(**{f"{p}closed_on__gt": w.on})
    )


def in_force(w: Window, start: str, end: str, prefix: str = "") -> Q:
    p = _p(prefix)
    return Q(**{f"{p}{start}__lte": w.on}) & (
        Q(**{f"{p}{end}__isnull": True}) | Q(**{f"{p}{end}__gt": w.on})
    )


def between(w: Window, field: str) -> Q:
    """A cumulative indicator's event: dated from ``w.since`` (2021-01-01) to the snapshot day."""
    return Q(**{f"{field}__gte": w.since, f"{field}__lte": w.on})


def employed(w: Window, prefix: str = "") -> Q:
    """A staff member (at ``prefix``) employed on the snapshot day."""
    return in_force(w, "hired_on", "left_on", prefix)


def unit_valid(w: Window) -> Q:
    """An area that exists on the snapshot day (valid_from <= on < valid_to)."""
    return in_force(w, "valid_from", "valid_to")


def capacity_in_force(w: Window) -> Q:
    """A capacity record that is its provider's latest starting on or before the snapshot day."""
    return capacity_on(w.on)


def capacity_on(day: dt.date) -> Q:
    later = CapacityRecord.objects.filter(
        provider=OuterRef("provider"), valid_from__gt=OuterRef("valid_from"), valid_from__lte=day
    )
    return Q(valid_from__lte=day) & ~Exists(later)


def designated(kind: str, w: Window, provider_ref: str = "pk", **extra) -> Exists:
    return Exists(
        Designation.objects.filter(provider=OuterRef(provider_ref), kind=kind, **extra).filter(
            in_force(w, "granted_on", "revoked_on")
        )
    )


def latest_fact_year(w: Window) -> Subquery:
    """The latest year up to the period's with population facts for the outer row's village (a
    village whose facts stop earlier still counts with its latest ones)."""
    return Subquery(
        PopulationFact.objects.filter(
            area=OuterRef("area"), area__level=AreaLevel.VILLAGE, year__lte=w.period.year
        )
        .order_by("-year")
        .values("year")[:1]
    )


# The hierarchy on a day, in SQL ------------------------------------------------------------------


def _nest(name: str, up: int):
    ref = OuterRef(name)
    for _ in range(up - 1):
        ref = OuterRef(ref)
    return ref


def ancestor_on(day: dt.date, name: str, up: int, levels: int):
    """The area ``levels`` above the area id ``name`` on ``day``, as an expression placed in a
    query ``up`` levels below the query that has ``name``.

    A unit's parent on a day is the one its ``AreaVersion`` starting last on or before the day
    names (so a closed unit keeps its last parent), else its current parent: the same rule as
    ``hierarchy.hierarchy_on``.
    """
    if levels == 0:
        return F(name) if up == 0 else _nest(name, up)

    def below():
        return ancestor_on(day, name, up + 1, levels - 1)

    version = (
        AreaVersion.objects.filter(area_id=below(), valid_from__lte=day)
        .order_by("-valid_from")
        .values("parent_id")[:1]
    )
    current = Area.objects.filter(pk=below()).values("parent_id")[:1]
    return Coalesce(Subquery(version), Subquery(current), output_field=IntegerField())


def in_root() -> Q:
    """Areas of the root's subtree (the units that get values)."""
    root = Area.objects.filter(code=settings.CARECIRCLE_ROOT_AREA).values("path")[:1]
    return Q(path__startswith=Subquery(root))


def served(w: Window, level: str, facility: Callable[[Window, str, str], Q]) -> Q:
    """For Area rows of ``level``: served on the snapshot day by a provider meeting ``facility``.

    A provider serves a unit when it is located in the unit's subtree (in the hierarchy valid on
    the day) or lists the unit, or an ancestor of it, among its service areas. ``facility(w,
    prefix, pk_ref)`` gives the provider's condition from a query on Provider (``prefix=""``,
    ``pk_ref="pk"``) or on the service-area link (``prefix="provider"``,
    ``pk_ref="provider_id"``).
    """
    depth = LEVEL_DEPTH[level]
    below = LOWEST_DEPTH - depth  # levels of units under this one
    above = depth - ROOT_DEPTH  # levels of units above it, up to the root
    unit = OuterRef("pk")
    inside = [Q(Exact(ancestor_on(w.on, "area_id", 0, k), unit)) for k in range(below + 1)]
    located = Provider.objects.filter(facility(w, "", "pk")).filter(reduce(or_, inside))
    link = Provider.service_areas.through
    listed = link.objects.filter(facility(w, "provider", "provider_id")).filter(
        reduce(or_, [Q(area_id=ancestor_on(w.on, "pk", 1, k)) for k in range(above + 1)])
    )
    return Q(Exists(located)) | Q(Exists(listed))


# Shares below a target -----------------------------------------------------------------------


def scaled(field: str, factor) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) * Value(Decimal(factor)), output_field=_DECIMAL)


def below_share(part: str, whole: str, target: Decimal | None) -> Q:
    """``part`` is less than ``target`` per cent of ``whole`` (without dividing in SQL); without a
    target, any share below 100 %."""
    target = HUNDRED if target is None else Decimal(target)
    return Q(**{f"{whole}__gt": 0}) & Q(LessThan(scaled(part, HUNDRED), scaled(whole, target)))


def capacity_share_gap(kinds, part: str, whole: str, label: str) -> GapRule:
    """Operating providers of ``kinds`` whose capacity in force has less than the target share
    of ``part`` in ``whole`` (e.g. nursing-type beds in all beds)."""

    def when(w: Window, target):
        below = CapacityRecord.objects.filter(provider=OuterRef("pk")).filter(
            capacity_in_force(w) & below_share(part, whole, target)
        )
        return operating(w) & Exists(below)

    return GapRule(
        model=Provider,
        area="area",
        base=Q(kind__in=kinds),
        when=when,
        label=label,
        order_by=("area__code", "name"),
    )
