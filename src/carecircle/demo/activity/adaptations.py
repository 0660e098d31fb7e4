"""Demo activity: home adaptation projects since 2021 and family care beds.

Projects go to households of elders in the special-hardship group (one per address): about 3.5 %
of the group has a completed project by now (some 1,200 at scale 1), a few are still on their
way and a few were cancelled. Each has two to five items with plausible costs and a subsidy up to
the per-household cap (a demonstration default, see ``adaptations.services``). About 0.9 % of the
group has a family care bed (a few hundred at scale 1), most after their adaptation, served by an
institution or community centre of their town; the institution of the demo's institution account
(the private institution with the most residents) serves a share of them.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from carecircle.adaptations.choices import BedEndReason, ItemKind, ProjectStatus
from carecircle.adaptations.models import (
    BED_PROVIDER_KINDS,
    AdaptationItem,
    AdaptationProject,
    FamilyCareBed,
)
from carecircle.adaptations.services import mark_target_group, subsidy_cap
from carecircle.areas.models import Area
from carecircle.core.bulk import allocate_ids
from carecircle.demo.bulk import BulkWriter, demo_rows, demo_uuid, reset_sequences
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Provider, Residency
from carecircle.persons.choices import LivingArrangement
from carecircle.persons.groups import OLD_AGE, SEVERE_DISABILITY_GRADES, special_hardship_q
from carecircle.persons.models import ELDER_AGE, HardshipFlag, Person

FIRST_YEAR = 2021
COMPLETED_SHARE = 0.035  # of the special-hardship group, completed by now
OPEN_SHARE = 0.06  # of the completed count, still on their way
CANCELLED_SHARE = 0.04
BED_SHARE = 0.009  # of the group, with a family care bed (open or ended)
YEAR_WEIGHTS = {2021: 14, 2022: 18, 2023: 20, 2024: 20, 2025: 18}
LATER_YEAR_WEIGHT = 10
# Applying, assessing and building take time after an elder joins the group.
LEAD_TIME = dt.timedelta(days=75)

# kind -> (quantity range, unit cost range in yuan, how often it is needed, assessment finding)
ITEMS = {
    ItemKind.BATHROOM_GRAB_BARS: ((1, 4), (120, 260), 0.85, "卫生间无扶手，如厕、洗浴起身困难"),
    ItemKind.ANTI_SLIP: ((1, 2), (200, 600), 0.7, "卫生间及厨房地面湿滑"),
    ItemKind.LEVEL_DIFFERENCE: ((1, 3), (150, 500), 0.45, "门槛及室内外高差约5厘米，有绊倒风险"),
    ItemKind.COMMODE_SHOWER_CHAIR: ((1, 2), (150, 400), 0.5, "洗澡时无法久站，如厕蹲起困难"),
    ItemKind.CARE_BED: ((1, 1), (1500, 3200), 0.12, "长期卧床，翻身、起床困难"),
    ItemKind.EMERGENCY_CALL: ((1, 1), (200, 600), 0.35, "独居，突发情况无法及时求助"),
    ItemKind.SMART_MONITORING: ((1, 2), (300, 900), 0.15, "夜间起夜频繁，近一年有跌倒史"),
    ItemKind.LIGHTING: ((2, 6), (60, 180), 0.4, "过道及卫生间夜间照明不足"),
    ItemKind.OTHER: ((1, 1), (100, 500), 0.05, "其他居家安全隐患"),
}
DESCRIPTIONS = {
    ItemKind.BATHROOM_GRAB_BARS: "坐便器旁L型扶手、淋浴区一字扶手",
    ItemKind.ANTI_SLIP: "地面防滑处理，铺设防滑垫",
    ItemKind.LEVEL_DIFFERENCE: "门槛移除或加装斜坡",
    ItemKind.COMMODE_SHOWER_CHAIR: "配置坐便椅或洗澡椅",
    ItemKind.CARE_BED: "配置适老化护理床",
    ItemKind.EMERGENCY_CALL: "安装一键呼叫装置",
    ItemKind.SMART_MONITORING: "安装跌倒监测或睡眠监测设备",
    ItemKind.LIGHTING: "安装感应夜灯、更换灯具",
    ItemKind.OTHER: "其他改造",
}
CONTRACTOR_NAMES = (
    "海安安居适老化工程有限公司（演示）",
    "海安康宁居家改造服务有限公司（演示）",
    "南通福寿适老设施安装有限公司（演示）",
)
CANCEL_REASONS = ("老人去世", "老人入住养老机构", "家属自行改造", "老人不同意施工")
CARE_PLANS = (
    "每周上门1次：生活照料、助浴；每月健康监测1次；家属负责日常陪护",
    "每周上门2次：翻身拍背、压疮预防、康复训练；每月评估照护效果",
    "每周上门1次：生活照料、居家安全检查；智能监测设备报警时30分钟内上门",
    "每两周上门1次：健康监测、用药指导；电话随访每周1次",
)
END_REASONS = (
    (BedEndReason.DECEASED, 35),
    (BedEndReason.ADMITTED, 30),
    (BedEndReason.WITHDRAWN, 25),
    (BedEndReason.OTHER, 10),
)

PROJECT_FIELDS = (
    "id", "uuid", "created_at", "updated_at", "person_id", "status", "applied_on", "assessed_on",
    "assessment_note", "contractor_id", "contractor_name", "started_on", "completed_on",
    "cancelled_on", "cancel_reason", "total_cost", "subsidy", "target_group", "note",
)  # fmt: skip
ITEM_FIELDS = (
    "uuid", "created_at", "updated_at", "project_id", "kind", "description", "quantity",
    "unit_cost", "cost",
)  # fmt: skip
BED_FIELDS = (
    "uuid", "created_at", "updated_at", "person_id", "provider_id", "adaptation_id",
    "started_on", "ended_on", "end_reason", "care_plan", "visits_per_month",
)  # fmt: skip


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _town_path(path: str) -> str:
    """The town (township level) prefix of a village's materialised path."""
    parts = path.strip("/").split("/")
    return "/".join(parts[:4]) + "/"


class Adaptations:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.cap = subsidy_cap()
        self.paths = dict(Area.objects.values_list("pk", "path"))
        group = (
            Person.objects.filter(special_hardship_q(today))
            .order_by("pk")
            .values_list("pk", "area_id", "address", "birth_date", "living_arrangement",
                         "disability_grade")
        )  # fmt: skip
        flagged_since = dict(
            HardshipFlag.objects.filter(person__in=Person.objects.filter(special_hardship_q(today)))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today), valid_from__lte=today)
            .values("person")
            .annotate(since=Min("valid_from"))
            .order_by("person")
            .values_list("person", "since")
        )
        # One household per address in a village: the first elder registered there applies.
        # Each elder is given the day they joined the group (roughly: ``mark_target_group`` then
        # checks the exact definition on the completion day), so work is dated after it.
        self.group: list[tuple[int, int]] = []
        self.joined: dict[int, dt.date] = {}
        seen: set[tuple[int, str]] = set()
        for pk, area_id, address, birth, living, grade in group:
            key = (area_id, address.strip())
            if address.strip() and key in seen:
                continue
            seen.add(key)
            self.group.append((pk, area_id))
            reasons = [flagged_since[pk]] if pk in flagged_since else []
            if grade in SEVERE_DISABILITY_GRADES:
                reasons.append(years_after(birth, ELDER_AGE))
            if living == LivingArrangement.ALONE:
                reasons.append(years_after(birth, OLD_AGE))
            self.joined[pk] = max([min(reasons or [today]), years_after(birth, ELDER_AGE)])
        self.providers = list(
            Provider.objects.filter(kind__in=BED_PROVIDER_KINDS)
            .order_by("pk")
            .values_list("pk", "kind", "area_id", "opened_on", "closed_on")
        )
        self.contractors = [p for p in self.providers if p[1] == ProviderKind.HOME_CARE_STATION]
        self.projects = BulkWriter(AdaptationProject, PROJECT_FIELDS)
        self.items = BulkWriter(AdaptationItem, ITEM_FIELDS, parent=self.projects)
        self.completed: dict[int, tuple[int, dt.date]] = {}  # person -> (project, completed on)

    # Projects ---------------------------------------------------------------------------------

    def completion_day(self, person: int | None = None) -> dt.date:
        """A day since 2021, more in later years; at least two months after the elder joined
        the group."""
        rng = self.rng
        years = list(range(FIRST_YEAR, self.today.year + 1))
        weights = [YEAR_WEIGHTS.get(y, LATER_YEAR_WEIGHT) for y in years]
        year = rng.choices(years, weights=weights)[0]
        day = _day_between(rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), self.today))
        earliest = self.joined[person] + LEAD_TIME if person is not None else day
        return day if day >= earliest else _day_between(rng, earliest, self.today)

    def can_complete(self, person: int) -> bool:
        return self.joined[person] + LEAD_TIME <= self.today

    def plan_items(self) -> list[tuple[str, int, Decimal]]:
        rng = self.rng
        chosen = [kind for kind, (_q, _c, p, _f) in ITEMS.items() if rng.random() < p]
        if len(chosen) < 2:
            chosen = [ItemKind.BATHROOM_GRAB_BARS, ItemKind.ANTI_SLIP]
        items = []
        for kind in chosen[:5]:
            (q_low, q_high), (c_low, c_high), _p, _f = ITEMS[kind]
            quantity = rng.randint(q_low, q_high)
            unit_cost = Decimal(rng.randrange(c_low, c_high + 1, 10))
            items.append((kind, quantity, unit_cost))
        return items

    def contractor(self, area_id: int) -> tuple[int | None, str]:
        rng = self.rng
        town = _town_path(self.paths[area_id])
        local = [p[0] for p in self.contractors if self.paths[p[2]].startswith(town)]
        if local and rng.random() < 0.45:
            return rng.choice(local), ""
        return None, rng.choice(CONTRACTOR_NAMES)

    def project(self, pk: int, person: int, area_id: int, status: str, end: dt.date) -> None:
        """A project whose last step (completion, or the current one) happened on ``end``."""
        rng = self.rng
        items = self.plan_items()
        started = end - dt.timedelta(days=rng.randint(2, 15))
        assessed = started - dt.timedelta(days=rng.randint(5, 40))
        applied = assessed - dt.timedelta(days=rng.randint(3, 25))
        note = "；".join(ITEMS[kind][3] for kind, _q, _c in items)
        contractor_id, contractor_name = self.contractor(area_id)
        total = sum((Decimal(q) * c for _k, q, c in items), Decimal(0))
        dates = {"assessed": None, "started": None, "completed": None, "cancelled": None}
        reason, subsidy = "", Decimal(0)
        if status == ProjectStatus.COMPLETED:
            dates.update(assessed=assessed, started=started, completed=end)
            subsidy = min(total, self.cap)
            self.completed[person] = (pk, end)
        elif status == ProjectStatus.IN_PROGRESS:
            dates.update(assessed=end - dt.timedelta(days=rng.randint(5, 30)), started=end)
            applied = dates["assessed"] - dt.timedelta(days=rng.randint(3, 25))
        elif status == ProjectStatus.ASSESSED:
            dates.update(assessed=end)
            applied = end - dt.timedelta(days=rng.randint(3, 25))
        elif status == ProjectStatus.APPLIED:
            applied = end
        else:  # cancelled after the assessment
            dates.update(assessed=assessed, cancelled=end)
            reason = rng.choice(CANCEL_REASONS)
        assessed_note = note if dates["assessed"] else ""
        if status == ProjectStatus.APPLIED:  # the builder is chosen after the assessment
            contractor_id, contractor_name = None, ""
        self.projects.add(
            (
                pk, demo_uuid(rng), self.now, self.now, person, status, applied,
                dates["assessed"], assessed_note, contractor_id, contractor_name,
                dates["started"], dates["completed"], dates["cancelled"], reason, total, subsidy,
                False, "",
            )
        )  # fmt: skip
        if status != ProjectStatus.APPLIED:
            for kind, quantity, unit_cost in items:
                self.items.add(
                    (demo_uuid(rng), self.now, self.now, pk, kind, DESCRIPTIONS[kind], quantity,
                     unit_cost, Decimal(quantity) * unit_cost)
                )  # fmt: skip

    def write_projects(self) -> dict[str, int]:
        rng = self.rng
        completed = round(len(self.group) * COMPLETED_SHARE)
        open_ = max(3, round(completed * OPEN_SHARE)) if completed else 0
        cancelled = round(completed * CANCELLED_SHARE)
        ready = [row for row in self.group if self.can_complete(row[0])]
        chosen = rng.sample(ready, min(len(ready), completed + open_ + cancelled))
        ids = iter(allocate_ids(AdaptationProject, len(chosen)))
        recent = self.today - dt.timedelta(days=90)
        for index, (person, area_id) in enumerate(chosen):
            pk = next(ids)
            if index < completed:
                day = self.completion_day(person)
                self.project(pk, person, area_id, ProjectStatus.COMPLETED, day)
            elif index < completed + open_:
                status = rng.choices(
                    (ProjectStatus.APPLIED, ProjectStatus.ASSESSED, ProjectStatus.IN_PROGRESS),
                    weights=(4, 3, 3),
                )[0]
                self.project(pk, person, area_id, status, _day_between(rng, recent, self.today))
            else:
                day = self.completion_day(person)
                self.project(pk, person, area_id, ProjectStatus.CANCELLED, day)
        self.items.flush()  # writes the pending projects first
        self.projects.flush()
        reset_sequences(AdaptationProject)
        finished = demo_rows(AdaptationProject).filter(completed_on__isnull=False)
        in_group = mark_target_group(finished.values_list("pk", flat=True))
        return {
            "adaptation projects": self.projects.written,
            "adaptation projects completed": completed,
            "adaptation projects completed (target group)": in_group,
            "adaptation items": self.items.written,
        }

    # Family care beds -------------------------------------------------------------------------

    def institution_account_provider(self) -> int | None:
        """The private institution with the most open residencies (the demo's ``jigou``)."""
        busiest = (
            Residency.objects.filter(
                provider__kind=ProviderKind.PRIVATE_INSTITUTION, discharged_on__isnull=True
            )
            .values("provider")
            .annotate(residents=Count("pk"))
            .order_by("-residents", "provider")
            .first()
        )
        return busiest["provider"] if busiest else None

    def bed_provider(self, area_id: int, day: dt.date, favourite: int | None) -> int | None:
        rng = self.rng
        town = _town_path(self.paths[area_id])

        def operating(p) -> bool:
            return p[3] <= day and (p[4] is None or p[4] > day)

        local = [p[0] for p in self.providers if operating(p) and self.paths[p[2]].startswith(town)]
        if favourite is not None and rng.random() < 0.12:
            favourite_row = next((p for p in self.providers if p[0] == favourite), None)
            if favourite_row is not None and operating(favourite_row):
                return favourite
        if local:
            return rng.choice(local)
        anywhere = [p[0] for p in self.providers if operating(p)]
        return rng.choice(anywhere) if anywhere else None

    def write_beds(self) -> dict[str, int]:
        rng = self.rng
        wanted = round(len(self.group) * BED_SHARE)
        favourite = self.institution_account_provider()
        adapted = [(p, a) for p, a in self.group if p in self.completed]
        others = [(p, a) for p, a in self.group if p not in self.completed]
        from_adapted = min(len(adapted), round(wanted * 0.6))
        chosen = rng.sample(adapted, from_adapted) + rng.sample(
            others, min(len(others), wanted - from_adapted)
        )
        beds = BulkWriter(FamilyCareBed, BED_FIELDS)
        first_day = dt.date(2022, 1, 1)
        for person, area_id in chosen:
            adaptation, start_from = None, first_day
            if person in self.completed:
                adaptation, completed_on = self.completed[person]
                start_from = max(first_day, completed_on)
            started = _day_between(rng, start_from, self.today)
            provider = self.bed_provider(area_id, started, favourite)
            if provider is None:
                continue
            ended, reason = None, ""
            if rng.random() < 0.15 and (self.today - started).days > 30:
                ended = _day_between(rng, started + dt.timedelta(days=30), self.today)
                reason = rng.choices(*zip(*END_REASONS, strict=True))[0]
            beds.add(
                (demo_uuid(rng), self.now, self.now, person, provider, adaptation, started, ended,
                 reason, rng.choice(CARE_PLANS), rng.choice((2, 4, 4, 4, 8)))
            )  # fmt: skip
        beds.flush()
        return {"family care beds": beds.written}


def generate(seed: int, today: dt.date) -> dict[str, int]:
    run = Adaptations(random.Random(f"{seed}:adaptations"), today)
    counts = run.write_projects()
    counts.update(run.write_beds())
    return counts
