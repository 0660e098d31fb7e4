"""The target group of the elderly services (特殊困难老年人), on a small set of elders."""

import datetime as dt

import pytest

from carecircle.core import testing as t
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.groups import special_hardship_q
from carecircle.persons.models import HardshipFlag, Person

ON = dt.date(2026, 6, 30)


def _elder(name, *, age=70, **extra):
    birth = dt.date(ON.year - age, 1, 15)
    return t.make_person(t.VILLAGE_A1, name=name, birth=birth, **extra)


def _group(on=ON):
    return set(Person.objects.filter(special_hardship_q(on)).values_list("name", flat=True))


@pytest.mark.django_db
def test_who_is_in_the_group():
    poor = _elder("特困甲")
    HardshipFlag.objects.create(
        person=poor, kind=HardshipKind.EXTREME_POVERTY, valid_from=dt.date(2020, 1, 1)
    )
    ended = _elder("低保已止")
    HardshipFlag.objects.create(
        person=ended,
        kind=HardshipKind.MINIMUM_LIVING,
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2026, 6, 1),
    )
    _elder("独居八十", age=81, living_arrangement=LivingArrangement.ALONE)
    _elder("独居七十", age=75, living_arrangement=LivingArrangement.ALONE)
    _elder("重残", disability_kind="physical", disability_grade=2)
    _elder("轻残", disability_kind="physical", disability_grade=4)
    _elder("普通")
    assert _group() == {"特困甲", "独居八十", "重残"}
    # The flag that ended on 2026-06-01 still counted the day before.
    assert "低保已止" in _group(dt.date(2026, 5, 31))


@pytest.mark.django_db
def test_institution_residents_and_the_dead_are_not_in_it():
    resident = _elder("入住者", age=85, living_arrangement=LivingArrangement.ALONE)
    provider = t.make_provider(t.VILLAGE_A1)
    Residency.objects.create(provider=provider, person=resident, admitted_on=dt.date(2026, 3, 1))
    dead = _elder("已故", age=85, living_arrangement=LivingArrangement.ALONE)
    Person.objects.filter(pk=dead.pk).update(death_date=dt.date(2026, 4, 1))
    assert _group() == set()
    # Before the admission and the death both were at home and alive.
    assert _group(dt.date(2026, 2, 1)) == {"入住者", "已故"}


@pytest.mark.django_db
def test_prefix_leads_from_a_related_row():
    poor = _elder("特困乙")
    flag = HardshipFlag.objects.create(
        person=poor, kind=HardshipKind.DISABLED, valid_from=dt.date(2024, 1, 1)
    )
    rows = HardshipFlag.objects.filter(special_hardship_q(ON, "person"))
    assert list(rows) == [flag]
