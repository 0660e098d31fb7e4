"""Demo activity: a year of visits to the elders in special hardship, 一助一 helpers and pairs with
their help, and wishes for concentrated care.

* Every month of the 12 up to ``today``, each elder in the special-hardship group on the month's
  snapshot day (its last day, or today) is visited, except 3–6 % (15–25 % in two villages that
  fall behind); this month only the visits dated up to today exist. About one visit in eight
  finds something, most of those need a follow-up, and most follow-ups are done.
* Villages (not communities) get neighbours and volunteers living near their elders as helpers;
  about 85 % of their special-hardship elders are paired with the nearest helper with a free
  place (at most ``helper_max_elders``), and the pairs log help every month.
* Most 特困 elders admitted to an elderly-care institution since their 特困 status registered
  their wish before admission (placed); about 1 % of 特困 elders at home wait, a few withdrew.

The group is the one ``persons.groups.special_hardship_q`` defines, evaluated here in Python on
the rows read once. Rows are bulk-written with demo UUIDs and go with their persons when the demo
is cleared; helpers hang off villages, so leftovers of an earlier load are removed first.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from bisect import bisect
from collections import defaultdict
from itertools import accumulate

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.core import crypto
from carecircle.core.dates import years_before
from carecircle.core.idnumbers import mask_phone
from carecircle.demo import names
from carecircle.demo.bulk import (
    DEMO_UUID_LOW,
    BulkWriter,
    demo_rows,
    demo_uuid,
    purge,
    reset_sequences,
)
from carecircle.demo.population import jitter
from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS, ProviderKind
from carecircle.institutions.models import Provider, Residency
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.groups import OLD_AGE, SEVERE_DISABILITY_GRADES
from carecircle.persons.models import ELDER_AGE, HardshipFlag, Person
from carecircle.visits.choices import HelperKind, HelpKind, VisitFinding, VisitMode
from carecircle.visits.models import HELPER_PHONE_CONTEXT, CareWish, Helper, HelpLog, Pairing, Visit
from carecircle.visits.services import Month, helper_max_elders

MONTHS = 12
MISSED = (0.03, 0.06)
MISSED_BEHIND = (0.15, 0.25)
VILLAGES_BEHIND = 2
PAIRED_SHARE = 0.85
MINUTES = (20, 30, 45, 60, 90, 120)
VISITING_KINDS = (ProviderKind.HOME_CARE_STATION, ProviderKind.COMPREHENSIVE_CENTRE)
MODES = (VisitMode.HOME, VisitMode.PHONE, VisitMode.VIDEO)
MODE_WEIGHTS = (80, 15, 5)
F = VisitFinding
# finding -> (share among visits that find something, follow-up to note, what was seen)
FINDINGS: dict[str, tuple[int, str, str]] = {
    F.UNWELL: (30, "联系家庭医生上门诊视", "老人自述头晕乏力，血压偏高"),
    F.LIVING_DIFFICULTY: (25, "协助申请临时救助", "家中缺少过冬衣被"),
    F.HOUSING_HAZARD: (20, "联系村里检修电线", "厨房电线老化，有安全隐患"),
    F.POOR_MENTAL_STATE: (15, "联系子女多陪伴，村干部每周电话", "老人情绪低落，少言寡语"),
    F.OTHER: (10, "代为联系子女", "子女长期在外，联系不上"),
}
FINDING_KINDS = tuple(str(f) for f in FINDINGS)
FINDING_CUM = tuple(accumulate(v[0] for v in FINDINGS.values()))
NORMAL_FINDINGS = json.dumps([str(F.NORMAL)])
NORMAL_NOTES = ("身体状况良好，生活正常", "精神状态好，饮食起居正常", "家中整洁，无异常")
HELPER_KINDS = (
    HelperKind.NEIGHBOUR,
    HelperKind.VOLUNTEER,
    HelperKind.VILLAGE_CADRE,
    HelperKind.PARTY_MEMBER,
    HelperKind.RELATIVE,
)
HELPER_KIND_WEIGHTS = (55, 20, 10, 10, 5)
HELP_KINDS = tuple(str(k) for k in HelpKind)
HELP_KIND_CUM = tuple(accumulate((45, 25, 10, 15, 5)))
HELPS_PER_MONTH_CUM = (0.3, 0.75, 0.95, 1.0)  # 0, 1, 2 or 3 occasions
VISIT_FIELDS = (
    "uuid", "created_at", "updated_at", "person_id", "visited_on", "mode", "visitor_name",
    "provider_id", "findings", "note", "follow_up_needed", "follow_up_note", "follow_up_done_on",
)  # fmt: skip
HELPER_FIELDS = (
    "id", "uuid", "created_at", "updated_at", "name", "kind", "area_id", "address", "latitude",
    "longitude", "phone_encrypted", "phone_masked", "active",
)  # fmt: skip
PAIRING_FIELDS = ("id", "uuid", "created_at", "updated_at", "person_id", "helper_id",
                  "started_on", "ended_on", "note")  # fmt: skip
HELPLOG_FIELDS = ("uuid", "created_at", "updated_at", "pairing_id", "helped_on", "kind",
                  "minutes", "note")  # fmt: skip
WISH_FIELDS = ("uuid", "created_at", "updated_at", "person_id", "registered_on",
               "withdrawn_on", "preferred_provider_id", "note")  # fmt: skip


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


class Elder:
    __slots__ = ("pk", "area", "birth", "sixty", "eighty", "alone", "severe", "gone", "lat",
                 "lon", "flags", "stays")  # fmt: skip

    def __init__(self, row):
        pk, self.area, self.birth, living, grade, death, moved, self.lat, self.lon = row
        self.pk = pk
        # Birthdays as ``years_before`` compares them (29 February falls back to 28 February).
        self.sixty = years_before(self.birth, -ELDER_AGE)
        self.eighty = years_before(self.birth, -OLD_AGE)
        self.alone = living == LivingArrangement.ALONE
        self.severe = grade in SEVERE_DISABILITY_GRADES
        self.gone = min((d for d in (death, moved) if d), default=None)
        self.flags: list[tuple[str, dt.date, dt.date | None]] = []
        self.stays: list[tuple[int, dt.date, dt.date | None]] = []

    def stay_on(self, day: dt.date):
        for stay in self.stays:
            if stay[1] <= day and (stay[2] is None or stay[2] > day):
                return stay
        return None

    def flagged(self, day: dt.date, kind: str | None = None) -> bool:
        for k, start, end in self.flags:
            if start <= day and (end is None or end > day) and (kind is None or k == kind):
                return True
        return False

    def present_elder(self, day: dt.date) -> bool:
        return self.sixty <= day and (self.gone is None or self.gone > day)

    def in_group(self, day: dt.date) -> bool:
        """``persons.groups.special_hardship_q`` for one elder and day."""
        if not self.present_elder(day) or (self.stays and self.stay_on(day) is not None):
            return False
        return self.severe or (self.alone and self.eighty <= day) or self.flagged(day)


def _read_elders() -> dict[int, Elder]:
    persons = demo_rows(Person).filter(domain="elderly", merged_into__isnull=True)
    any_flag = Exists(HardshipFlag.objects.filter(person=OuterRef("pk")))
    candidates = persons.filter(
        Q(living_arrangement=LivingArrangement.ALONE)
        | Q(disability_grade__in=SEVERE_DISABILITY_GRADES)
        | Q(any_flag)
    )
    elders = {
        row[0]: Elder(row)
        for row in candidates.order_by("pk").values_list(
            "pk",
            "area_id",
            "birth_date",
            "living_arrangement",
            "disability_grade",
            "death_date",
            "moved_out_on",
            "latitude",
            "longitude",
        )  # fmt: skip
    }
    # All demo flags and stays, matched in Python: cheaper than a subquery per candidate.
    flags = HardshipFlag.objects.filter(person__uuid__gte=DEMO_UUID_LOW).order_by("pk")
    for person, kind, start, end in flags.values_list(
        "person_id", "kind", "valid_from", "valid_to"
    ):
        if person in elders:
            elders[person].flags.append((kind, start, end))
    stays = Residency.objects.filter(provider__kind__in=ELDERLY_INSTITUTION_KINDS).order_by("pk")
    for person, provider, start, end in stays.values_list(
        "person_id", "provider_id", "admitted_on", "discharged_on"
    ):
        if person in elders:
            elders[person].stays.append((provider, start, end))
    return elders


class Generator:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.elders = _read_elders()
        areas = Area.objects.filter(code__startswith="320685", level="village")
        rows = areas.values_list("pk", "parent_id", "is_urban", "latitude", "longitude")
        self.areas = {pk: (parent, urban, lat, lon) for pk, parent, urban, lat, lon in rows}
        self.workers: dict[int, list[str]] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self._providers()

    def _providers(self) -> None:
        """Per town, the community facilities that can be contracted for visits, and its rural
        homes (preferred by those asking for concentrated care)."""
        parent = dict(Area.objects.filter(code__startswith="320685").values_list("pk", "parent_id"))
        self.visiting: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
        self.homes: dict[int, list[int]] = defaultdict(list)
        rows = demo_rows(Provider).filter(kind__in=(*VISITING_KINDS, ProviderKind.RURAL_HOME))
        for pk, kind, area, level, opened, closed in rows.order_by("pk").values_list(
            "pk", "kind", "area_id", "area__level", "opened_on", "closed_on"
        ):
            town = parent.get(area) if level == "village" else area
            if kind == ProviderKind.RURAL_HOME:
                self.homes[town].append(pk)
            else:
                self.visiting[town].append((pk, opened, closed))

    def _worker(self, area: int) -> str:
        pool = self.workers.get(area)
        if pool is None:
            pool = self.workers[area] = [
                names.full_name(self.rng, self.rng.randrange(1965, 1995), self.rng.random() < 0.4)
                for _ in range(2)
            ]
        return self.rng.choice(pool)

    def _provider(self, area: int, day: dt.date) -> int | None:
        town = self.areas[area][0]
        for pk, opened, closed in self.visiting.get(town, ()):
            if opened <= day and (closed is None or closed > day):
                return pk
        return None

    # Visits ------------------------------------------------------------------------------------

    def visits(self) -> None:
        """Elder by elder (rows in index order), month by month."""
        rng = self.rng
        writer = BulkWriter(Visit, VISIT_FIELDS)
        months = [Month.of(self.today)]
        while len(months) < MONTHS:
            months.append(months[-1].previous())
        months.reverse()
        snapshots = [m.snapshot(self.today) for m in months]
        lengths = [m.last.day for m in months]
        villages = sorted({e.area for e in self.elders.values()})
        rural = [a for a in villages if not self.areas[a][1]]
        behind = set(rng.sample(rural, min(VILLAGES_BEHIND, len(rural))))
        missed = [
            {a: rng.uniform(*(MISSED_BEHIND if a in behind else MISSED)) for a in villages}
            for _month in months
        ]
        for elder in self.elders.values():
            for month, on, length, miss in zip(months, snapshots, lengths, missed, strict=True):
                if not elder.in_group(on) or rng.random() < miss[elder.area]:
                    continue
                day = month.first + dt.timedelta(days=int(length * rng.random() ** 1.4))
                if day <= on:
                    self._visit(writer, elder, day)
                    if rng.random() < 0.06 and day.day < length:
                        again = day + dt.timedelta(days=rng.randrange(1, length - day.day + 1))
                        if again <= on:
                            self._visit(writer, elder, again)
        writer.flush()
        self.counts["visits"] = writer.written

    def _visit(self, writer, elder: Elder, day: dt.date) -> None:
        rng = self.rng
        roll = rng.random()
        mode = VisitMode.HOME if roll < 0.8 else VisitMode.PHONE if roll < 0.95 else VisitMode.VIDEO
        provider = self._provider(elder.area, day) if rng.random() < 0.6 else None
        if provider is None:
            visitor = self._worker(elder.area)
        else:
            visitor = names.full_name(rng, 1985, rng.random() < 0.3)
        done = None
        follow = ""
        if rng.random() < 0.12:
            found = {names.pick(rng, FINDING_KINDS, FINDING_CUM)}
            if rng.random() < 0.3:
                found.add(names.pick(rng, FINDING_KINDS, FINDING_CUM))
            found = sorted(found)
            findings = json.dumps(found)
            note = "；".join(FINDINGS[f][2] for f in found)
            needed = rng.random() < 0.75
            if needed:
                follow = FINDINGS[found[0]][1]
                finished = day + dt.timedelta(days=rng.randrange(1, 21))
                if rng.random() < 0.88 and finished <= self.today:
                    done = finished
                self.counts["visit_follow_ups"] += 1
        else:
            findings, note, needed = NORMAL_FINDINGS, rng.choice(NORMAL_NOTES), False
        writer.add((demo_uuid(rng), self.now, self.now, elder.pk, day, mode, visitor, provider,
                    findings, note, needed, follow, done))  # fmt: skip

    # 一助一 --------------------------------------------------------------------------------------

    def pairs(self) -> None:
        rng = self.rng
        today = self.today
        capacity = helper_max_elders()
        by_village: dict[int, list[Elder]] = defaultdict(list)
        for elder in self.elders.values():
            if not self.areas[elder.area][1] and elder.in_group(today):
                by_village[elder.area].append(elder)
        helpers = BulkWriter(Helper, HELPER_FIELDS)
        pairings = BulkWriter(Pairing, PAIRING_FIELDS, parent=helpers)
        logs = BulkWriter(HelpLog, HELPLOG_FIELDS, parent=pairings)
        helper_pk = (Helper.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        pairing_pk = (Pairing.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        window = Month.of(today)
        for _ in range(MONTHS - 1):
            window = window.previous()
        for area in sorted(by_village):
            members = by_village[area]
            _parent, _urban, v_lat, v_lon = self.areas[area]
            count = max(1, round(len(members) * PAIRED_SHARE / (capacity - 0.6)))
            placed: list[list] = []  # [pk, lat, lon, load]
            for _ in range(count):
                near = rng.choice(members)
                lat, lon = (near.lat, near.lon) if near.lat is not None else (v_lat, v_lon)
                if lat is None:
                    continue
                lat, lon = jitter(rng, lat, lon, 0.003)
                phone = names.mobile(rng)
                active = rng.random() < 0.97
                kind = rng.choices(HELPER_KINDS, HELPER_KIND_WEIGHTS)[0]
                name = names.full_name(rng, rng.randrange(1955, 1995), rng.random() < 0.45)
                helpers.add((helper_pk, demo_uuid(rng), self.now, self.now, name, kind, area,
                             near_address(rng), lat, lon,
                             crypto.encrypt(phone, context=HELPER_PHONE_CONTEXT),
                             mask_phone(phone), active))  # fmt: skip
                if active:  # an inactive helper takes no one
                    placed.append([helper_pk, float(lat), float(lon), 0])
                helper_pk += 1
            members = sorted(members, key=lambda e: e.pk)
            rng.shuffle(members)
            for elder in members[: round(len(members) * PAIRED_SHARE)]:
                free = [h for h in placed if h[3] < capacity]
                if not free or elder.lat is None:
                    continue
                lat, lon = float(elder.lat), float(elder.lon)
                shrink = math.cos(
                    math.radians(lat)
                )  # a degree of longitude, in degrees of latitude

                def distance(h, lat=lat, lon=lon, shrink=shrink):
                    return (h[1] - lat) ** 2 + ((h[2] - lon) * shrink) ** 2

                best = min(free, key=distance)
                best[3] += 1
                sixty = years_before(elder.birth, -ELDER_AGE)
                first = max(sixty, dt.date(2022, 1, 1))
                start = _day(rng, first, max(first, today - dt.timedelta(days=14)))
                if rng.random() < 0.06 and len(placed) > 1:
                    before = rng.choice([h for h in placed if h is not best])
                    ended = start - dt.timedelta(days=rng.randrange(1, 30))
                    began = ended - dt.timedelta(days=rng.randrange(200, 700))
                    if began >= sixty:
                        pairings.add((pairing_pk, demo_uuid(rng), self.now, self.now, elder.pk,
                                      before[0], began, ended, "帮扶人外出务工"))  # fmt: skip
                        pairing_pk += 1
                pairings.add((pairing_pk, demo_uuid(rng), self.now, self.now, elder.pk, best[0],
                              start, None, ""))  # fmt: skip
                self._help(logs, pairing_pk, start, window)
                pairing_pk += 1
        logs.flush()
        reset_sequences(Helper, Pairing)
        self.counts.update(helpers=helpers.written, pairings=pairings.written,
                           help_logs=logs.written)  # fmt: skip

    def _help(self, logs, pairing: int, start: dt.date, window: Month) -> None:
        rng = self.rng
        month = max(window, Month.of(start))
        current = Month.of(self.today)
        while month <= current:
            first = max(month.first, start)
            last = min(month.last, self.today)
            if first <= last:
                occasions = bisect(HELPS_PER_MONTH_CUM, rng.random())
                for _ in range(occasions):
                    logs.add((demo_uuid(rng), self.now, self.now, pairing, _day(rng, first, last),
                              names.pick(rng, HELP_KINDS, HELP_KIND_CUM),
                              rng.choice(MINUTES), ""))  # fmt: skip
            month = month.following()

    # Wishes for concentrated care ---------------------------------------------------------------

    def wishes(self) -> None:
        rng = self.rng
        today = self.today
        writer = BulkWriter(CareWish, WISH_FIELDS)
        poor = HardshipKind.EXTREME_POVERTY
        for elder in self.elders.values():
            if not elder.present_elder(today) or not elder.flagged(today, poor):
                continue
            sixty = years_before(elder.birth, -ELDER_AGE)
            since = min(f for k, f, t in elder.flags if k == poor and (t is None or t > today))
            stay = elder.stay_on(today)
            if stay is not None:
                provider, admitted, _end = stay
                if admitted < since or rng.random() >= 0.9:
                    continue
                asked = admitted - dt.timedelta(days=rng.randrange(15, 200))
                asked = min(max(asked, since, sixty), admitted)
                preferred = provider if rng.random() < 0.7 else None
                writer.add((demo_uuid(rng), self.now, self.now, elder.pk, asked, None, preferred,
                            ""))  # fmt: skip
                continue
            roll = rng.random()
            if roll >= 0.012:
                continue
            first = max(since, sixty, today - dt.timedelta(days=540))
            if first > today - dt.timedelta(days=3):
                continue
            asked = _day(rng, first, today - dt.timedelta(days=3))
            homes = self.homes.get(self.areas[elder.area][0], [])
            preferred = rng.choice(homes) if homes and rng.random() < 0.5 else None
            withdrawn = None
            if roll < 0.003:
                withdrawn = min(asked + dt.timedelta(days=rng.randrange(30, 200)), today)
            note = "子女愿意照料，撤回申请" if withdrawn else "本人提出到敬老院集中供养"
            writer.add((demo_uuid(rng), self.now, self.now, elder.pk, asked, withdrawn, preferred,
                        note))  # fmt: skip
        writer.flush()
        self.counts["care_wishes"] = writer.written


def near_address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 40)}组{rng.randrange(1, 60)}号"


def generate(seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}:visits")
    # Helpers belong to villages, not to demo persons: remove those of an earlier load.
    purge(demo_rows(Helper))
    generator = Generator(rng, today)
    generator.visits()
    generator.pairs()
    generator.wishes()
    return dict(generator.counts)
