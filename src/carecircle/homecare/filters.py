"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from carecircle.areas.models import Area
from carecircle.areas.services import lowest_units_for
from carecircle.homecare.choices import (
    Funding,
    OrderStatus,
    ServiceCategory,
    ServiceUnit,
    SettlementStatus,
)
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
    Settlement,
)
from carecircle.homecare.models.menu import in_force_q
from carecircle.homecare.settlement import local_midnight, next_month
from carecircle.institutions.filters import AreaFilter
from carecircle.institutions.models import Provider, Staff


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A calendar month typed as YYYY-MM; the value is its first day."""

    widget = MonthInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        kwargs.setdefault("error_messages", {"invalid": _("月份格式应为 YYYY-MM")})
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-03"})
class MonthFilter(django_filters.Filter):
    field_class = MonthField


@extend_schema_field(OpenApiTypes.STR)
class VillageFilter(AreaFilter):
    """A village by its 12-digit code."""


def _user(request):
    return getattr(request, "user", None)


def home_care_providers(request):
    """Providers in the user's scope that hold (or held) a home-care contract."""
    user = _user(request)
    if user is None:
        return Provider.objects.none()
    contracted = ProviderContract.objects.values("provider_id")
    return Provider.objects.for_user(user).filter(pk__in=contracted).order_by("area__code", "name")


def service_villages(request):
    """Villages a user may filter by: those of their area, or those their contracts cover."""
    user = _user(request)
    if user is None or not user.is_authenticated:
        return Area.objects.none()
    if user.institution_id:
        covered = ProviderContract.areas.through.objects.filter(
            providercontract__provider_id=user.institution_id
        ).values("area_id")
        return Area.objects.filter(pk__in=covered).order_by("code")
    return lowest_units_for(user).order_by("code")


def workers(request):
    user = _user(request)
    if user is None:
        return Staff.objects.none()
    return Staff.objects.for_user(user).order_by("provider", "name")


def rules(request):
    user = _user(request)
    if user is None:
        return EntitlementRule.objects.none()
    return EntitlementRule.objects.for_user(user).order_by("category", "name")


class ServiceItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或编码"), method="filter_q")
    category = django_filters.ChoiceFilter(label=_("服务类别"), choices=ServiceCategory.choices)
    unit = django_filters.ChoiceFilter(label=_("计价单位"), choices=ServiceUnit.choices)
    active = django_filters.BooleanFilter(label=_("在用"))

    class Meta:
        model = ServiceItem
        fields = ["q", "category", "unit", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


def _in_force_today(queryset, name, value):
    today = timezone.localdate()
    if value is None:
        return queryset
    return queryset.filter(in_force_q(today)) if value else queryset.exclude(in_force_q(today))


class ProviderContractFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(
        label=_("服务机构"), queryset=home_care_providers, field_name="provider"
    )
    area = VillageFilter(
        label=_("服务村（社区）"),
        queryset=service_villages,
        to_field_name="code",
        method="filter_area",
        empty_label=_("全部"),
    )
    current = django_filters.BooleanFilter(label=_("现行有效"), method=_in_force_today)

    class Meta:
        model = ProviderContract
        fields = ["provider", "area", "current"]

    def filter_area(self, queryset, name, value):
        if not value:
            return queryset
        covering = ProviderContract.areas.through.objects.filter(area=value)
        return queryset.filter(pk__in=covering.values("providercontract_id"))


class EntitlementRuleFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(label=_("服务类别"), choices=ServiceCategory.choices)
    current = django_filters.BooleanFilter(label=_("现行有效"), method=_in_force_today)

    class Meta:
        model = EntitlementRule
        fields = ["category", "current"]


class EntitlementFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(label=_("服务机构"), queryset=home_care_providers)
    category = django_filters.ChoiceFilter(label=_("服务类别"), choices=ServiceCategory.choices)
    village = AreaFilter(
        label=_("村（社区）"),
        queryset=service_villages,
        to_field_name="code",
        field_name="person__area",
        empty_label=_("全部"),
    )
    current = django_filters.BooleanFilter(label=_("现行有效"), method=_in_force_today)
    rule = django_filters.ModelChoiceFilter(label=_("依据规则"), queryset=rules)

    class Meta:
        model = Entitlement
        fields = ["provider", "category", "village", "current", "rule"]


class ServiceOrderFilter(django_filters.FilterSet):
    month = MonthFilter(label=_("月份"), method="filter_month")
    provider = django_filters.ModelChoiceFilter(label=_("服务机构"), queryset=home_care_providers)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OrderStatus.choices)
    funding = django_filters.ChoiceFilter(label=_("费用来源"), choices=Funding.choices)
    category = django_filters.ChoiceFilter(
        label=_("服务类别"), choices=ServiceCategory.choices, field_name="item__category"
    )
    village = AreaFilter(
        label=_("村（社区）"),
        queryset=service_villages,
        to_field_name="code",
        field_name="person__area",
        empty_label=_("全部"),
    )
    worker = django_filters.ModelChoiceFilter(label=_("服务人员"), queryset=workers)
    complaint = django_filters.BooleanFilter(label=_("有投诉"), method="filter_complaint")
    ref = django_filters.CharFilter(label=_("工单号"), field_name="external_ref")

    class Meta:
        model = ServiceOrder
        fields = [
            "month", "provider", "status", "funding", "category", "village", "worker",
            "complaint", "ref",
        ]  # fmt: skip

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            scheduled_start__gte=local_midnight(value),
            scheduled_start__lt=local_midnight(next_month(value)),
        )

    def filter_complaint(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(complaint="") if value else queryset.filter(complaint="")


class SettlementFilter(django_filters.FilterSet):
    month = MonthFilter(label=_("月份"), field_name="month")
    provider = django_filters.ModelChoiceFilter(label=_("服务机构"), queryset=home_care_providers)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=SettlementStatus.choices)
    has_exceptions = django_filters.BooleanFilter(label=_("有异常"), method="filter_exceptions")

    class Meta:
        model = Settlement
        fields = ["month", "provider", "status", "has_exceptions"]

    def filter_exceptions(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(exceptions_count__gt=0)
            if value
            else queryset.filter(exceptions_count=0)
        )
