"""Workflows of call devices and calls: enrol and end a device; register, answer and close a
call. A call is answered once (the first response counts for the response time) and closed once,
with an outcome; closing a call nobody answered yet answers it at the same moment."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.adaptations.services import check_eligible_elder
from carecircle.emergency.choices import Coverage, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent


def coverage_of(kind: str) -> str:
    return Coverage.HOTLINE if kind == DeviceKind.HOTLINE else Coverage.DEVICE


@transaction.atomic
def enrol_device(device: CallDevice) -> CallDevice:
    if device.enrolled_on > timezone.localdate():
        raise ValidationError({"enrolled_on": _("登记日期不能晚于今天")})
    check_eligible_elder(device.person, device.enrolled_on)
    device.coverage = coverage_of(device.kind)
    device.serial = device.serial.strip()
    if device.coverage == Coverage.HOTLINE:
        device.serial = ""
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def end_device(device: CallDevice, on: dt.date) -> CallDevice:
    if device.ended_on is not None:
        raise ValidationError(_("该设备已停用"))
    if on > timezone.localdate():
        raise ValidationError(_("停用日期不能晚于今天"))
    if on < device.enrolled_on:
        raise ValidationError(_("停用日期不能早于登记日期（%(d)s）") % {"d": device.enrolled_on})
    device.ended_on = on
    device.save(update_fields=["ended_on", "updated_at"])
    return device


@transaction.atomic
def register_call(call: CallEvent) -> CallEvent:
    if call.called_at > timezone.now():
        raise ValidationError({"called_at": _("呼叫时间不能晚于现在")})
    if call.device_id is not None and call.device.person_id != call.person_id:
        raise ValidationError({"device": _("该设备不属于此老年人")})
    call.full_clean()
    call.save()
    return call


def _stamp(call: CallEvent, user, at: dt.datetime) -> None:
    if at < call.called_at:
        raise ValidationError(_("响应时间不能早于呼叫时间"))
    call.responded_at = at
    call.response_seconds = int((at - call.called_at).total_seconds())
    call.responder = user
    if not call.responder_name:
        call.responder_name = (user.get_full_name() or user.username)[:50]


@transaction.atomic
def respond(call: CallEvent, user, at: dt.datetime | None = None) -> CallEvent:
    """The call is answered by ``user`` (now, unless ``at`` says when)."""
    call = CallEvent.objects.select_for_update().get(pk=call.pk)
    if call.closed_at is not None:
        raise ValidationError(_("该呼叫已办结"))
    if call.responded_at is not None:
        raise ValidationError(_("该呼叫已有人响应"))
    _stamp(call, user, at or timezone.now())
    call.save(
        update_fields=[
            "responded_at",
            "response_seconds",
            "responder",
            "responder_name",
            "updated_at",
        ]
    )
    return call


@transaction.atomic
def close(
    call: CallEvent, user, outcome: str, note: str = "", at: dt.datetime | None = None
) -> CallEvent:
    """The call is dealt with: its outcome is recorded and it leaves the open queue."""
    call = CallEvent.objects.select_for_update().get(pk=call.pk)
    if call.closed_at is not None:
        raise ValidationError(_("该呼叫已办结"))
    if not outcome:
        raise ValidationError({"outcome": _("请选择处置结果")})
    at = at or timezone.now()
    if call.responded_at is None:
        _stamp(call, user, at)
    if at < call.responded_at:
        raise ValidationError(_("办结时间不能早于响应时间"))
    call.closed_at = at
    call.outcome = outcome
    if note.strip():
        call.note = note.strip()[:300]
    call.save()
    return call
