"""Home-care workflows: contract checks, entitlements derived from the rules, and the life of a
service order (schedule, check in, check out, complete, cancel, miss, rate).

The month-end settlement is in ``settlement.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.core.dates import years_before
from carecircle.homecare.choices import OrderStatus
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
)
from carecircle.homecare.models.entitlements import ANY_ECONOMIC_HARDSHIP, ECONOMIC_HARDSHIP_KINDS
from carecircle.homecare.models.menu import in_force_q
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Residency
from carecircle.persons.choices import LivingArrangement
from carecircle.persons.groups import elder_q
from carecircle.persons.models import HardshipFlag, Person

CENT = Decimal("0.01")
# The providers that deliver home care: community facilities with outreach services.
HOME_CARE_KINDS = (
    ProviderKind.HOME_CARE_STATION,
    ProviderKind.COMPREHENSIVE_CENTRE,
    ProviderKind.DAYCARE_CENTRE,
    ProviderKind.RURAL_REGIONAL_CENTRE,
)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Contracts ----------------------------------------------------------------------------------


def ineligible_items(provider_kind: str, items: Iterable[ServiceItem]) -> list[ServiceItem]:
    """Items a provider of this kind may not be contracted for (not in the item's kinds)."""
    return [item for item in items if provider_kind not in (item.provider_kinds or [])]


def check_contract(provider, items: Iterable[ServiceItem]) -> None:
    """A contract may only include items the provider's kind is eligible for."""
    wrong = ineligible_items(provider.kind, items)
    if wrong:
        names = "、".join(item.name for item in wrong)
        raise ValidationError(
            {
                "items": _("%(kind)s不能承接以下服务项目：%(items)s")
                % {"kind": provider.get_kind_display(), "items": names}
            }
        )


# Entitlement rules and entitlements ---------------------------------------------------------


def check_rule(rule: EntitlementRule) -> None:
    """Rules of one category in force at the same time measure alike (all hours or all money),
    so that the most generous one can be told when an elder qualifies under several."""
    overlapping = EntitlementRule.objects.filter(category=rule.category).exclude(pk=rule.pk)
    if rule.valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=rule.valid_to)
    overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=rule.valid_from))
    hours = rule.monthly_hours is not None
    clash = overlapping.filter(monthly_hours__isnull=hours).order_by("valid_from").first()
    if clash is not None:
        raise ValidationError(
            _("同一服务类别同期的规则须统一按小时或按金额计：与“%(name)s”不一致")
            % {"name": clash.name}
        )


def qualifying_persons(rule: EntitlementRule, on: dt.date) -> QuerySet[Person]:
    """Elders living at home on ``on`` who meet every condition of ``rule``.

    The conditions on flags, stays and assessments are ``IN (subquery)`` sets: each is evaluated
    once from its (small) table instead of once per elder."""
    condition = elder_q(on) & Q(domain="elderly") & ~Q(pk__in=_staying(on))
    if rule.hardship_kind == ANY_ECONOMIC_HARDSHIP:
        condition &= Q(pk__in=_flagged(on, ECONOMIC_HARDSHIP_KINDS))
    elif rule.hardship_kind:
        condition &= Q(pk__in=_flagged(on, [rule.hardship_kind]))
    if rule.min_age is not None:
        condition &= Q(birth_date__lte=years_before(on, rule.min_age))
    if rule.living_alone:
        condition &= Q(living_arrangement=LivingArrangement.ALONE)
    if rule.min_ability_level is not None:
        condition &= Q(pk__in=_assessed(rule.min_ability_level, on))
    return Person.objects.filter(condition)


def _flagged(on: dt.date, kinds) -> QuerySet:
    flags = HardshipFlag.objects.filter(kind__in=kinds, valid_from__lte=on)
    return flags.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).values("person_id")


def _staying(on: dt.date) -> QuerySet:
    """Persons living in an institution on ``on`` (an open residency)."""
    stays = Residency.objects.filter(admitted_on__lte=on)
    return stays.filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=on)).values("person_id")


def _assessed(level: int, on: dt.date) -> QuerySet:
    """Persons whose latest assessment valid on ``on`` has a final level of ``level`` or more."""
    from carecircle.assessments.models import Assessment

    return Assessment.objects.latest_valid(on=on).filter(final_level__gte=level).values("person_id")


def assessed_at_least(level: int, on: dt.date, person_ref: str = "pk") -> Exists:
    """For rows pointing at a person: ``_assessed`` as a correlated condition."""
    from carecircle.assessments.models import Assessment

    latest = Assessment.objects.latest_valid(on=on).filter(
        person=OuterRef(person_ref), final_level__gte=level
    )
    return Exists(latest)


@dataclass(frozen=True)
class Grant:
    """What an elder should be entitled to in one category (from the most generous rule)."""

    person_id: int
    category: str
    provider_id: int
    rule_id: int
    monthly_hours: Decimal | None
    monthly_amount: Decimal | None

    @property
    def measure(self) -> Decimal:
        return self.monthly_hours if self.monthly_hours is not None else self.monthly_amount


def serving_providers(on: dt.date) -> dict[tuple[int, str], list[int]]:
    """(village, category) → providers contracted on ``on`` to serve it, nearest first.

    A provider located in the village comes first, then providers of the same town, then the
    rest, each by id (deterministic)."""
    contracts = (
        ProviderContract.objects.in_force_on(on)
        .filter(Q(provider__closed_on__isnull=True) | Q(provider__closed_on__gt=on))
        .select_related("provider__area")
        .prefetch_related("areas", "items")
        .order_by("provider_id", "pk")
    )
    serving: dict[tuple[int, str], dict[int, tuple]] = defaultdict(dict)
    for contract in contracts:
        provider = contract.provider
        categories = {item.category for item in contract.items.all() if item.active}
        for area in contract.areas.all():
            same_village = provider.area_id == area.pk
            town = provider.area.parent_id if provider.area.level == "village" else provider.area_id
            same_town = area.parent_id == town
            key = (not same_village, not same_town, provider.pk)
            for category in categories:
                serving[(area.pk, category)][provider.pk] = key
    return {
        unit: [pk for pk, _key in sorted(providers.items(), key=lambda kv: kv[1])]
        for unit, providers in serving.items()
    }


def desired_entitlements(on: dt.date) -> tuple[dict[tuple[int, str], Grant], int]:
    """Every elder's entitlements on ``on`` from the rules in force, and how many qualifying
    (elder, category) pairs no contracted provider serves.

    One query per rule for the qualifying elders; an elder qualifying under several rules of a
    category gets the most generous. The provider already serving the elder in that category
    keeps them while its contract still covers their village.
    """
    rules = list(EntitlementRule.objects.in_force_on(on).order_by("category", "pk"))
    serving = serving_providers(on)
    current = {
        (person_id, category): provider_id
        for person_id, category, provider_id in Entitlement.objects.filter(
            in_force_q(on)
        ).values_list("person_id", "category", "provider_id")
    }
    grants: dict[tuple[int, str], Grant] = {}
    uncovered: set[tuple[int, str]] = set()
    for rule in rules:
        persons = qualifying_persons(rule, on).order_by("pk").values_list("pk", "area_id")
        for person_id, area_id in persons.iterator(chunk_size=5000):
            key = (person_id, rule.category)
            providers = serving.get((area_id, rule.category))
            if not providers:
                uncovered.add(key)
                continue
            kept = current.get(key)
            grant = Grant(
                person_id=person_id,
                category=rule.category,
                provider_id=kept if kept in providers else providers[0],
                rule_id=rule.pk,
                monthly_hours=rule.monthly_hours,
                monthly_amount=rule.monthly_amount,
            )
            held = grants.get(key)
            if held is None or grant.measure > held.measure:
                grants[key] = grant
    return grants, len(uncovered - set(grants))


def _same_terms(grant: Grant, provider_id, hours, amount, rule_id) -> bool:
    return (
        grant.provider_id == provider_id
        and grant.rule_id == rule_id
        and grant.monthly_hours == hours
        and grant.monthly_amount == amount
    )


@transaction.atomic
def grant_entitlements(
    on: dt.date, *, make_uuid: Callable[[], uuid.UUID] = uuid.uuid4
) -> dict[str, int]:
    """Bring the rule-based entitlements in force on ``on`` in line with the rules.

    Unchanged entitlements stay; changed ones end the day before ``on`` and a new one starts on
    ``on`` (one that itself started on ``on`` is corrected in place); those of elders who no
    longer qualify end. Entitlements entered by hand (without a rule) are left alone, and no
    rule-based one is added beside them.
    """
    grants, uncovered = desired_entitlements(on)
    day_before = on - dt.timedelta(days=1)
    counts = {"created": 0, "ended": 0, "unchanged": 0, "corrected": 0, "uncovered": uncovered}
    ended: list[int] = []
    rows = Entitlement.objects.filter(in_force_q(on)).values_list(
        "pk", "person_id", "category", "provider_id", "monthly_hours", "monthly_amount",
        "rule_id", "valid_from",
    )  # fmt: skip
    for pk, person_id, category, provider_id, hours, amount, rule_id, valid_from in rows:
        key = (person_id, category)
        if rule_id is None:
            grants.pop(key, None)
            continue
        grant = grants.get(key)
        if grant is not None and _same_terms(grant, provider_id, hours, amount, rule_id):
            del grants[key]
            counts["unchanged"] += 1
        elif valid_from >= on and grant is not None:
            Entitlement.objects.filter(pk=pk).update(
                provider_id=grant.provider_id,
                rule_id=grant.rule_id,
                monthly_hours=grant.monthly_hours,
                monthly_amount=grant.monthly_amount,
            )
            del grants[key]
            counts["corrected"] += 1
        elif valid_from >= on:
            Entitlement.objects.filter(pk=pk).update(valid_to=valid_from)
            counts["ended"] += 1
        else:
            ended.append(pk)
    for start in range(0, len(ended), 5000):
        Entitlement.objects.filter(pk__in=ended[start : start + 5000]).update(valid_to=day_before)
    counts["ended"] += len(ended)
    new = [
        Entitlement(
            uuid=make_uuid(),
            person_id=grant.person_id,
            provider_id=grant.provider_id,
            category=grant.category,
            monthly_hours=grant.monthly_hours,
            monthly_amount=grant.monthly_amount,
            valid_from=on,
            rule_id=grant.rule_id,
        )
        for _key, grant in sorted(grants.items())
    ]
    Entitlement.objects.bulk_create(new, batch_size=2000)
    counts["created"] = len(new)
    return counts


# Orders -------------------------------------------------------------------------------------


def new_external_ref() -> str:
    """An order number for orders created on the platform (providers' own numbers differ)."""
    return f"CC{timezone.localtime():%Y%m%d}{uuid.uuid4().hex[:10].upper()}"


def price(order: ServiceOrder) -> None:
    """The order's unit price is the item's price when it is scheduled; cost follows."""
    if order.unit_price is None:
        order.unit_price = order.item.price
    order.cost = money(order.quantity * order.unit_price)


def contracted_on(provider_id: int, item: ServiceItem, on: dt.date) -> bool:
    return ProviderContract.objects.filter(
        in_force_q(on), provider_id=provider_id, items=item
    ).exists()


def schedule(order: ServiceOrder) -> ServiceOrder:
    """Save a new order (dispatched): priced now, numbered if the provider gave no number."""
    if not order.external_ref:
        order.external_ref = new_external_ref()
    order.status = OrderStatus.SCHEDULED
    price(order)
    order.full_clean()
    order.save()
    return order


def _require_open(order: ServiceOrder) -> None:
    if order.status != OrderStatus.SCHEDULED:
        raise ValidationError(
            _("工单%(ref)s已%(status)s，不能再操作")
            % {"ref": order.external_ref, "status": order.get_status_display()}
        )


def _not_future(at: dt.datetime, label: str) -> None:
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("%(label)s不能晚于当前时间") % {"label": label})


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return round((end - start).total_seconds() / 60)


def check_in(order: ServiceOrder, at: dt.datetime) -> ServiceOrder:
    _require_open(order)
    _not_future(at, _("签到时间"))
    if order.checked_out_at and at >= order.checked_out_at:
        raise ValidationError(_("签到时间须早于签退时间"))
    order.checked_in_at = at
    if order.checked_out_at:
        order.duration_minutes = minutes_between(at, order.checked_out_at)
    order.save(update_fields=["checked_in_at", "duration_minutes", "updated_at"])
    return order


def check_out(order: ServiceOrder, at: dt.datetime) -> ServiceOrder:
    _require_open(order)
    _not_future(at, _("签退时间"))
    if order.checked_in_at is None:
        raise ValidationError(_("请先签到再签退"))
    if at <= order.checked_in_at:
        raise ValidationError(_("签退时间须晚于签到时间"))
    order.checked_out_at = at
    order.duration_minutes = minutes_between(order.checked_in_at, at)
    order.save(update_fields=["checked_out_at", "duration_minutes", "updated_at"])
    return order


def complete(order: ServiceOrder) -> ServiceOrder:
    _require_open(order)
    if order.checked_in_at is None or order.checked_out_at is None:
        raise ValidationError(_("须有签到和签退记录才能完成工单"))
    order.status = OrderStatus.COMPLETED
    order.save(update_fields=["status", "updated_at"])
    return order


def cancel(order: ServiceOrder) -> ServiceOrder:
    _require_open(order)
    if order.checked_in_at is not None:
        raise ValidationError(_("已签到的工单不能取消"))
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    return order


def mark_missed(order: ServiceOrder) -> ServiceOrder:
    _require_open(order)
    if order.checked_in_at is not None:
        raise ValidationError(_("已签到的工单不能标记为未上门"))
    if order.scheduled_start > timezone.now():
        raise ValidationError(_("预约时间未到，不能标记为未上门"))
    order.status = OrderStatus.MISSED
    order.save(update_fields=["status", "updated_at"])
    return order


def rate(order: ServiceOrder, rating: int | None, complaint: str) -> ServiceOrder:
    if order.status != OrderStatus.COMPLETED:
        raise ValidationError(_("只能评价已完成的工单"))
    order.rating = rating
    order.complaint = complaint.strip()
    order.full_clean(exclude=["provider", "person", "item", "worker"])
    order.save(update_fields=["rating", "complaint", "updated_at"])
    return order
