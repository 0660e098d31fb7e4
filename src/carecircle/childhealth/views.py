"""Infant health pages: a list (filters, xlsx export), create/edit forms and a detail page per
record kind; each child's record (done / due / overdue); the worklist of children with overdue
items per village; the immunisation schedule.

Every view starts from the scoped queryset (``objects.for_user``): a record or child outside the
user's area is not found (404). Reading a child's health records is audited (R18).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.childhealth import filters, services
from carecircle.childhealth import forms as chforms
from carecircle.childhealth.choices import DISEASES, ItemState
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core.choices import Domain
from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    export_response,
    htmx_render,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.persons.models import Person

IMPORT_SLUG = "child-health"
VIEW_PERMISSION = "childhealth.view_vaccination"


def _today():
    return timezone.localdate()


def _child_columns():
    return [
        Column(gettext_lazy("姓名"), lambda r: r.child.masked_name, 10),
        Column(gettext_lazy("出生日期"), lambda r: r.child.birth_date, 12),
        Column(gettext_lazy("村（社区）"), lambda r: r.child.area.name, 16),
    ]


@dataclass(frozen=True)
class Kind:
    """One record kind: its model, forms, filter, list columns and URL slug."""

    slug: str
    model: type
    form: type
    create_form: type
    filterset: type
    title: str
    date_label: str
    date_field: str
    columns: tuple

    def url(self, action: str) -> str:
        return f"childhealth:{self.slug}-{action}"


def _date(field):
    return lambda r: getattr(r, field)


KINDS = (
    Kind(
        "visit",
        NewbornVisit,
        chforms.NewbornVisitForm,
        chforms.NewbornVisitCreateForm,
        filters.NewbornVisitFilter,
        gettext_lazy("新生儿访视"),
        gettext_lazy("访视日期"),
        "visited_on",
        (
            Column(gettext_lazy("出生后天数"), lambda r: r.age_days, 8),
            Column(gettext_lazy("访视人员"), lambda r: r.visitor, 10),
            Column(gettext_lazy("访视机构"), lambda r: r.institution_name, 24),
        ),
    ),
    Kind(
        "screening",
        NewbornScreening,
        chforms.NewbornScreeningForm,
        chforms.NewbornScreeningCreateForm,
        filters.NewbornScreeningFilter,
        gettext_lazy("新生儿疾病筛查"),
        gettext_lazy("采血日期"),
        "sampled_on",
        (
            Column(gettext_lazy("四病均已筛查"), lambda r: yes_no(r.complete), 8),
            Column(gettext_lazy("筛查结果"), lambda r: r.get_result_display(), 16),
            Column(gettext_lazy("采血机构"), lambda r: r.institution_name, 24),
        ),
    ),
    Kind(
        "vaccination",
        Vaccination,
        chforms.VaccinationForm,
        chforms.VaccinationCreateForm,
        filters.VaccinationFilter,
        gettext_lazy("预防接种"),
        gettext_lazy("接种日期"),
        "given_on",
        (
            Column(gettext_lazy("疫苗剂次"), lambda r: r.dose.label, 24),
            Column(gettext_lazy("疫苗批号"), lambda r: r.batch, 14),
            Column(gettext_lazy("接种单位"), lambda r: r.clinic, 24),
        ),
    ),
    Kind(
        "check",
        ChildHealthCheck,
        chforms.ChildHealthCheckForm,
        chforms.ChildHealthCheckCreateForm,
        filters.ChildHealthCheckFilter,
        gettext_lazy("儿童健康检查"),
        gettext_lazy("检查日期"),
        "checked_on",
        (
            Column(gettext_lazy("检查月龄"), lambda r: r.get_checkpoint_display(), 8),
            Column(gettext_lazy("体重（kg）"), lambda r: r.weight_kg, 8),
            Column(gettext_lazy("身长（cm）"), lambda r: r.length_cm, 8),
            Column(gettext_lazy("头围（cm）"), lambda r: r.head_cm, 8),
            Column(gettext_lazy("检查机构"), lambda r: r.institution_name, 24),
        ),
    ),
    Kind(
        "guidance",
        DevelopmentGuidance,
        chforms.DevelopmentGuidanceForm,
        chforms.DevelopmentGuidanceCreateForm,
        filters.DevelopmentGuidanceFilter,
        gettext_lazy("早期发展指导"),
        gettext_lazy("指导日期"),
        "given_on",
        (
            Column(gettext_lazy("指导内容"), lambda r: r.get_topic_display(), 12),
            Column(gettext_lazy("指导方式"), lambda r: r.get_mode_display(), 12),
            Column(gettext_lazy("指导人员"), lambda r: r.given_by, 10),
        ),
    ),
)
KIND_BY_MODEL = {kind.model: kind for kind in KINDS}


def _nav(request) -> list[tuple[str, str]]:
    """The app's pages the user may open (a strip of links on each of them)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        return []
    links = [(reverse("childhealth:overdue"), _("逾期工作清单"))]
    links += [(reverse(kind.url("list")), str(kind.title)) for kind in KINDS]
    links.append((reverse("childhealth:schedule"), _("免疫程序")))
    return links


class RecordListView(RegistryListView):
    template_name = "childhealth/record_list.html"
    kind: Kind

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "list_page": True}

    def _import_url(self) -> str | None:
        try:
            return super()._import_url()
        except Http404:  # the importer is not (yet) listed in CARECIRCLE_IMPORTERS
            return None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "nav": _nav(self.request)}


class RecordDetailView(RegistryDetailView):
    """A child's health record: every view is audited (R18)."""

    template_name = "childhealth/record_detail.html"
    kind: Kind

    def get_queryset(self):
        return super().get_queryset().select_related("child__area")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record(request, AuditAction.VIEW_RECORD, obj=self.object)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj, kind = self.object, self.kind
        fields = [
            f
            for f in kind.model._meta.concrete_fields
            if f.name not in ("id", "uuid", "created_at", "updated_at", "child")
        ]
        rows = []
        for field in fields:
            display = getattr(obj, f"get_{field.name}_display", None)
            value = display() if display else getattr(obj, field.name)
            if isinstance(value, bool):
                value = yes_no(value)
            rows.append((field.verbose_name, value))
        context.update(
            title=kind.title,
            record=obj,
            child=obj.child,
            rows=rows,
            list_url=reverse(kind.url("list")),
            edit_url=reverse(kind.url("update"), args=[obj.uuid]),
            can_edit=self.request.user.has_perm(
                f"childhealth.change_{kind.model._meta.model_name}"
            ),
            history=change_history(obj),
            nav=_nav(self.request),
        )
        return context


def _child_from_query(request) -> Person | None:
    """The child named by ``?child=<uuid>`` (from the record page), among the user's persons."""
    raw = request.GET.get("child") or request.POST.get("child")
    if not raw:
        return None
    try:
        key = uuid.UUID(raw)
    except ValueError as exc:  # a malformed identifier is "not found" too
        raise Http404 from exc
    return get_object_or_404(
        Person.objects.for_user(request.user).filter(domain=Domain.CHILDCARE), uuid=key
    )


class RecordCreateView(RegistryCreateView):
    kind: Kind

    def get_form_class(self):
        return self.kind.form if self.child is not None else self.kind.create_form

    def dispatch(self, request, *args, **kwargs):
        self.child = _child_from_query(request) if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "child": self.child}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.child is not None:
            context["cancel_url"] = reverse("childhealth:child", args=[self.child.uuid])
            context["title"] = f"{self.title} · {self.child.masked_name}"
        return context

    def form_valid(self, form):
        self.object = form.save()
        if self.child is None:
            # Finding a person by full ID number is a person search (R18).
            record(self.request, AuditAction.SEARCH_PERSON, obj=self.object.child, purpose="child")
        messages.success(self.request, _("已保存"))
        if self.child is not None:
            return redirect("childhealth:child", uuid=self.child.uuid)
        return redirect(self.kind.url("detail"), uuid=self.object.uuid)


class RecordUpdateView(RegistryUpdateView):
    kind: Kind

    def get_form_class(self):
        return self.kind.form

    def get_queryset(self):
        return super().get_queryset().select_related("child")

    def get_success_url(self) -> str:
        return reverse(self.kind.url("detail"), args=[self.object.uuid])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}


def kind_urls() -> list:
    """list, new, detail and edit for each record kind."""
    patterns = []
    for kind in KINDS:
        columns = [
            Column(kind.date_label, _date(kind.date_field), 12),
            *_child_columns(),
            *kind.columns,
        ]
        common = {"model": kind.model, "kind": kind}
        list_view = type(
            f"{kind.model.__name__}ListView",
            (RecordListView,),
            {
                **common,
                "filterset_class": kind.filterset,
                "columns": columns,
                "title": kind.title,
                "export_name": f"childhealth-{kind.slug}",
                "detail_url_name": kind.url("detail"),
                "create_url_name": kind.url("create"),
                "import_slug": IMPORT_SLUG,
                "select_related": ("child__area", "dose")
                if kind.model is Vaccination
                else ("child__area",),
            },
        )
        detail = type(f"{kind.model.__name__}DetailView", (RecordDetailView,), common)
        create = type(
            f"{kind.model.__name__}CreateView",
            (RecordCreateView,),
            {
                **common,
                "title": _title(gettext_lazy("登记"), kind),
                "cancel_url_name": kind.url("list"),
            },
        )
        update = type(
            f"{kind.model.__name__}UpdateView",
            (RecordUpdateView,),
            {**common, "title": _title(gettext_lazy("修改"), kind)},
        )
        patterns += [
            path(f"{kind.slug}s/", list_view.as_view(), name=f"{kind.slug}-list"),
            path(f"{kind.slug}s/new/", create.as_view(), name=f"{kind.slug}-create"),
            path(f"{kind.slug}s/<uuid:uuid>/", detail.as_view(), name=f"{kind.slug}-detail"),
            path(f"{kind.slug}s/<uuid:uuid>/edit/", update.as_view(), name=f"{kind.slug}-update"),
        ]
    return patterns


def _title(verb, kind: Kind):
    return format_lazy("{}{}", verb, kind.title)


class ChildHealthAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = VIEW_PERMISSION

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied


class ChildRecordView(ChildHealthAccessMixin, View):
    """A child's infant-health record: each scheduled item done, due, overdue or missed, and the
    records themselves. Reading it is audited."""

    def get(self, request, uuid):
        child = get_object_or_404(
            Person.objects.for_user(request.user)
            .filter(domain=Domain.CHILDCARE)
            .select_related("area"),
            uuid=uuid,
        )
        today = _today()
        items = services.child_items(child, today)
        record(request, AuditAction.VIEW_RECORD, obj=child, purpose="childhealth")
        records = []
        for kind in KINDS:
            qs = kind.model.objects.for_user(request.user).filter(child=child)
            if kind.model is Vaccination:
                qs = qs.select_related("dose")
            records.append(
                {
                    "kind": kind,
                    "rows": [
                        (row, reverse(kind.url("detail"), args=[row.uuid]))
                        for row in qs.order_by(kind.date_field)
                    ],
                    "create_url": reverse(kind.url("create")) + f"?child={child.uuid}",
                    "can_add": request.user.has_perm(
                        f"childhealth.add_{kind.model._meta.model_name}"
                    ),
                }
            )
        context = {
            "title": _("婴幼儿健康档案"),
            "child": child,
            "today": today,
            "items": items,
            "summary": services.summary(items),
            "records": records,
            "states": ItemState,
            "months": child.age_in_months(today),
            "nav": _nav(request),
        }
        return render(request, "childhealth/child_record.html", context)


OVERDUE_COLUMNS = [
    Column(gettext_lazy("村（社区）"), lambda p: p.area.name, 16),
    Column(gettext_lazy("姓名"), lambda p: p.masked_name, 10),
    Column(gettext_lazy("身份证号"), lambda p: p.id_number_masked, 22),
    Column(gettext_lazy("出生日期"), lambda p: p.birth_date, 12),
    Column(gettext_lazy("新生儿访视逾期"), lambda p: yes_no(p.visit_overdue), 8),
    Column(gettext_lazy("新生儿筛查逾期"), lambda p: yes_no(p.screening_overdue), 8),
    Column(gettext_lazy("疫苗接种逾期"), lambda p: yes_no(p.vaccine_overdue), 8),
    Column(gettext_lazy("健康检查逾期"), lambda p: yes_no(p.check_overdue), 8),
]


class OverdueListView(ChildHealthAccessMixin, View):
    """The worklist per village: children under 3 with an overdue item on today."""

    title = gettext_lazy("婴幼儿健康服务逾期工作清单")

    def get(self, request):
        today = _today()
        children = services.overdue_children(Person.objects.for_user(request.user), today)
        filterset = filters.OverdueFilter(request.GET or None, queryset=children, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else children
        if request.GET.get("export") == "xlsx":
            if not request.user.has_perm("core.export_data"):
                raise PermissionDenied
            return export_response(
                request, rows, OVERDUE_COLUMNS, self.title, "childhealth-overdue"
            )
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
        for child in page:
            child.overdue_flags = (
                child.visit_overdue,
                child.screening_overdue,
                child.vaccine_overdue,
                child.check_overdue,
            )
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": self.title,
            "filter": filterset,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "rows": page,
            "today": today,
            "querystring": query.urlencode(),
            "can_export": request.user.has_perm("core.export_data"),
            "nav": _nav(request),
        }
        return htmx_render(
            request, "childhealth/overdue_list.html", "childhealth/_overdue_table.html", context
        )


class ScheduleView(ChildHealthAccessMixin, View):
    """The immunisation schedule in force (read-only here; kept as data)."""

    def get(self, request):
        from carecircle.childhealth import schedule

        context = {
            "title": _("国家免疫规划疫苗儿童免疫程序"),
            "doses": VaccineDose.objects.for_user(request.user),
            "vaccine_grace": schedule.vaccine_grace_days(),
            "check_grace": schedule.check_grace_days(),
            "diseases": [label for _name, label in DISEASES],
            "nav": _nav(request),
        }
        return render(request, "childhealth/schedule.html", context)
