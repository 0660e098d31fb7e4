import datetime as dt

import pytest

from carecircle.accounts.choices import Role
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core import testing as t
from carecircle.core.choices import Domain, ScopeDomain


def make_child(area_code=t.VILLAGE_A1, birth=dt.date(2025, 1, 10), name="王小明", **extra):
    return t.make_person(area_code, birth=birth, name=name, domain=Domain.CHILDCARE, **extra)


def dose(code: str, number: int) -> VaccineDose:
    return VaccineDose.objects.get(code=code, dose_number=number)


def vaccinate(child, code, number, on, **extra):
    return Vaccination.objects.create(
        child=child, dose=dose(code, number), given_on=on, clinic="海安镇预防接种门诊", **extra
    )


def vaccinate_on_time(child, until: dt.date, late_days: int = 3):
    """Every dose due by ``until``, given ``late_days`` after its due day."""
    from carecircle.childhealth.schedule import add_months

    for d in VaccineDose.objects.all():
        day = add_months(child.birth_date, d.due_months) + dt.timedelta(days=late_days)
        if day <= until:
            Vaccination.objects.create(child=child, dose=d, given_on=day)


def visit(child, on, visitor="李医生"):
    return NewbornVisit.objects.create(child=child, visited_on=on, visitor=visitor)


def screen(child, on, **extra):
    return NewbornScreening.objects.create(child=child, sampled_on=on, result="normal", **extra)


def check(child, checkpoint, on, **extra):
    return ChildHealthCheck.objects.create(
        child=child, checkpoint=str(checkpoint), checked_on=on, **extra
    )


def guide(child, on, topic="feeding", mode="home"):
    return DevelopmentGuidance.objects.create(child=child, given_on=on, topic=topic, mode=mode)


@pytest.fixture
def child(db):
    return make_child()


@pytest.fixture
def other_child(db):
    return make_child(t.VILLAGE_A2, birth=dt.date(2025, 3, 2), name="李小红")


@pytest.fixture
def health_worker(db):
    return t.make_user(
        Role.HEALTH_WORKER, area_code=t.TOWN_A, domain=ScopeDomain.CHILDCARE, username="doctor"
    )


@pytest.fixture
def village_health_worker(db):
    return t.make_user(
        Role.HEALTH_WORKER, area_code=t.VILLAGE_A1, domain=ScopeDomain.CHILDCARE, username="doc1"
    )
