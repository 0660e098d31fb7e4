"""Wishes for concentrated care (集中供养意愿): whether each is met (an open residency in an
elderly-care institution) or how long it has been waiting."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.core.views import RegistryCreateView, RegistryListView, RegistryUpdateView
from carecircle.core.xlsx import Column
from carecircle.persons.models import Person
from carecircle.visits import services
from carecircle.visits.filters import CareWishFilter, PersonAreaFilter
from carecircle.visits.forms import CareWishForm, apply_errors
from carecircle.visits.models import CareWish
from carecircle.visits.views.common import elder_for, person_columns


def _today():
    return timezone.localdate()


def wish_status(wish: CareWish, on=None) -> str:
    """已撤回, 已集中供养 (where, since when) or 等待入住 (since when, days)."""
    on = on or _today()
    if wish.withdrawn_on and wish.withdrawn_on <= on:
        return _("已撤回（%(d)s）") % {"d": wish.withdrawn_on.isoformat()}
    if getattr(wish, "placed_on", None):
        return _("已集中供养：%(p)s，%(d)s入住") % {
            "p": wish.placed_provider,
            "d": wish.placed_on.isoformat(),
        }
    return _("等待入住，已等 %(n)s 天") % {"n": (on - wish.registered_on).days}


WISH_COLUMNS = [
    *person_columns(_today, lambda w: w.person),
    Column(gettext_lazy("登记日期"), lambda w: w.registered_on, 12),
    Column(
        gettext_lazy("意向机构"),
        lambda w: w.preferred_provider.name if w.preferred_provider_id else "",
        24,
    ),
    Column(gettext_lazy("状态"), wish_status, 30),
]


class CareWishListView(RegistryListView):
    model = CareWish
    filterset_class = CareWishFilter
    columns = WISH_COLUMNS
    export_columns = [*WISH_COLUMNS, Column(gettext_lazy("说明"), lambda w: w.note, 30)]
    title = gettext_lazy("集中供养意愿")
    export_name = "care-wishes"
    select_related = ("person__area__parent", "preferred_provider")
    template_name = "visits/list.html"

    def get_queryset(self):
        return services.wishes_with_placement(super().get_queryset(), _today())

    def row_url(self, obj) -> str:
        if self.request.user.has_perm("visits.change_carewish"):
            return reverse("visits:wish-update", args=[obj.uuid])
        return reverse("visits:elder", args=[obj.person.uuid])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Registering starts from the 特困 elders who may register.
        context["create_url"] = reverse("visits:wish-candidates")
        context["can_create"] = self.request.user.has_perm("visits.add_carewish")
        return context


class CareWishCandidateListView(RegistryListView):
    """特困 elders without an open wish; each links to the registration form."""

    model = Person
    permission_required = "visits.add_carewish"
    filterset_class = PersonAreaFilter
    columns = person_columns(_today)
    title = gettext_lazy("可登记集中供养意愿的特困老年人")
    export_name = "care-wish-candidates"
    select_related = ("area__parent",)
    template_name = "visits/list.html"

    def get_queryset(self):
        return (
            services.wish_candidates(self.request.user, _today())
            .select_related(*self.select_related)
            .order_by("area__code", "name", "pk")
        )

    def row_url(self, obj) -> str:
        return reverse("visits:wish-create", args=[obj.uuid])


class CareWishFormMixin:
    model = CareWish
    form_class = CareWishForm
    template_name = "visits/wish_form.html"

    def get_success_url(self):
        return reverse("visits:elder", args=[self.object.person.uuid])

    def form_valid(self, form):
        try:
            self.object = services.save_wish(form.instance)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存"))
        return redirect(self.get_success_url())


class CareWishCreateView(CareWishFormMixin, RegistryCreateView):
    title = gettext_lazy("登记集中供养意愿")

    @cached_property
    def person(self) -> Person:
        return elder_for(self.request, self.kwargs["uuid"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.person}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person, cancel_url=reverse("visits:elder", args=[self.person.uuid])
        )
        return context


class CareWishUpdateView(CareWishFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改集中供养意愿")
    select_related = ("person__area",)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.object.person}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(person=self.object.person, cancel_url=self.get_success_url())
        return context
