"""The indicator engine: computations declared once, evaluated set-based for all areas and periods.

A :class:`Measure` is an additive aggregation over one registry (rows counted, or a field summed)
together with the unit each row counts in. Evaluating it is one SQL query that groups by that unit
and computes one conditional aggregate per period, so every area and period comes out of a single
scan, never a per-row Python loop. Values then roll up the hierarchy valid on each period's
snapshot day and are divided as DHIS2 does: sum numerators, sum denominators, then divide.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models
from django.db.models import Count, F, Q, Sum
from django.db.models.expressions import RawSQL

from carecircle.indicators.periods import Window

ZERO = Decimal(0)


@dataclass(frozen=True)
class Measure:
    """Rows of ``model`` that count in a window, attached to the unit ``area`` names.

    ``area`` is the lookup from the row to the area it counts in (``"area"``,
    ``"provider__area"``; ``"pk"`` when the rows are areas themselves). ``when`` gives the condition
    for a window; ``base`` the condition that does not depend on it. ``total`` names the field to
    sum; without it rows are counted.
    """

    model: type[models.Model]
    area: str
    when: Callable[[Window], Q]
    label: str
    base: Q = field(default_factory=Q)
    total: str | None = None

    def queryset(self) -> models.QuerySet:
        return self.model._base_manager.filter(self.base)

    def aggregate(self, w: Window):
        condition = self.when(w)
        if self.total:
            return Sum(self.total, filter=condition)
        return Count("pk", filter=condition)

    def rows(self, w: Window, area_ids: Iterable[int] | None = None) -> models.QuerySet:
        """The rows counted in ``w`` (for drill-down), optionally only those of some units."""
        qs = self.queryset().filter(self.when(w))
        if area_ids is not None:
            qs = qs.filter(**{f"{self.area}__in": list(area_ids)})
        return qs


@dataclass(frozen=True)
class GapRule:
    """The records that must change for the target to be met (the field worklist)."""

    model: type[models.Model]
    area: str
    when: Callable[[Window, Decimal | None], Q]
    label: str
    base: Q = field(default_factory=Q)
    order_by: tuple[str, ...] = ()

    def rows(self, w: Window, target: Decimal | None, area_ids=None) -> models.QuerySet:
        qs = self.model._base_manager.filter(self.base).filter(self.when(w, target))
        if area_ids is not None:
            qs = qs.filter(**{f"{self.area}__in": list(area_ids)})
        return qs.order_by(*self.order_by) if self.order_by else qs


@dataclass(frozen=True)
class Computation:
    """How one indicator is computed. ``depends`` names, for each further model whose changes
    affect the value, the lookups from that model to the areas it affects (its own measure models
    are always watched)."""

    code: str
    numerator: Measure
    denominator: Measure | None = None
    gap: GapRule | None = None
    version: int = 1
    depends: dict[type[models.Model], tuple[str, ...]] = field(default_factory=dict)
    # The rows are areas: a change below a unit may change whether the unit counts.
    area_units: bool = False
    # False when a record's change can move a count between areas (a person counted once across
    # employers): the live path then recomputes the whole tree.
    local: bool = True

    def measures(self) -> list[Measure]:
        return [m for m in (self.numerator, self.denominator) if m is not None]

    def watched(self) -> dict[type[models.Model], tuple[str, ...]]:
        out: dict[type[models.Model], tuple[str, ...]] = {}
        for measure in self.measures():
            if measure.model.__name__ != "Area":
                out.setdefault(measure.model, (measure.area,))
        for model, lookups in self.depends.items():
            out[model] = tuple(dict.fromkeys((*out.get(model, ()), *lookups)))
        return out

    def gap_rule(self) -> GapRule | None:
        """The declared gap list, or: denominator rows not counted in the numerator."""
        if self.gap is not None:
            return self.gap
        num, den = self.numerator, self.denominator
        if den is None or num.model is not den.model or num.total or den.total:
            return None
        return GapRule(
            model=den.model,
            area=den.area,
            base=den.base,
            when=lambda w, _target: den.when(w) & ~(num.base & num.when(w)),
            label=den.label,
        )


REGISTRY: dict[str, Computation] = {}
# Computed indicators whose records come with later work: code -> what is missing.
NO_SOURCE: dict[str, str] = {}


def register(*computations: Computation) -> None:
    for computation in computations:
        REGISTRY[computation.code] = computation


def no_source(reason: str, *codes: str) -> None:
    for code in codes:
        NO_SOURCE[code] = reason


def computation(code: str) -> Computation | None:
    from carecircle.indicators import definitions  # noqa: F401  (fills the registry)

    return REGISTRY.get(code)


def computations() -> dict[str, Computation]:
    from carecircle.indicators import definitions  # noqa: F401

    return REGISTRY


def evaluate(
    measure: Measure, windows: list[Window], area_ids: Iterable[int] | None = None
) -> list[dict[int, Decimal]]:
    """Per window, the amount each unit holds itself (before roll-up): one grouped query."""
    result: list[dict[int, Decimal]] = [{} for _ in windows]
    if area_ids is None:
        rows = (
            (row["cc_unit"], *(row[f"w{i}"] for i in range(len(windows))))
            for row in grouped(measure, windows)
        )
    else:
        rows = _run_for_units(measure, windows, list(area_ids))
    for unit, *amounts in rows:
        for i, amount in enumerate(amounts):
            if amount:
                result[i][unit] = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return result


# Building the query (conditions with subqueries for every window) costs more than running it for
# a few units, and the live path asks the same question again and again with other units. So the
# SQL is built once per measure and set of windows, with the units as one parameter.
_COMPILED: dict[tuple, tuple[str, list, int]] = {}
_SENTINEL = -7_242_424


def _units_param(area_ids: list[int]):
    if connection.vendor == "postgresql":
        return list(area_ids)
    return json.dumps(list(area_ids))


def _units_subquery(area_ids: list[int]) -> RawSQL:
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (_units_param(area_ids),))
    return RawSQL("SELECT value FROM json_each(%s)", (_units_param(area_ids),))


def _run_for_units(measure: Measure, windows: list[Window], area_ids: list[int]):
    key = (id(measure), tuple((w.code, w.on, w.since) for w in windows), connection.alias)
    entry = _COMPILED.get(key)
    if entry is None:
        qs = grouped(measure, windows, units=_units_subquery([_SENTINEL]))
        sql, params = qs.query.sql_with_params()
        params = list(params)
        marker = _units_param([_SENTINEL])
        places = [i for i, p in enumerate(params) if p == marker]
        if len(places) != 1:  # pragma: no cover - the marker is ours; never expected
            yield from (
                (row["cc_unit"], *(row[f"w{i}"] for i in range(len(windows))))
                for row in grouped(measure, windows, area_ids)
            )
            return
        if len(_COMPILED) > 2000:
            _COMPILED.clear()
        entry = _COMPILED[key] = (sql, params, places[0])
    sql, params, place = entry
    params = list(params)
    params[place] = _units_param(area_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        order = [names.index("cc_unit"), *(names.index(f"w{i}") for i in range(len(windows)))]
        for row in cursor.fetchall():
            yield tuple(row[i] for i in order)


def grouped(
    measure: Measure,
    windows: list[Window],
    area_ids: Iterable[int] | None = None,
    *,
    units=None,
) -> models.QuerySet:
    """The query: one row per unit, one conditional aggregate per window (``w0``, ``w1``, …)."""
    qs = measure.queryset()
    if area_ids is not None:
        qs = qs.filter(**{f"{measure.area}__in": list(area_ids)})
    if units is not None:
        qs = qs.filter(**{f"{measure.area}__in": units})
    aggregates = {f"w{i}": measure.aggregate(w) for i, w in enumerate(windows)}
    return qs.values(cc_unit=F(measure.area)).annotate(**aggregates).order_by()


@dataclass
class Figure:
    """Numerator, denominator and value of one indicator for one area and window."""

    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    na_reason: str = ""


def na_reason(label: str = "") -> str:
    from django.utils.translation import gettext as _

    return _("分母为0：本区划没有%(what)s") % {"what": label} if label else _("分母为0")


def divide(
    numerator: Decimal,
    denominator: Decimal | None,
    factor: int | None,
    label: str = "",
    *,
    reason: str | None = None,
) -> Figure:
    """DHIS2's rule: value = numerator ÷ denominator × factor; an empty denominator gives n/a
    (``reason``, or one naming ``label``)."""
    if factor is None:
        return Figure(numerator, None, numerator)
    if not denominator:
        return Figure(numerator, denominator or ZERO, None, reason or na_reason(label))
    value = (numerator / denominator * factor).quantize(Decimal("0.0001"))
    return Figure(numerator, denominator, value)


def day_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1)
