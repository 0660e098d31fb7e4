"""The demo module on a small city: classes fit the places and rules, rosters meet the ratio
every day, children are of their class's ages, and the rows go with the demo's purge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.demo.activity import enrolment as demo
from carecircle.demo.bulk import demo_rows, purge
from carecircle.enrolment import occupancy
from carecircle.enrolment.choices import ApplicationStatus, EndReason
from carecircle.enrolment.models import Application, ChildcareClass, Enrolment, StaffDuty
from carecircle.enrolment.models.config import months_between, third_birthday
from carecircle.enrolment.tests.helpers import childcare_provider, make_carer, make_child
from carecircle.institutions.models import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_city(db):
    today = timezone.localdate()
    big = childcare_provider(t.VILLAGE_A1, name="大托育园", places=70, affordable=20)
    small = childcare_provider(t.VILLAGE_A2, name="小托育园", places=25, affordable=25)
    for _ in range(6):
        make_carer(big)
    make_carer(small)
    for days in range(40, 1090, 9):  # children from 1 to 36 months, in town A
        make_child(today - dt.timedelta(days=days))
    for days in range(1100, 1400, 7):  # children who turned 3 during the year
        make_child(today - dt.timedelta(days=days))
    return today, big, small


def test_demo_classes_rosters_and_children(small_city):
    today, big, small = small_city
    counts = demo.generate(seed=7, today=today)
    for provider, places in ((big, 70), (small, 25)):
        classes = ChildcareClass.objects.filter(provider=provider)
        assert classes.aggregate(s=Sum("capacity"))["s"] == places
        assert all(c.capacity <= c.rule.max_children for c in classes)
    assert counts["childcare_classes"] == ChildcareClass.objects.count()
    # Every roster day: no class above its size or its carers' ratio.
    for day in sorted(set(StaffDuty.objects.values_list("date", flat=True))):
        for class_day in occupancy.class_days(ChildcareClass.objects.all(), day):
            assert class_day.enrolled <= class_day.limit
            assert (
                class_day.enrolled
                <= class_day.carers * class_day.childcare_class.rule.children_per_carer
            )
    assert Enrolment.objects.active_on(today).exists()
    assert counts.get("enrolments_aged_out", 0) > 0
    for enrolment in Enrolment.objects.select_related("child", "childcare_class__rule"):
        months = months_between(enrolment.child.birth_date, enrolment.started_on)
        assert enrolment.childcare_class.rule.takes_age(months)
        if enrolment.end_reason == EndReason.AGED_OUT:
            assert enrolment.ended_on == third_birthday(enrolment.child.birth_date)
    assert Application.objects.filter(status=ApplicationStatus.ENROLLED).count() == (
        Enrolment.objects.filter(application__isnull=False).count()
    )
    # The demo's rows leave with its providers and persons.
    purge(Provider.objects.filter(pk__in=[big.pk, small.pk]))
    from carecircle.persons.models import Person

    purge(demo_rows(Person))
    assert not ChildcareClass.objects.exists() and not Application.objects.exists()
    assert not Enrolment.objects.exists() and not StaffDuty.objects.exists()
