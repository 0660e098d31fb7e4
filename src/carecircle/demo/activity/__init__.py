"""A year of service activity for the demo city (issue 4), one module per service app.

Each module has ``generate(seed, today) -> dict[str, int]``: it reads the persons and providers
the demo has written, writes its records in bulk (``demo.bulk.BulkWriter``, demo UUIDs) in the
caller's transaction, and returns counts for the report. Modules run in this order, so later
ones may use what earlier ones wrote (home-care entitlements use assessment levels).
"""

from __future__ import annotations

import datetime as dt
import importlib

MODULES = (
    "assessments",
    "health",
    "funds",
    "visits",
    "adaptations",
    "emergency",
    "homecare",
    "referrals",
    "childcare",
    "enrolment",
    "childhealth",
)


def generate_activity(seed: int, today: dt.date, on_step=None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in MODULES:
        module = importlib.import_module(f"carecircle.demo.activity.{name}")
        counts.update(module.generate(seed=seed, today=today))
        if on_step is not None:
            on_step(name)
    return counts
