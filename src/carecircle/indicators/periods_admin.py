"""Closing, publishing and republishing periods (audited).

Closing a period recomputes its values one last time and freezes them: ``services.compute`` and the
live recomputation skip every period with a ``PeriodState`` row, and reported values of the period
can no longer be entered, approved or unlocked. A closed period is never reopened; the only way to
change its values is an explicit republication, which recomputes it (and re-publishes its approved
reported values) and keeps it closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.indicators.choices import ReportState
from carecircle.indicators.models import IndicatorValue, PeriodState, ReportedValue
from carecircle.indicators.periods import Period, PeriodError, parse, standard_periods

PERMISSION = "indicators.close_period"


def _require(user) -> None:
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


def _parse(code: str) -> Period:
    try:
        return parse(code)
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc


def _state(code: str, *, lock: bool = False) -> PeriodState:
    qs = PeriodState.objects.select_for_update() if lock else PeriodState.objects
    state = qs.filter(period=code).first()
    if state is None:
        raise ValidationError(_("期间 %(p)s 尚未关账") % {"p": code})
    return state


def _approved_reports(code: str):
    return ReportedValue.objects.filter(period=code, state=ReportState.APPROVED).select_related(
        "indicator"
    )


@transaction.atomic
def close_period(request, code: str, note: str = "", today: dt.date | None = None) -> PeriodState:
    """Recompute the period's values a last time, then freeze them (audited)."""
    from carecircle.indicators.services import compute

    user = request.user
    _require(user)
    period = _parse(code)
    today = today or timezone.localdate()
    if PeriodState.objects.filter(period=period.code).exists():
        raise ValidationError(_("期间 %(p)s 已关账") % {"p": period.code})
    if period.end >= today:
        raise ValidationError(_("期间 %(p)s 尚未结束，不能关账") % {"p": period.code})
    waiting = ReportedValue.objects.filter(period=period.code, state=ReportState.SUBMITTED).count()
    if waiting:
        raise ValidationError(
            _("期间 %(p)s 还有 %(n)d 条填报待审核，请先审核或退回后再关账")
            % {"p": period.code, "n": waiting}
        )
    result = compute(periods=[period], today=today)
    state = PeriodState(period=period.code, closed_at=timezone.now(), closed_by=user, note=note)
    state._history_user = user
    state.save()
    record(
        request,
        AuditAction.PERIOD_CLOSE,
        obj=state,
        step="close",
        note=note,
        values=result.values,
    )
    return state


@transaction.atomic
def publish_period(request, code: str) -> PeriodState:
    """Publish a closed period's values (audited as part of closing)."""
    _require(request.user)
    state = _state(_parse(code).code, lock=True)
    if state.published_at is not None:
        raise ValidationError(_("期间 %(p)s 已发布") % {"p": state.period})
    state.published_at = timezone.now()
    state._history_user = request.user
    state.save()
    record(request, AuditAction.PERIOD_CLOSE, obj=state, step="publish")
    return state


@transaction.atomic
def republish_period(request, code: str, reason: str, today: dt.date | None = None) -> PeriodState:
    """Recompute a closed period and re-publish its approved reported values; it stays closed."""
    from carecircle.indicators.reporting import publish_reported
    from carecircle.indicators.services import compute

    _require(request.user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重新发布的原因")})
    period = _parse(code)
    state = _state(period.code, lock=True)
    result = compute(periods=[period], include_closed=True, today=today)
    reported = 0
    for report in _approved_reports(period.code):
        publish_reported(report)
        reported += 1
    state.republished_count += 1
    state.published_at = timezone.now()
    state._history_user = request.user
    state._change_reason = reason[:100]
    state.save()
    record(
        request,
        AuditAction.PERIOD_REPUBLISH,
        obj=state,
        reason=reason,
        values=result.values,
        reported=reported,
        count=state.republished_count,
    )
    return state


# The periods page -----------------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: Period
    state: PeriodState | None
    values: int
    submitted: int
    drafts: int
    ended: bool

    @property
    def code(self) -> str:
        return self.period.code

    @property
    def status(self) -> str:
        if self.state is None:
            return "open"
        return "published" if self.state.published_at else "closed"

    @property
    def status_label(self) -> str:
        return {
            "open": _("未关账"),
            "closed": _("已关账，未发布"),
            "published": _("已关账并发布"),
        }[self.status]

    @property
    def can_close(self) -> bool:
        return self.state is None and self.ended and not self.submitted


def period_rows(today: dt.date | None = None) -> list[PeriodRow]:
    """Every standard period and every closed one, newest first, with what they hold."""
    today = today or timezone.localdate()
    states = {s.period: s for s in PeriodState.objects.select_related("closed_by")}
    periods = {p.code: p for p in standard_periods(today)}
    for code in states:
        try:
            periods.setdefault(code, parse(code))
        except PeriodError:
            continue
    codes = list(periods)
    values = dict(
        IndicatorValue.objects.filter(period__in=codes)
        .values_list("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    reports = {
        row["period"]: row
        for row in ReportedValue.objects.filter(period__in=codes)
        .values("period")
        .annotate(
            submitted=Count("pk", filter=Q(state=ReportState.SUBMITTED)),
            drafts=Count("pk", filter=Q(state__in=[ReportState.DRAFT, ReportState.REJECTED])),
        )
    }
    kind_order = {"year": 0, "quarter": 1, "month": 2}
    rows = [
        PeriodRow(
            period=p,
            state=states.get(p.code),
            values=values.get(p.code, 0),
            submitted=reports.get(p.code, {}).get("submitted", 0),
            drafts=reports.get(p.code, {}).get("drafts", 0),
            ended=p.end < today,
        )
        for p in periods.values()
    ]
    rows.sort(key=lambda r: (kind_order[r.period.kind], -r.period.start.toordinal()))
    return rows
