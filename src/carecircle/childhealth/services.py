"""What is done, due and overdue for a child on a day, and the worklist of children with overdue
items per village. The rules (ages, deadlines, windows) are in ``schedule``; the indicators
C01–C05 and X06 use the same conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from carecircle.childhealth import schedule
from carecircle.childhealth.choices import UNDER_AGE, Checkpoint, ItemState
from carecircle.childhealth.models import (
    ChildHealthCheck,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core.choices import Domain
from carecircle.persons.models import Person


@dataclass
class Item:
    """One scheduled item of a child on a day."""

    group: str
    label: str
    due_on: dt.date
    deadline: dt.date
    state: ItemState
    done_on: dt.date | None = None
    late: bool = False  # done after the deadline

    @property
    def state_label(self) -> str:
        return str(self.state.label)


def _state(due: schedule.Due, birth: dt.date, on: dt.date, done_on: dt.date | None) -> ItemState:
    if done_on is not None and done_on <= on:
        return ItemState.DONE
    if due.due_on(birth) > on:
        return ItemState.UPCOMING
    if on <= due.deadline(birth):
        return ItemState.DUE
    closes = due.closes_on(birth)
    if closes is not None and on >= closes:
        return ItemState.MISSED
    return ItemState.OVERDUE


def _item(group, label, due, birth, on, done_on) -> Item:
    state = _state(due, birth, on, done_on)
    late = state == ItemState.DONE and done_on > due.deadline(birth)
    return Item(group, label, due.due_on(birth), due.deadline(birth), state, done_on, late)


def child_items(child: Person, on: dt.date) -> list[Item]:
    """Every scheduled item of ``child`` up to age 3 with its state on ``on``: the newborn visit,
    the screening, each vaccine dose and each scheduled check (in order of due day)."""
    birth = child.birth_date
    visits = NewbornVisit.objects.filter(child=child).order_by("visited_on")
    first_visit = visits.values_list("visited_on", flat=True).first()
    screening = NewbornScreening.objects.filter(child=child).first()
    screened_on = screening.sampled_on if screening and screening.complete else None
    items = [
        _item(_("新生儿"), _("新生儿家庭访视"), schedule.NEWBORN_VISIT, birth, on, first_visit),
        _item(_("新生儿"), _("新生儿遗传代谢病筛查"), schedule.SCREENING, birth, on, screened_on),
    ]
    given = dict(Vaccination.objects.filter(child=child).values_list("dose_id", "given_on"))
    doses = list(VaccineDose.objects.all())
    for dose, due in zip(doses, schedule.vaccine_items(doses), strict=True):
        items.append(_item(_("预防接种"), dose.label, due, birth, on, given.get(dose.pk)))
    checked = dict(
        ChildHealthCheck.objects.filter(child=child).values_list("checkpoint", "checked_on")
    )
    for due in schedule.check_items(Checkpoint):
        if due.months >= UNDER_AGE * 12:
            continue  # the 36-month check is a three-year-old's
        label = Checkpoint(due.key).label
        items.append(_item(_("健康检查"), str(label), due, birth, on, checked.get(due.key)))
    items.sort(key=lambda item: (item.due_on, item.group))
    return items


def summary(items: list[Item]) -> dict[str, int]:
    counts = {state.value: 0 for state in ItemState}
    for item in items:
        counts[item.state.value] += 1
    return counts


# The worklist -------------------------------------------------------------------------------


def overdue_conditions(on: dt.date) -> dict[str, Q]:
    """Per kind of item, the persons with an overdue item of that kind on ``on`` (actionable:
    past the deadline and the window still open)."""
    return {
        "visit_overdue": schedule.visit_overdue_q(on),
        "screening_overdue": schedule.screening_overdue_q(on),
        "vaccine_overdue": ~schedule.vaccines_up_to_date_q(on),
        "check_overdue": ~schedule.checks_done_q(on, Checkpoint, open_only=True),
    }


def under_three(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """Children in ``persons`` under 3 and present on ``on``."""
    return persons.filter(domain=Domain.CHILDCARE).children_under_3(on)


def overdue_children(persons: QuerySet[Person], on: dt.date) -> QuerySet[Person]:
    """Children of ``persons`` (already scoped) under 3 with any overdue item on ``on``,
    annotated per kind (``visit_overdue``, ``screening_overdue``, ``vaccine_overdue``,
    ``check_overdue``), by village and birth date."""
    from django.db.models import BooleanField, ExpressionWrapper

    conditions = overdue_conditions(on)
    any_overdue = Q()
    for condition in conditions.values():
        any_overdue |= condition
    annotations = {
        name: ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in conditions.items()
    }
    return (
        under_three(persons, on)
        .filter(any_overdue)
        .annotate(**annotations)
        .select_related("area__parent")
        .order_by("area__code", "birth_date", "pk")
    )


def overdue_count(user, today: dt.date) -> int:
    """Children in ``user``'s scope with an overdue item today (the service hub's figure)."""
    return overdue_children(Person.objects.for_user(user), today).count()
