"""Class settings against the rules and the provider's places; the roster's checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from carecircle.core import testing as t
from carecircle.enrolment import services
from carecircle.enrolment.choices import Shift
from carecircle.enrolment.models import ChildcareClass, StaffDuty
from carecircle.enrolment.tests.helpers import (
    MONDAY,
    childcare_provider,
    make_carer,
    make_class,
    rule,
)
from carecircle.institutions.choices import StaffRole

pytestmark = pytest.mark.django_db


def _draft(provider, code, capacity, **extra):
    return ChildcareClass(
        provider=provider,
        name=extra.pop("name", "新班"),
        rule=rule(code),
        mode="full_day",
        capacity=capacity,
        monthly_fee=extra.pop("monthly_fee", 2000),
        opened_on=dt.date(2025, 1, 6),
        **extra,
    )


def test_capacity_within_the_rule(nursery):
    assert services.class_problems(_draft(nursery, "infant", 10)) == []
    assert services.class_problems(_draft(nursery, "infant", 11)) == [
        "核定人数 11 超过乳儿班的最大人数 10"
    ]
    assert "18" in services.class_problems(_draft(nursery, "mixed", 19))[0]


def test_classes_together_within_the_places(db):
    provider = childcare_provider(places=30, affordable=0)
    make_class(provider, "older_toddler", capacity=20)
    assert services.class_problems(_draft(provider, "infant", 10)) == []
    problems = services.class_problems(_draft(provider, "infant", 10, monthly_fee=2000))
    assert problems == []
    make_class(provider, "infant", capacity=10)
    problems = services.class_problems(_draft(provider, "infant", 1))
    assert problems == ["各班核定人数合计 31 将超过机构托位数 30"]


def test_affordable_price_only_with_affordable_places(db):
    market_only = childcare_provider(places=40, affordable=0)
    problems = services.class_problems(_draft(market_only, "toddler", 15, affordable_fee=1500))
    assert problems == ["该机构没有普惠托位，不能设置普惠收费"]
    mixed = childcare_provider(t.VILLAGE_A2, places=40, affordable=10)
    assert services.class_problems(_draft(mixed, "toddler", 15, affordable_fee=1500)) == []


def test_the_database_keeps_the_affordable_price_below_the_fee(nursery):
    draft = _draft(nursery, "toddler", 15, monthly_fee=1500, affordable_fee=1800)
    with pytest.raises(ValidationError) as wrong:
        draft.full_clean()
    assert "普惠收费不能高于月收费" in str(wrong.value)


def test_elderly_providers_have_no_classes(db):
    home = t.make_provider(t.VILLAGE_A1)
    assert "只有托育机构可以设置班级" in services.class_problems(_draft(home, "toddler", 15))


def test_roster_entry_and_its_checks(nursery, other_nursery):
    cls = make_class(nursery, "toddler")
    other = make_class(nursery, "older_toddler")
    carer = make_carer(nursery)
    days = [MONDAY, MONDAY + dt.timedelta(days=1)]
    assert services.record_duties(cls, [carer], days, Shift.MORNING) == 2
    assert services.record_duties(cls, [carer], days, Shift.MORNING) == 0  # already there
    assert services.record_duties(other, [carer], days, Shift.AFTERNOON) == 2
    third = make_class(nursery, "infant")
    with pytest.raises(ValidationError) as clash:
        services.record_duties(third, [carer], [MONDAY + dt.timedelta(days=2), MONDAY], "full_day")
    assert clash.value.messages == [f"{carer.name} 在 {MONDAY} 已在{cls.name}排班"]
    assert not StaffDuty.objects.filter(childcare_class=third).exists()  # all or nothing
    nurse = make_carer(nursery, role=StaffRole.HEALTH_DOCTOR)
    outsider = make_carer(other_nursery)
    left = make_carer(nursery, left_on=MONDAY)
    with pytest.raises(ValidationError) as refused:
        services.record_duties(cls, [nurse, outsider, left], [MONDAY], Shift.FULL_DAY)
    messages = refused.value.messages
    assert any("不是保育人员" in m for m in messages)
    assert any("不是本机构人员" in m for m in messages)
    assert any("不在职" in m for m in messages)
