"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaKind, AreaLevel, EstateKind
from carecircle.areas.models import Area, PopulationFact, ResidentialArea
from carecircle.areas.services import below_norm_q

URBAN_CHOICES = (("urban", _("城镇")), ("rural", _("乡村")))
COMPLIANCE_CHOICES = (("below", _("低于配建标准")), ("meets", _("达到配建标准")))


def _subtree(queryset, lookup: str, code: str):
    """Rows whose area lies in the subtree of the unit with ``code`` (by path prefix)."""
    path = Area.objects.filter(code=code.strip()).values_list("path", flat=True).first()
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{lookup}path__startswith": path})


class AreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或代码"), method="filter_q")
    ancestor = django_filters.CharFilter(
        label=_("所属区划代码"),
        method="filter_ancestor",
        help_text=_("该区划以下的全部下级（按路径前缀）"),
    )
    parent = django_filters.CharFilter(
        label=_("直接上级代码"), field_name="parent__code", help_text=_("只列直接下级")
    )
    level = django_filters.ChoiceFilter(label=_("层级"), choices=AreaLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=AreaKind.choices)
    urban = django_filters.ChoiceFilter(
        label=_("城乡"), choices=URBAN_CHOICES, method="filter_urban"
    )
    historical = django_filters.BooleanFilter(
        label=_("含已撤并区划"),
        method="filter_historical",
        help_text=_("默认只列现行区划"),
    )

    class Meta:
        model = Area
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(code__startswith=value)
        return queryset.filter(name__contains=value)

    def filter_ancestor(self, queryset, name, value):
        if not value.strip():
            return queryset
        code = value.strip()
        return _subtree(queryset, "", code).exclude(code=code)

    def filter_urban(self, queryset, name, value):
        return queryset.filter(is_urban=value == "urban")

    def filter_historical(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so that "only current" is the default

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("historical"):
            queryset = queryset.current()
        return queryset


class PopulationFactFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(
        label=_("区划代码"), method="filter_area", help_text=_("该区划及其全部下级")
    )
    year = django_filters.NumberFilter(label=_("年份"))
    year_from = django_filters.NumberFilter(
        label=_("起始年份"), field_name="year", lookup_expr="gte"
    )
    year_to = django_filters.NumberFilter(label=_("截止年份"), field_name="year", lookup_expr="lte")

    class Meta:
        model = PopulationFact
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        return _subtree(queryset, "area__", value) if value.strip() else queryset


class ResidentialAreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("小区名称"), field_name="name", lookup_expr="contains")
    area = django_filters.CharFilter(
        label=_("区划代码"), method="filter_area", help_text=_("该区划及其全部下级")
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=EstateKind.choices)
    compliance = django_filters.ChoiceFilter(
        label=_("用房配建"), choices=COMPLIANCE_CHOICES, method="filter_compliance"
    )

    class Meta:
        model = ResidentialArea
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        return _subtree(queryset, "area__", value) if value.strip() else queryset

    def filter_compliance(self, queryset, name, value):
        below = below_norm_q()
        return queryset.filter(below) if value == "below" else queryset.exclude(below)
