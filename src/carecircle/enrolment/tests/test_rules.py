"""Class size, carer ratio and age band, each at its limit: the last child is taken, the next
one refused with the rule that would break."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from carecircle.enrolment import occupancy, services
from carecircle.enrolment.choices import ApplicationStatus, Shift
from carecircle.enrolment.models import Enrolment
from carecircle.enrolment.tests.helpers import (
    MONDAY,
    birth_for,
    enrol,
    make_application,
    make_class,
    on_duty,
)

pytestmark = pytest.mark.django_db

# code, largest size, children per carer, an age in the band (months)
BANDS = [
    ("infant", 10, 3, 8),
    ("toddler", 15, 5, 18),
    ("older_toddler", 20, 7, 30),
    ("mixed", 18, 6, 24),
]


@pytest.mark.parametrize(("code", "size", "per_carer", "months"), BANDS)
def test_class_size_at_its_limit(nursery, code, size, per_carer, months):
    cls = make_class(nursery, code)
    on_duty(cls, -(-size // per_carer) + 1, MONDAY)  # carers are not the limit here
    birth = birth_for(months, MONDAY)
    for _ in range(size - 1):
        enrol(cls, birth, MONDAY - dt.timedelta(days=30))
    assert services.enrolment_problems(cls, birth, MONDAY) == []  # the last place
    enrol(cls, birth, MONDAY)
    problems = services.enrolment_problems(cls, birth, MONDAY)
    assert len(problems) == 1
    assert "班级人数已满" in problems[0]
    assert f"最多 {size} 人" in problems[0] and f"已有 {size} 人" in problems[0]


@pytest.mark.parametrize(("code", "size", "per_carer", "months"), BANDS)
def test_staff_ratio_at_its_limit(nursery, code, size, per_carer, months):
    cls = make_class(nursery, code)
    carers = (size - 1) // per_carer  # fewer carers than the class's size needs
    on_duty(cls, carers, MONDAY)
    birth = birth_for(months, MONDAY)
    for _ in range(carers * per_carer - 1):
        enrol(cls, birth, MONDAY - dt.timedelta(days=30))
    assert services.enrolment_problems(cls, birth, MONDAY) == []  # exactly 1:N
    enrol(cls, birth, MONDAY)
    problems = services.enrolment_problems(cls, birth, MONDAY)
    assert len(problems) == 1
    assert "师生比不足" in problems[0]
    assert f"在岗保育人员 {carers} 名" in problems[0]
    assert f"按 1:{per_carer} 最多照护 {carers * per_carer} 名" in problems[0]
    assert f"需至少 {carers + 1} 名保育人员" in problems[0]


def test_no_carer_on_duty_means_no_new_child(nursery):
    cls = make_class(nursery, "toddler")
    problems = services.enrolment_problems(cls, birth_for(18, MONDAY), MONDAY)
    assert problems == [
        f"{MONDAY} 该班没有在岗保育人员记录，请先登记当天排班（师生比须不低于 1:5）"
    ]


def test_a_full_day_class_needs_its_ratio_in_both_halves(nursery):
    cls = make_class(nursery, "infant")
    on_duty(cls, 2, MONDAY, Shift.MORNING)
    on_duty(cls, 1, MONDAY, Shift.AFTERNOON)
    assert occupancy.carers_on_duty(cls, MONDAY) == 1
    half_day = make_class(nursery, "infant", mode="half_day")
    on_duty(half_day, 2, MONDAY, Shift.MORNING)
    assert occupancy.carers_on_duty(half_day, MONDAY) == 2


def test_future_enrolments_count_against_an_earlier_start(nursery):
    cls = make_class(nursery, "infant", capacity=2)
    on_duty(cls, 1, MONDAY)
    birth = birth_for(8, MONDAY)
    enrol(cls, birth, MONDAY + dt.timedelta(days=7))
    enrol(cls, birth, MONDAY + dt.timedelta(days=14))
    assert "班级人数已满" in services.enrolment_problems(cls, birth, MONDAY)[0]


def test_a_child_who_left_frees_the_place(nursery):
    cls = make_class(nursery, "infant", capacity=1)
    on_duty(cls, 1, MONDAY)
    birth = birth_for(8, MONDAY)
    enrol(cls, birth, dt.date(2025, 1, 6), ended_on=MONDAY, end_reason="withdrawn")
    assert services.enrolment_problems(cls, birth, MONDAY) == []


@pytest.mark.parametrize(
    ("code", "months", "allowed"),
    [
        ("infant", 5, False),
        ("infant", 6, True),
        ("infant", 11, True),
        ("infant", 12, False),
        ("toddler", 11, False),
        ("toddler", 12, True),
        ("toddler", 23, True),
        ("toddler", 24, False),
        ("older_toddler", 23, False),
        ("older_toddler", 24, True),
        ("older_toddler", 35, True),
        ("mixed", 17, False),
        ("mixed", 18, True),
        ("mixed", 35, True),
    ],
)
def test_age_band_limits(nursery, code, months, allowed):
    cls = make_class(nursery, code)
    on_duty(cls, 4, MONDAY)
    problems = services.enrolment_problems(cls, birth_for(months, MONDAY), MONDAY)
    if allowed:
        assert problems == []
    else:
        assert len(problems) == 1 and "月龄不符" in problems[0]
        assert f"婴幼儿{months}个月" in problems[0]


def test_a_child_of_three_is_refused_as_such(nursery):
    cls = make_class(nursery, "older_toddler")
    on_duty(cls, 3, MONDAY)
    problems = services.enrolment_problems(cls, birth_for(36, MONDAY), MONDAY)
    assert problems == [f"入托日 {MONDAY} 婴幼儿已满3周岁（36个月），不能入托"]


def test_accepting_an_offer_enrols_until_the_limit_then_refuses(nursery, monday):
    """The whole workflow at the ratio limit: the last child is enrolled (and registered as a
    new child with a guardian), the next acceptance changes nothing and says why."""
    cls = make_class(nursery, "older_toddler")
    on_duty(cls, 1, MONDAY)
    birth = birth_for(30, MONDAY)
    for _ in range(6):
        enrol(cls, birth, MONDAY - dt.timedelta(days=30))
    first = make_application(cls, birth=birth, name="周小满")
    second = make_application(cls, birth=birth, name="吴小树")
    offer = services.make_offer(first, cls, MONDAY)
    enrolment = services.accept_offer(offer)
    first.refresh_from_db()
    assert first.status == ApplicationStatus.ENROLLED
    assert enrolment.child.name == "周小满" and enrolment.child.domain == "childcare"
    assert enrolment.child.contacts.get().full_phone == "13912345678"
    offer = services.make_offer(second, cls, MONDAY, out_of_order_reason="")
    with pytest.raises(ValidationError) as refused:
        services.accept_offer(offer)
    assert "师生比不足" in refused.value.messages[0]
    second.refresh_from_db()
    assert second.status == ApplicationStatus.OFFERED
    assert Enrolment.objects.filter(childcare_class=cls).count() == 7
