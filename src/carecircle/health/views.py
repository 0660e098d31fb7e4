"""Health-check pages. Every view starts from ``ElderHealthCheck.objects.for_user``: a check of
an elder outside the user's area (or institution) is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.history import change_history
from carecircle.core.views import (
    AuditedDetailView,
    RegistryCreateView,
    RegistryListView,
    RegistryUpdateView,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.health import services
from carecircle.health.choices import EXAMINATIONS, MANAGED_AGE
from carecircle.health.filters import ElderHealthCheckListFilter
from carecircle.health.forms import ElderHealthCheckCreateForm, ElderHealthCheckForm
from carecircle.health.models import ElderHealthCheck


def _flag(name: str):
    return lambda check: yes_no(getattr(check, name))


COLUMNS = [
    Column(gettext_lazy("体检日期"), lambda c: c.checked_on, 12),
    Column(gettext_lazy("姓名"), lambda c: c.person.masked_name, 10),
    Column(gettext_lazy("体检时年龄"), lambda c: c.person.age_on(c.checked_on), 8),
    Column(gettext_lazy("村（社区）"), lambda c: c.person.area.name, 16),
    Column(gettext_lazy("体检机构"), lambda c: c.institution_name, 26),
    Column(gettext_lazy("检查项目"), lambda c: len(c.examinations_done), 8),
    Column(gettext_lazy("健康状况评估"), lambda c: yes_no(c.health_assessment), 8),
    Column(gettext_lazy("健康指导"), lambda c: yes_no(c.guidance_given), 8),
    Column(gettext_lazy("计入健康管理"), lambda c: yes_no(c.counts_as_management), 8),
]
EXPORT_COLUMNS = [
    *COLUMNS[:2],
    Column(gettext_lazy("身份证号"), lambda c: c.person.id_number_masked, 22),
    *COLUMNS[2:5],
    *(Column(label, _flag(name), 8) for name, label in EXAMINATIONS),
    *COLUMNS[6:],
    Column(gettext_lazy("体检结果摘要"), lambda c: c.results_summary, 40),
]


class ElderHealthCheckListView(RegistryListView):
    model = ElderHealthCheck
    template_name = "health/check_list.html"
    filterset_class = ElderHealthCheckListFilter
    columns = COLUMNS
    export_columns = EXPORT_COLUMNS
    title = gettext_lazy("老年人健康管理")
    export_name = "health-checks"
    detail_url_name = "health:check-detail"
    create_url_name = "health:check-create"
    import_slug = "health-checks"
    select_related = ("person__area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        scoped = ElderHealthCheck.objects.for_user(self.request.user)
        context.update(
            year=today.year,
            managed_age=MANAGED_AGE,
            summary=services.year_summary(scoped, today.year, today),
            can_view_indicators=self.request.user.has_perm("indicators.view_indicatorvalue"),
        )
        return context


class ElderHealthCheckDetailView(AuditedDetailView):
    """A health record of a person: every view is audited (R18)."""

    model = ElderHealthCheck
    template_name = "health/check_detail.html"
    select_related = ("person__area", "hospital")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = self.object
        context.update(
            title=_("老年人健康体检"),
            check=check,
            age=check.person.age_on(check.checked_on),
            examinations=[(label, getattr(check, name)) for name, label in EXAMINATIONS],
            history=change_history(check),
            can_edit=self.request.user.has_perm("health.change_elderhealthcheck"),
        )
        return context


class ElderHealthCheckCreateView(RegistryCreateView):
    model = ElderHealthCheck
    form_class = ElderHealthCheckCreateForm
    title = gettext_lazy("登记健康体检")
    cancel_url_name = "health:check-list"

    def form_valid(self, form):
        self.object = form.save()
        # Finding a person by full ID number is a person search (R18).
        record(self.request, AuditAction.SEARCH_PERSON, obj=self.object.person, purpose="health")
        messages.success(self.request, _("已保存"))
        return redirect("health:check-detail", uuid=self.object.uuid)


class ElderHealthCheckUpdateView(RegistryUpdateView):
    model = ElderHealthCheck
    form_class = ElderHealthCheckForm
    title = gettext_lazy("修改健康体检")

    def get_success_url(self) -> str:
        return reverse("health:check-detail", args=[self.object.uuid])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}
