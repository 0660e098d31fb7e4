"""Data-quality checks behind the indicators: missing key fields, implausible values, sudden jumps.

* Completeness counts, per unit below an area, the records lacking what the computations need
  (coordinates, phone numbers, capacity, credit codes, certificates).
* Range checks flag values outside the indicator's plausible range (``min_value``/``max_value``).
* Jump checks use the modified z-score of Iglewicz and Hoaglin, robust to the outliers it looks
  for: ``z = 0.6745 (x − median) / MAD``, flagged when ``|z| > 3.5``. When more than half the
  values are equal (MAD = 0) the mean absolute deviation stands in (``z = (x − median) /
  (1.2533 · meanAD)``). It is applied to each unit's yearly series and to the year-on-year changes
  of sibling units (the villages of a town, the towns of the city).

Every count starts from the user's scoped querysets, so nobody learns about records outside their
scope or domain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import Count, Exists, F, OuterRef, Q

from carecircle.areas.models import Area
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.queries import yearly_series

THRESHOLD = 3.5
MIN_POINTS = 4  # fewer values say nothing about what is unusual
MAD_FACTOR = 0.6745
MEAN_AD_FACTOR = 1.253314
# A jump must also matter: at least this share of the level it departs from (a move from 0.69 to
# 0.66 among villages that did not move at all is unusual, but not worth a look).
MIN_RELATIVE = 0.10


def robust_scores(values: list[Decimal | float]) -> list[float | None]:
    """The modified z-score of each value (``None`` for all when the values do not vary or are
    too few)."""
    if len(values) < MIN_POINTS:
        return [None] * len(values)
    xs = [float(v) for v in values]
    mid = median(xs)
    deviations = [abs(x - mid) for x in xs]
    mad = median(deviations)
    if mad > 0:
        return [MAD_FACTOR * (x - mid) / mad for x in xs]
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad == 0:
        return [None] * len(values)
    return [(x - mid) / (MEAN_AD_FACTOR * mean_ad) for x in xs]


def material(deviation, level) -> bool:
    """Whether ``deviation`` is at least ``MIN_RELATIVE`` of ``level`` (any change from 0)."""
    deviation, level = abs(float(deviation)), abs(float(level or 0))
    return deviation > 0 if level == 0 else deviation >= MIN_RELATIVE * level


def outliers(values: dict, threshold: float = THRESHOLD) -> dict:
    """{key: score} of the values whose modified z-score exceeds ``threshold``."""
    keys = list(values)
    scores = robust_scores([values[k] for k in keys])
    return {k: s for k, s in zip(keys, scores, strict=True) if s is not None and abs(s) > threshold}


# Completeness ---------------------------------------------------------------------------------


@dataclass
class UnitCounts:
    area: Area | None  # None: the total row
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, other: dict[str, int]) -> None:
        for key, value in other.items():
            self.counts[key] = self.counts.get(key, 0) + (value or 0)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    total_key: str  # the count it is a share of


def units_below(area: Area, on: dt.date) -> list[Area]:
    """The current units directly below ``area`` (or the area itself for a village)."""
    children = list(Area.objects.filter(parent=area).current(on).order_by("code"))
    return children or [area]


def _unit_of(path: str, units: dict[str, Area], depth: int) -> Area | None:
    parts = [p for p in (path or "").split("/") if p]
    if len(parts) <= depth:
        return None
    return units.get(parts[depth])


def _grouped(qs, path_lookup: str, aggregates: dict, units: dict[str, Area], depth: int):
    out: dict[int, dict[str, int]] = {}
    for row in qs.values(cc_path=F(path_lookup)).annotate(**aggregates).order_by():
        unit = _unit_of(row.pop("cc_path"), units, depth)
        if unit is not None:
            bucket = out.setdefault(unit.pk, {})
            for key, value in row.items():
                bucket[key] = bucket.get(key, 0) + (value or 0)
    return out


def completeness(user, area: Area, on: dt.date) -> tuple[list[UnitCounts], list[str]]:
    """Counts of records lacking key fields, per unit below ``area``, plus a total row; and the
    registries included (those the user may view)."""
    from carecircle.institutions.models import CapacityRecord, Provider, Staff, StaffCertificate
    from carecircle.persons.models import Person

    units = units_below(area, on)
    by_code = {u.code: u for u in units}
    depth = units[0].depth if units[0] != area else area.depth
    tables: list[dict[int, dict[str, int]]] = []
    included = []
    if user.has_perm("persons.view_person"):
        included.append("persons")
        persons = (
            Person.objects.for_user(user).present_on(on).filter(area__path__startswith=area.path)
        )
        tables.append(
            _grouped(
                persons,
                "area__path",
                {
                    "persons": Count("pk"),
                    "persons_no_coords": Count(
                        "pk", filter=Q(latitude__isnull=True) | Q(longitude__isnull=True)
                    ),
                    "persons_no_phone": Count("pk", filter=Q(phone="")),
                },
                by_code,
                depth,
            )
        )
    if user.has_perm("institutions.view_provider"):
        included.append("providers")
        capacity = CapacityRecord.objects.filter(provider=OuterRef("pk"), valid_from__lte=on)
        providers = (
            Provider.objects.for_user(user)
            .operating_on(on)
            .filter(area__path__startswith=area.path)
            .annotate(cc_has_capacity=Exists(capacity))
        )
        tables.append(
            _grouped(
                providers,
                "area__path",
                {
                    "providers": Count("pk"),
                    "providers_no_coords": Count(
                        "pk", filter=Q(latitude__isnull=True) | Q(longitude__isnull=True)
                    ),
                    "providers_no_capacity": Count("pk", filter=Q(cc_has_capacity=False)),
                    "providers_no_credit": Count("pk", filter=Q(credit_code="")),
                    "providers_no_phone": Count("pk", filter=Q(phone="")),
                },
                by_code,
                depth,
            )
        )
    if user.has_perm("institutions.view_staff"):
        included.append("staff")
        certificates = StaffCertificate.objects.filter(staff=OuterRef("pk"))
        staff = (
            Staff.objects.for_user(user)
            .filter(hired_on__lte=on)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
            .filter(provider__area__path__startswith=area.path)
            .annotate(cc_certified=Exists(certificates))
        )
        tables.append(
            _grouped(
                staff,
                "provider__area__path",
                {
                    "staff": Count("pk"),
                    "staff_no_certificate": Count("pk", filter=Q(cc_certified=False)),
                },
                by_code,
                depth,
            )
        )
    rows = [UnitCounts(unit) for unit in units]
    total = UnitCounts(None)
    for row in rows:
        for table in tables:
            row.add(table.get(row.area.pk, {}))
        total.add(row.counts)
    return rows + [total], included


# Implausible values ---------------------------------------------------------------------------


def out_of_range(area: Area, periods: list[str] | None = None):
    """Stored values of ``area`` and the units below it outside the plausible range."""
    low = Q(indicator__min_value__isnull=False, value__lt=F("indicator__min_value"))
    high = Q(indicator__max_value__isnull=False, value__gt=F("indicator__max_value"))
    qs = IndicatorValue.objects.filter(
        area__path__startswith=area.path, value__isnull=False
    ).filter(low | high)
    if periods:
        qs = qs.filter(period__in=periods)
    return qs.select_related("indicator", "area").order_by(
        "indicator__code", "area__code", "period"
    )


# Sudden jumps ---------------------------------------------------------------------------------


@dataclass
class Jump:
    indicator: Indicator
    area: Area
    period: str
    value: Decimal
    previous: Decimal | None
    reference: float  # the median it is measured against
    score: float
    kind: str  # "series" (the unit's own years) or "siblings" (changes of sibling units)
    unit: Area | None = None  # the unit below the area it lies in (for counts per town)


def _series_jumps(series: dict[str, Decimal]):
    years = sorted(series)
    flagged = outliers({y: series[y] for y in years})
    xs = [float(series[y]) for y in years]
    mid = median(xs) if xs else 0.0
    for year, score in flagged.items():
        if not material(float(series[year]) - mid, mid):
            continue
        index = years.index(year)
        previous = series[years[index - 1]] if index > 0 else None
        yield year, series[year], previous, mid, score


def jumps(area: Area, on: dt.date, indicators=None) -> list[Jump]:
    """Unusual yearly values of ``area``, the units below it and theirs (two levels), by the
    unit's own series and by the year-on-year changes of sibling units."""
    indicators = {i.pk: i for i in (indicators or Indicator.objects.all())}
    units = units_below(area, on)
    top_of: dict[int, Area] = {u.pk: u for u in units}
    children: dict[int, list[int]] = {}
    grandchildren = (
        Area.objects.filter(parent__in=units)
        .current(on)
        .exclude(pk=area.pk)
        .select_related("parent")
    )
    areas: dict[int, Area] = {area.pk: area, **{u.pk: u for u in units}}
    for child in grandchildren:
        areas[child.pk] = child
        top_of[child.pk] = top_of[child.parent_id]
        children.setdefault(child.parent_id, []).append(child.pk)
    if units != [area]:
        children[area.pk] = [u.pk for u in units]
    series = yearly_series(indicators, areas)
    found: list[Jump] = []
    for (ind_id, area_id), values in series.items():
        for year, value, previous, mid, score in _series_jumps(values):
            found.append(
                Jump(
                    indicators[ind_id],
                    areas[area_id],
                    year,
                    value,
                    previous,
                    mid,
                    score,
                    "series",
                    top_of.get(area_id),
                )  # fmt: skip
            )
    for ind_id, indicator in indicators.items():
        for siblings in children.values():
            if len(siblings) < MIN_POINTS + 1:
                continue
            years = sorted({y for s in siblings for y in series.get((ind_id, s), {})})
            for before, year in zip(years, years[1:], strict=False):
                changes = {}
                for s in siblings:
                    values = series.get((ind_id, s), {})
                    if before in values and year in values:
                        changes[s] = values[year] - values[before]
                flagged = outliers(changes)
                if not flagged:
                    continue
                mid = median(float(c) for c in changes.values())
                for s, score in flagged.items():
                    values = series[(ind_id, s)]
                    if not material(float(changes[s]) - mid, values[before]):
                        continue
                    found.append(
                        Jump(
                            indicator,
                            areas[s],
                            year,
                            values[year],
                            values[before],
                            mid,
                            score,
                            "siblings",
                            top_of.get(s),
                        )  # fmt: skip
                    )
    found.sort(key=lambda j: (j.indicator.code, j.area.code, j.period, j.kind))
    return found
