"""Month-end settlement: what the government pays each provider for a month of home care.

Only completed, government-funded orders of the month count, valued at their cost. An order is
not paid, and listed as an exception with its reason, when:

* it has no check-in or check-out, or checks out before it checks in, or lasted much less than
  booked (under the item's ``min_duration_percent`` of the booked time: quantity hours for
  hourly items, else scheduled end minus start);
* no contract of the provider is in force on the service day, the item is not in a contract in
  force, or the elder's village is not covered by one;
* the elder had died or moved out by the service day;
* it repeats an earlier order of the provider (same elder, item and start);
* the elder has no entitlement with this provider in the item's category on that day, or the
  entitlement counts hours and the item is not priced by the hour.

The rest is summed per elder and category and capped at the month's entitlement (the latest one
overlapping the month): an amount entitlement caps the money, an hours entitlement the hours
(paid pro rata: delivered amount × entitled hours ÷ delivered hours, rounded down). The excess is
listed as an exception too, so the government never pays above an entitlement.

Everything is computed with a few grouped queries over the month, for one provider or all of
them at once, without a correlated subquery per order (see ``compute``). Python walks the groups
and the exception rows, and reads order by order only the few groups whose contract or
entitlement changes within the month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.homecare.choices import (
    ExceptionKind,
    Funding,
    OrderStatus,
    ServiceUnit,
    SettlementStatus,
)
from carecircle.homecare.models import (
    Entitlement,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
    Settlement,
    SettlementException,
    SettlementLine,
)
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person

ZERO = Decimal(0)
NOTHING = Q(pk__in=[])
CENT = Decimal("0.01")
K = ExceptionKind


# Months ---------------------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class MinutesBetween(Func):
    """Minutes from the first timestamp to the second, in the database's own arithmetic."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        start, end = self.source_expressions
        clone = self.copy()
        clone.set_source_expressions([end, start])
        return clone.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 1440.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        start, end = self.source_expressions
        clone = self.copy()
        clone.set_source_expressions([end, start])
        return clone.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)",
            arg_joiner=" - ",
            **extra,
        )


# Order-level conditions that need no other table ------------------------------------------------


def _booked_minutes() -> Case:
    return Case(
        When(item__unit=ServiceUnit.HOUR, then=F("quantity") * 60),
        When(
            scheduled_end__isnull=False,
            then=MinutesBetween("scheduled_start", "scheduled_end"),
        ),
        default=Value(None),
        output_field=FloatField(),
    )


def _between(first: dt.date, last: dt.date) -> Q:
    """Orders whose local day lies from ``first`` to ``last`` (both included)."""
    return Q(
        scheduled_start__gte=local_midnight(first),
        scheduled_start__lt=local_midnight(last + dt.timedelta(days=1)),
    )


def _last_day(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def _absent(provider_ids: list[int], month: dt.date) -> Q:
    """Orders on or after the day their elder died or moved out: the (few) elders gone by the
    month's end who have orders in it, turned into constants."""
    orders = _orders(provider_ids, month).filter(person=OuterRef("pk"))
    gone = Person.objects.filter(
        Q(death_date__lte=_last_day(month)) | Q(moved_out_on__lte=_last_day(month))
    ).filter(Exists(orders))
    by_day = defaultdict(list)
    for pk, death, moved in gone.order_by("pk").values_list("pk", "death_date", "moved_out_on"):
        by_day[min(d for d in (death, moved) if d is not None)].append(pk)
    absent = NOTHING
    for day, persons in sorted(by_day.items()):
        absent |= Q(person_id__in=persons, scheduled_start__gte=local_midnight(day))
    return absent


def order_conditions(provider_ids: list[int], month: dt.date) -> dict[str, Q]:
    """The reasons not to pay an order that its own columns (and a few constants) tell."""
    short = LessThan(
        F("duration_minutes") * 100, F("item__min_duration_percent") * _booked_minutes()
    )
    return {
        K.MISSING_CHECK: Q(checked_in_at__isnull=True) | Q(checked_out_at__isnull=True),
        K.CHECKOUT_BEFORE_CHECKIN: Q(checked_out_at__lte=F("checked_in_at")),
        K.SHORT_DURATION: Q(duration_minutes__isnull=False) & Q(short),
        K.PERSON_ABSENT: _absent(provider_ids, month),
    }


def _flag(condition: Q) -> Case:
    """True or False, never NULL (a comparison with a missing time is simply not a match)."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# Contracts and entitlements of the month ----------------------------------------------------------

Span = tuple  # (first day, last day, …terms), clipped to the month


@dataclass
class Spans:
    """What is in force for one key over the month: dated spans, ordered by start."""

    spans: list[Span] = field(default_factory=list)

    def on(self, day: dt.date) -> Span | None:
        """The span in force on ``day`` (the latest starting), or None."""
        found = None
        for span in self.spans:
            if span[0] <= day <= span[1]:
                found = span
        return found

    def whole(self, month: dt.date) -> Span | None:
        """The one span covering the whole month, if that is how it is."""
        if (
            len(self.spans) == 1
            and self.spans[0][0] <= month
            and self.spans[0][1] >= _last_day(month)
        ):
            return self.spans[0]
        return None


def _month_contracts(provider_ids: list[int], month: dt.date) -> dict[int, Spans]:
    """provider → its contracts overlapping the month: (first, last, items, villages)."""
    last_day = _last_day(month)
    contracts = (
        ProviderContract.objects.filter(provider_id__in=provider_ids, valid_from__lte=last_day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("valid_from", "pk")
    )
    items, areas = defaultdict(set), defaultdict(set)
    through = ProviderContract.items.through.objects.filter(providercontract__in=contracts)
    for contract, item in through.values_list("providercontract_id", "serviceitem_id"):
        items[contract].add(item)
    through = ProviderContract.areas.through.objects.filter(providercontract__in=contracts)
    for contract, area in through.values_list("providercontract_id", "area_id"):
        areas[contract].add(area)
    found: dict[int, Spans] = defaultdict(Spans)
    for pk, provider, start, end in contracts.values_list(
        "pk", "provider_id", "valid_from", "valid_to"
    ):
        found[provider].spans.append(
            (max(start, month), min(end or last_day, last_day), items[pk], areas[pk])
        )
    return dict(found)


def _uniform(contracts: Spans | None, month: dt.date) -> Span | None:
    """Contracts covering the whole month with the same items and villages throughout: the
    terms (then each order is checked against them alone)."""
    if contracts is None:
        return None
    terms = {(frozenset(s[2]), frozenset(s[3])) for s in contracts.spans}
    day = month
    for start, end, *_terms in contracts.spans:
        if start > day:
            return None
        day = max(day, end + dt.timedelta(days=1))
    if len(terms) != 1 or day <= _last_day(month):
        return None
    return contracts.spans[-1]


def _month_entitlements(provider_ids: list[int], month: dt.date) -> dict[tuple, Spans]:
    """(provider, person, category) → entitlements overlapping the month:
    (first, last, id, hours, amount)."""
    last_day = _last_day(month)
    rows = (
        Entitlement.objects.filter(provider_id__in=provider_ids, valid_from__lte=last_day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("valid_from", "pk")
        .values_list(
            "provider_id", "person_id", "category", "valid_from", "valid_to", "pk",
            "monthly_hours", "monthly_amount",
        )
    )  # fmt: skip
    found: dict[tuple, Spans] = {}
    for provider, person, category, start, end, pk, hours, amount in rows.iterator(5000):
        key = (provider, person, category)
        span = (max(start, month), min(end or last_day, last_day), pk, hours, amount)
        if key in found:
            found[key].spans.append(span)
        else:
            found[key] = Spans([span])
    return found


# Computing ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One provider's month before it is written: lines and exceptions as rows of
    ``LINE_COLUMNS`` and ``EXCEPTION_COLUMNS`` (without the settlement)."""

    provider_id: int
    orders_count: int = 0
    self_paid_amount: Decimal = ZERO
    delivered_amount: Decimal = ZERO
    government_amount: Decimal = ZERO
    lines: list[tuple] = field(default_factory=list)
    exceptions: list[tuple] = field(default_factory=list)

    @property
    def withheld_amount(self) -> Decimal:
        return self.delivered_amount - self.government_amount


@dataclass
class Tally:
    """Government orders of one elder in one category with one provider."""

    orders: int = 0
    quantity: Decimal = ZERO
    amount: Decimal = ZERO

    def add(self, orders: int, quantity: Decimal, amount: Decimal) -> None:
        self.orders += orders
        self.quantity += quantity or ZERO
        self.amount += amount or ZERO


LINE_COLUMNS = (
    "person_id", "category", "entitlement_id", "orders_count", "quantity", "delivered_amount",
    "cap_hours", "cap_amount", "paid_hours", "government_amount", "excess_amount",
)  # fmt: skip
EXCEPTION_COLUMNS = (
    "kind", "order_id", "external_ref", "person_id", "category", "service_date", "amount",
    "detail",
)  # fmt: skip
ORDER_FIELDS = (
    "pk", "provider_id", "person_id", "external_ref", "item_id", "item__category", "item__unit",
    "person__area_id", "scheduled_start", "quantity", "cost",
)  # fmt: skip


def _orders(provider_ids: list[int], month: dt.date):
    return ServiceOrder.objects.filter(
        _between(month, _last_day(month)),
        provider_id__in=provider_ids,
        status=OrderStatus.COMPLETED,
    ).order_by()


def _capped_line(key: tuple, tally: Tally, entitlement: Span) -> tuple[tuple, tuple | None]:
    """The line of one elder and category, capped at the month's entitlement, and the excess."""
    _provider, person, category = key
    _first, _last, entitlement_id, cap_hours, cap_amount = entitlement
    delivered, quantity = tally.amount, tally.quantity
    paid, paid_hours, detail = delivered, None, ""
    if cap_hours is not None:
        paid_hours = min(quantity, cap_hours)
        if quantity > cap_hours:
            paid = (delivered * cap_hours / quantity).quantize(CENT, rounding=ROUND_DOWN)
            detail = _("服务%(q)s小时，待遇%(c)s小时/月") % {"q": quantity, "c": cap_hours}
    elif delivered > cap_amount:
        paid = cap_amount
        detail = _("服务金额%(a)s元，待遇%(c)s元/月") % {"a": delivered, "c": cap_amount}
    line = (
        person, category, entitlement_id, tally.orders, quantity, delivered, cap_hours,
        cap_amount, paid_hours, paid, delivered - paid,
    )  # fmt: skip
    excess = None
    if paid < delivered:
        excess = (K.OVER_ENTITLEMENT, None, "", person, category, None, delivered - paid, detail)
    return line, excess


class Month:
    """The computation of one month for some providers (see ``compute``)."""

    def __init__(self, provider_ids: list[int], month: dt.date):
        self.month = month
        self.provider_ids = provider_ids
        self.outcomes = {pk: Outcome(provider_id=pk) for pk in provider_ids}
        self.government = _orders(provider_ids, month).filter(funding=Funding.GOVERNMENT)
        self.excluded: dict[int, dict] = {}  # order → row, subtracted once from its group
        self.tallies: dict[tuple, Tally] = defaultdict(Tally)
        self.units: dict[tuple, set] = defaultdict(set)
        self.placed: dict[int, set] = defaultdict(set)  # provider → {(item, elder)}
        self.suspect: list[tuple] = []  # (provider, elder, item) groups to read order by order
        self.repeated: list[tuple] = []
        self.items = {
            pk: (category, unit)
            for pk, category, unit in ServiceItem.objects.values_list("pk", "category", "unit")
        }

    def exclude(self, row: dict, kind: str) -> None:
        self.outcomes[row["provider_id"]].exceptions.append(
            (kind, row["pk"], row["external_ref"], row["person_id"], row["item__category"],
             timezone.localdate(row["scheduled_start"]), row["cost"], "")
        )  # fmt: skip
        self.excluded[row["pk"]] = row

    def orders_where(self, condition: Q):
        rows = self.government.filter(condition).order_by("scheduled_start", "pk")
        return rows.values(*ORDER_FIELDS).iterator(chunk_size=2000)

    def rows_of(self, groups: list[tuple], condition: Q | None = None, **annotations):
        """The government orders of some (provider, elder, item) groups, read through the
        elders (the (person, scheduled_start) index), a few thousand elders at a time."""
        wanted = set(groups)
        for chunk in _chunks(sorted({group[1] for group in wanted}), 2000):
            rows = self.government.filter(person_id__in=chunk)
            if condition is not None:
                rows = rows.filter(condition)
            rows = rows.annotate(**annotations).order_by("scheduled_start", "pk")
            for row in rows.values(*ORDER_FIELDS, *annotations):
                if (row["provider_id"], row["person_id"], row["item_id"]) in wanted:
                    yield row

    def group(self) -> None:
        """1. All completed orders grouped by provider, funding, elder and item, in one scan:
        the totals; per provider, elder and category the government ones; and which groups hold
        orders with a reason of their own or the same start twice."""
        self.conditions = order_conditions(self.provider_ids, self.month)
        self.any_reason = NOTHING
        for condition in self.conditions.values():
            self.any_reason |= condition
        rows = (
            _orders(self.provider_ids, self.month)
            .values("provider_id", "funding", "person_id", "item_id")
            .annotate(
                n=Count("pk"),
                qty=Sum("quantity"),
                amount=Sum("cost"),
                starts=Count("scheduled_start", distinct=True),
                flagged=Sum(Case(When(self.any_reason, then=1), default=0)),
            )
        )
        for row in rows.iterator(chunk_size=5000):
            outcome = self.outcomes[row["provider_id"]]
            outcome.orders_count += row["n"]
            if row["funding"] == Funding.SELF_PAID:
                outcome.self_paid_amount += row["amount"] or ZERO
                continue
            outcome.delivered_amount += row["amount"] or ZERO
            category, unit = self.items[row["item_id"]]
            key = (row["provider_id"], row["person_id"], category)
            self.tallies[key].add(row["n"], row["qty"], row["amount"])
            self.units[key].add(unit)
            group = (row["provider_id"], row["person_id"], row["item_id"])
            self.placed[row["provider_id"]].add((row["item_id"], row["person_id"]))
            if row["flagged"]:
                self.suspect.append(group)
            if row["starts"] < row["n"]:
                self.repeated.append(group)

    def own_reasons(self) -> None:
        """2. The orders of the groups found in 1: each reason of their own, and repeats (the
        same elder, item and start again: all but the first, by id, are not paid)."""
        flags = {f"x_{kind}": _flag(q) for kind, q in self.conditions.items()}
        for row in self.rows_of(self.suspect, self.any_reason, **flags):
            for kind in self.conditions:
                if row[f"x_{kind}"]:
                    self.exclude(row, kind)
        seen = set()
        for row in sorted(self.rows_of(self.repeated), key=lambda r: r["pk"]):
            visit = (row["provider_id"], row["person_id"], row["item_id"], row["scheduled_start"])
            if visit in seen:
                self.exclude(row, K.DUPLICATE)
            seen.add(visit)

    def contracts(self) -> None:
        """3. Against the contracts: per (item, elder) where the terms hold all month, order by
        order where they change within it."""
        contracts = _month_contracts(self.provider_ids, self.month)
        persons = sorted({person for placed in self.placed.values() for _item, person in placed})
        village = {}
        for chunk in _chunks(persons, 2000):
            village.update(Person.objects.filter(pk__in=chunk).values_list("pk", "area_id"))
        for provider, placed in sorted(self.placed.items()):
            terms = _uniform(contracts.get(provider), self.month)
            if terms is not None:
                _first, _last, items, areas = terms
                wrong = [
                    (provider, p, i) for i, p in placed if i not in items or village[p] not in areas
                ]
                for row in self.rows_of(wrong):
                    if row["item_id"] not in items:
                        self.exclude(row, K.NOT_IN_CONTRACT)
                    if row["person__area_id"] not in areas:
                        self.exclude(row, K.AREA_NOT_COVERED)
                continue
            spans = contracts.get(provider, Spans())
            for row in self.orders_where(Q(provider_id=provider)):
                span = spans.on(timezone.localdate(row["scheduled_start"]))
                if span is None:
                    self.exclude(row, K.NO_CONTRACT)
                    continue
                if row["item_id"] not in span[2]:
                    self.exclude(row, K.NOT_IN_CONTRACT)
                if row["person__area_id"] not in span[3]:
                    self.exclude(row, K.AREA_NOT_COVERED)

    def entitlements(self) -> dict[tuple, Spans]:
        """4. Against the entitlements: groups with one entitlement all month pass (unless it
        counts hours and an item is not priced by the hour); the others order by order."""
        entitlements = _month_entitlements(self.provider_ids, self.month)
        to_check = set()
        for key in self.tallies:
            whole = entitlements[key].whole(self.month) if key in entitlements else None
            if whole is None or (whole[3] is not None and self.units[key] != {ServiceUnit.HOUR}):
                to_check.add(key)
        for chunk in _chunks(sorted({key[1] for key in to_check}), 2000):
            for row in self.orders_where(Q(person_id__in=chunk)):
                key = (row["provider_id"], row["person_id"], row["item__category"])
                if key not in to_check:
                    continue
                spans = entitlements.get(key)
                day = timezone.localdate(row["scheduled_start"])
                entitlement = spans.on(day) if spans is not None else None
                if entitlement is None:
                    self.exclude(row, K.NO_ENTITLEMENT)
                elif entitlement[3] is not None and row["item__unit"] != ServiceUnit.HOUR:
                    self.exclude(row, K.UNIT_MISMATCH)
        return entitlements

    def lines(self, entitlements: dict[tuple, Spans]) -> None:
        """5. What is left of each group after the exceptions, capped at its entitlement."""
        for row in self.excluded.values():
            key = (row["provider_id"], row["person_id"], row["item__category"])
            self.tallies[key].add(-1, -row["quantity"], -row["cost"])
        for key in sorted(self.tallies):
            tally = self.tallies[key]
            if tally.orders <= 0:
                continue
            outcome = self.outcomes[key[0]]
            line, excess = _capped_line(key, tally, entitlements[key].spans[-1])
            outcome.lines.append(line)
            outcome.government_amount += line[9]
            if excess is not None:
                outcome.exceptions.append(excess)


def compute(provider_ids: list[int], month: dt.date) -> dict[int, Outcome]:
    """The month's settlement of each provider (nothing written): a few scans of the month's
    orders (grouped; the flagged ones; duplicates) and order-by-order reads only of the groups
    whose contract or entitlement changes within the month or that break one."""
    work = Month(provider_ids, month)
    work.group()
    work.own_reasons()
    work.contracts()
    work.lines(work.entitlements())
    return work.outcomes


# Writing --------------------------------------------------------------------------------------


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain parameterised INSERTs in batches: settlement rows are many, carry no history and
    need no model instances."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 2000):
            cursor.executemany(sql, chunk)


def _check_month(month: dt.date) -> dt.date:
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationError(_("不能结算尚未开始的月份"))
    return month


def _write(outcomes: Iterable[Outcome], month: dt.date, existing: dict[int, Settlement]):
    now = timezone.now()
    drafts = [s.pk for s in existing.values()]
    SettlementLine.objects.filter(settlement_id__in=drafts).delete()
    SettlementException.objects.filter(settlement_id__in=drafts).delete()
    written = []
    lines: list[tuple] = []
    exceptions: list[tuple] = []
    for outcome in outcomes:
        settlement = existing.get(outcome.provider_id) or Settlement(
            provider_id=outcome.provider_id, month=month
        )
        settlement.status = SettlementStatus.DRAFT
        settlement.orders_count = outcome.orders_count
        settlement.self_paid_amount = outcome.self_paid_amount
        settlement.delivered_amount = outcome.delivered_amount
        settlement.government_amount = outcome.government_amount
        settlement.withheld_amount = outcome.withheld_amount
        settlement.exceptions_count = len(outcome.exceptions)
        settlement.computed_at = now
        settlement.save()
        lines += [(settlement.pk, *line) for line in outcome.lines]
        exceptions += [(settlement.pk, *exception) for exception in outcome.exceptions]
        written.append(settlement)
    _insert(SettlementLine, ("settlement_id", *LINE_COLUMNS), lines)
    _insert(SettlementException, ("settlement_id", *EXCEPTION_COLUMNS), exceptions)
    return written


@transaction.atomic
def settle(provider, month: dt.date) -> Settlement:
    """Compute (or recompute, replacing the draft) one provider's settlement for ``month``."""
    month = _check_month(month)
    existing = Settlement.objects.select_for_update().filter(provider=provider, month=month).first()
    if existing is not None and existing.is_locked:
        raise ValidationError(_("%(m)s的结算单已审核，已锁定") % {"m": f"{month:%Y-%m}"})
    outcomes = compute([provider.pk], month)
    current = {provider.pk: existing} if existing is not None else {}
    return _write(outcomes.values(), month, current)[0]


@transaction.atomic
def settle_month(month: dt.date, within: Iterable[int] | None = None) -> list[Settlement]:
    """Settle every provider (of ``within``, if given) with completed orders or a draft in
    ``month``: drafts are recomputed, approved settlements left as they are."""
    month = _check_month(month)
    elderly = Provider.objects.filter(domain="elderly").values_list("pk", flat=True)
    with_orders = set(
        _orders(list(elderly), month).values_list("provider_id", flat=True).distinct()
    )
    drafts = Settlement.objects.filter(month=month, status=SettlementStatus.DRAFT)
    provider_ids = with_orders | set(drafts.values_list("provider_id", flat=True))
    if within is not None:
        provider_ids &= set(within)
    current = {
        s.provider_id: s
        for s in Settlement.objects.select_for_update().filter(
            month=month, provider_id__in=list(provider_ids)
        )
    }
    wanted = sorted(pk for pk in provider_ids if not (pk in current and current[pk].is_locked))
    if not wanted:
        return []
    drafts = {pk: s for pk, s in current.items() if pk in wanted}
    return _write(compute(wanted, month).values(), month, drafts)


@transaction.atomic
def approve(settlement: Settlement, user) -> Settlement:
    """Approve a draft of a month that has ended; it is then locked."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.is_locked:
        raise ValidationError(_("该结算单已审核"))
    if next_month(settlement.month) > timezone.localdate():
        raise ValidationError(_("月份尚未结束，不能审核"))
    settlement.status = SettlementStatus.APPROVED
    settlement.approved_by = user
    settlement.approved_at = timezone.now()
    settlement.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return settlement
