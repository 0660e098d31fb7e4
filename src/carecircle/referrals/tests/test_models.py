import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.referrals import services
from carecircle.referrals.choices import Direction, ReferralStatus
from carecircle.referrals.icd10 import icd10_problem, normalise_icd10
from carecircle.referrals.models import Hospital, Referral, county_path
from carecircle.referrals.tests.conftest import make_referral

pytestmark = pytest.mark.django_db
S = ReferralStatus


def test_up_referral_goes_from_the_institution_to_the_hospital(referral, institution, hospital):
    assert referral.direction == Direction.UP
    assert (referral.from_provider, referral.to_hospital) == (institution, hospital)
    assert referral.from_hospital is None and referral.to_provider is None
    assert (referral.source, referral.target) == (institution, hospital)
    assert referral.status == S.INITIATED and len(referral.fhir_id) == 36


def test_down_referral_goes_from_the_hospital_to_the_institution(resident, institution, hospital):
    referral = make_referral(resident, institution, hospital, direction=Direction.DOWN)
    assert (referral.from_hospital, referral.to_provider) == (hospital, institution)
    assert (referral.source, referral.target, referral.provider) == (
        hospital,
        institution,
        institution,
    )


@pytest.mark.parametrize(
    "sides",
    [
        {"from_hospital": "h", "to_hospital": "h"},  # up but from a hospital
        {"from_provider": "p", "to_provider": "p"},  # up but to an institution
        {"from_provider": "p", "to_hospital": "h", "to_provider": "p"},  # three sides
        {"from_provider": "p"},  # no receiving side
    ],
)
def test_database_refuses_sides_that_do_not_match_the_direction(
    resident, institution, hospital, sides
):
    objects = {"p": institution, "h": hospital}
    referral = Referral(
        person=resident,
        direction=Direction.UP,
        referred_on=timezone.now(),
        reason="x",
        diagnosis_code="I10",
        diagnosis_text="高血压",
        **{name: objects[key] for name, key in sides.items()},
    )
    with pytest.raises(ValidationError) as caught:
        referral.validate_constraints()
    assert "上转须由养老机构转至医院" in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        referral.save()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": S.COMPLETED},  # no dates
        {"status": S.ACCEPTED},  # no acceptance time
        {"status": S.INITIATED, "accepted_at": "now"},
        {"status": S.REJECTED},  # no reason
        {"status": S.INITIATED, "reject_reason": "x"},
        {"status": S.ACCEPTED, "accepted_at": "before"},  # accepted before it was referred
    ],
)
def test_database_refuses_inconsistent_status_fields(referral, fields):
    times = {"now": timezone.now(), "before": referral.referred_on - dt.timedelta(hours=1)}
    for name, value in fields.items():
        setattr(referral, name, times.get(value, value) if name.endswith("_at") else value)
    with pytest.raises(ValidationError):
        referral.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        referral.save()


def test_state_machine(referral):
    with pytest.raises(ValidationError, match="不能改为“已完成”"):
        services.complete(referral)
    accepted = services.accept(referral)
    assert accepted.status == S.ACCEPTED and accepted.accepted_at >= referral.referred_on
    with pytest.raises(ValidationError):
        services.reject(accepted, "太晚了")
    done = services.complete(accepted)
    assert done.status == S.COMPLETED and done.completed_at >= done.accepted_at
    for action in (services.accept, services.cancel):
        with pytest.raises(ValidationError, match="当前状态为“已完成”"):
            action(done)
    assert Referral.objects.get().status == S.COMPLETED
    assert Referral.history.count() == 3  # created, accepted, completed


def test_reject_needs_a_reason_and_cancel_ends_an_open_referral(
    referral, resident, institution, hospital
):
    with pytest.raises(ValidationError, match="请填写拒绝原因"):
        services.reject(referral, "  ")
    rejected = services.reject(referral, "床位已满")
    assert (rejected.status, rejected.reject_reason) == (S.REJECTED, "床位已满")
    second = make_referral(resident, institution, hospital)
    cancelled = services.cancel(services.accept(second))
    assert cancelled.status == S.CANCELLED and cancelled.accepted_at is not None


def test_only_elderly_institutions_refer(resident, hospital):
    centre = t.make_provider(t.VILLAGE_A1, kind="daycare_centre", name="日间照料中心")
    with pytest.raises(ValidationError, match="不是养老机构"):
        make_referral(resident, centre, hospital)


def test_referral_time_may_not_lie_ahead(resident, institution, hospital):
    with pytest.raises(ValidationError, match="不能晚于现在"):
        make_referral(resident, institution, hospital, days_ago=-1)


@pytest.mark.parametrize("code", ["I10", "I63.9", "J18.9", "S72.0", "I63.900x002", "F03"])
def test_icd10_codes_accepted(code):
    assert icd10_problem(code) is None


@pytest.mark.parametrize("code", ["I6", "163.9", "ABC", "I63-9", "I63.", "肺炎"])
def test_icd10_codes_refused(code):
    assert "ICD-10" in icd10_problem(code)


def test_icd10_normalised_and_optionally_listed():
    assert normalise_icd10(" i63.9 ") == "I63.9"
    with override_settings(CARECIRCLE_ICD10_CODES={"I63", "J18.9"}):
        assert icd10_problem("I63.9") is None  # its category is listed
        assert icd10_problem("J18.9") is None
        assert "不在允许" in icd10_problem("E11.9")


def test_hospital_credit_code_is_validated(db):
    hospital = Hospital(
        name="某医院", credit_code="12320685466000009", level="2", area=t.area(t.CITY)
    )
    with pytest.raises(ValidationError) as caught:
        hospital.full_clean()
    assert "统一社会信用代码无效" in str(caught.value)
    assert Hospital(level="3", grade="a").level_label == "三级甲等"
    assert Hospital(level="1", grade="").level_label == "一级"


def test_hospital_scope(hospital, health_centre, staff, village_worker, town_officer, outsider):
    # Reference data of the area subtree; institution staff see their institution's county.
    assert set(Hospital.objects.for_user(staff)) == {hospital, health_centre}
    assert set(Hospital.objects.for_user(town_officer)) == {hospital}  # 海安镇 only
    assert not Hospital.objects.for_user(village_worker).exists()
    assert not Hospital.objects.for_user(outsider).exists()
    assert county_path("32/3206/320685/320685100/320685100200/") == "32/3206/320685/"


def test_referral_scope(referral, other_referral, staff, other_staff, village_worker,
                        other_village_worker, civil_affairs_officer, health_officer):  # fmt: skip
    assert list(Referral.objects.for_user(staff)) == [referral]
    assert list(Referral.objects.for_user(other_staff)) == [other_referral]
    assert list(Referral.objects.for_user(village_worker)) == [referral]
    assert list(Referral.objects.for_user(other_village_worker)) == [other_referral]
    assert Referral.objects.for_user(civil_affairs_officer).count() == 2
    # An officer limited to childcare sees no elder's referral.
    assert not Referral.objects.for_user(health_officer).exists()
    assembled = t.make_user(Role.INSTITUTION_STAFF, institution=None, username="nobody")
    assert not Referral.objects.for_user(assembled).exists()
