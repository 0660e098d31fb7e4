"""Benchmark: load the Hai'an demo city at scale 1 into a fresh database and check it.

    .venv/bin/python bench/demo_load.py             # fresh temporary SQLite database
    .venv/bin/python bench/demo_load.py --postgres  # fresh PostgreSQL database, dropped after
    .venv/bin/python bench/demo_load.py --scale 0.1 # a smaller city

Each step runs in a fresh process so that the load's peak memory is measured alone: migrate,
``ensure_demo(scale)`` (timed), a second ``ensure_demo`` (must reuse the data), the census check
of the population facts, then ``carecircle stats --json`` on the 2022-12-31 reference date and
today, compared with ``baseline-2022.csv`` and the census. Exits non-zero on any mismatch or when
the load takes longer than five minutes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "carecircle" / "demo" / "data"
TARGET_SECONDS = 300.0  # issue 4: persons and a year of activity in under 5 minutes
REUSE_SECONDS = 5.0
REFERENCE_DATE = "2022-12-31"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "carecircle_bench"
BASELINE_KEYS = (
    "elderly_institutions_total",
    "elderly_institutions_welfare_home",
    "elderly_institutions_rural_home",
    "elderly_institutions_private",
    "elderly_institution_beds",
    "daycare_and_home_care_centres",
    "childcare_institutions_total",
    "childcare_standalone",
    "childcare_kindergarten_classes",
    "childcare_kindergarten_classes_public",
    "childcare_kindergarten_classes_private",
    "childcare_places",
    "provincial_affordable_childcare",
    "provincial_model_childcare",
    "nantong_affordable_childcare",
)


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _carecircle() -> str:
    script = ROOT / ".venv" / "bin" / "carecircle"
    return str(script) if script.exists() else "carecircle"


def _child(env: dict[str, str], *args: str) -> dict:
    """Run this script as a worker in a fresh process; it prints one JSON line."""
    out = subprocess.run(
        [_python(), __file__, *args], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _figures(name: str) -> dict[str, int]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return {row["figure"]: int(row["value"]) for row in csv.DictReader(handle)}


# Workers (run in their own process) ----------------------------------------------------------


def _row_counts() -> dict[str, int]:
    from carecircle.accounts.models import Department, User
    from carecircle.areas.models import Area, AreaVersion, PopulationFact, ResidentialArea
    from carecircle.institutions import models as inst
    from carecircle.persons.models import Contact, HardshipFlag, Person, Residence

    models = (
        Area, AreaVersion, PopulationFact, ResidentialArea, inst.Provider, inst.CapacityRecord,
        inst.Designation, inst.Grade, inst.InstitutionPair, inst.Staff, inst.StaffCertificate,
        inst.Training, inst.Residency, Person, Residence, HardshipFlag, Contact, User, Department,
    )  # fmt: skip
    return {model._meta.label: model.objects.count() for model in models}


def worker(action: str, scale: float) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    if action == "migrate":
        call_command("migrate", interactive=False, verbosity=0)
        print(json.dumps({"ok": True}))
        return
    if action == "facts":
        print(json.dumps(_facts(scale)))
        return
    from carecircle.demo.loader import ensure_demo

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    report = ensure_demo(scale=scale, progress=False)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "rss_mb": round(usage.ru_maxrss / 1024, 1),
                "reused": report.reused,
                "steps": [(label, round(s, 2)) for label, s in report.steps],
                "rows": _row_counts(),
                "describe": report.describe(),
            },
            ensure_ascii=False,
        )
    )


def _facts(scale: float) -> dict:
    """Population facts against the census, and the person counts the facts call for."""
    from django.db.models import Sum

    from carecircle.areas.models import Area, PopulationFact

    city = Area.objects.get(code="320685")
    totals = PopulationFact.objects.rollup(city, 2020)
    facts = PopulationFact.objects.filter(year=2020)
    urban = facts.filter(area__is_urban=True).aggregate(total=Sum("total"))["total"]
    expected = {"elders": 0, "elders_80_plus": 0, "children_under_3": 0}
    for a60, u3 in facts.values_list("aged_60_plus", "under_3"):
        expected["elders"] += int(a60 * scale + 0.5)
        expected["children_under_3"] += int(u3 * scale + 0.5)
    return {
        "totals": totals,
        "urban_in_urban_units": urban,
        "units": facts.count(),
        "expected_people": expected,
    }


# Driver --------------------------------------------------------------------------------------


def _stats(env: dict[str, str], date: str | None) -> dict:
    args = [_carecircle(), "stats", "--json"] + (["--date", date] if date else [])
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _check(load: dict, reuse: dict, facts: dict, on_ref: dict, today: dict, scale) -> list[str]:
    problems = []
    baseline = _figures("baseline-2022.csv")
    census = _figures("census-2020-320685.csv")
    for label, summary in ((REFERENCE_DATE, on_ref), ("today", today)):
        for key in BASELINE_KEYS:
            if summary.get(key) != baseline[key]:
                problems.append(
                    f"stats {label}: {key} = {summary.get(key)}, baseline {baseline[key]}"
                )
        if summary.get("resident_population") != census["resident_population"]:
            problems.append(
                f"stats {label}: resident_population {summary.get('resident_population')}"
            )
    census_fields = {
        "resident_population": "total", "male_population": "male", "female_population": "female",
        "urban_population": "urban", "rural_population": "rural",
        "family_households": "family_households", "collective_households": "collective_households",
    }  # fmt: skip
    for figure, field in census_fields.items():
        if facts["totals"][field] != census[figure]:
            problems.append(f"facts: {field} = {facts['totals'][field]}, census {census[figure]}")
    if facts["urban_in_urban_units"] != census["urban_population"]:
        problems.append(f"facts: urban units hold {facts['urban_in_urban_units']}")
    if facts["units"] != 239:
        problems.append(f"facts: {facts['units']} units, expected 239")
    # Persons are generated for the load date, so their counts are checked on today's stats.
    expected = facts["expected_people"]
    for key in ("elders", "children_under_3"):
        if today[key] != expected[key]:
            problems.append(f"stats today: {key} = {today[key]}, facts say {expected[key]}")
    if abs(today["elders_80_plus"] - scale * facts["totals"]["aged_80_plus"]) > 0.02 * max(
        1, scale * facts["totals"]["aged_80_plus"]
    ):
        problems.append(f"stats today: elders_80_plus = {today['elders_80_plus']}")
    if load["seconds"] > TARGET_SECONDS:
        problems.append(f"load: {load['seconds']} s > {TARGET_SECONDS} s")
    if not reuse["reused"] or reuse["seconds"] > REUSE_SECONDS:
        problems.append(f"second ensure_demo: reused={reuse['reused']}, {reuse['seconds']} s")
    if reuse["rows"] != load["rows"]:
        problems.append("second ensure_demo changed row counts")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use a fresh PostgreSQL database")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--worker", choices=["migrate", "load", "facts"], help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.worker:
        worker(ns.worker, ns.scale)
        return 0

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "carecircle.conf.dev"
    env["DJANGO_DEBUG"] = "0"
    scale = ["--scale", str(ns.scale)]
    with tempfile.TemporaryDirectory(prefix="carecircle-bench-demo-") as tmp:
        env["CARECIRCLE_DATA_DIR"] = tmp
        if ns.postgres:
            _pg(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            _pg(f"CREATE DATABASE {PG_DATABASE}")
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        else:
            env.pop("DATABASE_URL", None)
        try:
            _child(env, "--worker", "migrate")
            load = _child(env, "--worker", "load", *scale)
            reuse = _child(env, "--worker", "load", *scale)
            facts = _child(env, "--worker", "facts", *scale)
            on_ref = _stats(env, REFERENCE_DATE)
            today = _stats(env, None)
        finally:
            if ns.postgres:
                _pg(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")

    database = "PostgreSQL" if ns.postgres else "SQLite"
    print(load["describe"])
    print()
    print(
        f"{database}, scale {ns.scale:g}: load {load['seconds']:.1f} s wall "
        f"({load['cpu_seconds']:.1f} s CPU), peak RSS {load['rss_mb']:.0f} MB; "
        f"second call {reuse['seconds']:.2f} s (reused: {reuse['reused']})"
    )
    print("steps: " + ", ".join(f"{label} {s:.1f} s" for label, s in load["steps"]))
    print("rows: " + ", ".join(f"{label} {n:,}" for label, n in load["rows"].items()))
    for label, summary in ((REFERENCE_DATE, on_ref), ("today", today)):
        print(
            f"stats {label}: elders {summary['elders']:,}, 80+ {summary['elders_80_plus']:,}, "
            f"under 3 {summary['children_under_3']:,}, "
            f"residents {summary['resident_population']:,}"
        )
    problems = _check(load, reuse, facts, on_ref, today, ns.scale)
    for problem in problems:
        print("FAIL", problem)
    if not problems:
        print("OK: baseline, census and person counts match")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
