"""Reporting pages: the department's overview, entry form, value detail with its history, the
approval queue, notes on any value (htmx) and closing periods.

Every view starts from the user's scope: areas through ``queries.area_for_user`` (404 outside the
subtree), reported values and notes through ``objects.for_user``. The rules (who may report what,
locking, closed periods) are enforced by ``reporting`` and ``periods_admin``; the views translate
their errors into messages next to the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecircle.areas.models import Area
from carecircle.core.views import safe_referer
from carecircle.indicators import periods_admin, reporting
from carecircle.indicators.choices import ReportState, Source
from carecircle.indicators.forms_reporting import (
    NoteForm,
    PeriodNoteForm,
    ReasonForm,
    ReportForm,
    add_service_error,
    range_hint,
)
from carecircle.indicators.models import (
    FIRST_YEAR,
    Indicator,
    IndicatorValue,
    PeriodState,
    ReportedValue,
    ReportingDeadline,
    ValueNote,
)
from carecircle.indicators.periods import PeriodError, parse
from carecircle.indicators.queries import area_for_user

IMPORT_SLUG = "reported-values"


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _scope_area(request, code: str | None) -> Area:
    scope = getattr(request.user, "scope_area", None)
    if scope is None:
        raise Http404
    return area_for_user(request.user, code or scope.code)


def _area_choices(user, selected: Area) -> list[Area]:
    """The user's own area and the units directly below it (towns for a city officer)."""
    scope = user.scope_area
    choices = [scope, *Area.objects.filter(parent=scope, valid_to__isnull=True).order_by("code")]
    if selected not in choices:
        choices.append(selected)
    return choices


def _reportable_for(user) -> tuple[list[Indicator], bool]:
    """The reportable indicators the user reports (all of them, read-only, for a user who reports
    none), and whether the user reports any."""
    everything = [i for i in Indicator.objects.order_by("code") if reporting.reportable(i)]
    own = [i for i in everything if reporting.may_report(user, i)]
    return (own, True) if own else (everything, False)


def _entry_open(indicator: Indicator, period_code: str, closed: set[str], today) -> bool:
    period = parse(period_code)
    if indicator.period_scope == "annual" and period.kind != "year":
        return False
    return period.start <= today and period_code not in closed


@login_required
def reporting_home(request):
    """Reportable indicators × years for one area: values, state badges, deadlines, reminders."""
    user = request.user
    _require(user, "indicators.view_reportedvalue")
    area = _scope_area(request, request.GET.get("area"))
    today = timezone.localdate()
    years = [str(y) for y in range(FIRST_YEAR, today.year + 1)]
    indicators, reports_any = _reportable_for(user)
    closed = set(PeriodState.objects.values_list("period", flat=True))
    reports = {
        (r.indicator_id, r.period): r
        for r in ReportedValue.objects.for_user(user).filter(
            area=area, indicator__in=indicators, period__in=years
        )
    }
    deadlines = {
        (d.indicator_id, d.period): d
        for d in ReportingDeadline.objects.filter(indicator__in=indicators, period__in=years)
    }
    rows = []
    for indicator in indicators:
        can_enter = reports_any and reporting.may_report(user, indicator)
        cells = []
        for year in years:
            report = reports.get((indicator.pk, year))
            deadline = deadlines.get((indicator.pk, year))
            if report is not None:
                url = reverse("indicators:report-detail", args=[report.pk])
            elif can_enter and _entry_open(indicator, year, closed, today):
                url = reporting.entry_url(indicator, area, year)
            else:
                url = None
            overdue = bool(
                deadline and deadline.due_on < today and (report is None or not report.is_locked)
            )
            cells.append(
                {
                    "period": year,
                    "report": report,
                    "deadline": deadline,
                    "overdue": overdue,
                    "url": url,
                }
            )
        rows.append({"indicator": indicator, "cells": cells, "can_enter": can_enter})
    waiting = 0
    if user.has_perm("indicators.approve_value"):
        waiting = ReportedValue.objects.for_user(user).filter(state=ReportState.SUBMITTED).count()
    context = {
        "title": _("指标填报"),
        "area": area,
        "area_choices": _area_choices(user, area),
        "years": years,
        "closed": closed,
        "rows": rows,
        "reports_any": reports_any,
        "reminders": reporting.reminders_for(user, today),
        "waiting": waiting,
        "can_import": user.has_perm("indicators.report_value"),
        "import_url": reverse("core:import", args=[IMPORT_SLUG]),
    }
    return render(request, "indicators/reporting/index.html", context)


def _previous_value(indicator: Indicator, area: Area, period_code: str):
    try:
        previous = parse(period_code).previous().code
    except PeriodError:
        return None
    return IndicatorValue.objects.filter(indicator=indicator, area=area, period=previous).first()


@login_required
def report_entry(request):
    """Enter or change one value (indicator, area, period): save as draft or submit."""
    user = request.user
    _require(user, "indicators.report_value")
    indicator = get_object_or_404(Indicator, code=request.GET.get("indicator", ""))
    if not reporting.reportable(indicator):
        raise Http404
    if not reporting.may_report(user, indicator):
        raise PermissionDenied
    area = _scope_area(request, request.GET.get("area"))
    period_code = (request.GET.get("period") or str(timezone.localdate().year)).strip()
    report = ReportedValue.objects.filter(
        indicator=indicator, area=area, period=period_code
    ).first()
    problem = ""
    try:
        reporting.check_period(indicator, period_code)
    except ValidationError as exc:
        problem = "；".join(exc.messages)
    if report is not None and report.is_locked:
        problem = problem or _("该值已审核锁定，需先解锁才能修改")
    editable = not problem
    if request.method == "POST":
        if not editable:
            messages.error(request, problem)
            return redirect(request.get_full_path())
        form = ReportForm(request.POST, indicator=indicator)
        if form.is_valid():
            data = form.cleaned_data
            submit = request.POST.get("action") == "submit"
            try:
                result = reporting.save_report(
                    user,
                    indicator,
                    area,
                    period_code,
                    data["value"],
                    numerator=data.get("numerator"),
                    denominator=data.get("denominator"),
                    comment=data.get("comment", ""),
                    submit=submit,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                if result.outcome == "unchanged":
                    messages.info(request, _("内容未变化"))
                elif submit:
                    messages.success(request, _("已提交，等待审核"))
                else:
                    messages.success(request, _("已保存为草稿"))
                return redirect("indicators:report-detail", pk=result.report.pk)
    elif request.method == "GET":
        initial = {}
        if report is not None:
            initial = {
                "value": report.value,
                "numerator": report.numerator,
                "denominator": report.denominator,
                "comment": report.comment,
            }
        form = ReportForm(initial=initial, indicator=indicator)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    deadline = ReportingDeadline.objects.filter(indicator=indicator, period=period_code).first()
    context = {
        "title": _("填报：%(name)s") % {"name": indicator.name},
        "indicator": indicator,
        "area": area,
        "period_code": period_code,
        "period_label": _period_label(period_code),
        "report": report,
        "form": form,
        "editable": editable,
        "problem": problem,
        "deadline": deadline,
        "range_hint": range_hint(indicator),
        "previous": _previous_value(indicator, area, period_code),
        "today": timezone.localdate(),
    }
    return render(request, "indicators/reporting/entry.html", context)


def _period_label(code: str) -> str:
    try:
        return parse(code).label()
    except PeriodError:
        return code


def _history(report: ReportedValue) -> list[dict]:
    records = list(
        report.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    )
    labels = dict(ReportState.choices)
    return [
        {
            "date": entry.history_date,
            "user": entry.history_user.get_full_name() or entry.history_user.username
            if entry.history_user
            else "",
            "type": entry.get_history_type_display(),
            "state": labels.get(entry.state, entry.state),
            "value": entry.value,
            "numerator": entry.numerator,
            "denominator": entry.denominator,
            "comment": entry.comment,
            "reason": entry.history_change_reason or "",
        }
        for entry in records
    ]


def _report_for(request, pk: int) -> ReportedValue:
    _require(request.user, "indicators.view_reportedvalue")
    return get_object_or_404(
        ReportedValue.objects.for_user(request.user).select_related(
            "indicator", "area", "entered_by", "decided_by"
        ),
        pk=pk,
    )


@login_required
def report_detail(request, pk: int):
    """A reported value: its figures, state, actions the user may take, history and notes."""
    report = _report_for(request, pk)
    user = request.user
    closed = reporting.period_closed(report.period)
    may_report = reporting.may_report(user, report.indicator)
    approver = user.has_perm("indicators.approve_value")
    published = IndicatorValue.objects.filter(
        indicator=report.indicator, area=report.area, period=report.period, source=Source.REPORTED
    ).first()
    context = {
        "title": f"{report.indicator.code} {report.indicator.name}",
        "report": report,
        "period_label": _period_label(report.period),
        "closed": closed,
        "published": published,
        "can_edit": may_report and not report.is_locked and not closed,
        "can_submit": may_report
        and not closed
        and report.state in (ReportState.DRAFT, ReportState.REJECTED),
        "can_decide": approver and not closed and report.state == ReportState.SUBMITTED,
        "can_unlock": user.has_perm("indicators.unlock_value") and report.is_locked and not closed,
        "entry_url": reporting.entry_url(report.indicator, report.area, report.period),
        "history": _history(report),
        "reason_form": ReasonForm(),
        "deadline": ReportingDeadline.objects.filter(
            indicator=report.indicator, period=report.period
        ).first(),
        **_notes_context(request, report.indicator, report.area, report.period),
    }
    return render(request, "indicators/reporting/detail.html", context)


@login_required
@require_POST
def report_action(request, pk: int, action: str):
    """Submit, approve, reject (with reason) or unlock (with reason) a reported value."""
    report = _report_for(request, pk)
    try:
        if action == "submit":
            reporting.submit(request.user, report)
            messages.success(request, _("已提交，等待审核"))
        elif action == "approve":
            reporting.approve(request, report)
            messages.success(request, _("已审核通过，数值已锁定并发布"))
        elif action in ("reject", "unlock"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            reason = form.cleaned_data["reason"]
            if action == "reject":
                reporting.reject(request, report, reason)
                messages.success(request, _("已退回"))
            else:
                reporting.unlock(request, report, reason)
                messages.success(request, _("已解锁，可修改后重新提交"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    next_url = request.POST.get("next")
    if next_url == "approvals":
        return redirect("indicators:report-approvals")
    return redirect("indicators:report-detail", pk=report.pk)


@login_required
def approvals(request):
    """Submitted values waiting for a decision, and the latest decisions."""
    user = request.user
    _require(user, "indicators.approve_value")
    scoped = ReportedValue.objects.for_user(user).select_related(
        "indicator", "area", "entered_by", "decided_by"
    )
    waiting = list(scoped.filter(state=ReportState.SUBMITTED).order_by("submitted_at", "pk"))
    deadlines = {
        (d.indicator_id, d.period): d
        for d in ReportingDeadline.objects.filter(
            indicator_id__in={r.indicator_id for r in waiting},
            period__in={r.period for r in waiting},
        )
    }
    for report in waiting:
        report.deadline = deadlines.get((report.indicator_id, report.period))
    decided = scoped.filter(
        state__in=[ReportState.APPROVED, ReportState.REJECTED], decided_at__isnull=False
    ).order_by("-decided_at")[:20]
    context = {
        "title": _("填报审核"),
        "waiting": waiting,
        "decided": decided,
        "closed": set(PeriodState.objects.values_list("period", flat=True)),
        "reason_form": ReasonForm(),
    }
    return render(request, "indicators/reporting/approvals.html", context)


# Notes ----------------------------------------------------------------------------------------


def notes_url(indicator: Indicator, area: Area, period_code: str) -> str:
    query = urlencode({"indicator": indicator.code, "area": area.code, "period": period_code})
    return f"{reverse('indicators:notes')}?{query}"


def _notes_context(request, indicator, area, period_code, form=None) -> dict:
    user = request.user
    notes = (
        ValueNote.objects.for_user(user)
        .filter(indicator=indicator, area=area, period=period_code)
        .select_related("author")
    )
    can_add = user.has_perm("indicators.add_valuenote")
    return {
        "note_indicator": indicator,
        "note_area": area,
        "note_period": period_code,
        "note_period_label": _period_label(period_code),
        "notes": notes,
        "can_add_note": can_add,
        "note_form": form or (NoteForm() if can_add else None),
        "notes_url": notes_url(indicator, area, period_code),
    }


@login_required
def notes(request):
    """The notes on one value (``?indicator=&area=&period=``) and a form to add one. An htmx
    request gets the fragment only, so other pages embed it with ``hx-get``."""
    user = request.user
    _require(user, "indicators.view_valuenote")
    indicator = get_object_or_404(Indicator, code=request.GET.get("indicator", ""))
    area = area_for_user(user, request.GET.get("area", ""))
    try:
        period_code = parse(request.GET.get("period", "")).code
    except PeriodError as exc:
        raise Http404 from exc
    form = None
    if request.method == "POST":
        _require(user, "indicators.add_valuenote")
        form = NoteForm(request.POST)
        if form.is_valid():
            ValueNote.objects.create(
                indicator=indicator,
                area=area,
                period=period_code,
                text=form.cleaned_data["text"],
                author=user,
            )
            form = None
            if not request.htmx:
                messages.success(request, _("备注已添加"))
                return redirect(safe_referer(request, notes_url(indicator, area, period_code)))
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = _notes_context(request, indicator, area, period_code, form)
    if request.htmx:
        return render(request, "indicators/reporting/_notes.html", context)
    context["title"] = _("备注：%(code)s %(name)s") % {
        "code": indicator.code,
        "name": indicator.name,
    }
    return render(request, "indicators/reporting/notes.html", context)


# Periods --------------------------------------------------------------------------------------


@login_required
def periods(request):
    """Close, publish and republish periods."""
    _require(request.user, periods_admin.PERMISSION)
    context = {
        "title": _("期间关账与发布"),
        "rows": periods_admin.period_rows(),
        "note_form": PeriodNoteForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "indicators/reporting/periods.html", context)


@login_required
@require_POST
def period_action(request, period: str, action: str):
    _require(request.user, periods_admin.PERMISSION)
    try:
        if action == "close":
            form = PeriodNoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            periods_admin.close_period(request, period, note)
            messages.success(request, _("期间 %(p)s 已关账，数值已冻结") % {"p": period})
        elif action == "publish":
            periods_admin.publish_period(request, period)
            messages.success(request, _("期间 %(p)s 已发布") % {"p": period})
        elif action == "republish":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            periods_admin.republish_period(request, period, form.cleaned_data["reason"])
            messages.success(request, _("期间 %(p)s 已重新计算并重新发布") % {"p": period})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("indicators:periods")
