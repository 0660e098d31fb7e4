"""Pages of home adaptation projects and family care beds.

Every view starts from ``objects.for_user``: out of scope is 404, without the permission 403.
Elders show with masked names; finding an elder by full ID number is audited as a person search.
Workflow steps go through ``services`` and show its messages on the form.
"""

from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.adaptations import forms, services
from carecircle.adaptations.choices import EDITABLE_STATUSES, ProjectStatus
from carecircle.adaptations.filters import BedFilter, ProjectFilter
from carecircle.adaptations.models import AdaptationItem, AdaptationProject, FamilyCareBed
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.persons.models import Person


def village_label(person: Person) -> str:
    """The elder's village with its town (``城东镇 某村``)."""
    area = person.area
    parent = area.parent if area.parent_id else None
    return (
        f"{parent.name} {area.name}"
        if parent is not None and area.level == "village"
        else area.name
    )


def elder_from_query(request) -> Person | None:
    """The elder named by ``?person=<uuid>`` when it lies in the user's scope (a page opened from
    the elder's record); anything else is ignored and the form asks for the ID number."""
    raw = request.GET.get("person", "")
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        return None
    return (
        Person.objects.for_user(request.user)
        .filter(uuid=wanted, domain="elderly", merged_into__isnull=True)
        .first()
    )


def person_visible(user, person: Person) -> bool:
    return user.has_perm("persons.view_person") and (
        Person.objects.for_user(user).filter(pk=person.pk).exists()
    )


def apply_service(form, action) -> bool:
    """Run a service step; its ValidationError becomes the form's errors."""
    try:
        action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return False
    return True


# Projects ------------------------------------------------------------------------------------


def _settled(project: AdaptationProject) -> bool:
    return project.status == ProjectStatus.COMPLETED


PROJECT_COLUMNS = [
    Column(gettext_lazy("老年人"), lambda p: p.person.masked_name, 10),
    Column(gettext_lazy("村（社区）"), lambda p: village_label(p.person), 22),
    Column(gettext_lazy("状态"), lambda p: p.get_status_display(), 8),
    Column(gettext_lazy("申请日期"), lambda p: p.applied_on, 12),
    Column(gettext_lazy("完工日期"), lambda p: p.completed_on, 12),
    Column(gettext_lazy("改造总费用（元）"), lambda p: p.total_cost, 12),
    # Subsidy and self-paid share are settled on completion.
    Column(gettext_lazy("政府补贴（元）"), lambda p: p.subsidy if _settled(p) else None, 12),
    Column(gettext_lazy("个人自付（元）"), lambda p: p.self_paid if _settled(p) else None, 12),
]
PROJECT_EXPORT_COLUMNS = [
    *PROJECT_COLUMNS[:2],
    Column(gettext_lazy("住址"), lambda p: p.person.address, 24),
    *PROJECT_COLUMNS[2:4],
    Column(gettext_lazy("评估日期"), lambda p: p.assessed_on, 12),
    Column(gettext_lazy("居家环境评估"), lambda p: p.assessment_note, 30),
    Column(gettext_lazy("施工机构"), lambda p: p.contractor_label, 24),
    Column(gettext_lazy("开工日期"), lambda p: p.started_on, 12),
    PROJECT_COLUMNS[4],
    Column(gettext_lazy("取消日期"), lambda p: p.cancelled_on, 12),
    Column(gettext_lazy("改造内容"), lambda p: "、".join(str(i) for i in p.items.all()), 30),
    *PROJECT_COLUMNS[5:],
    Column(gettext_lazy("完工时属特殊困难老年人"), lambda p: yes_no(p.target_group), 10),
]


class ProjectListView(RegistryListView):
    model = AdaptationProject
    filterset_class = ProjectFilter
    columns = PROJECT_COLUMNS
    export_columns = PROJECT_EXPORT_COLUMNS
    title = gettext_lazy("居家适老化改造")
    export_name = "adaptation-projects"
    detail_url_name = "adaptations:project-detail"
    create_url_name = "adaptations:project-create"
    select_related = ("person__area__parent", "contractor")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")


def get_project_for_user(request, project_uuid) -> AdaptationProject:
    queryset = AdaptationProject.objects.for_user(request.user).select_related(
        "person__area__parent", "contractor"
    )
    return get_object_or_404(queryset, uuid=project_uuid)


class ProjectDetailView(RegistryDetailView):
    model = AdaptationProject
    template_name = "adaptations/project_detail.html"
    select_related = ("person__area__parent", "contractor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project: AdaptationProject = self.object
        user = self.request.user
        can_change = user.has_perm("adaptations.change_adaptationproject")
        status = project.status
        context.update(
            title=_("居家适老化改造项目"),
            items=project.items.all(),
            beds=FamilyCareBed.objects.for_user(user)
            .filter(adaptation=project)
            .select_related("provider"),
            village=village_label(project.person),
            person_visible=person_visible(user, project.person),
            history=change_history(project),
            can_edit=can_change and status in EDITABLE_STATUSES,
            can_assess=can_change and status in (ProjectStatus.APPLIED, ProjectStatus.ASSESSED),
            can_start=can_change and status == ProjectStatus.ASSESSED,
            can_complete=can_change and status == ProjectStatus.IN_PROGRESS,
            can_cancel=can_change and project.is_open,
            subsidy_cap=services.subsidy_cap(),
            subsidy_cap_is_demo=services.subsidy_cap_is_demo(),
        )
        return context


class ProjectCreateView(RegistryCreateView):
    model = AdaptationProject
    form_class = forms.ProjectForm
    title = gettext_lazy("登记居家适老化改造申请")
    cancel_url_name = "adaptations:project-list"

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
        project = form.instance
        if not apply_service(form, lambda: services.apply(project)):
            return self.form_invalid(form)
        self.object = project
        if self.given_person is None:
            record(
                self.request, AuditAction.SEARCH_PERSON, obj=project.person, purpose="adaptation"
            )
        messages.success(self.request, _("已登记"))
        return redirect("adaptations:project-detail", uuid=project.uuid)


class ProjectUpdateView(RegistryUpdateView):
    model = AdaptationProject
    form_class = forms.ProjectForm
    title = gettext_lazy("修改改造项目")

    def get_queryset(self):
        return super().get_queryset().filter(status__in=EDITABLE_STATUSES)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.object.person}

    def get_success_url(self):
        return reverse("adaptations:project-detail", args=[self.object.uuid])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}

    def form_valid(self, form):
        if not apply_service(form, lambda: services.update_details(form.instance)):
            return self.form_invalid(form)
        messages.success(self.request, _("已保存"))
        return redirect(self.get_success_url())


class ProjectStepView(ScopedAccessMixin, FormView):
    """One workflow step of a project in scope (change permission)."""

    model = AdaptationProject
    permission_action = "change"
    template_name = "adaptations/project_form.html"
    title = ""
    success_message = gettext_lazy("已保存")

    @cached_property
    def project(self) -> AdaptationProject:
        return get_project_for_user(self.request, self.kwargs["uuid"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {**super().get_initial(), **self.initial_values()}

    def initial_values(self) -> dict:
        return {}

    def get_success_url(self) -> str:
        return reverse("adaptations:project-detail", args=[self.project.uuid])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"{self.title}：{self.project.person.masked_name}",
            project=self.project,
            cancel_url=self.get_success_url(),
        )
        return context

    def form_valid(self, form):
        if not apply_service(form, lambda: self.apply(form.cleaned_data)):
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def apply(self, data) -> None:  # pragma: no cover - every step overrides
        raise NotImplementedError


class AssessView(ProjectStepView):
    form_class = forms.AssessForm
    title = gettext_lazy("入户评估")

    def initial_values(self):
        return {
            "assessed_on": self.project.assessed_on or timezone.localdate(),
            "assessment_note": self.project.assessment_note,
        }

    def apply(self, data):
        services.assess(self.project, data["assessed_on"], data["assessment_note"])


class StartView(ProjectStepView):
    form_class = forms.StartForm
    title = gettext_lazy("开工")

    def initial_values(self):
        return {"started_on": timezone.localdate()}

    def apply(self, data):
        services.start(self.project, data["started_on"])


class CompleteView(ProjectStepView):
    form_class = forms.CompleteForm
    title = gettext_lazy("完工验收")
    success_message = gettext_lazy("已完工")

    def initial_values(self):
        services.recompute_total(self.project)
        suggested = min(self.project.total_cost, services.subsidy_cap())
        return {"completed_on": timezone.localdate(), "subsidy": suggested}

    def apply(self, data):
        services.complete(self.project, data["completed_on"], data["subsidy"])


class CancelView(ProjectStepView):
    form_class = forms.CancelForm
    title = gettext_lazy("取消项目")
    success_message = gettext_lazy("已取消")

    def initial_values(self):
        return {"cancelled_on": timezone.localdate()}

    def apply(self, data):
        services.cancel(self.project, data["cancelled_on"], data["reason"])


class ItemCreateView(ProjectStepView):
    """Add an item; items follow the project's permissions."""

    form_class = forms.ItemForm
    title = gettext_lazy("添加改造明细")
    success_message = gettext_lazy("已添加")

    def form_valid(self, form):
        item = form.instance
        item.project = self.project
        if not apply_service(form, lambda: services.add_item(item)):
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class ItemDeleteView(ScopedAccessMixin, View):
    model = AdaptationProject
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, uuid):
        items = AdaptationItem.objects.for_user(request.user).select_related("project")
        item = get_object_or_404(items, uuid=uuid)
        try:
            services.remove_item(item)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已删除"))
        return redirect("adaptations:project-detail", uuid=item.project.uuid)


# Family care beds ----------------------------------------------------------------------------

BED_COLUMNS = [
    Column(gettext_lazy("老年人"), lambda b: b.person.masked_name, 10),
    Column(gettext_lazy("村（社区）"), lambda b: village_label(b.person), 22),
    Column(gettext_lazy("服务机构"), lambda b: b.provider.name, 28),
    Column(gettext_lazy("建床日期"), lambda b: b.started_on, 12),
    Column(gettext_lazy("撤床日期"), lambda b: b.ended_on, 12),
    Column(gettext_lazy("每月上门次数"), lambda b: b.visits_per_month, 8),
    Column(gettext_lazy("已适老化改造"), lambda b: yes_no(b.adaptation_id is not None), 8),
]
BED_EXPORT_COLUMNS = [
    *BED_COLUMNS,
    Column(gettext_lazy("撤床原因"), lambda b: b.get_end_reason_display(), 14),
    Column(gettext_lazy("照护计划"), lambda b: b.care_plan, 40),
]


class BedListView(RegistryListView):
    model = FamilyCareBed
    filterset_class = BedFilter
    columns = BED_COLUMNS
    export_columns = BED_EXPORT_COLUMNS
    title = gettext_lazy("家庭照护床位")
    export_name = "family-care-beds"
    detail_url_name = "adaptations:bed-detail"
    create_url_name = "adaptations:bed-create"
    select_related = ("person__area__parent", "provider")


class BedDetailView(RegistryDetailView):
    model = FamilyCareBed
    template_name = "adaptations/bed_detail.html"
    select_related = ("person__area__parent", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bed: FamilyCareBed = self.object
        user = self.request.user
        adaptation = None
        if bed.adaptation_id:
            adaptation = AdaptationProject.objects.for_user(user).filter(pk=bed.adaptation_id)
            adaptation = adaptation.first()
        can_change = user.has_perm("adaptations.change_familycarebed")
        context.update(
            title=_("家庭照护床位"),
            village=village_label(bed.person),
            person_visible=person_visible(user, bed.person),
            adaptation=adaptation,
            history=change_history(bed),
            can_change=can_change and bed.is_open,
        )
        return context


class BedCreateView(RegistryCreateView):
    model = FamilyCareBed
    form_class = forms.BedForm
    title = gettext_lazy("建立家庭照护床位")
    cancel_url_name = "adaptations:bed-list"

    @cached_property
    def given_person(self) -> Person | None:
        return elder_from_query(self.request)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.given_person}

    def form_valid(self, form):
        bed = form.instance
        if not apply_service(form, lambda: services.open_bed(bed)):
            return self.form_invalid(form)
        self.object = bed
        if self.given_person is None:
            record(self.request, AuditAction.SEARCH_PERSON, obj=bed.person, purpose="care-bed")
        messages.success(self.request, _("已建床"))
        return redirect("adaptations:bed-detail", uuid=bed.uuid)


class BedUpdateView(RegistryUpdateView):
    model = FamilyCareBed
    form_class = forms.BedUpdateForm
    title = gettext_lazy("修改照护计划")

    def get_queryset(self):
        return super().get_queryset().filter(ended_on__isnull=True)

    def get_success_url(self):
        return reverse("adaptations:bed-detail", args=[self.object.uuid])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}


class BedEndView(ScopedAccessMixin, FormView):
    model = FamilyCareBed
    permission_action = "change"
    form_class = forms.BedEndForm
    template_name = "core/form.html"

    @cached_property
    def bed(self) -> FamilyCareBed:
        queryset = FamilyCareBed.objects.for_user(self.request.user).select_related("person")
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"], ended_on__isnull=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"ended_on": timezone.localdate()}

    def get_success_url(self):
        return reverse("adaptations:bed-detail", args=[self.bed.uuid])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("撤床：%(name)s") % {"name": self.bed.person.masked_name},
            cancel_url=self.get_success_url(),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        action = lambda: services.end_bed(self.bed, data["ended_on"], data["end_reason"])  # noqa: E731
        if not apply_service(form, action):
            return self.form_invalid(form)
        messages.success(self.request, _("已撤床"))
        return redirect(self.get_success_url())
