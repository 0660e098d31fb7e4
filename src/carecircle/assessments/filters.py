"""Filters of the assessment list (shared with the API) and of the due worklist."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.assessments.choices import DueReason, Validity, level_choices, reason_choices
from carecircle.assessments.models import Assessment, valid_q
from carecircle.assessments.services import due_days
from carecircle.persons.filters import AreaCodeFilter


def scoped_area_widget(request, levels=(AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)):
    """In the HTML form, the towns and villages inside the user's area as a select."""
    scope = getattr(getattr(request, "user", None), "scope_area", None)
    if scope is None:
        return None
    areas = Area.objects.filter(path__startswith=scope.path, level__in=levels).order_by("path")
    choices = [("", _("全部"))] + [(a.code, f"{a.code} {a.name}") for a in areas]
    return forms.Select(choices=choices)


class DateInput(forms.DateInput):
    input_type = "date"


class AssessmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("姓名"), method="filter_q", help_text=_("被评估老年人姓名包含的文字")
    )
    area = AreaCodeFilter(
        field_name="person__area", label=_("区划"), help_text=_("区划代码，包含下级区划")
    )
    final_level = django_filters.ChoiceFilter(label=_("能力等级"), choices=level_choices)
    reason = django_filters.ChoiceFilter(label=_("评估原因"), choices=reason_choices)
    validity = django_filters.ChoiceFilter(
        label=_("有效性"),
        choices=Validity.choices,
        method="filter_validity",
        help_text=_("以今天为准；即将到期：有效期不足30天（可设置）"),
    )
    assessed_from = django_filters.DateFilter(
        field_name="assessed_on", lookup_expr="gte", label=_("评估日期起"), widget=DateInput
    )
    assessed_to = django_filters.DateFilter(
        field_name="assessed_on", lookup_expr="lte", label=_("评估日期止"), widget=DateInput
    )
    person = django_filters.UUIDFilter(
        field_name="person__uuid", label=_("人员"), help_text=_("人员的公开标识")
    )

    class Meta:
        model = Assessment
        fields = ["q", "area", "final_level", "reason", "validity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = scoped_area_widget(self.request)
        if widget is not None:
            self.filters["area"].extra["widget"] = widget

    @property
    def today(self) -> dt.date:
        return timezone.localdate()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(person__name__icontains=value) if value else queryset

    def filter_validity(self, queryset, name, value):
        on = self.today
        later = on + dt.timedelta(days=due_days())
        if value == Validity.VALID:
            return queryset.filter(valid_q(on))
        if value == Validity.EXPIRING:
            return queryset.filter(valid_q(on)).exclude(valid_q(later))
        if value == Validity.EXPIRED:
            return queryset.filter(valid_until__lt=on).filter(
                Q(invalidated_on__isnull=True) | Q(invalidated_on__gt=on)
            )
        if value == Validity.INVALIDATED:
            return queryset.filter(invalidated_on__lte=on)
        return queryset


class AssessmentListFilter(AssessmentFilter):
    """The HTML list: a person's assessments have their own page, so no person filter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("person", None)


class DueFilter(django_filters.FilterSet):
    """The worklist: village and why the elder is due (rows are annotated persons)."""

    area = AreaCodeFilter(field_name="area", label=_("村（社区）"), help_text=_("区划代码"))
    due = django_filters.ChoiceFilter(
        label=_("待评估原因"), choices=DueReason.choices, field_name="due_reason"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = scoped_area_widget(self.request)
        if widget is not None:
            self.filters["area"].extra["widget"] = widget
