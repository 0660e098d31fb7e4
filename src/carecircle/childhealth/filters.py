"""One FilterSet per infant health record, shared by its list, export and API endpoint."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.childhealth.choices import Checkpoint, GuidanceMode, GuidanceTopic, ScreeningResult
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.persons.filters import AreaCodeFilter
from carecircle.persons.models import Person
from carecircle.referrals.filters import DateInput, area_select

FIRST_YEAR = 2021


def year_choices():
    return [(str(y), f"{y}") for y in range(timezone.localdate().year, FIRST_YEAR - 1, -1)]


class ChildRecordFilter(django_filters.FilterSet):
    """Year, area and date range on the record's service date (``date_field``), and the child."""

    date_field = ""

    year = django_filters.ChoiceFilter(
        label=_("年度"), choices=year_choices, method="filter_year", empty_label=_("全部")
    )
    area = AreaCodeFilter(
        field_name="child__area", label=_("区划"), help_text=_("儿童居住地区划代码，包含下级")
    )
    date_from = django_filters.DateFilter(
        label=_("服务日期起"), method="filter_from", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("服务日期止"), method="filter_to", widget=DateInput()
    )
    child = django_filters.UUIDFilter(
        field_name="child__uuid", label=_("儿童"), help_text=_("儿童的公开标识")
    )

    def __init__(self, *args, list_page: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        area_select(self, "area")
        if list_page:
            self.filters.pop("child")  # the list page's form: the child's identifier is API only

    def filter_year(self, queryset, name, value: str):
        if not value:
            return queryset
        year = int(value)
        return queryset.filter(
            **{
                f"{self.date_field}__gte": dt.date(year, 1, 1),
                f"{self.date_field}__lte": dt.date(year, 12, 31),
            }
        )

    def filter_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value}) if value else queryset

    def filter_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value}) if value else queryset


COMMON = ["year", "area", "date_from", "date_to", "child"]


class NewbornVisitFilter(ChildRecordFilter):
    date_field = "visited_on"

    class Meta:
        model = NewbornVisit
        fields = COMMON


class NewbornScreeningFilter(ChildRecordFilter):
    date_field = "sampled_on"
    result = django_filters.ChoiceFilter(
        label=_("筛查结果"), choices=ScreeningResult.choices, empty_label=_("全部")
    )

    class Meta:
        model = NewbornScreening
        fields = [*COMMON, "result"]


class VaccinationFilter(ChildRecordFilter):
    date_field = "given_on"
    vaccine = django_filters.ChoiceFilter(
        label=_("疫苗"),
        field_name="dose__code",
        choices=lambda: sorted(
            dict(VaccineDose.objects.values_list("code", "vaccine_name")).items(),
            key=lambda item: item[1],
        ),
        empty_label=_("全部"),
    )

    class Meta:
        model = Vaccination
        fields = [*COMMON, "vaccine"]


class ChildHealthCheckFilter(ChildRecordFilter):
    date_field = "checked_on"
    checkpoint = django_filters.ChoiceFilter(
        label=_("检查月龄"), choices=Checkpoint.choices, empty_label=_("全部")
    )

    class Meta:
        model = ChildHealthCheck
        fields = [*COMMON, "checkpoint"]


class DevelopmentGuidanceFilter(ChildRecordFilter):
    date_field = "given_on"
    topic = django_filters.ChoiceFilter(
        label=_("指导内容"), choices=GuidanceTopic.choices, empty_label=_("全部")
    )
    mode = django_filters.ChoiceFilter(
        label=_("指导方式"), choices=GuidanceMode.choices, empty_label=_("全部")
    )

    class Meta:
        model = DevelopmentGuidance
        fields = [*COMMON, "topic", "mode"]


class OverdueFilter(django_filters.FilterSet):
    """The worklist: by village (or town) of residence."""

    area = AreaCodeFilter(
        field_name="area", label=_("区划"), help_text=_("儿童居住地区划代码，包含下级")
    )

    class Meta:
        model = Person
        fields = ["area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area_select(self, "area")
