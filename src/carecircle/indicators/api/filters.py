"""Filters of the indicator endpoints: by indicator code, area code, period, status, source."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from carecircle.indicators.choices import Attribute, IndicatorDomain, Source, Status
from carecircle.indicators.models import Indicator, IndicatorValue, Target


class IndicatorFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(label=_("领域"), choices=IndicatorDomain.choices)
    attribute = django_filters.ChoiceFilter(label=_("属性"), choices=Attribute.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)

    class Meta:
        model = Indicator
        fields = ["domain", "attribute", "source"]


class TargetFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(
        label=_("指标代码"), field_name="indicator__code", help_text=_("如 E14")
    )
    area = django_filters.CharFilter(label=_("区划代码"), field_name="area__code")
    year = django_filters.NumberFilter(label=_("年份"))

    class Meta:
        model = Target
        fields = ["indicator", "area", "year"]


class IndicatorValueFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(
        label=_("指标代码"), field_name="indicator__code", help_text=_("如 E14")
    )
    area = django_filters.CharFilter(
        label=_("区划代码"), field_name="area__code", help_text=_("只含该区划本身")
    )
    period = django_filters.CharFilter(
        label=_("期间"), help_text=_("DHIS2 写法：2025、2025Q1、202503")
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "area", "period", "status", "source"]
