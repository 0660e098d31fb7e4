"""Builders of the emergency tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carecircle.emergency import services
from carecircle.emergency.choices import CallKind, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent


def device(person, kind=DeviceKind.CALL_BUTTON, enrolled=dt.date(2022, 1, 1), serial=""):
    return services.enrol_device(
        CallDevice(person=person, kind=kind, enrolled_on=enrolled, serial=serial)
    )


def call(person, *, minutes_ago=30, kind=CallKind.EMERGENCY, at=None, answer_after=None):
    """A call made ``minutes_ago`` (or ``at``), answered ``answer_after`` seconds later."""
    called = at or timezone.now() - dt.timedelta(minutes=minutes_ago)
    event = services.register_call(CallEvent(person=person, called_at=called, kind=kind))
    if answer_after is not None:
        CallEvent.objects.filter(pk=event.pk).update(
            responded_at=called + dt.timedelta(seconds=answer_after),
            response_seconds=answer_after,
            responder_name="坐席甲",
        )
        event.refresh_from_db()
    return event
