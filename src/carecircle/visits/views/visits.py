"""The monthly due list (本月待探访), visits, follow-ups and an elder's care page."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from carecircle.areas.models import Area
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.history import change_history
from carecircle.core.views import (
    AuditedDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
    export_response,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.indicators.records import area_label
from carecircle.persons.views import active_flags_prefetch
from carecircle.visits import services
from carecircle.visits.choices import OverdueKind
from carecircle.visits.filters import VisitFilter
from carecircle.visits.forms import FollowUpDoneForm, QuickVisitForm, VisitForm, apply_errors
from carecircle.visits.models import CareWish, Pairing, Visit
from carecircle.visits.views.common import elder_for, parse_day, person_columns, safe_next

MAX_STALE_DAYS = 366


def _today():
    return timezone.localdate()


# The monthly due list ----------------------------------------------------------------------


class DueListView(ScopedAccessMixin, View):
    """The special-hardship elders of the user's scope not yet visited in a month (this month by
    default), by village, with their last visit and the overdue alerts; xlsx export."""

    model = Visit
    template_name = "visits/due_list.html"
    partial_template_name = "visits/_due_table.html"

    def get(self, request):
        context = self.context()
        if request.GET.get("export") == "xlsx":
            return self.export(context)
        template = self.template_name
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            template = self.partial_template_name
        return render(request, template, context)

    def _area(self) -> Area | None:
        code = (self.request.GET.get("area") or "").strip()
        scope = self.request.user.scope_area
        if not code or scope is None:
            return None
        return Area.objects.filter(code=code, path__startswith=scope.path).first()

    def _days(self) -> int:
        try:
            days = int(self.request.GET.get("days", ""))
        except ValueError:
            return services.stale_days()
        return max(1, min(days, MAX_STALE_DAYS))

    def context(self) -> dict:
        request = self.request
        today = _today()
        month = services.Month.parse(request.GET.get("month"), today)
        days = self._days()
        query = services.due_query(request.user, month, today, days)
        area = self._area()
        if area is not None:
            query.group = query.group.filter(area__path__startswith=area.path)
            query.due = query.due.filter(area__path__startswith=area.path)
        overdue = request.GET.get("overdue", "")
        rows = query.due
        if overdue == OverdueKind.MISSED:
            rows = rows.filter(missed_previous=True)
        elif overdue == OverdueKind.STALE:
            rows = rows.filter(services.stale_q(query.stale_before))
        else:
            overdue = ""
        rows = (
            rows.select_related("area__parent")
            .prefetch_related(active_flags_prefetch(query.on))
            .order_by("area__code", F("last_visited_on").asc(nulls_first=True), "name", "pk")
        )
        current = month == services.Month.of(today)
        scope = request.user.scope_area
        villages = services.due_by_village(query)
        summary = services.due_summary(villages)
        paginator = Paginator(rows, settings.LIST_PAGE_SIZE)
        # The count is known from the summary: spare the paginator its own pass over the group.
        paginator.__dict__["count"] = summary[overdue or "due"]
        page = paginator.get_page(request.GET.get("page"))
        for person in page.object_list:
            person.age = person.age_on(query.on)
            person.reasons = "、".join(services.hardship_reasons(person, query.on))
            person.days_since = (
                (query.on - person.last_visited_on).days if person.last_visited_on else None
            )
        keep = request.GET.copy()
        keep.pop("page", None)
        keep.pop("export", None)
        return {
            "title": _("本月待探访") if current else _("%(m)s未探访") % {"m": month.label()},
            "month": month,
            "current": current,
            "previous": month.previous(),
            "following": month.following() if not current else None,
            "on": query.on,
            "days": days,
            "area": area,
            "areas": Area.objects.filter(
                path__startswith=scope.path, level__in=("township", "village")
            ).order_by("path")
            if scope
            else Area.objects.none(),
            "overdue": overdue,
            "summary": summary,
            "villages": villages if len(villages) > 1 else [],
            "page_obj": page,
            "rows": rows,
            "querystring": keep.urlencode(),
            "can_record": request.user.has_perm("visits.add_visit"),
            "can_export": request.user.has_perm("core.export_data"),
            "record_date": None if current else month.last,
            "back": request.get_full_path(),
        }

    def export(self, context: dict):
        if not self.request.user.has_perm("core.export_data"):
            raise PermissionDenied
        on = context["on"]
        rows = context["rows"]
        columns = [
            Column(gettext_lazy("村（社区）"), lambda p: area_label(p.area), 22),
            *person_columns(lambda: on)[:3],
            Column(
                gettext_lazy("特殊困难情形"),
                lambda p: "、".join(services.hardship_reasons(p, on)),
                24,
            ),
            Column(gettext_lazy("最近探访日期"), lambda p: p.last_visited_on, 14),
            Column(
                gettext_lazy("距最近探访天数"),
                lambda p: (on - p.last_visited_on).days if p.last_visited_on else None,
                10,
            ),
            Column(gettext_lazy("上月漏访"), lambda p: yes_no(p.missed_previous), 8),
        ]
        return export_response(self.request, rows, columns, context["title"], "visits-due")


# Visits ---------------------------------------------------------------------------------------


def _findings(visit: Visit) -> str:
    return visit.findings_display


def _follow_up(visit: Visit) -> str:
    if not visit.follow_up_needed:
        return ""
    if visit.follow_up_done_on:
        return _("已跟进 %(d)s") % {"d": visit.follow_up_done_on.isoformat()}
    return _("待跟进")


VISIT_COLUMNS = [
    Column(gettext_lazy("探访日期"), lambda v: v.visited_on, 12),
    *person_columns(_today, lambda v: v.person),
    Column(gettext_lazy("方式"), lambda v: v.get_mode_display(), 6),
    Column(gettext_lazy("探访人"), lambda v: v.visitor_name, 10),
    Column(gettext_lazy("服务机构"), lambda v: v.provider.name if v.provider_id else "", 24),
    Column(gettext_lazy("探访情况"), _findings, 20),
    Column(gettext_lazy("跟进"), _follow_up, 14),
]
VISIT_EXPORT_COLUMNS = [
    *VISIT_COLUMNS[:-1],
    Column(gettext_lazy("情况说明"), lambda v: v.note, 30),
    Column(gettext_lazy("需要跟进"), lambda v: yes_no(v.follow_up_needed), 8),
    Column(gettext_lazy("跟进事项"), lambda v: v.follow_up_note, 24),
    Column(gettext_lazy("跟进完成日期"), lambda v: v.follow_up_done_on, 12),
]


class VisitListView(RegistryListView):
    model = Visit
    filterset_class = VisitFilter
    columns = VISIT_COLUMNS
    export_columns = VISIT_EXPORT_COLUMNS
    title = gettext_lazy("探访记录")
    export_name = "visits"
    detail_url_name = "visits:visit-detail"
    select_related = ("person__area__parent", "provider")
    template_name = "visits/list.html"


class FollowUpListView(RegistryListView):
    """Visits whose follow-up is still open, oldest first, each with a "done" action."""

    model = Visit
    filterset_class = VisitFilter
    columns = VISIT_COLUMNS[:-1] + [Column(gettext_lazy("跟进事项"), lambda v: v.follow_up_note)]
    export_columns = VISIT_EXPORT_COLUMNS
    title = gettext_lazy("待跟进事项")
    export_name = "visits-follow-ups"
    detail_url_name = "visits:visit-detail"
    select_related = ("person__area__parent", "provider")
    template_name = "visits/follow_up_list.html"
    partial_template_name = "visits/_follow_up_table.html"

    def get_queryset(self):
        return (
            services.pending_follow_ups(self.request.user)
            .select_related(*self.select_related)
            .order_by("visited_on", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_complete"] = self.request.user.has_perm("visits.change_visit")
        context["today"] = _today()
        return context


class VisitDetailView(AuditedDetailView):
    """A visit with its findings (personal information): every view is audited."""

    model = Visit
    template_name = "visits/visit_detail.html"
    select_related = ("person__area__parent", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit = self.object
        context.update(
            title=_("探访记录"),
            visit=visit,
            person=visit.person,
            history=change_history(visit),
            can_change=self.request.user.has_perm("visits.change_visit"),
            done_form=FollowUpDoneForm() if visit.follow_up_pending else None,
        )
        return context


class VisitCreateView(ScopedAccessMixin, View):
    """Record a visit of one elder. From the due list (htmx) the form opens in the row and, once
    saved, the row says so; without JavaScript it is a page that returns to ``next``."""

    model = Visit
    permission_action = "add"

    @cached_property
    def person(self):
        return elder_for(self.request, self.kwargs["uuid"])

    def _htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))

    def _return_to(self) -> str:
        """Where "cancel" goes: the page the htmx form sits in, else the elder's page."""
        htmx = getattr(self.request, "htmx", None)
        current = htmx.current_url_abs_path if htmx else None
        return current or reverse("visits:elder", args=[self.person.uuid])

    def _form_class(self):
        return QuickVisitForm if self._htmx() else VisitForm

    def _render(self, form, status=200):
        request = self.request
        context = {
            "form": form,
            "person": self.person,
            "title": _("记录探访：%(n)s") % {"n": self.person.masked_name},
            "next": safe_next(request, self._return_to()),
            "action": request.path,
            "columns": form_columns(request),
        }
        template = "visits/_quick_visit.html" if self._htmx() else "visits/visit_form.html"
        return render(request, template, context, status=status)

    def get(self, request, uuid):
        form = self._form_class()(user=request.user, person=self.person)
        day = parse_day(request.GET.get("date"))
        if day is not None:
            form.initial["visited_on"] = day
        return self._render(form)

    def post(self, request, uuid):
        form = self._form_class()(request.POST, user=request.user, person=self.person)
        if form.is_valid():
            visit = form.save(commit=False)
            visit.person = self.person
            try:
                services.record_visit(visit, request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if self._htmx():
                    return render(
                        request,
                        "visits/_due_row_done.html",
                        {"person": self.person, "visit": visit, "columns": form_columns(request)},
                    )
                messages.success(request, _("已记录探访"))
                return redirect(safe_next(request, reverse("visits:elder", args=[uuid])))
        return self._render(form, status=200 if self._htmx() else 400)


def form_columns(request) -> int:
    try:
        return max(1, int(request.POST.get("columns") or request.GET.get("columns") or 8))
    except ValueError:
        return 8


class VisitUpdateView(RegistryUpdateView):
    model = Visit
    form_class = VisitForm
    title = gettext_lazy("修改探访记录")
    template_name = "visits/visit_form.html"
    select_related = ("person__area",)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.object.person}

    def get_success_url(self) -> str:
        return reverse("visits:visit-detail", args=[self.object.uuid])

    def form_valid(self, form):
        try:
            services.record_visit(form.instance, self.request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存"))
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(person=self.object.person, cancel_url=self.get_success_url())
        return context


class FollowUpDoneView(ScopedAccessMixin, View):
    """POST: the follow-up of a visit is done (on the given day)."""

    model = Visit
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, uuid):
        visit = get_object_or_404(
            Visit.objects.for_user(request.user).select_related("person__area__parent"), uuid=uuid
        )
        form = FollowUpDoneForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                services.complete_follow_up(visit, form.cleaned_data["done_on"])
            except ValidationError as exc:
                error = "；".join(exc.messages)
        else:
            error = "；".join(e for errors in form.errors.values() for e in errors)
        if getattr(request, "htmx", False):
            return render(
                request,
                "visits/_follow_up_row.html",
                {"visit": visit, "error": error, "today": _today(), "can_complete": True},
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("已标记跟进完成"))
        return redirect(safe_next(request, reverse("visits:visit-detail", args=[uuid])))


# An elder's care page ---------------------------------------------------------------------------


class ElderCareView(ScopedAccessMixin, View):
    """One elder's visits, 一助一 pairs with their help, and wishes for concentrated care.
    Audited like the person's record."""

    model = Visit

    def get(self, request, uuid):
        person = elder_for(request, uuid)
        user = request.user
        today = _today()
        record(request, AuditAction.VIEW_RECORD, obj=person, page="visits")
        in_group = services.special_hardship_elders(user, today).filter(pk=person.pk).exists()
        person.active_flags = list(
            person.hardship_flags.filter(valid_from__lte=today).exclude(valid_to__lte=today)
        )
        pairings = Pairing.objects.for_user(user).filter(person=person).select_related("helper")
        wishes = services.wishes_with_placement(
            CareWish.objects.for_user(user)
            .filter(person=person)
            .select_related("preferred_provider"),
            today,
        )
        extreme_poor = (
            type(person).objects.filter(pk=person.pk).filter(services.extreme_poverty_q(today))
        ).exists()
        context = {
            "title": _("探访关爱：%(n)s") % {"n": person.masked_name},
            "person": person,
            "today": today,
            "age": person.age_on(today),
            "in_group": in_group,
            "reasons": "、".join(services.hardship_reasons(person, today)),
            "visits": Visit.objects.for_user(user)
            .filter(person=person)
            .select_related("provider")[:24],
            "pairings": pairings,
            "active_pairing": next((p for p in pairings if p.ended_on is None), None),
            "wishes": wishes,
            "has_open_wish": any(w.withdrawn_on is None for w in wishes),
            "extreme_poor": extreme_poor,
            "can_visit": user.has_perm("visits.add_visit"),
            "can_pair": user.has_perm("visits.add_pairing"),
            "can_wish": user.has_perm("visits.add_carewish"),
            "can_view_person": user.has_perm("persons.view_person"),
        }
        return render(request, "visits/elder.html", context)
