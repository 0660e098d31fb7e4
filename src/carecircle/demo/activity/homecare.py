"""Demo activity: a year of government-purchased home care (政府购买居家养老服务).

* A menu of 16 items in ten categories with prices typical of Jiangsu county towns.
* Each home-care provider (stations, day-care centres, comprehensive and rural regional
  centres) holds a contract for each calendar year of the 12 months up to ``today``, covering
  its own village, the villages it serves, and every village of its town no other provider is
  located in (else the nearest provider's); items follow the provider kind.
* Entitlement rules: hardship groups, 80+, living alone, dementia and assessed disability.
  **The amounts and hours are demo assumptions** (Hai'an's local standards were not found) and
  are labelled so. Entitlements are derived by ``services.grant_entitlements`` at the start of
  the year and half-way through, so elders turning 80 or newly flagged join during the year.
* Every entitled elder receives orders most months: visits of 1–3 hours until roughly the
  entitlement is used (now and then more), meals, bathing, visits; some are cancelled or missed,
  a few lack a check-out, end before they started, are much shorter than booked, repeat another
  order, continue after the entitlement ended or use an item the provider is not contracted for;
  about 40 % are rated, a few carry a complaint; 5 % extra orders are paid by the elders.
* Settlements (drafts) for every month that has ended, computed by ``settlement.settle_month``.

Orders are written in bulk (``BulkWriter``: COPY on PostgreSQL), one writer per month. Menu
items and rules are reference data: those of an earlier load are removed first; contracts,
entitlements, orders and settlements go with their providers and persons when the demo is
cleared.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.demo.bulk import BulkWriter, demo_rows, demo_uuid, purge
from carecircle.homecare import services
from carecircle.homecare.choices import (
    Funding,
    OrderStatus,
    ServiceCategory,
    ServiceUnit,
)
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
)
from carecircle.homecare.models.entitlements import ANY_ECONOMIC_HARDSHIP
from carecircle.homecare.settlement import local_midnight, next_month, settle_month
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Provider, Staff
from carecircle.persons.choices import HardshipKind

C, U, K = ServiceCategory, ServiceUnit, ProviderKind
MONTHS = 12
ALL_KINDS = (K.HOME_CARE_STATION, K.COMPREHENSIVE_CENTRE, K.DAYCARE_CENTRE, K.RURAL_REGIONAL_CENTRE)
OUTREACH = (K.HOME_CARE_STATION, K.COMPREHENSIVE_CENTRE, K.RURAL_REGIONAL_CENTRE)
CENTRES = (K.COMPREHENSIVE_CENTRE, K.DAYCARE_CENTRE, K.RURAL_REGIONAL_CENTRE)
# code, name, category, unit, price, kinds, what is done
MENU = (
    ("SH01", "起居照料", C.DAILY_CARE, U.HOUR, "40", ALL_KINDS, "协助起居、穿衣、如厕、翻身"),
    ("SH02", "喂食与个人卫生", C.DAILY_CARE, U.HOUR, "42", ALL_KINDS, "协助进食、洗漱、修剪指甲"),
    ("ZJ01", "居室清洁", C.CLEANING, U.HOUR, "35", ALL_KINDS, "打扫卧室、厨房、卫生间"),
    ("ZJ02", "衣物被褥洗涤", C.CLEANING, U.HOUR, "35", ALL_KINDS, "上门清洗、晾晒衣物被褥"),
    ("ZC01", "送餐上门", C.MEAL, U.MEAL, "12", ALL_KINDS, "午餐或晚餐送餐到户"),
    ("ZC02", "助餐点就餐", C.MEAL, U.MEAL, "10", CENTRES, "在助餐点（老年食堂）就餐"),
    ("ZY01", "上门助浴", C.BATHING, U.TIME, "80", OUTREACH, "携带助浴设备上门助浴"),
    ("ZY02", "助浴点助浴", C.BATHING, U.TIME, "45", CENTRES, "在中心助浴间助浴"),
    ("YL01", "陪同就医", C.MEDICAL, U.HOUR, "40", ALL_KINDS, "陪同到医院就诊、取药"),
    ("YL02", "上门健康监测", C.MEDICAL, U.TIME, "20", ALL_KINDS, "测量血压、血糖，提醒用药"),
    ("ZX01", "陪同出行", C.MOBILITY, U.HOUR, "35", ALL_KINDS, "陪同散步、外出办事"),
    ("DB01", "代购代缴", C.ERRANDS, U.TIME, "15", ALL_KINDS, "代购生活用品、代缴水电费"),
    ("TS01", "上门探视", C.VISITING, U.TIME, "20", ALL_KINDS, "上门看望，了解身体和生活情况"),
    ("JW01", "聊天陪伴", C.COMPANIONSHIP, U.HOUR, "30", ALL_KINDS, "谈心聊天、读报"),
    ("KF01", "康复训练指导", C.REHABILITATION, U.HOUR, "60", OUTREACH, "肢体功能训练指导"),
    ("KF02", "压疮预防护理", C.REHABILITATION, U.HOUR, "60", OUTREACH, "翻身拍背、皮肤护理"),
)  # fmt: skip
ASSUMPTION = "演示假设：海安本地标准未获取，金额和时长为演示用假设值"
E = HardshipKind
# name, category, hours, amount, who qualifies
RULES = (
    ("分散供养特困老年人生活照料", C.DAILY_CARE, "20", None, {"hardship_kind": E.EXTREME_POVERTY}),
    ("失能老年人生活照料", C.DAILY_CARE, "10", None, {"hardship_kind": E.DISABLED}),
    ("经济困难中度以上失能老年人生活照料", C.DAILY_CARE, "30", None,
     {"hardship_kind": ANY_ECONOMIC_HARDSHIP, "min_ability_level": 2}),
    ("经济困难老年人助洁", C.CLEANING, "6", None, {"hardship_kind": ANY_ECONOMIC_HARDSHIP}),
    ("经济困难高龄老年人助餐", C.MEAL, None, "240", {"hardship_kind": ANY_ECONOMIC_HARDSHIP,
                                                 "min_age": 80}),
    ("分散供养特困老年人助浴", C.BATHING, None, "160", {"hardship_kind": E.EXTREME_POVERTY}),
    ("高龄老年人探视关爱", C.VISITING, None, "60", {"min_age": 80}),
    ("高龄独居老年人精神慰藉", C.COMPANIONSHIP, "4", None, {"min_age": 80, "living_alone": True}),
    ("失智老年人精神慰藉", C.COMPANIONSHIP, "6", None, {"hardship_kind": E.DEMENTIA}),
    ("重度以上失能老年人康复护理", C.REHABILITATION, "4", None, {"min_ability_level": 3}),
)  # fmt: skip
# Per category: how an elder uses an entitlement (share of elder-months with orders, and for
# hourly items the hours of one visit).
USE = {C.DAILY_CARE: 0.95, C.CLEANING: 0.9, C.MEAL: 0.85, C.BATHING: 0.8, C.VISITING: 0.8,
       C.COMPANIONSHIP: 0.85, C.REHABILITATION: 0.9}  # fmt: skip
ONE, TWO = Decimal(1), Decimal(2)
# Hours of one visit, and ratings, as lookup tables (weights 15/20/35/20/10 and 62/28/7/2/1).
VISIT_TABLE = tuple(
    Decimal(h) for h, n in (("1", 15), ("1.5", 20), ("2", 35), ("2.5", 20), ("3", 10))
    for _ in range(n)
)  # fmt: skip
MEALS = (ONE, TWO)
RATING_TABLE = tuple(r for r, n in ((5, 62), (4, 28), (3, 7), (2, 2), (1, 1)) for _ in range(n))
RATED = 0.4
OVERUSE = 0.05
COMPLAINTS = (
    "服务人员迟到约半小时，未提前电话告知",
    "卫生间没有打扫干净",
    "送餐时饭菜已凉",
    "服务时间明显短于预约时间",
    "服务人员态度生硬",
    "未按约定时间上门，临时改期",
)
ORDER_FIELDS = (
    "uuid", "created_at", "updated_at", "provider_id", "person_id", "item_id", "worker_id",
    "external_ref", "status", "scheduled_start", "scheduled_end", "checked_in_at",
    "checked_out_at", "duration_minutes", "quantity", "funding", "unit_price", "cost", "rating",
    "complaint",
)  # fmt: skip
# Shares of orders: cancelled, missed; then, of completed ones, the data-quality problems.
CANCELLED, MISSED = 0.025, 0.015
NO_CHECKOUT, BACKWARDS, SHORT, DUPLICATE, OFF_CONTRACT = 0.002, 0.0003, 0.003, 0.0005, 0.0004
SELF_PAID_EXTRA = 0.05
LATE_AFTER_END = 0.3  # providers serving a few days after an entitlement ended
MINUTE = [dt.timedelta(minutes=m) for m in range(24 * 60)]  # index by minutes
CENT = Decimal("0.01")


@contextmanager
def deferred_indexes(model):
    """On SQLite, the table's secondary indexes are dropped while the rows are written and
    built again afterwards: one sort per index instead of millions of random insertions. The
    statements are part of the load's transaction (SQLite's DDL is transactional); the implicit
    indexes of the primary key and of ``uuid`` stay."""
    if connection.vendor != "sqlite":
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def _months(today: dt.date) -> list[dt.date]:
    month = today.replace(day=1)
    months = [month]
    for _n in range(MONTHS - 1):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


class HomeCare:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        # What happened is up to the end of the load day; later visits of its month are booked.
        self.now = min(timezone.now(), local_midnight(today + dt.timedelta(days=1)))
        self.months = _months(today)
        self.start = self.months[0]
        self.counts: dict[str, int] = defaultdict(int)

    # Menu, rules, contracts -------------------------------------------------------------------

    def menu(self) -> None:
        # Reference data of an earlier load (their orders and contracts went with the providers).
        purge(demo_rows(EntitlementRule))
        purge(demo_rows(ServiceItem))
        items = [
            ServiceItem(
                uuid=demo_uuid(self.rng), code=code, name=name, category=category, unit=unit,
                price=Decimal(price), provider_kinds=[str(k) for k in kinds], description=what,
            )
            for code, name, category, unit, price, kinds, what in MENU
        ]  # fmt: skip
        ServiceItem.objects.bulk_create(items)
        self.items = {i.code: i for i in ServiceItem.objects.filter(code__in=[m[0] for m in MENU])}
        rules = [
            EntitlementRule(
                uuid=demo_uuid(self.rng), name=name, category=category,
                monthly_hours=Decimal(hours) if hours else None,
                monthly_amount=Decimal(amount) if amount else None,
                valid_from=dt.date(self.start.year - 1, 1, 1), doc_no="",
                is_demo_assumption=True, note=ASSUMPTION, **who,
            )
            for name, category, hours, amount, who in RULES
        ]  # fmt: skip
        EntitlementRule.objects.bulk_create(rules)
        self.counts["homecare_items"] = len(items)
        self.counts["homecare_rules"] = len(rules)

    def contracts(self) -> None:
        """Each provider covers its village, those it serves, and the villages of its town
        without a provider of their own (the nearest provider's when several)."""
        providers = list(
            Provider.objects.filter(kind__in=ALL_KINDS, opened_on__lte=self.today)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=self.start))
            .order_by("pk")
            .values_list("pk", "kind", "area_id", "area__parent_id", "opened_on", "closed_on",
                         "area__latitude", "area__longitude")
        )  # fmt: skip
        served = defaultdict(set)
        for provider, area in Provider.service_areas.through.objects.filter(
            provider_id__in=[p[0] for p in providers]
        ).values_list("provider_id", "area_id"):
            served[provider].add(area)
        villages = list(
            Area.objects.filter(code__startswith="320685", level="village")
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.today))
            .order_by("pk")
            .values_list("pk", "parent_id", "latitude", "longitude")
        )
        located = {p[2] for p in providers}
        coverage: dict[int, set[int]] = {p[0]: {p[2]} | served[p[0]] for p in providers}
        covered = set().union(*coverage.values())

        def distance(p, lat, lon) -> float:
            if None in (p[6], p[7], lat, lon):
                return math.inf
            return (float(p[6]) - float(lat)) ** 2 + (float(p[7]) - float(lon)) ** 2

        for pk, town, lat, lon in villages:
            if pk in located or pk in covered:
                continue
            same_town = [p for p in providers if p[3] == town] or providers
            nearest = min(same_town, key=lambda p: (distance(p, lat, lon), p[0]))
            coverage[nearest[0]].add(pk)
        years = sorted({m.year for m in self.months})
        contracts, areas_rows, items_rows = [], [], []
        for seq, (pk, kind, *_rest) in enumerate(providers, start=1):
            opened, closed = _rest[2], _rest[3]
            items = [i for i in self.items.values() if kind in i.provider_kinds]
            for year in years:
                start = max(dt.date(year, 1, 1), opened)
                end = (
                    dt.date(year, 12, 31) if closed is None else min(dt.date(year, 12, 31), closed)
                )
                if end < start:
                    continue
                contract = ProviderContract(
                    uuid=demo_uuid(self.rng), provider_id=pk,
                    number=f"海民养购〔{year}〕{seq:03d}号",
                    signed_on=start - dt.timedelta(days=self.rng.randrange(5, 25)),
                    valid_from=start, valid_to=end,
                    note="居家养老上门服务政府购买合同（演示）",
                )  # fmt: skip
                contracts.append((contract, sorted(coverage[pk]), items))
        ProviderContract.objects.bulk_create([c for c, _a, _i in contracts])
        through_areas = ProviderContract.areas.through
        through_items = ProviderContract.items.through
        for contract, areas, items in contracts:
            areas_rows += [through_areas(providercontract_id=contract.pk, area_id=a) for a in areas]
            items_rows += [
                through_items(providercontract_id=contract.pk, serviceitem_id=i.pk) for i in items
            ]
        through_areas.objects.bulk_create(areas_rows)
        through_items.objects.bulk_create(items_rows)
        self.kinds = {p[0]: p[1] for p in providers}
        self.counts["homecare_contracts"] = len(contracts)

    # Entitlements -----------------------------------------------------------------------------

    def entitlements(self) -> None:
        """Derived by the service at the start of the year and half-way through."""
        for month in self.months[::6]:
            services.grant_entitlements(month, make_uuid=lambda: demo_uuid(self.rng))
        rows = (
            Entitlement.objects.filter(rule__isnull=False)
            .order_by("pk")
            .values_list("person_id", "provider_id", "category", "monthly_hours",
                         "monthly_amount", "valid_from", "valid_to")
        )  # fmt: skip
        self.entitled = list(rows)
        self.counts["homecare_entitlements"] = len(self.entitled)
        self.counts["homecare_entitled_elders"] = len({row[0] for row in self.entitled})

    # Orders -----------------------------------------------------------------------------------

    def _workers(self) -> dict[int, list[int]]:
        rows = Staff.objects.filter(provider_id__in=list(self.kinds), left_on__isnull=True)
        workers: dict[int, list[int]] = defaultdict(list)
        for pk, provider in rows.order_by("pk").values_list("pk", "provider_id"):
            workers[provider].append(pk)
        return workers

    def orders(self) -> None:
        with deferred_indexes(ServiceOrder):
            self._orders()

    def _orders(self) -> None:
        rng = self.rng
        self.workers = self._workers()
        self.refs: dict[int, int] = defaultdict(int)
        # Items as plain tuples (pk, price, unit, category): read millions of times.
        by_category = defaultdict(list)
        for item in sorted(self.items.values(), key=lambda i: i.code):
            by_category[item.category].append(
                ((item.pk, item.price, item.unit, item.category), item.provider_kinds)
            )
        self.contracted, self.off_contract = {}, {}
        for provider, kind in self.kinds.items():
            for category, entries in by_category.items():
                self.contracted[(provider, category)] = [i for i, k in entries if kind in k]
                self.off_contract[(provider, category)] = [i for i, k in entries if kind not in k]
        self.costs: dict[tuple, Decimal] = {}
        for month in self.months:
            end = next_month(month) - dt.timedelta(days=1)
            days = (end - month).days + 1
            # UTC midnights: fixed-offset datetimes hash and compare cheaply.
            self.midnight = [
                local_midnight(month + dt.timedelta(days=n)).astimezone(dt.UTC) for n in range(days)
            ]
            self.prefix = f"{month:%Y%m}"
            writer = BulkWriter(ServiceOrder, ORDER_FIELDS)
            for person, provider, category, hours, amount, start, stop in self.entitled:
                items = self.contracted.get((provider, category))
                if not items or start > end:
                    continue
                if stop is not None and stop < month:
                    # Ended last month: now and then the provider still comes in the first days.
                    if stop == month - dt.timedelta(days=1) and rng.random() < LATE_AFTER_END:
                        self._order(writer, person, provider, items[0], 0, 5, ONE,
                                    Funding.GOVERNMENT)  # fmt: skip
                    continue
                if rng.random() >= USE.get(category, 0.8):
                    continue
                first = max(start, month)
                last = end if stop is None else min(stop, end)
                span = (last - first).days + 1
                self._month(writer, person, provider, items, hours, amount,
                            (first - month).days, span, span / days)  # fmt: skip
            writer.flush()
            self.counts["homecare_orders"] += writer.written

    def _month(self, writer, person, provider, items, hours, amount, offset, span, share):
        """One elder's orders in one category for the days ``offset`` … ``offset + span - 1``
        of the month: roughly the entitlement's worth, now and then more."""
        rng = self.rng
        over = rng.random() < OVERUSE
        use = rng.uniform(1.1, 1.5) if over else rng.uniform(0.8, 1.0)
        budget = float(hours if hours is not None else amount) * use * share
        while budget > 0:
            item = items[int(rng.random() * len(items))]
            if hours is not None:
                qty = VISIT_TABLE[int(rng.random() * len(VISIT_TABLE))]
                used = float(qty)
            else:
                qty = MEALS[int(rng.random() * 2)] if item[2] == U.MEAL else ONE
                used = float(qty * item[1])
            if used > budget and not over:
                break  # the provider keeps within the entitlement
            budget -= used
            self._order(writer, person, provider, item, offset, span, qty, Funding.GOVERNMENT)
        if rng.random() < SELF_PAID_EXTRA:
            item = items[int(rng.random() * len(items))]
            qty = TWO if item[2] == U.HOUR else ONE
            self._order(writer, person, provider, item, offset, span, qty, Funding.SELF_PAID)

    def _order(self, writer, person, provider, item, offset, span, qty, funding):
        rng = self.rng
        rnd = rng.random
        if rnd() < OFF_CONTRACT:
            others = self.off_contract[(provider, item[3])]
            item = others[int(rnd() * len(others))] if others else item
        pk, price, unit = item[0], item[1], item[2]
        start = self.midnight[offset + int(rnd() * span)] + MINUTE[480 + 10 * int(rnd() * 54)]
        booked = int(qty * 60) if unit == U.HOUR else (60 if unit == U.TIME else 0)
        end = start + MINUTE[booked] if booked else None
        checked_in = checked_out = duration = rating = None
        complaint = ""
        if start > self.now:
            status = OrderStatus.SCHEDULED
        else:
            roll = rnd()
            status = (
                OrderStatus.CANCELLED if roll < CANCELLED
                else OrderStatus.MISSED if roll < CANCELLED + MISSED
                else OrderStatus.COMPLETED
            )  # fmt: skip
        if status == OrderStatus.COMPLETED:
            checked_in = start + MINUTE[int(rnd() * 16)]
            duration = int((booked or 15) * (0.9 + 0.2 * rnd()))
            roll = rnd()
            if roll < SHORT and booked:
                duration = max(5, booked // 4)
            checked_out = checked_in + MINUTE[duration]
            if SHORT <= roll < SHORT + BACKWARDS:
                checked_out, duration = checked_in - MINUTE[5 + int(rnd() * 55)], None
            elif SHORT + BACKWARDS <= roll < SHORT + BACKWARDS + NO_CHECKOUT:
                checked_out, duration = None, None
            if rnd() < RATED:
                rating = RATING_TABLE[int(rnd() * len(RATING_TABLE))]
                if rating <= 2 and rnd() < 0.5:
                    complaint = COMPLAINTS[int(rnd() * len(COMPLAINTS))]
        workers = self.workers.get(provider)
        worker = workers[int(rnd() * len(workers))] if workers else None
        cost = self.costs.get((pk, qty))
        if cost is None:
            cost = self.costs[(pk, qty)] = (qty * price).quantize(CENT)
        copies = 2 if status == OrderStatus.COMPLETED and rnd() < DUPLICATE else 1
        for _copy in range(copies):
            self.refs[provider] += 1
            writer.add(
                (demo_uuid(rng), self.now, self.now, provider, person, pk, worker,
                 f"{self.prefix}{self.refs[provider]:07d}", status, start, end, checked_in,
                 checked_out, duration, qty, funding, price, cost, rating, complaint)
            )  # fmt: skip

    # Settlements ------------------------------------------------------------------------------

    def settlements(self) -> None:
        ended = [m for m in self.months if next_month(m) <= self.today]
        for month in ended:
            self.counts["homecare_settlements"] += len(settle_month(month))


def generate(seed: int, today: dt.date) -> dict[str, int]:
    homecare = HomeCare(random.Random(f"{seed}:homecare"), today)
    homecare.menu()
    homecare.contracts()
    homecare.entitlements()
    homecare.orders()
    homecare.settlements()
    return dict(homecare.counts)
