"""Assessment pages: the list, the audited detail (the result with its explanation), the assessor's
form with its live score, an elder's history and the due worklist per village.

Every view starts from ``Assessment.objects.for_user`` or ``Person.objects.for_user``: out of
scope is 404 (R1). Names are looked up by POST only (R25); ID numbers are shown masked (R24).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.assessments import services
from carecircle.assessments.choices import DueReason, Validity
from carecircle.assessments.filters import AssessmentListFilter, DueFilter
from carecircle.assessments.forms import AssessmentForm, PersonSearchForm, scoped_elders
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import standard
from carecircle.assessments.worklist import due_elders
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.fields import id_number_index
from carecircle.core.history import change_history
from carecircle.core.idnumbers import mask_id_number, parse_resident_id
from carecircle.core.views import (
    AuditedDetailView,
    RegistryListView,
    ScopedAccessMixin,
    export_response,
    htmx_render,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.persons.models import Person

SEARCH_LIMIT = 20
ID_PATTERN = re.compile(r"^(\d{15}|\d{17}[\dXx])$")


def _today() -> dt.date:
    return timezone.localdate()


def level_label(level: int | None) -> str:
    return standard().level(level).name if level is not None else ""


def reason_label(code: str) -> str:
    reason = standard().reason(code)
    return reason.name if reason else code


def validity_label(assessment: Assessment) -> str:
    return str(Validity(assessment.validity_on(_today(), services.due_days())).label)


def adjustments_label(assessment: Assessment) -> str:
    rules = standard().rules
    return "、".join(rules[code].name for code in assessment.adjustments if code in rules)


def disease_names(codes) -> str:
    return "、".join(d.label for code in codes if (d := standard().disease(code)))


def domain_columns() -> list[Column]:
    return [
        Column(
            f"{domain.code} {domain.name}",
            lambda a, code=domain.code: next(s for c, _n, s, _m in a.domain_scores if c == code),
            10,
        )
        for domain in standard().domains
    ]


LIST_COLUMNS = [
    Column(gettext_lazy("姓名"), lambda a: a.person.name, 12),
    Column(gettext_lazy("身份证号"), lambda a: a.person.id_number_masked, 22),
    Column(gettext_lazy("村（社区）"), lambda a: a.person.area.name, 18),
    Column(gettext_lazy("评估日期"), lambda a: a.assessed_on, 12),
    Column(gettext_lazy("评估原因"), lambda a: reason_label(a.reason), 14),
    Column(gettext_lazy("总分"), lambda a: a.initial_score, 6),
    Column(gettext_lazy("能力等级"), lambda a: level_label(a.final_level), 22),
    Column(gettext_lazy("有效期至"), lambda a: a.valid_until, 12),
    Column(gettext_lazy("状态"), validity_label, 8),
]


class AssessmentListView(RegistryListView):
    model = Assessment
    filterset_class = AssessmentListFilter
    title = gettext_lazy("老年人能力评估")
    export_name = "assessments"
    create_url_name = "assessments:assessment-create"
    import_slug = "assessments"
    detail_url_name = "assessments:assessment-detail"
    select_related = ("person__area", "agency")
    private_filters = ("q",)
    columns = LIST_COLUMNS

    @property
    def export_columns(self):
        return [
            *LIST_COLUMNS[:6],
            *domain_columns(),
            Column(_("初步等级"), lambda a: level_label(a.initial_level), 22),
            Column(_("等级变更依据"), adjustments_label, 24),
            *LIST_COLUMNS[6:],
            Column(_("疾病诊断"), lambda a: disease_names(a.diseases), 24),
            Column(_("近30天风险事件"), lambda a: len(a.risk_events), 8),
            Column(_("昏迷"), lambda a: yes_no(a.coma), 6),
            Column(_("评估员"), lambda a: a.assessor_name, 10),
            Column(_("第二评估员"), lambda a: a.second_assessor_name, 10),
            Column(_("评估机构"), lambda a: a.agency.name if a.agency else "", 24),
            Column(_("作废日期"), lambda a: a.invalidated_on, 12),
        ]


class AssessmentDetailView(AuditedDetailView):
    """The result: score, levels and the rules that changed them; every view is audited."""

    model = Assessment
    template_name = "assessments/assessment_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("person__area", "agency", "assessor", "superseded_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment: Assessment = self.object
        scores = assessment.item_scores
        items = [
            (
                domain,
                subtotal,
                [
                    (item, scores.get(item.code), item.option(scores.get(item.code, -1)))
                    for item in domain.items
                ],
            )
            for (domain, subtotal) in services.domain_totals(scores)
        ]
        superseded = Assessment.objects.for_user(self.request.user).filter(superseded_by=assessment)
        context.update(
            title=_("能力评估结果"),
            person=assessment.person,
            today=_today(),
            items=items,
            explanation=services.explain(assessment.adjustments),
            initial=standard().level(assessment.initial_level),
            final=standard().level(assessment.final_level),
            reason=reason_label(assessment.reason),
            validity=validity_label(assessment),
            validity_code=assessment.validity_on(_today(), services.due_days()),
            diseases=[standard().disease(code) for code in assessment.diseases],
            events=[(standard().risk_kind(e["kind"]), e["date"]) for e in assessment.risk_events],
            superseded=superseded,
            superseded_by=(
                assessment.superseded_by
                if assessment.superseded_by_id
                and Assessment.objects.for_user(self.request.user)
                .filter(pk=assessment.superseded_by_id)
                .exists()
                else None
            ),
            max_score=standard().max_score,
            recorder=(
                assessment.assessor.get_full_name() or assessment.assessor.username
                if assessment.assessor
                else ""
            ),
            history=change_history(assessment),
            can_change=self.request.user.has_perm("assessments.change_assessment"),
        )
        return context


class AssessmentFormMixin(ScopedAccessMixin):
    model = Assessment
    form_class = AssessmentForm
    template_name = "assessments/assessment_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            assessment = form.save()
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("评估已保存"))
        return redirect("assessments:assessment-detail", uuid=assessment.uuid)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        person = form.selected_person()
        context.update(
            picking="person" in form.fields,
            person=person,
            person_age=person.age_on(_today()) if person else None,
            search_form=PersonSearchForm(),
            preview=preview_context(form.data if form.is_bound else initial_data(form)),
            max_score=standard().max_score,
        )
        return context


def initial_data(form: AssessmentForm) -> dict:
    """The unbound form's initial values in the shape a POST would have (for the first panel)."""
    data = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if value not in (None, "", []):
            data[name] = value
    return data


class AssessmentCreateView(AssessmentFormMixin, FormView):
    permission_action = "add"

    @cached_property
    def person(self) -> Person | None:
        wanted = self.request.GET.get("person")
        if not wanted:
            return None
        try:
            return get_object_or_404(scoped_elders(self.request.user), uuid=wanted)
        except ValidationError as exc:  # not a UUID
            raise Http404 from exc

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.person}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("新增能力评估")
        context["cancel_url"] = (
            reverse("assessments:person-history", args=[self.person.uuid])
            if self.person
            else reverse("assessments:assessment-list")
        )
        return context


class AssessmentUpdateView(AssessmentFormMixin, FormView):
    permission_action = "change"

    @cached_property
    def object(self) -> Assessment:
        queryset = Assessment.objects.for_user(self.request.user).select_related("person__area")
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改能力评估")
        context["cancel_url"] = reverse("assessments:assessment-detail", args=[self.object.uuid])
        return context


class EditorMixin(ScopedAccessMixin):
    """Helpers of the form (live score, person search): for those who may add or change."""

    model = Assessment
    http_method_names = ["post"]

    def has_permission(self) -> bool:
        user = self.request.user
        return user.has_perm("assessments.add_assessment") or user.has_perm(
            "assessments.change_assessment"
        )


def _checked(data, name: str) -> bool:
    return str(data.get(name, "")).lower() in ("on", "true", "1", "yes")


def preview_context(data) -> dict:
    """The running score of a (possibly unfinished) form: points, domain subtotals, levels,
    the C.4 rules that apply and the validity, or the problems that prevent scoring."""
    getlist = data.getlist if hasattr(data, "getlist") else lambda n: data.get(n) or []
    try:
        on = dt.date.fromisoformat(str(data.get("assessed_on") or ""))
    except ValueError:
        on = None
    items = {item.code: data.get(item.field_name, "") for item in standard().items}
    events = []
    for number in range(1, 50):
        kind, day = data.get(f"risk_kind_{number}"), data.get(f"risk_date_{number}")
        if kind is None and day is None:
            break
        try:
            if kind and day:
                events.append({"kind": kind, "date": dt.date.fromisoformat(str(day))})
        except ValueError:
            continue
    context = {"max_score": standard().max_score, "assessed_on": on, "errors": []}
    try:
        result = services.evaluate(
            items,
            coma=_checked(data, "coma"),
            diseases=list(getlist("diseases")),
            risk_events=events,
            assessed_on=on,
            partial=True,
        )
    except ValidationError as exc:
        context["errors"] = exc.messages
        return context
    hints = services.check_assessors(
        data.get("assessor_name", ""),
        _checked(data, "assessor_medical"),
        data.get("second_assessor_name", ""),
        _checked(data, "second_assessor_medical"),
    )
    context.update(
        result=result,
        initial=standard().level(result.initial_level)
        if result.initial_level is not None
        else None,
        final=standard().level(result.final_level) if result.final_level is not None else None,
        explanation=services.explain(result.adjustments),
        valid_until=services.valid_until_for(on) if on else None,
        hints=list(hints.values()),
    )
    return context


class PreviewView(EditorMixin, View):
    """POST the whole form; the score panel comes back (htmx swaps it in as the form is filled)."""

    def post(self, request):
        return render(request, "assessments/_score_panel.html", preview_context(request.POST))


class PersonSearchView(EditorMixin, View):
    """Elders in scope by name (contains) or by ID number (exact); ID searches are audited."""

    def post(self, request):
        form = PersonSearchForm(request.POST)
        results, searched = [], ""
        if form.is_valid() and form.cleaned_data["person_q"]:
            text = form.cleaned_data["person_q"]
            elders = scoped_elders(request.user).select_related("area").order_by("name", "pk")
            if ID_PATTERN.match(text):
                try:
                    number = parse_resident_id(text).number
                except ValidationError:
                    number = None
                if number:
                    results = list(elders.filter(id_number_index=id_number_index(number))[:1])
                    searched = mask_id_number(number)
                    record(request, AuditAction.SEARCH_PERSON, label=searched, results=len(results))
            else:
                results = list(elders.filter(name__icontains=text)[:SEARCH_LIMIT])
                searched = text
        today = _today()
        context = {"results": [(p, p.age_on(today)) for p in results], "searched": searched}
        return render(request, "assessments/_person_results.html", context)


class PersonHistoryView(ScopedAccessMixin, View):
    """One elder's assessments, newest first (audited like the person's record)."""

    model = Assessment

    def get(self, request, uuid):
        person = get_object_or_404(
            Person.objects.for_user(request.user).select_related("area"), uuid=uuid
        )
        assessments = list(
            Assessment.objects.for_user(request.user)
            .filter(person=person)
            .order_by("-assessed_on", "-created_at")
        )
        record(request, AuditAction.VIEW_RECORD, obj=person, page="assessments")
        today = _today()
        current = Assessment.objects.for_user(request.user).latest_valid([person.pk], today).first()
        context = {
            "title": _("能力评估记录"),
            "person": person,
            "age": person.age_on(today),
            "rows": [
                (a, reason_label(a.reason), level_label(a.final_level), validity_label(a))
                for a in assessments
            ],
            "current": current,
            "current_level": level_label(current.final_level) if current else "",
            "can_add": request.user.has_perm("assessments.add_assessment")
            and person.domain == "elderly"
            and person.merged_into_id is None,
        }
        return render(request, "assessments/person_history.html", context)


DUE_COLUMNS = [
    Column(gettext_lazy("村（社区）"), lambda p: p.area.name, 18),
    Column(gettext_lazy("姓名"), lambda p: p.name, 12),
    Column(gettext_lazy("身份证号"), lambda p: p.id_number_masked, 22),
    Column(gettext_lazy("年龄"), lambda p: p.age_on(_today()), 6),
    Column(gettext_lazy("待评估原因"), lambda p: str(DueReason(p.due_reason).label), 22),
    Column(gettext_lazy("上次评估日期"), lambda p: p.last_assessed_on, 12),
    Column(gettext_lazy("上次能力等级"), lambda p: level_label(p.last_level), 22),
    Column(gettext_lazy("有效期至"), lambda p: p.expires_on, 12),
]


class DueListView(ScopedAccessMixin, View):
    """The worklist per village: 80+ without a valid assessment, and expiring assessments."""

    model = Assessment
    template_name = "assessments/due_list.html"
    title = gettext_lazy("待评估名单")

    def days(self) -> int:
        try:
            days = int(self.request.GET.get("days", services.due_days()))
        except ValueError:
            days = services.due_days()
        return max(1, min(days, 366))

    def get(self, request):
        today, days = _today(), self.days()
        persons = due_elders(Person.objects.for_user(request.user), today, days)
        filterset = DueFilter(request.GET or None, queryset=persons, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else persons
        if request.GET.get("export") == "xlsx":
            if not request.user.has_perm("core.export_data"):
                raise PermissionDenied
            return export_response(request, rows, DUE_COLUMNS, self.title, "assessments-due")
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": self.title,
            "filter": filterset,
            "days": days,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "rows": [
                (
                    person,
                    str(DueReason(person.due_reason).label),
                    level_label(person.last_level),
                    person.age_on(today),
                )
                for person in page
            ],
            "today": today,
            "querystring": query.urlencode(),
            "can_export": request.user.has_perm("core.export_data"),
            "can_add": request.user.has_perm("assessments.add_assessment"),
        }
        return htmx_render(request, self.template_name, "assessments/_due_table.html", context)
