"""Filters of the audit log (R18, R31): user, event, outcome, time range, object."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.models import AuditEvent

# The events that show whose data someone looked at (R31).
DATA_ACCESS_ACTIONS = (
    AuditAction.VIEW_RECORD,
    AuditAction.VIEW_FULL_ID,
    AuditAction.EXPORT,
    AuditAction.SEARCH_PERSON,
)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(
        label=_("用户名"), field_name="username", lookup_expr="iexact", max_length=150
    )
    action = django_filters.ChoiceFilter(label=_("事件"), choices=AuditAction.choices)
    outcome = django_filters.ChoiceFilter(label=_("结果"), choices=AuditOutcome.choices)
    date_from = django_filters.DateFilter(
        label=_("起始日期"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期（含）"),
        method="filter_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    object_id = django_filters.CharFilter(
        label=_("对象标识"), field_name="object_id", lookup_expr="exact", max_length=64
    )
    ip_address = django_filters.CharFilter(
        label=_("IP地址"), field_name="ip_address", lookup_expr="exact", max_length=45
    )

    class Meta:
        model = AuditEvent
        fields = ["username", "action", "outcome", "date_from", "date_to", "object_id"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_start_of(value + dt.timedelta(days=1)))


class AccessReportFilter(django_filters.FilterSet):
    """ "Whose data did user X view between T1 and T2" (R31): all three are required."""

    username = django_filters.CharFilter(
        label=_("用户名"), field_name="username", lookup_expr="iexact", required=True
    )
    start = django_filters.DateTimeFilter(
        label=_("开始时间"),
        field_name="occurred_at",
        lookup_expr="gte",
        required=True,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    end = django_filters.DateTimeFilter(
        label=_("结束时间"),
        field_name="occurred_at",
        lookup_expr="lt",
        required=True,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["username", "start", "end"]

    @property
    def qs(self):
        return super().qs.filter(action__in=DATA_ACCESS_ACTIONS)
