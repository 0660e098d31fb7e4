"""Ageing out at 3: enrolments end on the third birthday itself, the same day
``Person.objects.children_under_3`` stops counting the child."""

from __future__ import annotations

import datetime as dt

import pytest

from carecircle.enrolment import services
from carecircle.enrolment.choices import EndReason
from carecircle.enrolment.models import Enrolment
from carecircle.enrolment.models.config import third_birthday
from carecircle.enrolment.tests.helpers import enrol, make_class
from carecircle.persons.models import Person

pytestmark = pytest.mark.django_db


def test_ends_on_the_exact_birthday(nursery):
    cls = make_class(nursery, "older_toddler")
    enrolment = enrol(cls, dt.date(2022, 6, 2), dt.date(2024, 9, 2))
    assert services.age_out(dt.date(2025, 6, 1)) == 0
    enrolment.refresh_from_db()
    assert enrolment.ended_on is None
    assert services.age_out(dt.date(2025, 6, 2)) == 1
    enrolment.refresh_from_db()
    assert enrolment.ended_on == dt.date(2025, 6, 2)
    assert enrolment.end_reason == EndReason.AGED_OUT
    assert not Enrolment.objects.active_on(dt.date(2025, 6, 2)).exists()
    assert Enrolment.objects.active_on(dt.date(2025, 6, 1)).get() == enrolment
    assert services.age_out(dt.date(2025, 6, 3)) == 0  # idempotent


def test_a_late_run_still_ends_on_the_birthday(nursery):
    cls = make_class(nursery, "older_toddler")
    enrolment = enrol(cls, dt.date(2022, 6, 2), dt.date(2024, 9, 2))
    services.age_out(dt.date(2025, 6, 20))
    enrolment.refresh_from_db()
    assert enrolment.ended_on == dt.date(2025, 6, 2)


def test_leap_day_children_turn_three_on_the_first_of_march(nursery):
    cls = make_class(nursery, "older_toddler")
    enrolment = enrol(cls, dt.date(2024, 2, 29), dt.date(2026, 3, 2))
    assert third_birthday(dt.date(2024, 2, 29)) == dt.date(2027, 3, 1)
    child = enrolment.child
    assert Person.objects.children_under_3(dt.date(2027, 2, 28)).filter(pk=child.pk).exists()
    assert services.age_out(dt.date(2027, 2, 28)) == 0
    assert not Person.objects.children_under_3(dt.date(2027, 3, 1)).filter(pk=child.pk).exists()
    assert services.age_out(dt.date(2027, 3, 1)) == 1
    enrolment.refresh_from_db()
    assert enrolment.ended_on == dt.date(2027, 3, 1)


def test_ended_enrolments_are_left_alone(nursery):
    cls = make_class(nursery, "older_toddler")
    enrolment = enrol(
        cls,
        dt.date(2022, 6, 2),
        dt.date(2024, 9, 2),
        ended_on=dt.date(2025, 1, 6),
        end_reason="withdrawn",
    )
    services.age_out(dt.date(2025, 6, 2))
    enrolment.refresh_from_db()
    assert enrolment.ended_on == dt.date(2025, 1, 6) and enrolment.end_reason == "withdrawn"


def test_upcoming_age_outs_in_birthday_order(nursery):
    cls = make_class(nursery, "older_toddler")
    on = dt.date(2025, 6, 2)
    soon = enrol(cls, dt.date(2022, 6, 20), dt.date(2024, 9, 2))
    later = enrol(cls, dt.date(2022, 7, 30), dt.date(2024, 9, 2))
    enrol(cls, dt.date(2022, 9, 1), dt.date(2024, 9, 2))  # beyond 60 days
    rows = services.upcoming_age_outs(Enrolment.objects.all(), on, 60)
    assert rows == [(soon, dt.date(2025, 6, 20)), (later, dt.date(2025, 7, 30))]
