"""Deterministic generator of the Hai'an demo city on the real division codes.

``generate(scale, seed)`` writes, in the caller's transaction:

1. the demo-assumption areas (海安街道, 孙庄街道, 高新区) and their takeovers, with history;
2. 2020 population facts for the 239 villages and communities, summing exactly to the census;
3. providers, capacity, designations, grades, pairs, staff and residential estates reproducing
   the 2022 baseline exactly (``providers.py``);
4. persons for every elder and child under 3 of the facts, times ``scale`` (``people.py``);
5. the development from 2023 to the load date, leaving the 2022 baseline intact
   (``evolution.py``);
6. a year of service activity up to the load date: assessments, home care, visits, pairs,
   adaptations, calls, referrals, health checks and fund allocations (``activity/``);
7. the demo accounts (``accounts.py``).

Each step draws from its own ``random.Random(f"{seed}:{step}")`` so that the same seed gives the
same city, and changing one step does not reshuffle the others.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.demo.accounts import TOWN_CODE, create_accounts
from carecircle.demo.activity import generate_activity
from carecircle.demo.activity.enrolment import busiest_provider as busiest_childcare_provider
from carecircle.demo.evolution import evolve
from carecircle.demo.ids import IdIssuer
from carecircle.demo.people import build_people
from carecircle.demo.population import (
    create_demo_areas,
    load_units_for_generation,
    population_facts,
    write_population_facts,
)
from carecircle.demo.providers import build_providers
from carecircle.institutions.choices import ProviderKind

DEFAULT_SEED = 20221231


@dataclass
class GenerationResult:
    counts: dict[str, int] = field(default_factory=dict)
    steps: list[tuple[str, float]] = field(default_factory=list)


class _Steps:
    def __init__(self, result: GenerationResult, verbose: bool):
        self.result = result
        self.verbose = verbose
        self.started = time.perf_counter()

    def done(self, label: str) -> None:
        now = time.perf_counter()
        self.result.steps.append((label, now - self.started))
        if self.verbose:
            print(f"  {label}: {now - self.started:.1f} s", file=sys.stderr, flush=True)
        self.started = now


def set_sqlite_cache(kib: int) -> None:
    """The area loader enlarges SQLite's page cache for its own inserts; the persons are
    written with ``kib`` (bounded memory)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{int(kib)}")


def busiest_home_care_provider() -> int | None:
    """The home-care station with the most service orders (the provider account's employer)."""
    from carecircle.homecare.models import ServiceOrder

    busiest = (
        ServiceOrder.objects.filter(provider__kind=ProviderKind.HOME_CARE_STATION)
        .values("provider")
        .annotate(orders=Count("pk"))
        .order_by("-orders", "provider")
        .first()
    )
    return busiest["provider"] if busiest else None


def generate(
    scale: float,
    seed: int = DEFAULT_SEED,
    *,
    source: str,
    progress: bool = False,
    cache_kib: int = 65536,
) -> GenerationResult:
    result = GenerationResult()
    steps = _Steps(result, progress)
    result.counts["areas_moved"] = create_demo_areas(random.Random(f"{seed}:areas"))
    set_sqlite_cache(cache_kib)
    units = load_units_for_generation()
    steps.done("区划 areas")

    population_facts(random.Random(f"{seed}:population"), units)
    result.counts["population_facts"] = write_population_facts(units, source)
    steps.done("人口 population facts")

    issuer = IdIssuer(random.Random(f"{seed}:ids"))
    providers = build_providers(random.Random(f"{seed}:providers"), units, issuer)
    result.counts.update(providers["counts"])
    steps.done("机构 providers, staff, estates")

    people = build_people(
        random.Random(f"{seed}:people"),
        issuer,
        units,
        scale,
        providers["elderly"],
        providers["estates"],
        progress=progress,
    )
    result.counts.update(
        elders=people.elders,
        elders_80_plus=people.elders_80_plus,
        children=people.children,
        residences=people.residences,
        hardship_flags=people.hardship_flags,
        contacts=people.contacts,
        residencies=people.residencies,
    )
    steps.done("人员 persons")

    today = timezone.localdate()
    result.counts.update(evolve(random.Random(f"{seed}:evolution"), units, issuer, today))
    steps.done("发展 2023– development")

    result.counts.update(
        generate_activity(seed, today, on_step=lambda name: steps.done(f"服务 activity: {name}"))
    )

    # The village worker's village: the village (村) of 曲塘镇 with the most elders; the
    # institution employee's: the private institution with the most residents.
    town_units = [u for u in units if u.town_code == TOWN_CODE and not u.is_urban]
    village = max(town_units, key=lambda u: (people.elders_by_unit[u.id], -int(u.code)))
    private = [b for b in providers["elderly"] if b.kind == ProviderKind.PRIVATE_INSTITUTION]
    institution = max(
        private, key=lambda b: (people.residents_by_provider[b.provider_id], -b.provider_id)
    )
    users = create_accounts(
        Area.objects.get(pk=village.id),
        {
            "institution": institution.provider_id,
            "home_care": busiest_home_care_provider(),
            "childcare": busiest_childcare_provider(today),
        },
    )
    result.counts["accounts"] = len(users)
    steps.done("账户 accounts")
    return result
