"""Pages of emergency calls: devices per elder, the call log, the open-call queue (answer and
close through htmx) and the response-time statistics.

Every view starts from ``objects.for_user``: out of scope is 404, without the permission 403.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.adaptations.views import (
    apply_service,
    elder_from_query,
    person_visible,
    village_label,
)
from carecircle.areas.models import Area
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    ScopedAccessMixin,
    htmx_render,
)
from carecircle.core.xlsx import Column
from carecircle.emergency import charts, forms, services, stats
from carecircle.emergency.filters import CallFilter, DeviceFilter
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.persons.filters import months_before
from carecircle.persons.models import Person

QUEUE_LIMIT = 200


def duration_label(seconds: float | int | None) -> str:
    """``1小时5分``, ``3分20秒`` or ``45秒``."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d分%(s)d秒") % {"m": minutes, "s": secs}
    return _("%(s)d秒") % {"s": secs}


def _local(value: dt.datetime | None):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


# Devices -------------------------------------------------------------------------------------

DEVICE_COLUMNS = [
    Column(gettext_lazy("老年人"), lambda d: d.person.masked_name, 10),
    Column(gettext_lazy("村（社区）"), lambda d: village_label(d.person), 22),
    Column(gettext_lazy("类型"), lambda d: d.get_kind_display(), 14),
    Column(gettext_lazy("覆盖方式"), lambda d: d.get_coverage_display(), 10),
    Column(gettext_lazy("设备编号"), lambda d: d.serial, 18),
    Column(gettext_lazy("登记日期"), lambda d: d.enrolled_on, 12),
    Column(gettext_lazy("停用日期"), lambda d: d.ended_on, 12),
]


class DeviceListView(RegistryListView):
    model = CallDevice
    filterset_class = DeviceFilter
    columns = DEVICE_COLUMNS
    title = gettext_lazy("呼叫设备与热线登记")
    export_name = "call-devices"
    create_url_name = "emergency:device-create"
    select_related = ("person__area__parent",)

    def row_url(self, obj) -> str:
        return reverse("emergency:elder-coverage", args=[obj.person.uuid])


class ElderCoverageView(ScopedAccessMixin, View):
    """One elder's devices and hotline registrations, and their latest calls."""

    model = CallDevice

    def get(self, request, uuid):
        person = get_object_or_404(
            Person.objects.for_user(request.user).select_related("area__parent"),
            uuid=uuid,
            domain="elderly",
        )
        user = request.user
        devices = CallDevice.objects.for_user(user).filter(person=person)
        calls = []
        if user.has_perm("emergency.view_callevent"):
            calls = CallEvent.objects.for_user(user).filter(person=person)[:20]
        context = {
            "title": _("呼叫服务覆盖：%(name)s") % {"name": person.masked_name},
            "person": person,
            "village": village_label(person),
            "person_visible": person_visible(user, person),
            "devices": devices,
            "covered": any(d.ended_on is None for d in devices),
            "calls": calls,
            "can_add": user.has_perm("emergency.add_calldevice"),
            "can_end": user.has_perm("emergency.change_calldevice"),
            "can_add_call": user.has_perm("emergency.add_callevent"),
        }
        return render(request, "emergency/elder_coverage.html", context)


class DeviceCreateView(RegistryCreateView):
    model = CallDevice
    form_class = forms.DeviceForm
    title = gettext_lazy("登记呼叫设备或热线")
    cancel_url_name = "emergency:device-list"

    @cached_property
    def given_person(self) -> Person | None:
        return elder_from_query(self.request)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.given_person}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.given_person is not None:
            context["title"] = f"{self.title}：{self.given_person.masked_name}"
        return context

    def form_valid(self, form):
        device = form.instance
        if not apply_service(form, lambda: services.enrol_device(device)):
            return self.form_invalid(form)
        if self.given_person is None:
            record(
                self.request, AuditAction.SEARCH_PERSON, obj=device.person, purpose="call-device"
            )
        messages.success(self.request, _("已登记"))
        return redirect("emergency:elder-coverage", uuid=device.person.uuid)


class DeviceEndView(ScopedAccessMixin, FormView):
    model = CallDevice
    permission_action = "change"
    form_class = forms.DeviceEndForm
    template_name = "core/form.html"

    @cached_property
    def device(self) -> CallDevice:
        queryset = CallDevice.objects.for_user(self.request.user).select_related("person")
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"], ended_on__isnull=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"ended_on": timezone.localdate()}

    def get_success_url(self):
        return reverse("emergency:elder-coverage", args=[self.device.person.uuid])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("停用%(device)s：%(name)s")
            % {"device": self.device, "name": self.device.person.masked_name},
            cancel_url=self.get_success_url(),
        )
        return context

    def form_valid(self, form):
        day = form.cleaned_data["ended_on"]
        if not apply_service(form, lambda: services.end_device(self.device, day)):
            return self.form_invalid(form)
        messages.success(self.request, _("已停用"))
        return redirect(self.get_success_url())


# Calls ---------------------------------------------------------------------------------------

CALL_COLUMNS = [
    Column(gettext_lazy("呼叫时间"), lambda c: _local(c.called_at), 18),
    Column(gettext_lazy("老年人"), lambda c: c.person.masked_name, 10),
    Column(gettext_lazy("村（社区）"), lambda c: village_label(c.person), 22),
    Column(gettext_lazy("呼叫类型"), lambda c: c.get_kind_display(), 12),
    Column(gettext_lazy("响应人员"), lambda c: c.responder_name, 12),
    Column(gettext_lazy("响应用时"), lambda c: duration_label(c.response_seconds), 12),
    Column(gettext_lazy("办结时间"), lambda c: _local(c.closed_at), 18),
    Column(gettext_lazy("处置结果"), lambda c: c.get_outcome_display(), 12),
]
CALL_EXPORT_COLUMNS = [
    *CALL_COLUMNS[:5],
    Column(gettext_lazy("响应时间"), lambda c: _local(c.responded_at), 18),
    Column(gettext_lazy("响应用时（秒）"), lambda c: c.response_seconds, 10),
    *CALL_COLUMNS[6:],
    Column(gettext_lazy("设备"), lambda c: str(c.device) if c.device_id else "", 18),
    Column(gettext_lazy("处置说明"), lambda c: c.note, 30),
]


class CallListView(RegistryListView):
    model = CallEvent
    filterset_class = CallFilter
    columns = CALL_COLUMNS
    export_columns = CALL_EXPORT_COLUMNS
    title = gettext_lazy("呼叫记录")
    export_name = "calls"
    detail_url_name = "emergency:call-detail"
    create_url_name = "emergency:call-create"
    select_related = ("person__area__parent", "device")


class CallDetailView(RegistryDetailView):
    model = CallEvent
    template_name = "emergency/call_detail.html"
    select_related = ("person__area__parent", "device")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call: CallEvent = self.object
        user = self.request.user
        context.update(
            title=_("呼叫记录"),
            village=village_label(call.person),
            response=duration_label(call.response_seconds),
            coverage_visible=user.has_perm("emergency.view_calldevice")
            and Person.objects.for_user(user).filter(pk=call.person_id).exists(),
            can_act=user.has_perm("emergency.change_callevent") and call.is_open,
            close_form=forms.CloseForm(),
        )
        return context


class CallCreateView(RegistryCreateView):
    model = CallEvent
    form_class = forms.CallForm
    title = gettext_lazy("登记呼叫")
    cancel_url_name = "emergency:queue"

    @cached_property
    def given_person(self) -> Person | None:
        return elder_from_query(self.request)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.given_person}

    def form_valid(self, form):
        call = form.instance
        if not apply_service(form, lambda: services.register_call(call)):
            return self.form_invalid(form)
        if self.given_person is None:
            record(self.request, AuditAction.SEARCH_PERSON, obj=call.person, purpose="call")
        messages.success(self.request, _("已登记，已进入待办结队列"))
        return redirect("emergency:queue")


# The open-call queue -------------------------------------------------------------------------


def safe_next(request) -> str:
    """Where a plain form post returns: ``next`` when it is a path on this site, else the queue."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("emergency:queue")


def queue_row(call: CallEvent, now: dt.datetime) -> dict:
    return {
        "call": call,
        "village": village_label(call.person),
        "waiting": duration_label((now - call.called_at).total_seconds()),
        "overdue": call.responded_at is None
        and (now - call.called_at).total_seconds() > stats.target_minutes() * 60,
        "response": duration_label(call.response_seconds),
    }


def queue_context(request, errors: dict | None = None) -> dict:
    """The open calls in the user's scope, oldest first; ``errors`` by call UUID."""
    now = timezone.now()
    calls = (
        CallEvent.objects.for_user(request.user)
        .filter(closed_at__isnull=True)
        .select_related("person__area__parent", "device")
        .order_by("called_at", "pk")
    )
    total = calls.count()
    errors = errors or {}
    rows = []
    for call in calls[:QUEUE_LIMIT]:
        row = queue_row(call, now)
        row["error"] = errors.get(call.uuid)
        rows.append(row)
    return {
        "title": _("待办结呼叫"),
        "rows": rows,
        "total": total,
        "truncated": total > QUEUE_LIMIT,
        "can_act": request.user.has_perm("emergency.change_callevent"),
        "can_add": request.user.has_perm("emergency.add_callevent"),
        "close_form": forms.CloseForm(),
        "target_minutes": stats.target_minutes(),
    }


class QueueView(ScopedAccessMixin, View):
    """Calls not yet closed, oldest first, with the time each has been waiting."""

    model = CallEvent

    def get(self, request):
        context = queue_context(request)
        return htmx_render(request, "emergency/queue.html", "emergency/_queue_table.html", context)


class CallActionView(ScopedAccessMixin, View):
    """POST only: answer or close a call in scope. htmx gets the answered row back, or the
    whole queue once a call is closed; a plain form post returns to the queue (or ``next``)."""

    model = CallEvent
    permission_action = "change"
    http_method_names = ["post"]

    def call(self, uuid) -> CallEvent:
        queryset = CallEvent.objects.for_user(self.request.user)
        return get_object_or_404(queryset, uuid=uuid)

    def answer(self, request, call: CallEvent, error: str | None = None):
        if not getattr(request, "htmx", False):
            if error:
                messages.error(request, error)
            return redirect(safe_next(request))
        return self.fragment(request, call, error)

    def fragment(self, request, call: CallEvent, error: str | None):
        """The changed row (answering) or the whole queue (closing changes the count)."""
        call = CallEvent.objects.select_related("person__area__parent", "device").get(pk=call.pk)
        row = {**queue_row(call, timezone.now()), "error": error}
        context = {"row": row, "can_act": True, "close_form": forms.CloseForm()}
        return render(request, "emergency/_queue_row.html", context)


class RespondView(CallActionView):
    def post(self, request, uuid):
        call = self.call(uuid)
        try:
            services.respond(call, request.user)
        except ValidationError as exc:
            return self.answer(request, call, "；".join(exc.messages))
        return self.answer(request, call)


class CloseView(CallActionView):
    def fragment(self, request, call: CallEvent, error: str | None):
        context = queue_context(request, {call.uuid: error} if error else None)
        return render(request, "emergency/_queue_table.html", context)

    def post(self, request, uuid):
        call = self.call(uuid)
        form = forms.CloseForm(request.POST)
        if not form.is_valid():
            return self.answer(request, call, _("请选择处置结果"))
        data = form.cleaned_data
        try:
            call = services.close(call, request.user, data["outcome"], data["note"])
        except ValidationError as exc:
            return self.answer(request, call, "；".join(exc.messages))
        if not getattr(request, "htmx", False):
            messages.success(request, _("已办结"))
        return self.answer(request, call)


# Response-time statistics --------------------------------------------------------------------


class StatsView(ScopedAccessMixin, View):
    """Response times of the calls in the user's area over the last 12 months (or a chosen
    year), by month and by the units directly below the area. An institution's staff get the
    calls they see (their family care beds' elders) by month."""

    model = CallEvent

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        area = user.scope_area
        area_choices = Area.objects.none()
        calls = CallEvent.objects.for_user(user)
        if area is not None:
            area_choices = Area.objects.filter(
                Q(path__startswith=area.path), ~Q(level="village")
            ).order_by("path")
            wanted = request.GET.get("area", "")
            if wanted:
                inside = Area.objects.filter(path__startswith=user.scope_area.path)
                area = get_object_or_404(inside, code=wanted)
            calls = calls.filter(person__area__path__startswith=area.path)
        years = list(range(today.year, today.year - 5, -1))
        year = request.GET.get("year", "")
        if year.isdigit() and int(year) in years:
            first, last = dt.date(int(year), 1, 1), min(dt.date(int(year), 12, 31), today)
        else:
            year = ""
            first = months_before(today, 11).replace(day=1)
            last = today
        result = stats.report(calls, first, last, area)
        context = {
            "title": _("呼叫响应统计"),
            "area": area,
            "scope_label": area.name if area is not None else str(user.institution or ""),
            "area_choices": area_choices,
            "years": years,
            "year": year,
            "first": first,
            "last": last,
            "report": result,
            "rows_month": [self.row(f) for f in result.by_month],
            "rows_area": [self.row(f) for f in result.by_area],
            "total": self.row(result.total),
            "figure": charts.response_figure(result.by_month, result.target_minutes),
        }
        return render(request, "emergency/stats.html", context)

    @staticmethod
    def row(figures: stats.ResponseFigures) -> dict:
        return {
            "key": figures.key,
            "label": figures.label,
            "calls": figures.calls,
            "answered": figures.answered,
            "unanswered": figures.unanswered,
            "median": duration_label(figures.median_seconds),
            "p90": duration_label(figures.p90_seconds),
            "within": figures.within_target,
            "share": figures.within_share,
        }
