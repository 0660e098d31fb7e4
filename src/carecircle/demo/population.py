"""The demo city's areas and population: demo-assumption streets, points and 2020 facts.

The 2020 census totals of Hai'an (``data/census-2020-320685.csv``) are apportioned to the 239
villages and communities with the largest-remainder method, so every published figure is matched
exactly: the urban population lives entirely in the 105 urban units (居委会, 社区) and the rural
population in the 134 villages. The age structure (60+, 65+, 80+, under 3, births) follows
``AGE_SHARES``, nested per unit so that 60+ ≥ 65+ ≥ 80+ holds everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from django.db import connection

from carecircle.areas.loaders import UnitRow, load_units, reparent_area
from carecircle.areas.models import Area, AreaVersion, PopulationFact
from carecircle.demo.bulk import purge

CITY_CODE = "320685"
CENSUS_YEAR = 2020
DEMO_AREA_START = dt.date(2024, 1, 1)
DEMO_AREA_REASON = "演示假设：街道设立（demo assumption）"

# Hai'an's extent (WGS-84); every generated point lies inside it.
LON_MIN, LON_MAX = 120.20, 120.98
LAT_MIN, LAT_MAX = 32.36, 32.71

# Demo assumptions: two streets take over 海安镇's urban communities, and 高新区 three of
# 城东镇's villages.
DEMO_AREAS = (
    UnitRow("320685001", "海安街道", CITY_CODE),
    UnitRow("320685002", "孙庄街道", CITY_CODE),
    UnitRow("320685401", "高新区", CITY_CODE),
)
DEMO_MOVES: dict[str, str] = {
    **{f"320685100{n:03d}": "320685001" for n in range(1, 18)},
    **{f"320685100{n:03d}": "320685002" for n in range(18, 43)},
    **{code: "320685401" for code in ("320685101208", "320685101209", "320685101210")},
}

# Approximate town seats (longitude, latitude); villages are scattered around them.
TOWN_CENTRES: dict[str, tuple[float, float]] = {
    "320685100": (120.462, 32.540),  # 海安镇 (city centre)
    "320685101": (120.525, 32.548),  # 城东镇
    "320685102": (120.318, 32.585),  # 曲塘镇
    "320685103": (120.735, 32.560),  # 李堡镇
    "320685105": (120.880, 32.625),  # 角斜镇
    "320685107": (120.640, 32.600),  # 大公镇
    "320685109": (120.560, 32.450),  # 雅周镇
    "320685111": (120.275, 32.480),  # 白甸镇
    "320685112": (120.405, 32.440),  # 南莫镇
    "320685113": (120.370, 32.665),  # 墩头镇
    "320685400": (120.575, 32.675),  # 海安县农场
    "320685001": (120.455, 32.548),  # 海安街道 (demo)
    "320685002": (120.472, 32.528),  # 孙庄街道 (demo)
    "320685401": (120.545, 32.565),  # 高新区 (demo)
    CITY_CODE: (120.467, 32.535),
}

AGE_SHARES = {
    "aged_60_plus": 0.31,
    "aged_65_plus": 0.23,
    "aged_80_plus": 0.05,
    "under_3": 0.017,
    "births": 0.006,
}

# census figure → PopulationFact field
CENSUS_FIELDS = {
    "resident_population": "total",
    "male_population": "male",
    "female_population": "female",
    "urban_population": "urban",
    "rural_population": "rural",
    "family_households": "family_households",
    "collective_households": "collective_households",
}


def read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("carecircle.demo").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def census() -> dict[str, int]:
    return {row["figure"]: int(row["value"]) for row in read_csv("census-2020-320685.csv")}


def baseline() -> dict[str, int]:
    return {row["figure"]: int(row["value"]) for row in read_csv("baseline-2022.csv")}


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to ``weights`` summing exactly to ``total`` (largest remainder)."""
    if total < 0:
        raise ValueError("total must not be negative")
    weight_sum = float(sum(weights))
    if not weights or weight_sum <= 0:
        if total:
            raise ValueError("cannot apportion a positive total over zero weights")
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    result = [math.floor(q) for q in quotas]
    short = total - sum(result)
    order = sorted(range(len(quotas)), key=lambda i: (result[i] - quotas[i], i))
    for i in order[:short]:
        result[i] += 1
    return result


def clamp_point(lon: float, lat: float, margin: float = 0.01) -> tuple[Decimal, Decimal]:
    lon = min(max(lon, LON_MIN + margin), LON_MAX - margin)
    lat = min(max(lat, LAT_MIN + margin), LAT_MAX - margin)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def jitter(rng: random.Random, lat: Decimal, lon: Decimal, spread: float):
    return clamp_point(
        float(lon) + rng.uniform(-spread, spread), float(lat) + rng.uniform(-spread, spread) * 0.8
    )


# Areas ---------------------------------------------------------------------------------------


@dataclass
class Unit:
    """A village or community with what the generator needs about it."""

    id: int
    code: str
    name: str
    town_code: str  # the town it belongs to in the published list (before demo moves)
    is_urban: bool
    latitude: Decimal
    longitude: Decimal
    facts: dict[str, int]


def create_demo_areas(rng: random.Random) -> int:
    """The demo-assumption streets and zone, their takeovers (with history), and points for
    every Hai'an unit. Returns the number of units moved."""
    load_units(DEMO_AREAS)
    for row in DEMO_AREAS:
        lat, lon = clamp_point(*TOWN_CENTRES[row.code])
        Area.objects.filter(code=row.code).update(
            valid_from=DEMO_AREA_START, is_demo_assumption=True, latitude=lat, longitude=lon
        )
    parents = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in DEMO_AREAS])}
    for area in Area.objects.filter(code__in=list(DEMO_MOVES)).order_by("code"):
        reparent_area(
            area, parent=parents[DEMO_MOVES[area.code]], on=DEMO_AREA_START, reason=DEMO_AREA_REASON
        )
    _place_units(rng)
    return len(DEMO_MOVES)


def _place_units(rng: random.Random) -> None:
    """Points for the towns and the 239 villages and communities."""
    updates = []
    for area in Area.objects.filter(code__startswith=CITY_CODE, is_demo_assumption=False).order_by(
        "code"
    ):
        if len(area.code) == 9:
            area.latitude, area.longitude = clamp_point(*TOWN_CENTRES[area.code])
        elif len(area.code) == 12:
            lon, lat = TOWN_CENTRES[area.code[:9]]
            core = area.code[:9] in ("320685100", "320685101")
            spread = (0.022 if core else 0.012) if area.is_urban else 0.06
            area.latitude, area.longitude = clamp_point(
                lon + rng.uniform(-spread, spread), lat + rng.uniform(-spread, spread) * 0.75
            )
        elif area.code == CITY_CODE:
            area.latitude, area.longitude = clamp_point(*TOWN_CENTRES[CITY_CODE])
        else:
            continue
        updates.append(area)
    Area.objects.bulk_update(updates, ["latitude", "longitude"], batch_size=500)


def restore_demo_areas() -> None:
    """Undo ``create_demo_areas``: moved units go back under their old parent, the demo history
    rows and the demo-assumption areas are removed (no new history is written)."""
    demo = list(Area.objects.filter(is_demo_assumption=True))
    if not demo:
        return
    moved = list(Area.objects.filter(parent__in=demo))
    old_parent = dict(
        AreaVersion.objects.filter(
            area__in=moved, valid_to=DEMO_AREA_START, reason=DEMO_AREA_REASON
        ).values_list("area_id", "parent_id")
    )
    file_parent = {row.code: row.parent_code for row in _haian_rows()}
    table = connection.ops.quote_name(Area._meta.db_table)
    for area in moved:
        parent_id = old_parent.get(area.pk)
        if parent_id is None:
            parent_id = Area.objects.get(code=file_parent[area.code]).pk
        parent = Area.objects.get(pk=parent_id)
        new_path = parent.path + area.code + "/"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET path = %s || SUBSTR(path, %s) WHERE path LIKE %s",  # noqa: S608
                [new_path, len(area.path) + 1, area.path + "%"],
            )
        Area.objects.filter(pk=area.pk).update(parent_id=parent_id)
    moved_ids = [a.pk for a in moved]
    AreaVersion.objects.filter(area_id__in=moved_ids, reason=DEMO_AREA_REASON).delete()
    AreaVersion.objects.filter(area_id__in=moved_ids, valid_to=DEMO_AREA_START).update(
        valid_to=None
    )
    purge(Area.objects.filter(is_demo_assumption=True))


def _haian_rows():
    from carecircle.areas.loaders import haian_rows

    return haian_rows()


# Population facts ----------------------------------------------------------------------------


def population_facts(rng: random.Random, units: list[Unit]) -> dict[str, int]:
    """Fill ``unit.facts`` for every unit; returns the city totals."""
    figures = census()
    total = figures["resident_population"]
    urban = [u for u in units if u.is_urban]
    rural = [u for u in units if not u.is_urban]

    def size_weight(u: Unit) -> float:
        w = rng.lognormvariate(0.0, 0.33)
        town = u.town_code
        if town == "320685400":
            w *= 0.45
        elif u.is_urban and town == "320685100":
            w *= 1.45
        elif u.is_urban and town == "320685101":
            w *= 1.15
        elif u.is_urban:
            w *= 0.85
        return w

    for group, count in (
        (urban, figures["urban_population"]),
        (rural, figures["rural_population"]),
    ):
        for unit, n in zip(group, apportion(count, [size_weight(u) for u in group]), strict=True):
            unit.facts = {"total": n, "urban": n if unit.is_urban else 0}
            unit.facts["rural"] = 0 if unit.is_urban else n
    totals = [u.facts["total"] for u in units]

    def spread(values: list[int], sd: float) -> list[float]:
        return [v * rng.lognormvariate(0.0, sd) for v in values]

    males = apportion(figures["male_population"], spread(totals, 0.01))
    aged = [t * (1.18 if not u.is_urban else 0.93) for t, u in zip(totals, units, strict=True)]
    a60 = apportion(round(AGE_SHARES["aged_60_plus"] * total), spread(aged, 0.06))
    a65 = apportion(round(AGE_SHARES["aged_65_plus"] * total), spread(a60, 0.02))
    a80 = apportion(round(AGE_SHARES["aged_80_plus"] * total), spread(a65, 0.05))
    young = [t * (1.1 if u.is_urban else 0.85) for t, u in zip(totals, units, strict=True)]
    under3 = apportion(round(AGE_SHARES["under_3"] * total), spread(young, 0.08))
    births = apportion(round(AGE_SHARES["births"] * total), spread(under3, 0.08))
    hh_weights = [t / (2.45 if u.is_urban else 2.75) for t, u in zip(totals, units, strict=True)]
    family = apportion(figures["family_households"], spread(hh_weights, 0.03))
    coll_weights = [t * (1.6 if u.is_urban else 0.55) for t, u in zip(totals, units, strict=True)]
    collective = apportion(figures["collective_households"], spread(coll_weights, 0.3))
    for i, unit in enumerate(units):
        # Nested apportionment (65+ by 60+, 80+ by 65+) keeps 60+ ≥ 65+ ≥ 80+ in every unit.
        if not (totals[i] >= a60[i] + under3[i] and a60[i] >= a65[i] >= a80[i]):
            raise RuntimeError(f"population facts of {unit.code} are inconsistent")
        unit.facts.update(
            male=males[i],
            female=totals[i] - males[i],
            aged_60_plus=a60[i],
            aged_65_plus=a65[i],
            aged_80_plus=a80[i],
            under_3=under3[i],
            births=births[i],
            family_households=family[i],
            collective_households=collective[i],
        )
    return {name: sum(u.facts[name] for u in units) for name in PopulationFact.COUNT_FIELDS}


def write_population_facts(units: list[Unit], source: str) -> int:
    PopulationFact.objects.filter(year=CENSUS_YEAR, area_id__in=[u.id for u in units])._raw_delete(
        PopulationFact.objects.db
    )
    PopulationFact.objects.bulk_create(
        [PopulationFact(area_id=u.id, year=CENSUS_YEAR, source=source, **u.facts) for u in units],
        batch_size=500,
    )
    return len(units)


def load_units_for_generation() -> list[Unit]:
    """The 239 villages and communities with their published town and their point."""
    file_parent = {row.code: row.parent_code for row in _haian_rows()}
    units = []
    for pk, code, name, is_urban, lat, lon in (
        Area.objects.filter(level="village", code__startswith=CITY_CODE)
        .order_by("code")
        .values_list("pk", "code", "name", "is_urban", "latitude", "longitude")
    ):
        units.append(
            Unit(pk, code, name, file_parent.get(code, code[:9]), is_urban, lat, lon, facts={})
        )
    return units
