"""``ensure_demo``: load the Hai'an demo city once, reuse it afterwards.

Whether the demo is loaded is read from the database itself, without a model of its own: the 2020
population facts written by the generator carry a source text naming the demo version, scale and
seed. Facts, persons, providers and accounts are written in one transaction with that text, so
either all of the demo is there or none of it. A load at another scale or seed, or ``force``,
first removes the demo rows in bulk (``clear_demo``) and then generates everything again.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q

from carecircle.accounts.models import User
from carecircle.areas.loaders import load_haian
from carecircle.areas.models import Area, PopulationFact
from carecircle.demo.accounts import USERNAMES, DemoAccount, describe_accounts
from carecircle.demo.bulk import demo_rows, purge
from carecircle.demo.generator import DEFAULT_SEED, generate
from carecircle.demo.population import (
    CENSUS_YEAR,
    CITY_CODE,
    DEMO_AREAS,
    restore_demo_areas,
)
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person

DEMO_VERSION = 1
DEMO_TAG = "[demo v"
SQLITE_CACHE_KIB = 65536  # page cache while generating: index updates stay in memory


def source_text(scale: float, seed: int) -> str:
    return (
        "演示数据：第七次全国人口普查海安市总数按村（社区）分配 "
        f"{DEMO_TAG}{DEMO_VERSION} scale={scale:g} seed={seed}]"
    )


@dataclass
class DemoReport:
    scale: float
    seed: int
    reused: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    steps: list[tuple[str, float]] = field(default_factory=list)

    def describe(self) -> str:
        c = self.counts
        if self.reused:
            timing = (
                f"演示数据已加载，直接复用 / demo already loaded, reused ({self.seconds:.1f} s)"
            )
        else:
            timing = f"演示数据生成用时 / demo generated in {self.seconds:.1f} s"
        lines = [
            f"海安演示城市 / Hai'an demo city — 规模 scale {self.scale:g} · 种子 seed {self.seed}",
            timing,
            (
                f"数据 / data: 老年人 elders {c.get('elders', 0):,} · "
                f"3岁以下婴幼儿 children under 3 {c.get('children', 0):,} · "
                f"机构 providers {c.get('providers', 0):,}"
            ),
            "",
            "演示账户 / demo accounts:",
        ]
        rows = [("用户名 username", "密码 password", "角色 role", "范围 scope")]
        for a in self.accounts:
            rows.append(
                (
                    a.username,
                    a.password,
                    f"{a.role_label} ({a.role_english})",
                    f"{a.scope} ({a.scope_english})",
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [_pad(row[i], widths[i]) for i in range(3)]
            lines.append("  " + "  ".join([*cells, row[3]]))
        return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


@contextmanager
def _sqlite_cache(kib: int) -> Iterator[None]:
    """A bounded SQLite page cache for the load, and the connection's own setting back after
    (steps that set their own size, such as the area loader, are overridden before the bulk of
    the writing, see ``generator.generate``)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def is_loaded(scale: float, seed: int) -> bool:
    """The demo at this scale and seed is completely in the database."""
    villages = Area.objects.filter(level="village", code__startswith=CITY_CODE).count()
    facts = PopulationFact.objects.filter(year=CENSUS_YEAR, source=source_text(scale, seed))
    return (
        villages > 0
        and facts.count() == villages
        and User.objects.filter(username__in=USERNAMES, is_demo=True).count() == len(USERNAMES)
        and Area.objects.filter(is_demo_assumption=True).count() == len(DEMO_AREAS)
        and demo_rows(Provider).exists()
    )


def count_rows() -> dict[str, int]:
    """Registry sizes for the report (one scan of the persons table, not an index walk)."""
    persons = Person.objects.aggregate(
        elders=Count("pk", filter=Q(domain="elderly")),
        children=Count("pk", filter=Q(domain="childcare")),
    )
    return {**persons, "providers": demo_rows(Provider).count()}


def clear_demo() -> None:
    """Remove every demo row in bulk (demo accounts and departments are kept and updated on the
    next load), and give the moved villages back to their published town."""
    from carecircle.areas.models import ResidentialArea
    from carecircle.funds.models import LotteryAllocation
    from carecircle.referrals.models import Hospital
    from carecircle.visits.models import Helper

    purge(demo_rows(Person))
    purge(demo_rows(Helper))
    purge(demo_rows(LotteryAllocation))
    purge(demo_rows(Hospital))
    purge(demo_rows(Provider))
    purge(demo_rows(ResidentialArea))
    purge(PopulationFact.objects.filter(source__contains=DEMO_TAG))
    restore_demo_areas()


def prepare_indicators(*, only_if_missing: bool) -> None:
    """Reported values and deadlines of the demo, then every computed indicator."""
    from carecircle.core.bulk import refresh_statistics
    from carecircle.demo.reported import create_reported_values
    from carecircle.indicators.models import IndicatorValue
    from carecircle.indicators.services import compute

    if only_if_missing and IndicatorValue.objects.exists():
        return
    with transaction.atomic():
        create_reported_values()
    refresh_statistics()  # the whole demo was just bulk-written
    compute()


def ensure_demo(
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    *,
    progress: bool | None = None,
) -> DemoReport:
    """Load the demo city at ``scale`` (persons per census resident) unless it is there."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    if progress is None:
        progress = sys.stderr.isatty()
    if not force and is_loaded(scale, seed):
        prepare_indicators(only_if_missing=True)
        return DemoReport(
            scale=scale,
            seed=seed,
            reused=True,
            seconds=time.perf_counter() - started,
            counts=count_rows(),
            accounts=describe_accounts(),
        )
    if progress:
        print(f"生成海安演示数据 / generating the Hai'an demo (scale {scale:g}) …", file=sys.stderr)
    with transaction.atomic(), _sqlite_cache(SQLITE_CACHE_KIB):
        clear_demo()
        load_haian()
        result = generate(scale, seed, source=source_text(scale, seed), progress=progress)
    step = time.perf_counter()
    prepare_indicators(only_if_missing=False)
    result.steps.append(("indicators", time.perf_counter() - step))
    counts = {**result.counts, "providers": result.counts.get("providers", 0)}
    return DemoReport(
        scale=scale,
        seed=seed,
        reused=False,
        seconds=time.perf_counter() - started,
        counts=counts,
        accounts=describe_accounts(),
        steps=result.steps,
    )
