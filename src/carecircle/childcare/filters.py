"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.childcare.choices import FilingKind, FilingPurpose, FilingState
from carecircle.childcare.models import BrandChain, CareNetwork, Filing
from carecircle.childcare.workdays import WorkingCalendar, filing_days
from carecircle.institutions.choices import FilingStatus
from carecircle.institutions.filters import AreaFilter, scoped_areas
from carecircle.institutions.models import Provider

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def overdue_q(today=None) -> Q:
    """Submitted filings whose 5-working-day deadline has passed."""
    today = today or timezone.localdate()
    cutoff = WorkingCalendar().overdue_cutoff(today, filing_days())
    return Q(state=FilingState.SUBMITTED, submitted_on__lte=cutoff)


class FilingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("机构名称"), method="filter_q")
    area = AreaFilter(
        label=_("区划"),
        queryset=scoped_areas,
        to_field_name="code",
        method="filter_area",
        empty_label=_("全部"),
    )
    state = django_filters.ChoiceFilter(label=_("状态"), choices=FilingState.choices)
    kind = django_filters.ChoiceFilter(label=_("备案类别"), choices=FilingKind.choices)
    purpose = django_filters.ChoiceFilter(label=_("备案事项"), choices=FilingPurpose.choices)
    overdue = django_filters.BooleanFilter(
        label=_("超期未办结"), method="filter_overdue", widget=forms.Select(choices=YES_NO)
    )

    class Meta:
        model = Filing
        fields = ["q", "area", "state", "kind", "purpose", "overdue"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(provider__name__icontains=value) | Q(filing_no=value) | Q(credit_code=value.upper())
        )

    def filter_area(self, queryset, name, value: str):  # an Area, chosen by its code
        return queryset.filter(provider__area__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class CareNetworkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    area = AreaFilter(
        label=_("区划"),
        queryset=scoped_areas,
        to_field_name="code",
        method="filter_area",
        empty_label=_("全部"),
    )

    class Meta:
        model = CareNetwork
        fields = ["q", "area"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(hub__name__icontains=value))

    def filter_area(self, queryset, name, value: str):  # an Area, chosen by its code
        if not value:
            return queryset
        link = CareNetwork.satellites.through
        inside = link.objects.filter(
            carenetwork=OuterRef("pk"), provider__area__path__startswith=value.path
        )
        return queryset.filter(Q(hub__area__path__startswith=value.path) | Q(Exists(inside)))


class BrandChainFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")

    class Meta:
        model = BrandChain
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(operator_name__icontains=value)
            | Q(operator_credit_code=value.upper())
        )


class EmployerRunFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    area = AreaFilter(
        label=_("区划"),
        queryset=scoped_areas,
        to_field_name="code",
        method="filter_area",
        empty_label=_("全部"),
    )
    filing_status = django_filters.ChoiceFilter(label=_("备案状态"), choices=FilingStatus.choices)

    class Meta:
        model = Provider
        fields = ["q", "area", "filing_status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def filter_area(self, queryset, name, value: str):  # an Area, chosen by its code
        return queryset.filter(area__path__startswith=value.path) if value else queryset


def public_towns():
    """Towns and streets of the platform's root area, for the public page's filter."""
    root = Area.objects.filter(code=settings.CARECIRCLE_ROOT_AREA).first()
    if root is None:
        return Area.objects.none()
    return (
        Area.objects.current()
        .filter(path__startswith=root.path, level=AreaLevel.TOWNSHIP)
        .order_by("code")
    )


class PublicFiledFilter(django_filters.FilterSet):
    """Filters of the public list (no sign-in: town, kind and name only)."""

    q = django_filters.CharFilter(label=_("机构名称"), method="filter_q")
    town = django_filters.ModelChoiceFilter(
        label=_("镇（街道）"),
        queryset=lambda request: public_towns(),
        to_field_name="code",
        method="filter_town",
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=FilingKind.choices)

    class Meta:
        model = Filing
        fields = ["q", "town", "kind"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(provider__name__icontains=value) if value else queryset

    def filter_town(self, queryset, name, value):
        return queryset.filter(provider__area__path__startswith=value.path) if value else queryset
