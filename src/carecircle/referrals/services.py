"""Referral workflows: creating a referral with the right sides, and its state machine.

Initiated → accepted → completed; initiated → rejected (with a reason); initiated or accepted →
cancelled. Hospitals have no accounts here: the institution (or the health commission) records
a hospital's answer to an up-referral, and the receiving institution answers a down-referral.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person
from carecircle.referrals.choices import TRANSITIONS, Direction, ReferralStatus
from carecircle.referrals.models import Hospital, Referral

S = ReferralStatus


def place_sides(referral: Referral, provider: Provider, hospital: Hospital) -> None:
    """Put the institution and the hospital on the sides the direction says."""
    if referral.direction == Direction.UP:
        referral.from_provider, referral.to_hospital = provider, hospital
        referral.to_provider = referral.from_hospital = None
    else:
        referral.from_hospital, referral.to_provider = hospital, provider
        referral.from_provider = referral.to_hospital = None


def provider_problem(provider: Provider) -> str | None:
    if provider.kind not in ELDERLY_INSTITUTION_KINDS:
        return _("“%(p)s”不是养老机构，不能办理双向转诊") % {"p": provider.name}
    return None


@transaction.atomic
def create_referral(
    *,
    person: Person,
    direction: str,
    provider: Provider,
    hospital: Hospital,
    referred_on: dt.datetime,
    reason: str,
    diagnosis_code: str,
    diagnosis_text: str,
    urgency: str,
) -> Referral:
    problem = provider_problem(provider)
    if problem:
        raise ValidationError(problem)
    if referred_on > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("转诊时间不能晚于现在"))
    referral = Referral(
        person=person,
        direction=direction,
        referred_on=referred_on,
        reason=reason,
        diagnosis_code=diagnosis_code,
        diagnosis_text=diagnosis_text,
        urgency=urgency,
    )
    place_sides(referral, provider, hospital)
    referral.full_clean()
    referral.save()
    return referral


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _move(referral: Referral, new_status: str) -> Referral:
    current = _locked(referral)
    if new_status not in TRANSITIONS[current.status]:
        raise ValidationError(
            _("当前状态为“%(s)s”，不能改为“%(t)s”")
            % {"s": current.get_status_display(), "t": S(new_status).label}
        )
    current.status = new_status
    return current


def allowed_actions(referral: Referral) -> tuple[str, ...]:
    return TRANSITIONS[referral.status]


@transaction.atomic
def accept(referral: Referral, at: dt.datetime | None = None) -> Referral:
    current = _move(referral, S.ACCEPTED)
    current.accepted_at = max(at or timezone.now(), current.referred_on)
    current.save(update_fields=["status", "accepted_at", "updated_at"])
    return current


@transaction.atomic
def complete(referral: Referral, at: dt.datetime | None = None) -> Referral:
    current = _move(referral, S.COMPLETED)
    current.completed_at = max(at or timezone.now(), current.accepted_at)
    current.save(update_fields=["status", "completed_at", "updated_at"])
    return current


@transaction.atomic
def reject(referral: Referral, reason: str) -> Referral:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写拒绝原因"))
    current = _move(referral, S.REJECTED)
    current.reject_reason = reason[:200]
    current.save(update_fields=["status", "reject_reason", "updated_at"])
    return current


@transaction.atomic
def cancel(referral: Referral) -> Referral:
    current = _move(referral, S.CANCELLED)
    current.save(update_fields=["status", "updated_at"])
    return current


ACTIONS = {
    S.ACCEPTED: accept,
    S.COMPLETED: complete,
    S.CANCELLED: cancel,
}
