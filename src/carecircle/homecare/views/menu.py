"""The service menu, provider contracts, entitlement rules and entitlements."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from carecircle.areas.choices import LEVEL_DEPTH, AreaLevel
from carecircle.core.history import change_history
from carecircle.core.idnumbers import mask_name
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.homecare import forms, services
from carecircle.homecare.filters import (
    EntitlementFilter,
    EntitlementRuleFilter,
    ProviderContractFilter,
    ServiceItemFilter,
)
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
)
from carecircle.institutions.choices import ProviderKind

L = gettext_lazy  # class attributes; ``_`` (gettext) in methods


def _kinds_label(kinds: list[str]) -> str:
    labels = dict(ProviderKind.choices)
    return "、".join(str(labels.get(kind, kind)) for kind in kinds or [])


class ChangeLinkMixin:
    """Rows link to their edit form for users who may change them (the row is all there is)."""

    change_url_name = ""

    def row_url(self, obj):
        meta = self.model._meta
        if self.request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
            return reverse(self.change_url_name, args=[obj.uuid])
        return None


# Menu -----------------------------------------------------------------------------------------

ITEM_COLUMNS = [
    Column(L("项目编码"), lambda i: i.code, 10),
    Column(L("项目名称"), lambda i: i.name, 20),
    Column(L("服务类别"), lambda i: i.get_category_display(), 12),
    Column(L("计价单位"), lambda i: i.get_unit_display(), 8),
    Column(L("单价（元）"), lambda i: i.price, 10),
    Column(L("可承接的机构类型"), lambda i: _kinds_label(i.provider_kinds), 40),
    Column(L("最短服务时长（%）"), lambda i: i.min_duration_percent, 10),
    Column(L("在用"), lambda i: yes_no(i.active), 6),
]


class ServiceItemListView(ChangeLinkMixin, RegistryListView):
    model = ServiceItem
    filterset_class = ServiceItemFilter
    columns = ITEM_COLUMNS
    title = L("服务项目")
    export_name = "service-items"
    create_url_name = "homecare:item-create"
    change_url_name = "homecare:item-update"


class ServiceItemCreateView(RegistryCreateView):
    model = ServiceItem
    form_class = forms.ServiceItemForm
    title = L("新增服务项目")
    cancel_url_name = "homecare:item-list"

    def get_success_url(self):
        return reverse("homecare:item-list")


class ServiceItemUpdateView(RegistryUpdateView):
    model = ServiceItem
    form_class = forms.ServiceItemForm
    title = L("修改服务项目")
    cancel_url_name = "homecare:item-list"

    def get_success_url(self):
        return reverse("homecare:item-list")


# Contracts ------------------------------------------------------------------------------------

CONTRACT_COLUMNS = [
    Column(L("合同编号"), lambda c: c.number, 18),
    Column(L("服务机构"), lambda c: c.provider.name, 28),
    Column(L("签订日期"), lambda c: c.signed_on, 12),
    Column(L("有效期起"), lambda c: c.valid_from, 12),
    Column(L("有效期至"), lambda c: c.valid_to, 12),
    Column(L("服务村（社区）数"), lambda c: c.area_count, 10),
    Column(L("服务项目数"), lambda c: c.item_count, 10),
]


class ProviderContractListView(RegistryListView):
    model = ProviderContract
    filterset_class = ProviderContractFilter
    columns = CONTRACT_COLUMNS
    title = L("服务合同")
    export_name = "home-care-contracts"
    detail_url_name = "homecare:contract-detail"
    create_url_name = "homecare:contract-create"
    select_related = ("provider",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                area_count=Count("areas", distinct=True), item_count=Count("items", distinct=True)
            )
        )


class ProviderContractDetailView(RegistryDetailView):
    model = ProviderContract
    template_name = "homecare/contract_detail.html"
    select_related = ("provider__area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        context.update(
            areas=contract.areas.order_by("code"),
            items=contract.items.order_by("category", "code"),
            in_force=contract.in_force(timezone.localdate()),
            history=change_history(contract),
            can_edit=self.request.user.has_perm("homecare.change_providercontract"),
        )
        return context


class ContractFormMixin:
    model = ProviderContract
    form_class = forms.ProviderContractForm

    def get_success_url(self):
        return reverse("homecare:contract-detail", args=[self.object.uuid])


class ProviderContractCreateView(ContractFormMixin, RegistryCreateView):
    title = L("登记服务合同")
    cancel_url_name = "homecare:contract-list"


class ProviderContractUpdateView(ContractFormMixin, RegistryUpdateView):
    title = L("修改服务合同")


# Entitlement rules ----------------------------------------------------------------------------


def _rule_group(rule: EntitlementRule) -> str:
    parts = []
    if rule.hardship_kind:
        parts.append(str(rule.get_hardship_kind_display()))
    if rule.min_age is not None:
        parts.append(_("%(n)d周岁及以上") % {"n": rule.min_age})
    if rule.min_ability_level is not None:
        parts.append(_("能力等级%(n)d级及以上") % {"n": rule.min_ability_level})
    if rule.living_alone:
        parts.append(_("独居"))
    return "，".join(parts) or _("全体居家老年人")


RULE_COLUMNS = [
    Column(L("规则名称"), lambda r: r.name, 24),
    Column(L("适用对象"), _rule_group, 30),
    Column(L("服务类别"), lambda r: r.get_category_display(), 10),
    Column(L("每月待遇"), lambda r: r.measure_label, 12),
    Column(L("执行日期"), lambda r: r.valid_from, 12),
    Column(L("终止日期"), lambda r: r.valid_to, 12),
    Column(L("依据文号"), lambda r: r.doc_no, 20),
    Column(L("演示假设"), lambda r: yes_no(r.is_demo_assumption), 8),
]


class EntitlementRuleListView(ChangeLinkMixin, RegistryListView):
    model = EntitlementRule
    filterset_class = EntitlementRuleFilter
    columns = RULE_COLUMNS
    title = L("服务待遇规则")
    export_name = "entitlement-rules"
    create_url_name = "homecare:rule-create"
    change_url_name = "homecare:rule-update"
    template_name = "homecare/rule_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_grant"] = user.has_perm("homecare.add_entitlement") and user.has_perm(
            "homecare.change_entitlement"
        )
        return context


class EntitlementRuleCreateView(RegistryCreateView):
    model = EntitlementRule
    form_class = forms.EntitlementRuleForm
    title = L("新增服务待遇规则")
    cancel_url_name = "homecare:rule-list"

    def get_success_url(self):
        return reverse("homecare:rule-list")


class EntitlementRuleUpdateView(RegistryUpdateView):
    model = EntitlementRule
    form_class = forms.EntitlementRuleForm
    title = L("修改服务待遇规则")
    cancel_url_name = "homecare:rule-list"

    def get_success_url(self):
        return reverse("homecare:rule-list")


class GrantEntitlementsView(ScopedAccessMixin, View):
    """POST: derive today's entitlements from the rules in force (city-wide)."""

    model = Entitlement
    permission_required = ("homecare.add_entitlement", "homecare.change_entitlement")
    http_method_names = ["post"]

    def post(self, request):
        area = request.user.scope_area
        if area is None or LEVEL_DEPTH[area.level] > LEVEL_DEPTH[AreaLevel.COUNTY]:
            # The rules are city-wide and so is the derivation: a city-level officer runs it.
            messages.error(request, _("待遇核定须由市级民政部门执行"))
            return redirect("homecare:rule-list")
        counts = services.grant_entitlements(timezone.localdate())
        messages.success(
            request,
            _(
                "已按现行规则核定服务待遇：新增%(created)d条，终止%(ended)d条，"
                "不变%(unchanged)d条，更正%(corrected)d条；%(uncovered)d人次所在村（社区）"
                "无签约服务机构"
            )
            % counts,
        )
        return redirect("homecare:entitlement-list")


# Entitlements ---------------------------------------------------------------------------------

ENTITLEMENT_COLUMNS = [
    Column(L("服务对象"), lambda e: mask_name(e.person.name), 10),
    Column(L("村（社区）"), lambda e: e.person.area.name, 16),
    Column(L("服务类别"), lambda e: e.get_category_display(), 10),
    Column(L("每月待遇"), lambda e: e.measure_label, 12),
    Column(L("服务机构"), lambda e: e.provider.name, 26),
    Column(L("起始日期"), lambda e: e.valid_from, 12),
    Column(L("截止日期"), lambda e: e.valid_to, 12),
    Column(L("依据规则"), lambda e: e.rule.name if e.rule_id else _("人工核定"), 20),
]


class EntitlementListView(ChangeLinkMixin, RegistryListView):
    model = Entitlement
    filterset_class = EntitlementFilter
    columns = ENTITLEMENT_COLUMNS
    title = L("服务待遇")
    export_name = "entitlements"
    create_url_name = "homecare:entitlement-create"
    change_url_name = "homecare:entitlement-update"
    select_related = ("person__area", "provider", "rule")


class EntitlementCreateView(RegistryCreateView):
    model = Entitlement
    form_class = forms.EntitlementForm
    title = L("人工核定服务待遇")
    cancel_url_name = "homecare:entitlement-list"

    def get_success_url(self):
        return reverse("homecare:entitlement-list")


class EntitlementUpdateView(RegistryUpdateView):
    model = Entitlement
    form_class = forms.EntitlementForm
    title = L("修改服务待遇")
    cancel_url_name = "homecare:entitlement-list"

    def get_success_url(self):
        return reverse("homecare:entitlement-list")
