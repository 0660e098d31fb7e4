import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from carecircle.emergency import services
from carecircle.emergency.choices import CallOutcome, Coverage, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.emergency.tests.helpers import call, device

pytestmark = pytest.mark.django_db


def test_coverage_follows_the_kind_and_hotlines_have_no_serial(elder):
    hotline = device(elder, DeviceKind.HOTLINE, serial="ignored")
    assert hotline.coverage == Coverage.HOTLINE and hotline.serial == ""
    button = device(elder, DeviceKind.CALL_BUTTON, serial=" HJ0001 ")
    assert button.coverage == Coverage.DEVICE and button.serial == "HJ0001"
    with pytest.raises(ValidationError, match="已有有效的热线登记"):
        device(elder, DeviceKind.HOTLINE)
    with pytest.raises(ValidationError, match="设备编号已登记在用"):
        device(elder, DeviceKind.CALL_BUTTON, serial="HJ0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        CallDevice.objects.filter(pk=hotline.pk).update(coverage=Coverage.DEVICE)


def test_ending_a_device(elder):
    button = device(elder, enrolled=dt.date(2023, 1, 1))
    with pytest.raises(ValidationError, match="不能早于登记日期"):
        services.end_device(button, dt.date(2022, 12, 31))
    services.end_device(button, dt.date(2024, 1, 1))
    assert button.ended_on == dt.date(2024, 1, 1)
    with pytest.raises(ValidationError, match="已停用"):
        services.end_device(button, dt.date(2024, 1, 2))
    # Its serial may then be enrolled again.
    device(elder, serial=button.serial or "X", enrolled=dt.date(2024, 2, 1))


def test_respond_then_close(elder, town_officer):
    event = call(elder, minutes_ago=5)
    at = event.called_at + dt.timedelta(seconds=125)
    services.respond(event, town_officer, at=at)
    event.refresh_from_db()
    assert event.response_seconds == 125 and event.responder == town_officer
    with pytest.raises(ValidationError, match="已有人响应"):
        services.respond(event, town_officer)
    services.close(event, town_officer, CallOutcome.HOME_VISIT, "网格员上门")
    event.refresh_from_db()
    assert event.closed_at is not None and event.outcome == CallOutcome.HOME_VISIT
    assert event.note == "网格员上门"
    with pytest.raises(ValidationError, match="已办结"):
        services.close(event, town_officer, CallOutcome.BY_PHONE)


def test_closing_an_unanswered_call_answers_it_then(elder, town_officer):
    event = call(elder, minutes_ago=3)
    with pytest.raises(ValidationError, match="处置结果"):
        services.close(event, town_officer, "")
    services.close(event, town_officer, CallOutcome.FALSE_ALARM)
    event.refresh_from_db()
    assert event.responded_at == event.closed_at
    assert 170 <= event.response_seconds <= 200


def test_calls_cannot_come_from_the_future_or_someone_elses_device(elder, other_elder):
    with pytest.raises(ValidationError, match="不能晚于现在"):
        call(elder, minutes_ago=-10)
    theirs = device(other_elder)
    with pytest.raises(ValidationError, match="不属于此老年人"):
        services.register_call(
            CallEvent(person=elder, device=theirs, called_at=timezone.now(), kind="health")
        )


def test_database_keeps_outcome_and_closing_together(elder):
    event = call(elder)
    with pytest.raises(IntegrityError), transaction.atomic():
        CallEvent.objects.filter(pk=event.pk).update(outcome=CallOutcome.BY_PHONE)
