"""Occupancy, vacancies, carers on duty and waiting-list order: read-only queries.

The rules every check uses:

* a child holds a place in a class from ``started_on`` until the day before ``ended_on``;
* carers on duty on a date count per half day (全天 counts in both halves); a full-day class
  needs its ratio in both halves, so its carers are the smaller half, other classes the larger;
* the waiting list of a class holds the applications for it with status 候补中, ordered by the
  best (lowest) rank of their active priority groups (none last), then by submission time, ties
  by the application's id. Positions count from 1.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from carecircle.enrolment.choices import SHIFT_HALVES, ApplicationStatus, Shift
from carecircle.enrolment.models import (
    Application,
    ChildcareClass,
    Enrolment,
    Offer,
    PriorityGroup,
    StaffDuty,
)
from carecircle.institutions.choices import ServiceMode


def carers_from_shifts(mode: str, shifts: Iterable[str]) -> int:
    halves = {"morning": 0, "afternoon": 0}
    for shift in shifts:
        for half in SHIFT_HALVES.get(shift, ()):
            halves[half] += 1
    if mode == ServiceMode.FULL_DAY:
        return min(halves.values())
    return max(halves.values())


def carers_on_duty(childcare_class: ChildcareClass, on: dt.date) -> int:
    shifts = StaffDuty.objects.filter(childcare_class=childcare_class, date=on).values_list(
        "shift", flat=True
    )
    return carers_from_shifts(childcare_class.mode, shifts)


def places_held(childcare_class: ChildcareClass, on: dt.date) -> int:
    """Children holding a place on ``on`` or later (future starts included): a new child
    starting on ``on`` must fit alongside all of them."""
    return Enrolment.objects.filter(childcare_class=childcare_class).not_ended_by(on).count()


def pending_offers(childcare_class: ChildcareClass, now: dt.datetime | None = None) -> int:
    return Offer.objects.filter(childcare_class=childcare_class).pending(now).count()


def size_limit(childcare_class: ChildcareClass) -> int:
    """The class's own capacity, never above its rule's largest size."""
    return min(childcare_class.capacity, childcare_class.rule.max_children)


def vacancies(childcare_class: ChildcareClass, on: dt.date) -> int:
    """Places free on ``on`` once pending offers are counted as taken."""
    taken = places_held(childcare_class, on) + pending_offers(childcare_class)
    return max(size_limit(childcare_class) - taken, 0)


def with_counts(queryset: QuerySet[ChildcareClass], on: dt.date) -> QuerySet[ChildcareClass]:
    """Annotate ``enrolled`` (on ``on``), ``held`` (on or after), ``offered`` (pending) and
    ``waiting`` for a list of classes."""
    active = (
        Enrolment.objects.filter(childcare_class=OuterRef("pk"), started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .order_by()
        .values("childcare_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    held = (
        Enrolment.objects.filter(childcare_class=OuterRef("pk"))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .order_by()
        .values("childcare_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    offered = (
        Offer.objects.filter(childcare_class=OuterRef("pk"))
        .pending(timezone.now())
        .order_by()
        .values("childcare_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    waiting = (
        Application.objects.filter(childcare_class=OuterRef("pk"), status=ApplicationStatus.WAITING)
        .order_by()
        .values("childcare_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    zero = Value(0)

    def count(subquery) -> Coalesce:
        return Coalesce(Subquery(subquery, output_field=IntegerField()), zero)

    def on_duty(shifts: tuple[str, ...]):
        return (
            StaffDuty.objects.filter(childcare_class=OuterRef("pk"), date=on, shift__in=shifts)
            .order_by()
            .values("childcare_class")
            .annotate(n=Count("pk"))
            .values("n")
        )

    return queryset.annotate(
        enrolled=count(active),
        held=count(held),
        offered=count(offered),
        waiting=count(waiting),
        morning_carers=count(on_duty((Shift.FULL_DAY, Shift.MORNING))),
        afternoon_carers=count(on_duty((Shift.FULL_DAY, Shift.AFTERNOON))),
    )


def annotated_carers(childcare_class: ChildcareClass) -> int:
    """Carers of a class annotated by ``with_counts``, by the half-day rule."""
    halves = (childcare_class.morning_carers, childcare_class.afternoon_carers)
    return min(halves) if childcare_class.mode == ServiceMode.FULL_DAY else max(halves)


@dataclass(frozen=True)
class ClassDay:
    """A class on one day: who is there, who looks after them, and whether the rules hold."""

    childcare_class: ChildcareClass
    on: dt.date
    enrolled: int
    held: int
    offered: int
    waiting: int
    carers: int
    rostered: bool = True  # anyone on duty that day at all (no roster: the class is not in)

    @property
    def limit(self) -> int:
        return size_limit(self.childcare_class)

    @property
    def vacancies(self) -> int:
        return max(self.limit - self.held - self.offered, 0)

    @property
    def carers_needed(self) -> int:
        return self.childcare_class.rule.carers_needed(self.enrolled)

    @property
    def ratio_room(self) -> int:
        """More children today's carers could look after (places held count)."""
        return max(self.carers * self.childcare_class.rule.children_per_carer - self.held, 0)

    @property
    def ratio_ok(self) -> bool:
        return self.carers >= self.carers_needed

    @property
    def ratio_label(self) -> str:
        return f"{self.carers}:{self.enrolled}"

    @property
    def occupancy_percent(self) -> int:
        return round(100 * self.enrolled / self.limit) if self.limit else 0


def day_of(childcare_class: ChildcareClass, on: dt.date) -> ClassDay:
    """The ClassDay of a class annotated by ``with_counts(…, on)``."""
    c = childcare_class
    rostered = bool(c.morning_carers or c.afternoon_carers)
    return ClassDay(c, on, c.enrolled, c.held, c.offered, c.waiting, annotated_carers(c), rostered)


def class_days(queryset: QuerySet[ChildcareClass], on: dt.date) -> list[ClassDay]:
    classes = with_counts(queryset.select_related("rule", "provider"), on)
    return [day_of(c, on) for c in classes]


def class_day(childcare_class: ChildcareClass, on: dt.date) -> ClassDay:
    return class_days(ChildcareClass.objects.filter(pk=childcare_class.pk), on)[0]


# Waiting lists ------------------------------------------------------------------------------


def best_rank() -> Subquery:
    """The best (lowest) rank among an application's active priority groups."""
    ranks = (
        PriorityGroup.objects.filter(applications=OuterRef("pk"), active=True)
        .order_by("rank")
        .values("rank")[:1]
    )
    return Subquery(ranks, output_field=IntegerField())


def queue_order() -> list:
    return [F("best_rank").asc(nulls_last=True), "submitted_at", "pk"]


def waiting_list(childcare_class: ChildcareClass) -> QuerySet[Application]:
    """The class's waiting list in order (unscoped: callers start from a scoped class)."""
    return (
        Application.objects.filter(
            childcare_class=childcare_class, status=ApplicationStatus.WAITING
        )
        .annotate(best_rank=best_rank())
        .order_by(*queue_order())
    )


def positions(applications: Iterable[Application]) -> dict[int, int]:
    """Waiting-list positions of the given applications (those waiting), in one query."""
    wanted = {a.pk: a.childcare_class_id for a in applications}
    class_ids = {c for pk, c in wanted.items()}
    if not class_ids:
        return {}
    rows = (
        Application.objects.filter(
            childcare_class_id__in=class_ids, status=ApplicationStatus.WAITING
        )
        .annotate(best_rank=best_rank())
        .order_by("childcare_class_id", *queue_order())
        .values_list("pk", "childcare_class_id")
    )
    found: dict[int, int] = {}
    counter: dict[int, int] = defaultdict(int)
    for pk, class_id in rows:
        counter[class_id] += 1
        if pk in wanted:
            found[pk] = counter[class_id]
    return found


def position_of(application: Application) -> int | None:
    return positions([application]).get(application.pk)
