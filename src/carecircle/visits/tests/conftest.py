"""Elders in and out of the special-hardship group in the two villages of 海安镇 (A1 is the village
worker's, A2 the other village worker's), a provider and helpers."""

from __future__ import annotations

import datetime as dt

import pytest

from carecircle.core import testing as t
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.models import HardshipFlag
from carecircle.visits.models import Helper

FLAGGED_SINCE = dt.date(2020, 1, 1)
BORN = dt.date(1950, 5, 17)


def elder(area: str = t.VILLAGE_A1, *, flag: str | None = HardshipKind.MINIMUM_LIVING,
          since: dt.date = FLAGGED_SINCE, birth: dt.date = BORN, **extra):  # fmt: skip
    """An elder of ``area``; with ``flag`` (from ``since``) in the special-hardship group."""
    person = t.make_person(area, birth=birth, **extra)
    if flag:
        HardshipFlag.objects.create(person=person, kind=flag, valid_from=since)
    return person


def helper(area: str = t.VILLAGE_A1, *, lat=None, lon=None, name="邻居甲", active=True):
    obj = Helper(name=name, kind="neighbour", area=t.area(area), latitude=lat, longitude=lon,
                 active=active)  # fmt: skip
    obj.set_phone("13912345678")
    obj.save()
    return obj


@pytest.fixture
def poor(db):
    """In the group: 低保 in village A1."""
    return elder(name="王秀英")


@pytest.fixture
def other_poor(db):
    """In the group, in village A2."""
    return elder(t.VILLAGE_A2, name="李桂兰")


@pytest.fixture
def comfortable(db):
    """Not in the group: no flag, lives with family, 75."""
    return elder(flag=None, living_arrangement=LivingArrangement.WITH_FAMILY, name="赵德明")
