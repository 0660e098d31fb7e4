import datetime as dt

import pytest

from carecircle.core import testing as t
from carecircle.health.models import ElderHealthCheck

FULL = {
    "physical_exam": True,
    "blood_routine": True,
    "blood_glucose": True,
    "health_assessment": True,
    "guidance_given": True,
}


def make_check(person, on, institution="钟涵村卫生室", **fields):
    return ElderHealthCheck.objects.create(
        person=person, checked_on=on, institution_name=institution, **{**FULL, **fields}
    )


@pytest.fixture
def elder(db):
    return t.make_person(t.VILLAGE_A1, name="王秀英", birth=dt.date(1948, 3, 2))


@pytest.fixture
def other_elder(db):
    return t.make_person(t.VILLAGE_A2, name="李桂兰", birth=dt.date(1946, 7, 9))
