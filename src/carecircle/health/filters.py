"""The health-check FilterSet, shared by the list, its export and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _

from carecircle.core import dates
from carecircle.health.models import ElderHealthCheck, counting_q
from carecircle.persons.filters import AreaCodeFilter
from carecircle.referrals.filters import (
    DateInput,
    UUIDChoiceFilter,
    area_select,
    scoped_hospitals,
    yes_no_select,
)

FIRST_YEAR = 2021


def year_choices():
    return dates.year_choices(FIRST_YEAR)


class ElderHealthCheckFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(
        label=_("年度"), choices=year_choices, method="filter_year", empty_label=_("全部")
    )
    area = AreaCodeFilter(
        field_name="person__area", label=_("区划"), help_text=_("老人居住地区划代码，包含下级")
    )
    counting = django_filters.BooleanFilter(
        label=_("计入健康管理"),
        method="filter_counting",
        help_text=_("体检、评估、指导均已完成"),
        widget=yes_no_select(),
    )
    hospital = UUIDChoiceFilter(
        label=_("体检机构"),
        queryset=scoped_hospitals,
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    checked_from = django_filters.DateFilter(
        field_name="checked_on", lookup_expr="gte", label=_("体检日期起"), widget=DateInput()
    )
    checked_to = django_filters.DateFilter(
        field_name="checked_on", lookup_expr="lte", label=_("体检日期止"), widget=DateInput()
    )
    person = django_filters.UUIDFilter(
        field_name="person__uuid", label=_("人员"), help_text=_("人员的公开标识")
    )

    class Meta:
        model = ElderHealthCheck
        fields = ["year", "area", "counting", "hospital", "checked_from", "checked_to", "person"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area_select(self, "area")

    def filter_year(self, queryset, name, value: str):
        if not value:
            return queryset
        year = int(value)
        return queryset.filter(
            checked_on__gte=dt.date(year, 1, 1), checked_on__lte=dt.date(year, 12, 31)
        )

    def filter_counting(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(counting_q()) if value else queryset.exclude(counting_q())


class ElderHealthCheckListFilter(ElderHealthCheckFilter):
    """The list page's form: without the person's identifier (API only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("person")
