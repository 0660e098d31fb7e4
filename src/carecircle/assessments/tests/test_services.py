"""Recording: validity, replacement by immediate assessments and reviews, and the checks the
form, API and import share."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from carecircle.assessments import services
from carecircle.assessments.models import Assessment
from carecircle.assessments.tests.helpers import make_assessment, scores_for
from carecircle.core import testing as t
from carecircle.persons.services import move_service_records, record_death

pytestmark = pytest.mark.django_db
D = dt.date


def test_valid_until_is_the_last_valid_day():
    assert services.valid_until_for(D(2025, 3, 15)) == D(2026, 3, 14)
    assert services.valid_until_for(D(2024, 2, 29)) == D(2025, 2, 27)  # 28 Feb is the anniversary
    assert services.valid_until_for(D(2025, 1, 1)) == D(2025, 12, 31)
    with override_settings(CARECIRCLE_ASSESSMENT_VALIDITY_MONTHS=6):
        assert services.valid_until_for(D(2025, 8, 31)) == D(2026, 2, 27)


def test_recording_scores_on_the_server(elder):
    assessment = make_assessment(elder, total=60, on=D(2025, 3, 15), diseases=["F00-F03"])
    assessment.refresh_from_db()
    assert (assessment.initial_score, assessment.initial_level, assessment.final_level) == (
        60,
        2,
        3,
    )
    assert assessment.adjustments == ["mental_disorder"]
    assert assessment.valid_until == D(2026, 3, 14)
    assert assessment.invalidated_on is None


def test_valid_on_and_latest_valid(elder, other_elder):
    old = make_assessment(elder, total=80, on=D(2024, 5, 10), reason="first")
    new = make_assessment(elder, total=60, on=D(2025, 4, 1))
    qs = Assessment.objects
    assert set(qs.valid_on(D(2025, 5, 9))) == {old, new}  # both valid: the newer one is taken
    assert list(qs.valid_on(D(2025, 5, 10))) == [new]  # old expired after 2025-05-09
    assert list(qs.valid_on(D(2024, 5, 9))) == []
    assert list(qs.latest_valid([elder.pk], D(2025, 5, 1))) == [new]
    assert list(qs.latest_valid([elder.pk], D(2024, 12, 31))) == [old]
    assert list(qs.latest_valid([other_elder.pk], D(2025, 5, 1))) == []
    assert old.is_valid_on(D(2025, 5, 9)) and not old.is_valid_on(D(2025, 5, 10))


@pytest.mark.parametrize("reason", ["immediate", "review"])
def test_immediate_assessment_or_review_replaces_the_previous(elder, reason):
    first = make_assessment(elder, total=80, on=D(2025, 1, 10), reason="first")
    again = make_assessment(elder, total=50, on=D(2025, 4, 2), reason=reason)
    first.refresh_from_db()
    assert first.invalidated_on == D(2025, 4, 2)
    assert first.superseded_by == again
    assert first.is_valid_on(D(2025, 4, 1)) and not first.is_valid_on(D(2025, 4, 2))
    assert list(Assessment.objects.valid_on(D(2025, 4, 2))) == [again]
    assert first.history.count() == 2  # the change is in the record's history


def test_a_routine_assessment_replaces_nothing(elder):
    first = make_assessment(elder, total=80, on=D(2025, 1, 10), reason="first")
    make_assessment(elder, total=75, on=D(2025, 4, 2), reason="routine")
    first.refresh_from_db()
    assert first.invalidated_on is None


def test_expired_assessments_are_not_invalidated(elder):
    old = make_assessment(elder, total=80, on=D(2023, 1, 10), reason="first")
    make_assessment(elder, total=60, on=D(2025, 4, 2), reason="immediate")
    old.refresh_from_db()
    assert old.invalidated_on is None and old.valid_until == D(2024, 1, 9)


def test_a_backfilled_assessment_is_replaced_by_a_later_immediate_one(elder):
    immediate = make_assessment(elder, total=50, on=D(2025, 4, 2), reason="immediate")
    earlier = make_assessment(elder, total=80, on=D(2025, 1, 10), reason="first")
    assert earlier.invalidated_on == D(2025, 4, 2) and earlier.superseded_by == immediate


def test_changing_the_reason_gives_the_replaced_one_back(elder):
    first = make_assessment(elder, total=80, on=D(2025, 1, 10), reason="first")
    again = make_assessment(elder, total=50, on=D(2025, 4, 2), reason="immediate")
    again.reason = "routine"
    services.record_assessment(again)
    first.refresh_from_db()
    assert first.invalidated_on is None and first.superseded_by is None


def test_two_assessors_one_with_medical_background():
    ok = services.check_assessors("张医生", True, "李社工", False)
    assert ok == {}
    assert "second_assessor_name" in services.check_assessors("张医生", True, "", False)
    assert "second_assessor_name" in services.check_assessors("张医生", True, "张医生", True)
    assert services.check_assessors("甲", False, "乙", False) == {
        "assessor_medical": "两名评估员中至少一名须具有医学背景"
    }


def test_checks_name_each_field(elder):
    bad = Assessment(
        person=elder,
        assessed_on=timezone.localdate() + dt.timedelta(days=1),
        reason="nonsense",
        assessor_name="甲",
        second_assessor_name="",
        item_scores={**scores_for(90), "B.1.1": 9},
        diseases=["X99"],
        risk_events=[{"kind": "fire", "date": "2020-01-01"}],
    )
    with pytest.raises(ValidationError) as caught:
        services.check(bad)
    errors = caught.value.message_dict
    assert set(errors) == {
        "assessed_on",
        "reason",
        "second_assessor_name",
        "assessor_medical",
        "diseases",
        "risk_events",
        "B.1.1",
    }
    assert "未知的事件类型“fire”" in errors["risk_events"][0]


def test_risk_events_must_lie_in_the_30_days(elder):
    on = D(2025, 6, 30)
    events = [{"kind": "fall", "date": D(2025, 6, 1)}, {"kind": "choke", "date": D(2025, 5, 31)}]
    assert services.check_risk_events(events, on) == {
        "risk_events": "第2条：日期须在评估日前30天内（2025-06-01至2025-06-30）"
    }
    assert services.check_risk_events([{"kind": "fall", "date": D(2025, 7, 1)}], on)


def test_first_assessment_only_once(elder):
    make_assessment(elder, total=80, on=D(2025, 1, 10), reason="first")
    with pytest.raises(ValidationError) as caught:
        make_assessment(elder, total=80, on=D(2025, 3, 10), reason="first")
    assert "首次评估" in caught.value.message_dict["reason"][0]


def test_same_person_day_and_reason_twice_is_refused(elder):
    make_assessment(elder, total=80, on=D(2025, 1, 10))
    with pytest.raises(ValidationError) as caught:
        make_assessment(elder, total=70, on=D(2025, 1, 10))
    assert caught.value.message_dict["assessed_on"] == ["该老年人同一日期已有同一原因的评估"]


def test_only_elders_alive_and_60_on_the_day(elder):
    child = t.make_person(
        t.VILLAGE_A1, birth=timezone.localdate() - dt.timedelta(days=300), domain="childcare"
    )
    assert services.check_person(child, timezone.localdate()) == {"person": "只能评估老年人"}
    record_death(elder, D(2025, 2, 1))
    assert services.check_person(elder, D(2025, 2, 1)) == {
        "assessed_on": "评估日期不能晚于死亡日期"
    }
    young = services.check_person(elder, elder.birth_date.replace(year=elder.birth_date.year + 59))
    assert young == {"assessed_on": "评估日期时该人员未满60周岁"}


def test_merged_duplicates_bring_their_assessments(elder):
    twin = t.make_person(t.VILLAGE_A1, name=elder.name, birth=elder.birth_date)
    make_assessment(twin, total=70, on=D(2025, 1, 10))
    clash = make_assessment(twin, total=60, on=D(2025, 2, 10))
    make_assessment(elder, total=60, on=D(2025, 2, 10))
    assert move_service_records(twin, elder) == 1
    assert Assessment.objects.filter(person=elder).count() == 2
    clash.refresh_from_db()
    assert clash.person == twin
