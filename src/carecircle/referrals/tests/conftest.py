import datetime as dt

import pytest
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.core.idnumbers import make_credit_code
from carecircle.institutions.models import Residency
from carecircle.referrals import services
from carecircle.referrals.choices import Direction
from carecircle.referrals.models import Hospital

ADMITTED = dt.date(2024, 1, 1)


@pytest.fixture
def hospital(db):
    return Hospital.objects.create(
        name="海安市人民医院",
        credit_code=make_credit_code("12320685466000001"),
        level="3",
        grade="b",
        area=t.area(t.TOWN_A),
    )


@pytest.fixture
def health_centre(db):
    return Hospital.objects.create(
        name="城东镇卫生院",
        credit_code=make_credit_code("12320685466000002"),
        level="1",
        grade="a",
        is_primary_care=True,
        area=t.area(t.TOWN_B),
    )


@pytest.fixture
def institution(db):
    return t.make_provider(t.VILLAGE_A1, name="钟涵颐养院", credit_code=t.credit_code())


@pytest.fixture
def other_institution(db):
    return t.make_provider(
        t.VILLAGE_A2,
        name="拥徐敬老院",
        kind="rural_home",
        ownership="public",
        credit_code=t.credit_code(),
    )


def admit(person, provider, on=ADMITTED):
    Residency.objects.create(person=person, provider=provider, admitted_on=on)
    return person


@pytest.fixture
def resident(institution):
    return admit(t.make_person(t.VILLAGE_A1, name="王秀英", birth=dt.date(1940, 3, 2)), institution)


@pytest.fixture
def other_resident(other_institution):
    person = t.make_person(t.VILLAGE_A2, name="李桂兰", birth=dt.date(1938, 7, 9))
    return admit(person, other_institution)


@pytest.fixture
def staff(institution):
    return t.make_user(Role.INSTITUTION_STAFF, institution=institution, username="jigou")


@pytest.fixture
def other_staff(other_institution):
    return t.make_user(Role.INSTITUTION_STAFF, institution=other_institution, username="jigou2")


@pytest.fixture
def weijian(db):
    """The health commission's officer, both domains (as in the demo)."""
    return t.make_user(
        Role.HEALTH_OFFICER, area_code=t.CITY, domain=ScopeDomain.BOTH, username="weijian"
    )


def make_referral(person, provider, hospital, direction=Direction.UP, days_ago=2, **extra):
    values = {
        "person": person,
        "direction": direction,
        "provider": provider,
        "hospital": hospital,
        "referred_on": timezone.now() - dt.timedelta(days=days_ago),
        "reason": "病情加重，需上级医院诊治",
        "diagnosis_code": "I63.9",
        "diagnosis_text": "脑梗死",
        "urgency": "urgent",
        **extra,
    }
    return services.create_referral(**values)


@pytest.fixture
def referral(resident, institution, hospital):
    return make_referral(resident, institution, hospital)


@pytest.fixture
def other_referral(other_resident, other_institution, hospital):
    return make_referral(other_resident, other_institution, hospital)
