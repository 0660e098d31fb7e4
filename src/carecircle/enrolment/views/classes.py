"""Classes with occupancy and today's ratio, their rosters and the coming age-outs."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column
from carecircle.enrolment import occupancy, services
from carecircle.enrolment.filters import ChildcareClassFilter
from carecircle.enrolment.forms import ChildcareClassForm, DutyForm
from carecircle.enrolment.models import ChildcareClass, Enrolment, Offer, StaffDuty
from carecircle.enrolment.views.common import ScopedObjectMixin, ensure_daily_maintenance

ROSTER_DAYS = 14
AGE_OUT_DAYS = 60


def _today() -> dt.date:
    return timezone.localdate()


def _day(c: ChildcareClass) -> occupancy.ClassDay:
    return occupancy.day_of(c, _today())


def _ratio_label(c: ChildcareClass) -> str:
    day = _day(c)
    if not day.enrolled:
        return "—"
    if not day.rostered:
        return _("今日未排班")
    if day.ratio_ok:
        return _("达标")
    return _("不足（需%(n)d名）") % {"n": day.carers_needed}


def _fee(value) -> str:
    return "" if value is None else f"{value:.0f}"


CLASS_COLUMNS = [
    Column(gettext_lazy("班级"), lambda c: c.name, 16),
    Column(gettext_lazy("托育机构"), lambda c: c.provider.name, 26),
    Column(gettext_lazy("班级类型"), lambda c: c.rule.name, 10),
    Column(gettext_lazy("服务方式"), lambda c: c.get_mode_display(), 10),
    Column(gettext_lazy("核定人数"), lambda c: c.capacity, 8),
    Column(gettext_lazy("今日在托"), lambda c: c.enrolled, 8),
    Column(gettext_lazy("空位"), lambda c: _day(c).vacancies, 8),
    Column(gettext_lazy("候补"), lambda c: c.waiting, 8),
    Column(gettext_lazy("今日在岗保育人员"), lambda c: occupancy.annotated_carers(c), 10),
    Column(gettext_lazy("师生比要求"), lambda c: c.rule.ratio_label, 8),
    Column(gettext_lazy("今日师生比"), _ratio_label, 12),
    Column(gettext_lazy("月收费（元）"), lambda c: _fee(c.monthly_fee), 10),
    Column(gettext_lazy("普惠收费（元）"), lambda c: _fee(c.affordable_fee), 10),
]


class ClassListView(RegistryListView):
    template_name = "enrolment/list.html"
    model = ChildcareClass
    filterset_class = ChildcareClassFilter
    columns = CLASS_COLUMNS
    title = gettext_lazy("托育班级")
    export_name = "childcare-classes"
    detail_url_name = "enrolment:class-detail"
    create_url_name = "enrolment:class-create"
    select_related = ("provider", "rule")

    def get(self, request, *args, **kwargs):
        ensure_daily_maintenance()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return occupancy.with_counts(super().get_queryset(), _today())


class ClassDetailView(RegistryDetailView):
    """A class today: counts for everyone who may see the class; the children, the waiting list
    and the roster only for the institution and the health commission."""

    model = ChildcareClass
    template_name = "enrolment/class_detail.html"

    def get(self, request, *args, **kwargs):
        ensure_daily_maintenance()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return occupancy.with_counts(
            super().get_queryset().select_related("provider", "rule"), _today()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = _today()
        cls: ChildcareClass = self.object
        context.update(title=cls.name, day=occupancy.day_of(cls, today), today=today)
        if user.has_perm("enrolment.view_application"):
            waiting = list(occupancy.waiting_list(cls).prefetch_related("priority_groups"))
            context["waiting"] = list(enumerate(waiting, start=1))
            context["can_offer"] = user.has_perm("enrolment.add_offer")
        if user.has_perm("enrolment.view_offer"):
            context["offers"] = (
                Offer.objects.for_user(user)
                .filter(childcare_class=cls)
                .pending()
                .select_related("application")
            )
        if user.has_perm("enrolment.view_enrolment"):
            enrolments = Enrolment.objects.for_user(user).filter(childcare_class=cls)
            context["enrolled"] = (
                enrolments.not_ended_by(today).select_related("child").order_by("started_on")
            )
            context["age_outs"] = services.upcoming_age_outs(enrolments, today, AGE_OUT_DAYS)
        if user.has_perm("enrolment.view_staffduty"):
            context["roster"] = roster(cls, today, ROSTER_DAYS)
        return context


def roster(cls: ChildcareClass, start: dt.date, days: int) -> list[tuple[dt.date, list, int]]:
    """(date, duties, carers by the half-day rule) for ``days`` days from ``start``."""
    duties = (
        StaffDuty.objects.filter(
            childcare_class=cls, date__gte=start, date__lt=start + dt.timedelta(days=days)
        )
        .select_related("staff")
        .order_by("date", "staff__name")
    )
    by_day: dict[dt.date, list[StaffDuty]] = {}
    for duty in duties:
        by_day.setdefault(duty.date, []).append(duty)
    rows = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        entries = by_day.get(day, [])
        carers = occupancy.carers_from_shifts(cls.mode, [d.shift for d in entries])
        rows.append((day, entries, carers))
    return rows


class ClassFormMixin:
    model = ChildcareClass
    form_class = ChildcareClassForm

    def get_success_url(self):
        return reverse("enrolment:class-detail", args=[self.object.uuid])


class ClassCreateView(ClassFormMixin, RegistryCreateView):
    title = gettext_lazy("新增班级")
    cancel_url_name = "enrolment:class-list"


class ClassUpdateView(ClassFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改班级")
    select_related = ("provider", "rule")


class DutyCreateView(ScopedObjectMixin, FormView):
    """Enter the carers on duty in a class for a span of days."""

    model = StaffDuty
    lookup_model = ChildcareClass
    permission_action = "add"
    form_class = DutyForm
    template_name = "enrolment/duty_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, childcare_class=self.target)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cls = self.target
        context.update(
            title=_("登记在岗保育人员：%(c)s") % {"c": cls},
            childcare_class=cls,
            roster=roster(cls, _today(), ROSTER_DAYS),
            cancel_url=reverse("enrolment:class-detail", args=[cls.uuid]),
        )
        return context

    def form_valid(self, form):
        try:
            created = services.record_duties(
                self.target, form.cleaned_data["staff"], form.days(), form.cleaned_data["shift"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("已登记 %(n)d 条排班") % {"n": created})
        return redirect("enrolment:class-detail", uuid=self.target.uuid)


class AgeOutListView(ScopedAccessMixin, TemplateView):
    """Children whose enrolment ends on their third birthday within the coming days."""

    model = Enrolment
    template_name = "enrolment/age_outs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ensure_daily_maintenance()
        today = _today()
        enrolments = Enrolment.objects.for_user(self.request.user)
        context.update(
            title=_("即将满3周岁离托"),
            days=AGE_OUT_DAYS,
            today=today,
            rows=services.upcoming_age_outs(enrolments, today, AGE_OUT_DAYS),
            recent=enrolments.filter(
                end_reason="aged_out", ended_on__gte=today - dt.timedelta(days=AGE_OUT_DAYS)
            )
            .select_related("child", "childcare_class", "provider")
            .order_by("-ended_on"),
        )
        return context
