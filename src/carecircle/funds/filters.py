"""The allocation FilterSet, shared by the list, its export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.core import dates
from carecircle.funds.choices import Purpose
from carecircle.funds.models import LotteryAllocation
from carecircle.persons.filters import AreaCodeFilter
from carecircle.referrals.filters import area_select

FIRST_LISTED_YEAR = 2021


def year_choices():
    return dates.year_choices(FIRST_LISTED_YEAR)


class LotteryAllocationFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(
        label=_("资金年度"), choices=year_choices, empty_label=_("全部")
    )
    purpose = django_filters.ChoiceFilter(label=_("用途"), choices=Purpose.choices)
    area = AreaCodeFilter(field_name="area", label=_("区划"), help_text=_("区划代码，包含下级"))
    q = django_filters.CharFilter(label=_("项目或文号"), method="filter_q")

    class Meta:
        model = LotteryAllocation
        fields = ["year", "purpose", "area", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area_select(self, "area")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__icontains=value) | Q(doc_no__icontains=value))
