"""1+N networks, brand chains and employer-run childcare."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.childcare import forms
from carecircle.childcare.filters import BrandChainFilter, CareNetworkFilter, EmployerRunFilter
from carecircle.childcare.models import BrandChain, CareNetwork
from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
)
from carecircle.core.xlsx import Column
from carecircle.institutions.choices import DesignationKind, ProviderKind
from carecircle.institutions.models import Designation, Provider

# The registry field naming the employer of an employer-run provider, once it exists.
EMPLOYER_FIELD = "employer_name"


def _visible(user):
    return Provider.objects.for_user(user).values("pk")


def _members(user, relation, today):
    """Linked providers in the user's scope, with today's places."""
    return (
        relation.filter(pk__in=_visible(user))
        .select_related("area")
        .with_capacity(today)
        .order_by("area__code", "name")
    )


# 1+N networks ---------------------------------------------------------------------------------


class CareNetworkListView(RegistryListView):
    model = CareNetwork
    filterset_class = CareNetworkFilter
    title = gettext_lazy("“1+N”托育服务网络")
    export_name = "care-networks"
    detail_url_name = "childcare:network-detail"
    create_url_name = "childcare:network-create"
    select_related = ("hub", "hub__area")
    columns = [
        Column(gettext_lazy("网络名称"), lambda n: n.name, 30),
        Column(gettext_lazy("枢纽机构"), lambda n: n.hub.name, 30),
        Column(gettext_lazy("所在区划"), lambda n: n.hub.area.name, 16),
        Column(gettext_lazy("社区托育点"), lambda n: n.satellite_count, 10),
        Column(gettext_lazy("建立日期"), lambda n: n.established_on, 12),
    ]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(satellite_count=Count("satellites", distinct=True))
            .order_by("name")
        )


class CareNetworkDetailView(RegistryDetailView):
    model = CareNetwork
    template_name = "childcare/network_detail.html"
    select_related = ("hub", "hub__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        network: CareNetwork = self.object
        user = self.request.user
        today = timezone.localdate()
        hub_visible = Provider.objects.for_user(user).filter(pk=network.hub_id).exists()
        context.update(
            today=today,
            hub_visible=hub_visible,
            hub_capacity=network.hub.capacity_on(today) if hub_visible else None,
            hub_designations=Designation.objects.for_user(user)
            .filter(provider=network.hub, kind=DesignationKind.HUB_1N)
            .order_by("-granted_on"),
            satellites=_members(user, network.satellites.all(), today),
            hidden=network.satellites.exclude(pk__in=_visible(user)).count(),
            history=change_history(network),
            can_edit=user.has_perm("childcare.change_carenetwork"),
        )
        return context


class CareNetworkFormMixin:
    model = CareNetwork
    form_class = forms.CareNetworkForm

    def get_success_url(self):
        return reverse("childcare:network-detail", args=[self.object.uuid])


class CareNetworkCreateView(CareNetworkFormMixin, RegistryCreateView):
    title = gettext_lazy("新建“1+N”托育服务网络")
    cancel_url_name = "childcare:network-list"


class CareNetworkUpdateView(CareNetworkFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改“1+N”托育服务网络")


# Brand chains ---------------------------------------------------------------------------------


class BrandChainListView(RegistryListView):
    model = BrandChain
    filterset_class = BrandChainFilter
    title = gettext_lazy("托育品牌连锁")
    export_name = "brand-chains"
    detail_url_name = "childcare:chain-detail"
    create_url_name = "childcare:chain-create"
    columns = [
        Column(gettext_lazy("品牌名称"), lambda c: c.name, 24),
        Column(gettext_lazy("运营主体"), lambda c: c.operator_name, 30),
        Column(gettext_lazy("统一社会信用代码"), lambda c: c.operator_credit_code, 22),
        Column(gettext_lazy("本辖区连锁机构"), lambda c: c.member_count, 12),
        Column(gettext_lazy("认定日期"), lambda c: c.established_on, 12),
    ]

    def get_queryset(self):
        visible = Q(members__in=_visible(self.request.user))
        return (
            super()
            .get_queryset()
            .annotate(member_count=Count("members", filter=visible, distinct=True))
            .order_by("name")
        )


class BrandChainDetailView(RegistryDetailView):
    model = BrandChain
    template_name = "childcare/chain_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chain: BrandChain = self.object
        user = self.request.user
        today = timezone.localdate()
        context.update(
            today=today,
            members=_members(user, chain.members.all(), today),
            hidden=chain.members.exclude(pk__in=_visible(user)).count(),
            history=change_history(chain),
            can_edit=user.has_perm("childcare.change_brandchain"),
        )
        return context


class BrandChainFormMixin:
    model = BrandChain
    form_class = forms.BrandChainForm

    def get_success_url(self):
        return reverse("childcare:chain-detail", args=[self.object.uuid])


class BrandChainCreateView(BrandChainFormMixin, RegistryCreateView):
    title = gettext_lazy("登记托育品牌连锁")
    cancel_url_name = "childcare:chain-list"


class BrandChainUpdateView(BrandChainFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改托育品牌连锁")


# Employer-run childcare -----------------------------------------------------------------------


def has_employer_field() -> bool:
    return any(f.name == EMPLOYER_FIELD for f in Provider._meta.get_fields())


def _capacity(name: str):
    return lambda p: getattr(p, f"cap_{name}", None)


class EmployerRunListView(RegistryListView):
    """Childcare run by employers for their staff's children (用人单位办托育)."""

    model = Provider
    filterset_class = EmployerRunFilter
    title = gettext_lazy("用人单位办托育")
    export_name = "employer-run-childcare"
    detail_url_name = "institutions:provider-detail"
    select_related = ("area",)

    @property
    def columns(self):
        columns = [Column(_("机构名称"), lambda p: p.name, 30)]
        if has_employer_field():
            columns.append(Column(_("举办单位"), lambda p: getattr(p, EMPLOYER_FIELD), 30))
        return columns + [
            Column(_("所在区划"), lambda p: p.area.name, 16),
            Column(_("性质"), lambda p: p.get_ownership_display(), 10),
            Column(_("状态"), lambda p: p.get_status_display(), 10),
            Column(_("托位总数"), _capacity("places_total"), 10),
            Column(_("普惠托位"), _capacity("places_affordable"), 10),
            Column(_("备案状态"), lambda p: p.get_filing_status_display(), 10),
        ]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(kind=ProviderKind.EMPLOYER_RUN)
            .with_capacity(timezone.localdate())
        )
