"""Area figures shared by pages, exports, imports and the API.

- population roll-ups: facts are entered for lowest-level units (villages and communities) and
  summed up the tree by materialised path, one aggregate query per question;
- checks of a population fact that name the offending fields (used by the form, the Excel import
  and the API, so all three speak the same Chinese);
- residential-estate room norms (m² per 100 households), configurable through
  ``settings.CARECIRCLE_ESTATE_NORMS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Substr
from django.db.models.lookups import LessThan
from django.utils.translation import gettext as _

from carecircle.areas.choices import AreaLevel, EstateKind
from carecircle.areas.models import Area, PopulationFact, ResidentialArea

LOWEST_LEVEL = AreaLevel.VILLAGE
COUNT_FIELDS = PopulationFact.COUNT_FIELDS

# Allocation norms of 海政发〔2022〕52号: new estates ≥30 m² elderly-care and ≥20 m² childcare
# rooms per 100 households, existing (old) estates ≥20 and ≥15.
DEFAULT_ESTATE_NORMS: dict[str, dict[str, Decimal]] = {
    EstateKind.NEW: {"elderly": Decimal(30), "childcare": Decimal(20)},
    EstateKind.EXISTING: {"elderly": Decimal(20), "childcare": Decimal(15)},
}


# Scope ---------------------------------------------------------------------------------------


def lowest_units_for(user) -> QuerySet[Area]:
    """The lowest-level units a user may enter figures for: villages in their own subtree."""
    area = getattr(user, "scope_area", None)
    if area is None or not user.is_authenticated or not user.is_active:
        return Area.objects.none()
    return Area.objects.subtree(area).filter(level=LOWEST_LEVEL)


def current_units_for(user) -> QuerySet[Area]:
    """The lowest-level units of the user's subtree in force today, where people are registered."""
    return lowest_units_for(user).current().order_by("code")


def writable_facts(user) -> QuerySet[PopulationFact]:
    """Population facts the user may change: those of the lowest-level units in their subtree."""
    return PopulationFact.objects.for_user(user).filter(area__in=lowest_units_for(user))


# Population ----------------------------------------------------------------------------------


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in COUNT_FIELDS}


def lowest_facts(area: Area) -> QuerySet[PopulationFact]:
    """Facts of the lowest-level units in ``area``'s subtree (the ones that are summed up)."""
    return PopulationFact.objects.filter(area__path__startswith=area.path, area__level=LOWEST_LEVEL)


def yearly_rollup(area: Area, year: int | None = None) -> list[dict[str, Any]]:
    """One row per year (newest first): the sums of the lowest-level facts and how many units
    reported. One aggregate query."""
    facts = lowest_facts(area)
    if year is not None:
        facts = facts.filter(year=year)
    rows = facts.values("year").annotate(units=Count("pk"), **_sums()).order_by("-year")
    return [{**row, **{name: row[name] or 0 for name in COUNT_FIELDS}} for row in rows]


def child_rollup(area: Area, children: list[Area], year: int) -> dict[int, dict[str, int]]:
    """Sums of the lowest-level facts of ``year`` below each child, keyed by child id.

    Facts are grouped by the leading part of their unit's path (the child's path), one query
    per distinct child code length (children of one unit share a length, so usually one).
    """
    by_length: dict[int, dict[str, Area]] = {}
    for child in children:
        by_length.setdefault(len(child.code), {})[child.path] = child
    totals: dict[int, dict[str, int]] = {}
    for length, by_path in by_length.items():
        rows = (
            lowest_facts(area)
            .filter(year=year)
            .annotate(branch=Substr("area__path", 1, len(area.path) + length + 1))
            .values("branch")
            .annotate(units=Count("pk"), **_sums())
            .order_by()
        )
        for row in rows:
            child = by_path.get(row["branch"])
            if child is not None:
                totals[child.pk] = {
                    "units": row["units"],
                    **{n: row[n] or 0 for n in COUNT_FIELDS},
                }
    return totals


def fact_problems(values: dict[str, Any]) -> dict[str, str]:
    """Rule violations of one fact's counts, keyed by the field to mark (Chinese messages)."""
    get = {name: values.get(name) or 0 for name in COUNT_FIELDS}
    problems: dict[str, str] = {}
    total = get["total"]
    if get["male"] + get["female"] != total:
        message = _("男性（%(m)d）与女性（%(f)d）之和须等于常住人口（%(t)d）") % {
            "m": get["male"],
            "f": get["female"],
            "t": total,
        }
        problems["male"] = problems["female"] = message
    if get["urban"] + get["rural"] != total:
        message = _("城镇人口（%(u)d）与乡村人口（%(r)d）之和须等于常住人口（%(t)d）") % {
            "u": get["urban"],
            "r": get["rural"],
            "t": total,
        }
        problems["urban"] = problems["rural"] = message
    if get["aged_60_plus"] > total:
        problems["aged_60_plus"] = _("60岁及以上人口不能多于常住人口")
    if get["aged_65_plus"] > get["aged_60_plus"]:
        problems["aged_65_plus"] = _("65岁及以上人口不能多于60岁及以上人口")
    if get["aged_80_plus"] > get["aged_65_plus"]:
        problems["aged_80_plus"] = _("80岁及以上人口不能多于65岁及以上人口")
    if get["under_3"] > total:
        problems["under_3"] = _("3岁以下人口不能多于常住人口")
    return problems


# Residential estates -------------------------------------------------------------------------


def estate_norms() -> dict[str, dict[str, Decimal]]:
    """Room norms by estate kind, m² per 100 households (settings override the defaults)."""
    configured = getattr(settings, "CARECIRCLE_ESTATE_NORMS", DEFAULT_ESTATE_NORMS)
    norms = {}
    for kind, default in DEFAULT_ESTATE_NORMS.items():
        given = configured.get(kind, {}) if isinstance(configured, dict) else {}
        norms[kind] = {
            room: Decimal(str(given.get(room, value))) for room, value in default.items()
        }
    return norms


@dataclass(frozen=True)
class Compliance:
    elderly_per_100: Decimal
    childcare_per_100: Decimal
    elderly_norm: Decimal
    childcare_norm: Decimal

    @property
    def elderly_below(self) -> bool:
        return self.elderly_per_100 < self.elderly_norm

    @property
    def childcare_below(self) -> bool:
        return self.childcare_per_100 < self.childcare_norm

    @property
    def below(self) -> bool:
        return self.elderly_below or self.childcare_below


def compliance(estate: ResidentialArea) -> Compliance | None:
    """Room area per 100 households against the norms of the estate's kind (None without
    households, where no allocation is owed)."""
    norms = estate_norms().get(estate.kind)
    if not estate.households or norms is None:
        return None
    factor = Decimal(100) / Decimal(estate.households)
    return Compliance(
        elderly_per_100=(Decimal(estate.elderly_room_m2) * factor).quantize(Decimal("0.1")),
        childcare_per_100=(Decimal(estate.childcare_room_m2) * factor).quantize(Decimal("0.1")),
        elderly_norm=norms["elderly"],
        childcare_norm=norms["childcare"],
    )


def _scaled(field: str, factor: Decimal) -> ExpressionWrapper:
    return ExpressionWrapper(
        F(field) * Value(factor), output_field=DecimalField(max_digits=20, decimal_places=4)
    )


def below_norm_q() -> Q:
    """Estates with less room per 100 households than their kind's norm, without dividing in
    SQL: room × 100 < norm × households."""
    condition = Q(pk__in=[])
    hundred = Decimal(100)
    for kind, norm in estate_norms().items():
        condition |= Q(kind=kind, households__gt=0) & (
            Q(LessThan(_scaled("elderly_room_m2", hundred), _scaled("households", norm["elderly"])))
            | Q(
                LessThan(
                    _scaled("childcare_room_m2", hundred), _scaled("households", norm["childcare"])
                )
            )
        )
    return condition
