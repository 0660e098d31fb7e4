"""Reported values: entry, submit → approve (locked) or reject, audited unlock, deadlines.

An approved value becomes the indicator's value for that area and period (source "reported");
unlocking it takes that value away again until it is approved anew. A closed period refuses every
change. Every function checks the permission and the user's area scope itself, so views, the
Excel import and commands cannot bypass the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.indicators.choices import ReportState, Source
from carecircle.indicators.engine import divide
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import (
    Indicator,
    IndicatorValue,
    PeriodState,
    ReportedValue,
    ReportingDeadline,
)
from carecircle.indicators.periods import BASELINE_PERIOD, PeriodError, parse, window

# How far a value may be from numerator ÷ denominator × factor (rounding by the department).
RATIO_TOLERANCE = Decimal("0.1")
# Annual values are due on this day of the following year.
ANNUAL_DUE = (3, 31)
HISTORY_REASON_MAX = 100


def may_report(user, indicator: Indicator) -> bool:
    """Departments report their own indicators; the coordination office may report any."""
    if not user.has_perm("indicators.report_value"):
        return False
    department = getattr(user, "department", None)
    kind = getattr(department, "kind", None)
    if kind == "coordination" or user.has_perm("indicators.approve_value"):
        return True
    return kind in (indicator.owner_departments or [])


def reportable(indicator: Indicator) -> bool:
    """Reported indicators, and computed ones whose records the platform does not hold yet (a
    department may report those instead)."""
    from carecircle.indicators.engine import computation

    return indicator.source == Source.REPORTED or computation(indicator.code) is None


def in_scope(user, area) -> bool:
    """The area lies in the user's area subtree (institution staff have none)."""
    scope = getattr(user, "scope_area", None)
    return scope is not None and area is not None and area.path.startswith(scope.path)


def _require_scope(user, area) -> None:
    if not in_scope(user, area):
        raise PermissionDenied


def plain(number: Decimal) -> str:
    """A decimal without trailing zeros (``100.0000`` → ``100``)."""
    return format(number.normalize(), "f")


def check_value(indicator: Indicator, value: Decimal | None, field: str = "value") -> None:
    """Unit and range checks; raises ``ValidationError`` naming the field."""
    if value is None:
        raise ValidationError({field: _("请填写数值")})
    low, high = indicator.min_value, indicator.max_value
    if low is not None and value < low:
        raise ValidationError(
            {
                field: _("数值不能小于 %(low)s（%(unit)s）")
                % {"low": plain(low), "unit": indicator.unit_text}
            }
        )
    if high is not None and value > high:
        raise ValidationError(
            {
                field: _("数值不能大于 %(high)s（%(unit)s）")
                % {"high": plain(high), "unit": indicator.unit_text}
            }
        )


def check_figures(
    indicator: Indicator,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
) -> None:
    """Numerator and denominator: both or neither, only for ratios, consistent with the value."""
    errors: dict[str, str] = {}
    if numerator is None and denominator is None:
        return
    if not indicator.is_ratio:
        message = _("该指标按%(unit)s填报，不填写分子、分母") % {"unit": indicator.unit_text}
        raise ValidationError({"numerator" if numerator is not None else "denominator": message})
    if numerator is None:
        errors["numerator"] = _("填写分母时须同时填写分子")
    if denominator is None:
        errors["denominator"] = _("填写分子时须同时填写分母")
    for name, figure in (("numerator", numerator), ("denominator", denominator)):
        if figure is not None and figure < 0:
            errors[name] = _("不能为负数")
    if errors:
        raise ValidationError(errors)
    if denominator == 0:
        raise ValidationError({"denominator": _("分母不能为0")})
    if indicator.unit == "percent" and numerator > denominator:
        raise ValidationError({"numerator": _("分子不能大于分母")})
    if value is not None:
        expected = (numerator / denominator * indicator.factor).quantize(Decimal("0.01"))
        if abs(expected - value) > RATIO_TOLERANCE:
            raise ValidationError(
                {
                    "value": _("数值与分子÷分母不一致，按分子、分母计算应为 %(v)s%(unit)s")
                    % {"v": expected, "unit": indicator.unit_text}
                }
            )


def period_closed(period_code: str) -> bool:
    return PeriodState.objects.filter(period=period_code).exists()


def _refuse_closed(period_code: str) -> None:
    if period_closed(period_code):
        raise ValidationError(
            {"period": _("期间 %(p)s 已关账发布，不能再修改") % {"p": period_code}}
        )


def check_period(indicator: Indicator, period_code: str) -> None:
    try:
        period = parse(period_code)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    if indicator.period_scope == "annual" and period.kind != "year":
        raise ValidationError({"period": _("年度指标只能按年填报，如 2025")})
    if period.start > timezone.localdate():
        raise ValidationError({"period": _("不能填报尚未开始的期间")})
    _refuse_closed(period.code)


@dataclass
class SaveResult:
    report: ReportedValue
    outcome: str  # "created", "updated", "unchanged"


def _stamp(report: ReportedValue, user, reason: str = "") -> None:
    """Who made the change and why, for the value's history (also outside a request)."""
    report._history_user = user
    if reason:
        report._change_reason = reason[:HISTORY_REASON_MAX]


UNCHANGED = "unchanged"
LOCKED = "locked"


def classify_incoming(
    report: ReportedValue | None,
    value: Decimal,
    *,
    settled: tuple[str, ...] = (ReportState.APPROVED,),
    **others,
) -> str | None:
    """How an imported value meets the stored ``report`` for its indicator, area and period.

    ``UNCHANGED`` when it repeats a report in one of the ``settled`` states (the same ``value``
    and the same ``others``, e.g. ``comment=...``); ``LOCKED`` when it would change an approved
    report; ``None`` when it may be saved.
    """
    if report is None:
        return None
    same = report.value == value and all(
        getattr(report, name) == other for name, other in others.items()
    )
    if same and report.state in settled:
        return UNCHANGED
    if report.is_locked:
        return LOCKED
    return None


@transaction.atomic
def save_report(
    user,
    indicator: Indicator,
    area,
    period_code: str,
    value: Decimal,
    *,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    comment: str = "",
    submit: bool = False,
) -> SaveResult:
    """Enter or change a reported value (draft, or submitted for approval)."""
    if not reportable(indicator):
        raise ValidationError({"indicator": _("该指标由系统计算，不能填报")})
    if not may_report(user, indicator):
        raise PermissionDenied
    _require_scope(user, area)
    check_period(indicator, period_code)
    check_value(indicator, value)
    check_figures(indicator, value, numerator, denominator)
    comment = (comment or "").strip()
    report = (
        ReportedValue.objects.select_for_update()
        .filter(indicator=indicator, area=area, period=period_code)
        .first()
    )
    state = ReportState.SUBMITTED if submit else ReportState.DRAFT
    if report is not None:
        if report.is_locked:
            raise ValidationError(_("该值已审核锁定，需先解锁才能修改"))
        same = (
            report.value == value
            and report.numerator == numerator
            and report.denominator == denominator
            and report.comment == comment
            and report.state == state
        )
        if same:
            return SaveResult(report, "unchanged")
        outcome = "updated"
    else:
        report = ReportedValue(indicator=indicator, area=area, period=period_code)
        outcome = "created"
    report.value = value
    report.numerator = numerator
    report.denominator = denominator
    report.comment = comment
    report.state = state
    report.entered_by = user
    report.submitted_at = timezone.now() if submit else None
    report.reject_reason = ""
    report.full_clean()
    _stamp(report, user)
    report.save()
    return SaveResult(report, outcome)


@transaction.atomic
def submit(user, report: ReportedValue) -> ReportedValue:
    if report.state not in (ReportState.DRAFT, ReportState.REJECTED):
        raise ValidationError(_("只有草稿或已退回的填报可以提交"))
    if not may_report(user, report.indicator):
        raise PermissionDenied
    _require_scope(user, report.area)
    _refuse_closed(report.period)
    report.state = ReportState.SUBMITTED
    report.submitted_at = timezone.now()
    _stamp(report, user)
    report.save()
    return report


@transaction.atomic
def approve(request, report: ReportedValue) -> ReportedValue:
    user = request.user
    if not user.has_perm("indicators.approve_value"):
        raise PermissionDenied
    _require_scope(user, report.area)
    # Lock the row until commit and judge its state as stored now, not as the page showed it.
    current = ReportedValue.objects.select_for_update().filter(pk=report.pk)
    if current.values_list("state", flat=True).first() != ReportState.SUBMITTED:
        raise ValidationError(_("只有已提交的填报可以审核"))
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("只有已提交的填报可以审核"))
    _refuse_closed(report.period)
    report.state = ReportState.APPROVED
    report.decided_by = user
    report.decided_at = timezone.now()
    _stamp(report, user)
    report.save()
    publish_reported(report)
    if report.period == BASELINE_PERIOD:
        refresh_after_baseline(report)
    record(request, AuditAction.VALUE_APPROVE, obj=report, value=str(report.value))
    return report


@transaction.atomic
def reject(request, report: ReportedValue, reason: str) -> ReportedValue:
    if not request.user.has_perm("indicators.approve_value"):
        raise PermissionDenied
    _require_scope(request.user, report.area)
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("只有已提交的填报可以退回"))
    _refuse_closed(report.period)
    if not reason.strip():
        raise ValidationError({"reject_reason": _("请填写退回原因")})
    report.state = ReportState.REJECTED
    report.reject_reason = reason.strip()
    report.decided_by = request.user
    report.decided_at = timezone.now()
    _stamp(report, request.user, reason.strip())
    report.save()
    return report


@transaction.atomic
def unlock(request, report: ReportedValue, reason: str) -> ReportedValue:
    """Reopen an approved value (audited); its published value is withdrawn until re-approved."""
    if not request.user.has_perm("indicators.unlock_value"):
        raise PermissionDenied
    _require_scope(request.user, report.area)
    if report.state != ReportState.APPROVED:
        raise ValidationError(_("只有已审核的填报需要解锁"))
    if period_closed(report.period):
        raise ValidationError(_("期间 %(p)s 已关账发布，不能解锁") % {"p": report.period})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写解锁原因")})
    report.state = ReportState.DRAFT
    _stamp(report, request.user, reason.strip())
    report.save()
    IndicatorValue.objects.filter(
        indicator=report.indicator, area=report.area, period=report.period, source=Source.REPORTED
    ).delete()
    if report.period == BASELINE_PERIOD:
        # The later values of the area lose their baseline until it is approved again.
        refresh_after_baseline(report)
    record(request, AuditAction.VALUE_UNLOCK, obj=report, reason=reason.strip())
    return report


def publish_reported(report: ReportedValue) -> IndicatorValue:
    """Write an approved report as the indicator's value (with target, baseline and status)."""
    from carecircle.indicators.services import ValueWriter

    indicator = report.indicator
    w = window(report.period)
    h = hierarchy_on(w.on)
    if indicator.is_ratio and report.numerator is not None and report.denominator:
        figure = divide(report.numerator, report.denominator, indicator.factor)
        figure.value = report.value
    else:
        figure = divide(report.value, None, None)
        figure.numerator = report.numerator if report.numerator is not None else report.value
        figure.denominator = report.denominator
    writer = ValueWriter({indicator.code: indicator}, h.root_id)
    if report.period == BASELINE_PERIOD:
        writer.remember_baselines(indicator, {report.area_id: figure})
    key = writer.add(
        indicator,
        report.area_id,
        w,
        figure,
        h.ancestors(report.area_id) or (report.area_id,),
        source=Source.REPORTED,
    )
    writer.flush()
    return IndicatorValue.objects.get(indicator_id=key[0], area_id=key[1], period=key[2])


def refresh_after_baseline(report: ReportedValue) -> int:
    """A new baseline value changes the status of the later approved values of the same area
    (those of open periods; closed ones change only when republished)."""
    closed = set(PeriodState.objects.values_list("period", flat=True))
    later = ReportedValue.objects.filter(
        indicator=report.indicator, area=report.area, state=ReportState.APPROVED
    ).exclude(period__in=[report.period, *closed])
    count = 0
    for other in later.select_related("indicator"):
        publish_reported(other)
        count += 1
    return count


# Deadlines and reminders ----------------------------------------------------------------------


def default_due_on(period_code: str) -> dt.date:
    """When a period's values are due by default: annual ones on 31 March of the following year,
    others one month after the period ends."""
    period = parse(period_code)
    if period.kind == "year":
        return dt.date(period.year + 1, *ANNUAL_DUE)
    following = period.end + dt.timedelta(days=1)
    return following + dt.timedelta(days=30)


def entry_url(indicator: Indicator, area, period_code: str) -> str:
    query = urlencode({"indicator": indicator.code, "area": area.code, "period": period_code})
    return f"{reverse('indicators:report-entry')}?{query}"


@dataclass(frozen=True)
class Reminder:
    kind: str  # "report" (to enter or complete) or "approve" (waiting for the user's decision)
    indicator: Indicator
    area: object
    period: str
    due_on: dt.date | None
    state: str  # a ReportState value, or "missing"
    state_label: str
    overdue: bool
    days_left: int | None
    url: str

    @property
    def days_overdue(self) -> int:
        return max(-(self.days_left or 0), 0)


MISSING = "missing"


def _state_label(state: str) -> str:
    if state == MISSING:
        return _("未填报")
    return str(ReportState(state).label)


def reminders_for(user, today: dt.date | None = None) -> list[Reminder]:
    """Reported values due soon (within each deadline's ``remind_days``) or overdue and not yet
    approved, for the indicators the user may report in their area; for approvers also every
    submitted value of their area waiting for a decision. Overdue first, then by due date."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "scope_area", None) is None:
        return []
    today = today or timezone.localdate()
    area = user.scope_area
    approver = user.has_perm("indicators.approve_value")
    closed = set(PeriodState.objects.values_list("period", flat=True))
    deadlines = {
        (d.indicator_id, d.period): d
        for d in ReportingDeadline.objects.select_related("indicator").exclude(period__in=closed)
    }
    items: list[Reminder] = []
    seen: set[int] = set()
    if approver:
        waiting = (
            ReportedValue.objects.for_user(user)
            .filter(state=ReportState.SUBMITTED)
            .exclude(period__in=closed)
            .select_related("indicator", "area")
        )
        for report in waiting:
            deadline = deadlines.get((report.indicator_id, report.period))
            due = deadline.due_on if deadline else None
            seen.add(report.pk)
            items.append(
                Reminder(
                    kind="approve",
                    indicator=report.indicator,
                    area=report.area,
                    period=report.period,
                    due_on=due,
                    state=report.state,
                    state_label=_("待审核"),
                    overdue=bool(due and due < today),
                    days_left=(due - today).days if due else None,
                    url=reverse("indicators:report-detail", args=[report.pk]),
                )
            )
    if user.has_perm("indicators.report_value"):
        due_now = [
            d
            for d in deadlines.values()
            if d.due_on - dt.timedelta(days=d.remind_days) <= today
            and reportable(d.indicator)
            and may_report(user, d.indicator)
        ]
        reports = {
            (r.indicator_id, r.period): r
            for r in ReportedValue.objects.filter(
                area=area,
                indicator_id__in={d.indicator_id for d in due_now},
                period__in={d.period for d in due_now},
            )
        }
        for d in due_now:
            report = reports.get((d.indicator_id, d.period))
            if report is not None and (report.is_locked or report.pk in seen):
                continue
            state = report.state if report else MISSING
            items.append(
                Reminder(
                    kind="report",
                    indicator=d.indicator,
                    area=area,
                    period=d.period,
                    due_on=d.due_on,
                    state=state,
                    state_label=_state_label(state),
                    overdue=d.due_on < today,
                    days_left=(d.due_on - today).days,
                    url=entry_url(d.indicator, area, d.period),
                )
            )
    items.sort(key=lambda r: (not r.overdue, r.due_on or dt.date.max, r.indicator.code, r.period))
    return items
