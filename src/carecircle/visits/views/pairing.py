"""一助一: helpers, unpaired elders with suggestions by distance, pairs and their help logs."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.indicators.records import area_label
from carecircle.persons.models import Person
from carecircle.persons.views import active_flags_prefetch
from carecircle.visits import services
from carecircle.visits.filters import HelperFilter, PairingFilter, PersonAreaFilter
from carecircle.visits.forms import EndPairingForm, HelperForm, HelpLogForm, PairForm, apply_errors
from carecircle.visits.models import Helper, HelpLog, Pairing
from carecircle.visits.views.common import elder_for, person_columns


def _today():
    return timezone.localdate()


# Helpers ----------------------------------------------------------------------------------------

HELPER_COLUMNS = [
    Column(gettext_lazy("姓名"), lambda h: h.name, 10),
    Column(gettext_lazy("类型"), lambda h: h.get_kind_display(), 10),
    Column(gettext_lazy("村（社区）"), lambda h: area_label(h.area), 22),
    Column(gettext_lazy("联系电话"), lambda h: h.phone_masked, 14),
    Column(gettext_lazy("在结对老人"), lambda h: h.load, 8),
    Column(gettext_lazy("可再结对"), lambda h: services.free_places(h), 8),
    Column(gettext_lazy("在帮"), lambda h: yes_no(h.active), 6),
]


class HelperListView(RegistryListView):
    model = Helper
    filterset_class = HelperFilter
    columns = HELPER_COLUMNS
    export_columns = [*HELPER_COLUMNS, Column(gettext_lazy("住址"), lambda h: h.address, 30)]
    title = gettext_lazy("帮扶人")
    export_name = "helpers"
    detail_url_name = "visits:helper-detail"
    create_url_name = "visits:helper-create"
    select_related = ("area__parent",)
    private_filters = ("q",)  # helpers' names
    template_name = "visits/list.html"

    def get_queryset(self):
        return services.with_load(super().get_queryset())


class HelperDetailView(RegistryDetailView):
    model = Helper
    template_name = "visits/helper_detail.html"

    def get_queryset(self):
        return services.with_load(super().get_queryset().select_related("area__parent"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        helper = self.object
        user = self.request.user
        context.update(
            title=helper.name,
            helper=helper,
            capacity=services.helper_max_elders(),
            pairings=Pairing.objects.for_user(user)
            .filter(helper=helper)
            .select_related("person__area")
            .annotate(helps=Count("help_logs"), minutes=Sum("help_logs__minutes"))
            .order_by("-started_on", "-pk"),
            history=change_history(helper),
            can_change=user.has_perm("visits.change_helper"),
        )
        return context


class HelperFormMixin:
    model = Helper
    form_class = HelperForm

    def get_success_url(self):
        return reverse("visits:helper-detail", args=[self.object.uuid])


class HelperCreateView(HelperFormMixin, RegistryCreateView):
    title = gettext_lazy("登记帮扶人")
    cancel_url_name = "visits:helper-list"


class HelperUpdateView(HelperFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改帮扶人")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}


# Unpaired elders and suggestions ----------------------------------------------------------------


class UnpairedListView(RegistryListView):
    """Rural special-hardship elders without an active pairing: each links to its suggestions."""

    model = Person
    permission_required = "visits.view_pairing"
    filterset_class = PersonAreaFilter
    title = gettext_lazy("未结对的农村特殊困难老年人")
    export_name = "visits-unpaired"
    select_related = ("area__parent",)
    template_name = "visits/list.html"

    columns = [
        *person_columns(_today),
        Column(
            gettext_lazy("特殊困难情形"),
            lambda p: "、".join(services.hardship_reasons(p, _today())),
            24,
        ),
    ]

    def get_queryset(self):
        return (
            services.unpaired_elders(self.request.user, _today())
            .select_related(*self.select_related)
            .prefetch_related(active_flags_prefetch())
            .order_by("area__code", "name", "pk")
        )

    def row_url(self, obj) -> str:
        return reverse("visits:suggest", args=[obj.uuid])


class SuggestionView(ScopedAccessMixin, View):
    """GET: an elder's nearest helpers of the same village with free capacity; POST: pair with
    the chosen one (one click)."""

    model = Pairing
    permission_action = "view"

    @cached_property
    def person(self) -> Person:
        return elder_for(self.request, self.kwargs["uuid"])

    def _render(self, form=None, status=200):
        person = self.person
        user = self.request.user
        active = (
            Pairing.objects.for_user(user)
            .filter(person=person, ended_on__isnull=True)
            .select_related("helper")
            .first()
        )
        suggestions = [] if active else services.suggest_helpers(person, user)
        for suggestion in suggestions:
            suggestion.distance = services.distance_label(suggestion.distance_m)
        context = {
            "title": _("推荐帮扶人：%(n)s") % {"n": person.masked_name},
            "person": person,
            "active": active,
            "suggestions": suggestions,
            "located": person.latitude is not None and person.longitude is not None,
            "urban": person.area.is_urban,
            "capacity": services.helper_max_elders(),
            "form": form or PairForm(),
            "can_pair": user.has_perm("visits.add_pairing"),
            "can_add_helper": user.has_perm("visits.add_helper"),
        }
        return render(self.request, "visits/suggestions.html", context, status=status)

    def get(self, request, uuid):
        return self._render()

    def post(self, request, uuid):
        if not request.user.has_perm("visits.add_pairing"):
            return self.handle_no_permission()
        form = PairForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        helper = get_object_or_404(
            Helper.objects.for_user(request.user), uuid=form.cleaned_data["helper"]
        )
        try:
            pairing = services.pair(
                self.person, helper, form.cleaned_data["started_on"], form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            for errors in form.errors.values():
                messages.error(request, "；".join(errors))
            return self._render(form, status=400)
        messages.success(request, _("已结对：%(h)s") % {"h": helper.name})
        return redirect("visits:pairing-detail", uuid=pairing.uuid)


# Pairings and help ------------------------------------------------------------------------------

PAIRING_COLUMNS = [
    *person_columns(_today, lambda p: p.person),
    Column(gettext_lazy("帮扶人"), lambda p: p.helper.name, 10),
    Column(gettext_lazy("结对日期"), lambda p: p.started_on, 12),
    Column(gettext_lazy("结束日期"), lambda p: p.ended_on, 12),
    Column(gettext_lazy("帮扶次数"), lambda p: p.helps, 8),
    Column(gettext_lazy("最近帮扶"), lambda p: p.last_help, 12),
]


class PairingListView(RegistryListView):
    model = Pairing
    filterset_class = PairingFilter
    columns = PAIRING_COLUMNS
    title = gettext_lazy("一助一结对")
    export_name = "pairings"
    detail_url_name = "visits:pairing-detail"
    select_related = ("person__area__parent", "helper")
    template_name = "visits/list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                helps=Coalesce(
                    Subquery(
                        HelpLog.objects.filter(pairing=OuterRef("pk"))
                        .order_by()
                        .values("pairing")
                        .annotate(n=Count("pk"))
                        .values("n")[:1]
                    ),
                    Value(0),
                ),
                last_help=Subquery(
                    HelpLog.objects.filter(pairing=OuterRef("pk"))
                    .order_by("-helped_on")
                    .values("helped_on")[:1]
                ),
            )
        )


class PairingDetailView(RegistryDetailView):
    model = Pairing
    template_name = "visits/pairing_detail.html"
    select_related = ("person__area__parent", "helper__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(pairing_context(self.request, self.object))
        return context


def pairing_context(request, pairing: Pairing, help_form=None) -> dict:
    user = request.user
    logs = HelpLog.objects.for_user(user).filter(pairing=pairing)
    totals = logs.aggregate(
        count=Count("pk"),
        minutes=Sum("minutes"),
        this_year=Count("pk", filter=Q(helped_on__year=_today().year)),
    )
    writable = pairing.ended_on is None
    return {
        "title": _("一助一结对"),
        "pairing": pairing,
        "person": pairing.person,
        "logs": logs[:50],
        "totals": totals,
        "help_form": help_form or (HelpLogForm(user=user, pairing=pairing) if writable else None),
        "end_form": EndPairingForm() if writable else None,
        "can_log": user.has_perm("visits.add_helplog") and writable,
        "can_end": user.has_perm("visits.change_pairing") and writable,
        "history": change_history(pairing),
    }


class PairingChildMixin(ScopedAccessMixin):
    @cached_property
    def pairing(self) -> Pairing:
        queryset = Pairing.objects.for_user(self.request.user).select_related(
            "person__area__parent", "helper__area"
        )
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"])


class HelpLogCreateView(PairingChildMixin, View):
    """POST: log help given within a pairing (htmx: the help table is replaced)."""

    model = HelpLog
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request, uuid):
        pairing = self.pairing
        if pairing.ended_on is not None:
            messages.error(request, _("该结对已结束，不能再登记帮扶"))
            return redirect("visits:pairing-detail", uuid=uuid)
        form = HelpLogForm(request.POST, user=request.user, pairing=pairing)
        if form.is_valid():
            services.log_help(form.save(commit=False))
            form = None
            if not getattr(request, "htmx", False):
                messages.success(request, _("已登记帮扶"))
                return redirect("visits:pairing-detail", uuid=uuid)
        context = pairing_context(request, pairing, help_form=form)
        if getattr(request, "htmx", False):
            return render(request, "visits/_help_logs.html", context)
        return render(request, "visits/pairing_detail.html", {**context, "object": pairing})


class EndPairingView(PairingChildMixin, View):
    """End a pairing (the helper's place becomes free)."""

    model = Pairing
    permission_action = "change"

    def get(self, request, uuid):
        return self._render(EndPairingForm())

    def _render(self, form, status=200):
        context = {
            "title": _("结束结对：%(n)s") % {"n": self.pairing.person.masked_name},
            "form": form,
            "cancel_url": reverse("visits:pairing-detail", args=[self.pairing.uuid]),
        }
        return render(self.request, "core/form.html", context, status=status)

    def post(self, request, uuid):
        form = EndPairingForm(request.POST)
        if form.is_valid():
            try:
                services.end_pairing(
                    self.pairing, form.cleaned_data["ended_on"], form.cleaned_data["note"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("结对已结束"))
                return redirect("visits:pairing-detail", uuid=uuid)
        return self._render(form, status=400)
