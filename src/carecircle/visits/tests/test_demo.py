"""The demo activity on a small set of demo persons: the Python group equals the SQL group,
visits month by month, pairs within capacity, wishes consistent with residencies, determinism
and removal with the demo persons."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db.models import Count, Q

from carecircle.core import testing as t
from carecircle.demo.activity import visits as demo
from carecircle.demo.bulk import demo_rows, demo_uuid, purge
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.groups import special_hardship_q
from carecircle.persons.models import HardshipFlag, Person
from carecircle.visits.models import CareWish, Helper, HelpLog, Pairing, Visit
from carecircle.visits.services import Month, helper_max_elders
from carecircle.visits.tests.conftest import elder, helper

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 12)
D = dt.date
POOR = HardshipKind.EXTREME_POVERTY


@pytest.fixture
def demo_city(db):
    rng = random.Random(7)
    home = t.make_provider(t.VILLAGE_A1, kind="rural_home", uuid=demo_uuid(rng))
    for n in range(40):
        area = (t.VILLAGE_A1, t.VILLAGE_A2, "320685100001")[n % 3]
        birth = D(1935 + n % 25, 1 + n % 12, 1 + n % 27)
        extra = {}
        if n % 4 == 0:
            extra["living_arrangement"] = LivingArrangement.ALONE
        if n % 9 == 0:
            extra.update(disability_kind="physical", disability_grade=1)
        if n == 5:
            extra["death_date"] = D(2024, 9, 1)
        point = {"latitude": Decimal("32.5") + Decimal(n) / 1000, "longitude": Decimal("120.4")}
        person = t.make_person(area, birth=birth, **point, **extra)
        Person.objects.filter(pk=person.pk).update(uuid=demo_uuid(rng))
        if n % 3 == 1:
            HardshipFlag.objects.create(person=person, kind=POOR, valid_from=D(2018, 1, 1))
        elif n % 5 == 2:
            HardshipFlag.objects.create(
                person=person, kind=HardshipKind.DISABLED, valid_from=D(2024, 8, 1)
            )
        if n in (1, 4, 7):
            Residency.objects.create(provider=home, person=person, admitted_on=D(2023, 5, 1))
    return home


def python_group(day: dt.date) -> set[int]:
    return {e.pk for e in demo._read_elders().values() if e.in_group(day)}


def test_python_group_matches_the_sql_group(demo_city):
    for day in (D(2024, 4, 30), D(2024, 8, 31), D(2024, 9, 30), TODAY):
        sql = set(Person.objects.filter(special_hardship_q(day)).values_list("pk", flat=True))
        assert python_group(day) == sql, day
    assert python_group(TODAY)


def test_a_year_of_visits_pairs_and_wishes(demo_city):
    counts = demo.generate(seed=1, today=TODAY)
    assert counts["visits"] == Visit.objects.count() > 0
    first = Month.of(TODAY)
    for _ in range(11):
        first = first.previous()
    assert not Visit.objects.filter(Q(visited_on__gt=TODAY) | Q(visited_on__lt=first.first))
    # Every full month: the group on its last day, visited except a few.
    month = Month.of(TODAY).previous()
    group = python_group(month.last)
    visited = set(
        Visit.objects.filter(visited_on__gte=month.first, visited_on__lte=month.last).values_list(
            "person_id", flat=True
        )
    )
    assert visited <= group
    assert len(visited) >= 0.6 * len(group)
    # Pairs: rural elders of the group, at most one active each, helpers within capacity and
    # of the elder's village.
    pairs = Pairing.objects.filter(ended_on__isnull=True).select_related("person", "helper")
    assert pairs
    for pair in pairs:
        assert pair.helper.area_id == pair.person.area_id
        assert not pair.person.area.is_urban
    loads = Pairing.objects.filter(ended_on__isnull=True).values("helper").annotate(n=Count("pk"))
    assert max(row["n"] for row in loads) <= helper_max_elders()
    per_person = pairs.values("person").annotate(n=Count("pk"))
    assert max(row["n"] for row in per_person) == 1
    assert not HelpLog.objects.filter(helped_on__gt=TODAY)
    for log in HelpLog.objects.select_related("pairing"):
        assert log.helped_on >= log.pairing.started_on
    assert Helper.objects.filter(phone_masked__contains="****").count() == counts["helpers"]
    assert helper(name="演示后新登记").pk  # the id sequences continue after the bulk rows
    assert Pairing.objects.create(person=elder(), helper=helper(), started_on=TODAY).pk
    # Wishes: 特困 on the day they were registered; placed ones asked before admission.
    for wish in CareWish.objects.all():
        flags = HardshipFlag.objects.filter(person=wish.person, kind=POOR)
        assert flags.filter(valid_from__lte=wish.registered_on).exists()
        stay = Residency.objects.filter(person=wish.person).first()
        if stay is not None:
            assert wish.registered_on <= stay.admitted_on


def test_deterministic_and_removed_with_the_demo(demo_city):
    first = demo.generate(seed=3, today=TODAY)
    rows = list(Visit.objects.order_by("uuid").values_list("uuid", "visited_on", "person_id"))
    for model in (HelpLog, Pairing, Visit, CareWish):
        model.objects.all().delete()
    second = demo.generate(seed=3, today=TODAY)  # also removes the first load's helpers
    assert first == second
    assert rows == list(
        Visit.objects.order_by("uuid").values_list("uuid", "visited_on", "person_id")
    )
    purge(demo_rows(Person))
    purge(demo_rows(Helper))
    for model in (Visit, Pairing, HelpLog, CareWish, Helper):
        assert not model.objects.exists(), model
