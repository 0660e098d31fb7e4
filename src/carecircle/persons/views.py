"""Elder and child registries: lists, the audited detail page, forms, ID search and merges.

Every view starts from ``Person.objects.for_user(request.user)``: anonymous users go to the login
page, users without the permission get 403 and records outside their scope 404 (R1, R2). ID
numbers travel only in POST bodies, never in URLs (R25); screens show masks (R24).
"""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.choices import Domain, ScopeDomain
from carecircle.core.fields import id_number_index
from carecircle.core.history import change_history
from carecircle.core.idnumbers import mask_id_number
from carecircle.core.models import user_domains
from carecircle.core.views import (
    AuditedDetailView,
    RegistryCreateView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
    htmx_render,
)
from carecircle.core.xlsx import Column
from carecircle.persons import services
from carecircle.persons.filters import ChildFilter, ElderFilter
from carecircle.persons.forms import (
    ContactForm,
    HardshipFlagForm,
    IdSearchForm,
    MergeForm,
    MoveForm,
    PersonForm,
    StatusForm,
)
from carecircle.persons.models import Contact, HardshipFlag, Person

DUPLICATE_LIMIT = 500


def get_person_for_user(request, uuid, *, write: bool = False) -> Person:
    """The person with this public ID if it lies in the user's scope, else 404.

    Callers check the permission first (403 before 404). Merged records are read-only.
    """
    queryset = Person.objects.for_user(request.user).select_related("area", "merged_into")
    if write:
        queryset = queryset.filter(merged_into__isnull=True)
    return get_object_or_404(queryset, uuid=uuid)


def active_flags_prefetch(on: dt.date | None = None) -> Prefetch:
    on = on or timezone.localdate()
    flags = HardshipFlag.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    return Prefetch("hardship_flags", queryset=flags, to_attr="active_flags")


def flags_label(person: Person) -> str:
    return "、".join(str(flag.get_kind_display()) for flag in getattr(person, "active_flags", []))


def _today() -> dt.date:
    return timezone.localdate()


BASE_COLUMNS = [
    Column(gettext_lazy("姓名"), lambda p: p.name, 12),
    Column(gettext_lazy("身份证号"), lambda p: p.id_number_masked, 22),
    Column(gettext_lazy("性别"), lambda p: p.get_sex_display(), 6),
]
TAIL_COLUMNS = [
    Column(gettext_lazy("村（社区）"), lambda p: p.area.name, 18),
    Column(gettext_lazy("联系电话"), lambda p: p.masked_phone, 14),
    Column(gettext_lazy("困难标识"), flags_label, 20),
    Column(gettext_lazy("状态"), lambda p: services.status_label(p), 8),
]


class PersonListView(RegistryListView):
    model = Person
    template_name = "persons/person_list.html"
    domain = ""
    detail_url_name = "persons:person-detail"
    select_related = ("area",)
    private_filters = ("q",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(domain=self.domain, merged_into__isnull=True)
            .prefetch_related(active_flags_prefetch())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Registering is offered only in the user's own domain (elderly or childcare).
        context["can_create"] = context["can_create"] and self.domain in user_domains(
            self.request.user
        )
        return context


class ElderListView(PersonListView):
    domain = Domain.ELDERLY
    filterset_class = ElderFilter
    title = gettext_lazy("老年人")
    export_name = "elders"
    create_url_name = "persons:elder-create"
    import_slug = "elders"
    columns = [
        *BASE_COLUMNS,
        Column(gettext_lazy("年龄"), lambda p: p.age_on(_today()), 6),
        *TAIL_COLUMNS[:2],
        Column(gettext_lazy("居住状况"), lambda p: p.get_living_arrangement_display(), 14),
        *TAIL_COLUMNS[2:],
    ]


class ChildListView(PersonListView):
    domain = Domain.CHILDCARE
    filterset_class = ChildFilter
    title = gettext_lazy("婴幼儿")
    export_name = "children"
    create_url_name = "persons:child-create"
    import_slug = "children"
    columns = [
        *BASE_COLUMNS,
        Column(gettext_lazy("月龄"), lambda p: p.age_in_months(_today()), 6),
        *TAIL_COLUMNS,
    ]


class PersonDetailView(AuditedDetailView):
    """The full record. Every view of it is audited (R18)."""

    model = Person
    template_name = "persons/person_detail.html"
    select_related = ("area", "merged_into")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        user = self.request.user
        today = _today()
        context.update(
            title=person.name,
            person=person,
            today=today,
            age=person.age_on(today) if person.domain == Domain.ELDERLY else None,
            months=person.age_in_months(today) if person.domain == Domain.CHILDCARE else None,
            status=services.status_label(person),
            present=not (person.death_date or person.moved_out_on or person.merged_into_id),
            residences=person.residences.select_related("area").order_by("-valid_from"),
            flags=person.hardship_flags.order_by("-valid_from"),
            contacts=person.contacts.all(),
            residencies=person.residencies.select_related("provider").order_by("-admitted_on"),
            history=change_history(person),
            can_reveal=user.has_perm("persons.view_full_id_number"),
            writable=person.merged_into_id is None,
            can_change=user.has_perm("persons.change_person"),
            can_add_flag=user.has_perm("persons.add_hardshipflag"),
            can_add_contact=user.has_perm("persons.add_contact"),
        )
        return context


class RevealView(ScopedAccessMixin, View):
    """POST only: the full value for a holder of ``view_full_id_number``, audited (R3, R24)."""

    model = Person
    permission_required = ("persons.view_person", "persons.view_full_id_number")
    http_method_names = ["post"]
    full_template = ""
    partial_template = ""
    field = ""

    def post(self, request, uuid):
        person = get_person_for_user(request, uuid)
        record(request, AuditAction.VIEW_FULL_ID, obj=person, field=self.field)
        context = {"person": person, **self.extra_context(person)}
        return htmx_render(request, self.full_template, self.partial_template, context)

    def extra_context(self, person: Person) -> dict:
        return {}


class RevealIdView(RevealView):
    full_template = "persons/reveal.html"
    partial_template = "persons/_full_id.html"
    field = "id_number"

    def extra_context(self, person: Person) -> dict:
        return {"full_id": person.id_number, "title": _("完整身份证号")}


class RevealContactsView(RevealView):
    full_template = "persons/reveal.html"
    partial_template = "persons/_contacts.html"
    field = "contacts"

    def extra_context(self, person: Person) -> dict:
        return {
            "contacts": person.contacts.all(),
            "full": True,
            "full_phone": person.phone,
            "title": _("完整联系方式"),
        }


class DomainScopeMixin:
    """Registering an elder needs the elderly domain in the user's scope, a child childcare."""

    domain = ""

    def has_permission(self) -> bool:
        user = self.request.user
        return super().has_permission() and user.scope_domain in (ScopeDomain.BOTH, self.domain)


class PersonCreateView(DomainScopeMixin, RegistryCreateView):
    model = Person
    form_class = PersonForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "domain": self.domain}

    def form_valid(self, form):
        try:
            self.object = form.save()
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已登记"))
        return redirect("persons:person-detail", uuid=self.object.uuid)


class ElderCreateView(PersonCreateView):
    domain = Domain.ELDERLY
    title = gettext_lazy("登记老年人")
    cancel_url_name = "persons:elder-list"


class ChildCreateView(PersonCreateView):
    domain = Domain.CHILDCARE
    title = gettext_lazy("登记婴幼儿")
    cancel_url_name = "persons:child-list"


class PersonUpdateView(RegistryUpdateView):
    model = Person
    form_class = PersonForm
    title = gettext_lazy("修改人员信息")

    def get_queryset(self):
        return super().get_queryset().filter(merged_into__isnull=True)

    def get_success_url(self) -> str:
        return reverse("persons:person-detail", args=[self.object.uuid])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}


class PersonFormView(ScopedAccessMixin, FormView):
    """A form about one person in scope (move, status, flag, contact)."""

    template_name = "core/form.html"
    model = Person
    title = ""
    success_message = gettext_lazy("已保存")

    @cached_property
    def person(self) -> Person:
        return get_person_for_user(self.request, self.kwargs["uuid"], write=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "person": self.person}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.person.name}"
        context["cancel_url"] = self.get_success_url()
        return context

    def get_success_url(self) -> str:
        return reverse("persons:person-detail", args=[self.person.uuid])

    def form_valid(self, form):
        try:
            self.apply(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def apply(self, form) -> None:
        form.save()


class PersonMoveView(PersonFormView):
    form_class = MoveForm
    permission_action = "change"
    title = gettext_lazy("迁居登记")

    def apply(self, form) -> None:
        data = form.cleaned_data
        services.move_person(self.person, data["area"], data["on"], data["address"])


class PersonStatusView(PersonFormView):
    form_class = StatusForm
    permission_action = "change"
    title = gettext_lazy("死亡/迁出登记")

    def apply(self, form) -> None:
        data = form.cleaned_data
        if data["kind"] == StatusForm.DEATH:
            services.record_death(self.person, data["on"])
        else:
            services.record_move_out(self.person, data["on"])


class HardshipFlagCreateView(PersonFormView):
    form_class = HardshipFlagForm
    model = HardshipFlag
    permission_action = "add"
    title = gettext_lazy("添加困难标识")


class ContactCreateView(PersonFormView):
    form_class = ContactForm
    model = Contact
    permission_action = "add"
    title = gettext_lazy("添加监护人/联系人")


class PersonSearchView(ScopedAccessMixin, View):
    """Search by ID number. Only a POST searches; a GET shows the empty form whatever its query
    string says (R25). Each search is audited and sees only the user's scope."""

    model = Person
    template_name = "persons/person_search.html"

    def get(self, request):
        return render(request, self.template_name, {"form": IdSearchForm(user=request.user)})

    def post(self, request):
        form = IdSearchForm(request.POST, user=request.user)
        context: dict = {"form": form, "searched": None, "results": None}
        if form.is_valid():
            number = form.cleaned_data["id_number"]
            results = list(
                Person.objects.for_user(request.user)
                .filter(id_number_index=id_number_index(number))
                .select_related("area")
            )
            masked = mask_id_number(number)
            record(request, AuditAction.SEARCH_PERSON, label=masked, results=len(results))
            context.update(searched=masked, results=results)
        return render(request, self.template_name, context)


class DuplicateListView(ScopedAccessMixin, View):
    """Groups of likely duplicates in scope, each with a merge form for merge holders."""

    model = Person

    def get(self, request):
        rows = list(
            services.find_duplicates(Person.objects.for_user(request.user)).select_related("area")[
                :DUPLICATE_LIMIT
            ]
        )
        groups = [
            list(members)
            for _key, members in itertools.groupby(rows, key=lambda p: (p.name, p.birth_date))
        ]
        context = {
            "title": _("疑似重复人员"),
            "groups": [group for group in groups if len(group) > 1],
            "can_merge": request.user.has_perm("persons.merge_person"),
            "truncated": len(rows) >= DUPLICATE_LIMIT,
        }
        return render(request, "persons/duplicate_list.html", context)


class PersonMergeView(ScopedAccessMixin, View):
    """POST only: fold one record into another, both in scope (404 otherwise), audited."""

    model = Person
    permission_required = "persons.merge_person"
    http_method_names = ["post"]

    def post(self, request):
        form = MergeForm(request.POST, user=request.user)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, "；".join(errors))
            return redirect("persons:duplicate-list")
        queryset = Person.objects.for_user(request.user)
        kept = get_object_or_404(queryset, uuid=form.cleaned_data["kept"])
        merged = get_object_or_404(queryset, uuid=form.cleaned_data["merged"])
        try:
            services.merge_persons(
                kept, merged, request.user, form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("persons:duplicate-list")
        messages.success(request, _("已合并"))
        return redirect("persons:person-detail", uuid=kept.uuid)
