"""The catalogue: ``data/indicators.csv`` (a copy of the policy's 49 indicators) and the Chinese
formula and policy clause of each (``data/indicator-details.csv``), loaded into ``Indicator``.

Loading creates the indicators that are missing and leaves existing ones as the coordination
office edited them, so re-running it changes nothing.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources

UNIT_KINDS = {
    "%": "percent",
    "places per 1000 population": "per_1000",
    "per 1000 elders": "per_1000",
}
MEASURE_UNITS = {"years"}
SCOPES = {
    "monthly": "monthly",
    "annual": "annual",
    "snapshot": "snapshot",
    "cumulative 2021-2025": "cumulative",
}
DEPARTMENTS = {
    "人社局": "human_resources",
    "医保局": "medical_insurance",
    "卫健委": "health",
    "民政局": "civil_affairs",
    "财政局": "finance",
    "资源规划局": "planning",
    "住建局": "housing",
    "教体局": "education",
}
PLAUSIBLE = {"percent": (Decimal(0), Decimal(100)), "measure": (Decimal(40), Decimal(100))}


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("carecircle.indicators").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def catalogue_rows() -> list[dict]:
    """The catalogue as model field values, one dict per indicator."""
    details = {row["code"]: row for row in _read("indicator-details.csv")}
    out = []
    for row in _read("indicators.csv"):
        unit = UNIT_KINDS.get(row["unit"], "measure" if row["unit"] in MEASURE_UNITS else "count")
        low, high = PLAUSIBLE.get(unit, (Decimal(0), None))
        extra = details.get(row["code"], {})
        out.append(
            {
                "code": row["code"],
                "domain": row["domain"],
                "category": row["category"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "unit": unit,
                "unit_label": row["unit"],
                "target_op": row["target_op"],
                "target_value": Decimal(row["target_value"]),
                "attribute": row["attribute"],
                "source": row["source"],
                "period_scope": SCOPES[row["period_scope"]],
                "owner_hint": row["owner_hint"],
                "owner_departments": [
                    DEPARTMENTS[name]
                    for name in row["owner_hint"].split(";")
                    if name in DEPARTMENTS
                ],
                "how_to_compute": row["how_to_compute"],
                "formula_zh": extra.get("formula_zh", ""),
                "policy_clause": extra.get("policy_clause", ""),
                "min_value": low,
                "max_value": high,
                "targets_inherit": unit in ("percent", "per_1000", "measure"),
            }
        )
    return out


def load(indicator_model=None) -> int:
    """Create the missing indicators; returns how many were created."""
    if indicator_model is None:
        from carecircle.indicators.models import Indicator as indicator_model
    existing = set(indicator_model.objects.values_list("code", flat=True))
    new = [indicator_model(**row) for row in catalogue_rows() if row["code"] not in existing]
    indicator_model.objects.bulk_create(new)
    return len(new)
