"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.adaptations.filters import ElderAreaFilterMixin, elder_area_filter, elder_filter
from carecircle.emergency.choices import CallKind, CallOutcome, Coverage, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.institutions.forms import DateInput

ACTIVE, ENDED = "active", "ended"
OPEN, CLOSED = "open", "closed"


class DeviceFilter(ElderAreaFilterMixin, django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=DeviceKind.choices)
    coverage = django_filters.ChoiceFilter(label=_("覆盖方式"), choices=Coverage.choices)
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[(ACTIVE, _("在用")), (ENDED, _("已停用"))], method="filter_state"
    )
    area = elder_area_filter()
    person = elder_filter()

    class Meta:
        model = CallDevice
        fields = ["kind", "coverage", "state", "area", "person"]

    def filter_state(self, queryset, name, value):
        if value == ACTIVE:
            return queryset.filter(ended_on__isnull=True)
        if value == ENDED:
            return queryset.filter(ended_on__isnull=False)
        return queryset


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class CallFilter(ElderAreaFilterMixin, django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[(OPEN, _("未办结")), (CLOSED, _("已办结"))], method="filter_state"
    )
    kind = django_filters.ChoiceFilter(label=_("呼叫类型"), choices=CallKind.choices)
    outcome = django_filters.ChoiceFilter(label=_("处置结果"), choices=CallOutcome.choices)
    area = elder_area_filter()
    since = django_filters.DateFilter(
        label=_("呼叫日期自"), method="filter_since", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label=_("呼叫日期至"), method="filter_until", widget=DateInput()
    )
    person = elder_filter()

    class Meta:
        model = CallEvent
        fields = ["state", "kind", "outcome", "area", "since", "until", "person"]

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(closed_at__isnull=True)
        if value == CLOSED:
            return queryset.filter(closed_at__isnull=False)
        return queryset

    def filter_since(self, queryset, name, value):
        return queryset.filter(called_at__gte=_local_day_start(value)) if value else queryset

    def filter_until(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(called_at__lt=_local_day_start(value + dt.timedelta(days=1)))
