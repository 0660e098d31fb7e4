"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request

from carecircle.adaptations.choices import ProjectStatus
from carecircle.adaptations.models import AdaptationProject, FamilyCareBed
from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.core import dates
from carecircle.institutions.filters import scoped_providers
from carecircle.persons.filters import AreaCodeFilter

FIRST_YEAR = 2019


def year_choices() -> list[tuple[str, str]]:
    """全部, then this year back to 2019 (callable choices get no empty choice of their own)."""
    return [("", str(_("全部"))), *dates.year_choices(FIRST_YEAR)]


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.TypedChoiceFilter):
    """A calendar year of a date field (``field_name="applied_on__year"``), 2019 to this year."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", year_choices)
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)


def api_only(filter_: django_filters.Filter) -> django_filters.Filter:
    """Mark a filter the HTML lists do not show (the elder's public identifier, for clients)."""
    filter_.api_only = True
    return filter_


class ElderAreaFilterMixin:
    """An ``area`` filter on the elder's village (code, with everything below it), offered in the
    HTML form as the towns and villages inside the user's area. Filters marked ``api_only`` are
    left out of the HTML lists (DRF passes its own ``Request``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not isinstance(self.request, Request):
            for name in [n for n, f in self.filters.items() if getattr(f, "api_only", False)]:
                self.filters.pop(name)
        user = getattr(self.request, "user", None)
        scope = getattr(user, "scope_area", None)
        if user is not None and scope is None and not isinstance(self.request, Request):
            # An institution's staff have no area to choose from.
            self.filters.pop("area", None)
        if scope is not None:
            areas = Area.objects.filter(
                path__startswith=scope.path, level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
            ).order_by("path")
            indent = "\u3000"
            choices = [("", _("全部"))] + [
                (a.code, (indent if a.level == AreaLevel.VILLAGE else "") + a.name) for a in areas
            ]
            self.filters["area"].extra["widget"] = forms.Select(choices=choices)


def elder_area_filter() -> AreaCodeFilter:
    return AreaCodeFilter(
        field_name="person__area",
        label=_("镇（街道）/村（社区）"),
        help_text=_("区划代码，包含下级区划"),
    )


def elder_filter() -> django_filters.UUIDFilter:
    return api_only(
        django_filters.UUIDFilter(
            field_name="person__uuid", label=_("老年人"), help_text=_("老年人的公开标识")
        )
    )


class ProjectFilter(ElderAreaFilterMixin, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProjectStatus.choices)
    area = elder_area_filter()
    year = YearFilter(label=_("申请年度"), field_name="applied_on__year")
    completed_year = YearFilter(label=_("完工年度"), field_name="completed_on__year")
    target_group = django_filters.BooleanFilter(
        label=_("完工时属特殊困难老年人"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    person = elder_filter()

    class Meta:
        model = AdaptationProject
        fields = ["status", "area", "year", "completed_year", "target_group", "person"]


class BedFilter(ElderAreaFilterMixin, django_filters.FilterSet):
    OPEN, ENDED = "open", "ended"

    state = django_filters.ChoiceFilter(
        label=_("床位状态"),
        choices=[(OPEN, _("在床")), (ENDED, _("已撤床"))],
        method="filter_state",
    )
    provider = django_filters.ModelChoiceFilter(
        label=_("服务机构"), queryset=scoped_providers, to_field_name="uuid", empty_label=_("全部")
    )
    area = elder_area_filter()
    year = YearFilter(label=_("建床年度"), field_name="started_on__year")
    person = elder_filter()

    class Meta:
        model = FamilyCareBed
        fields = ["state", "provider", "area", "year", "person"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.institution_id:
            # An institution's staff see their own beds only: no provider to choose.
            self.filters.pop("provider", None)

    def filter_state(self, queryset, name, value):
        if value == self.OPEN:
            return queryset.filter(ended_on__isnull=True)
        if value == self.ENDED:
            return queryset.filter(ended_on__isnull=False)
        return queryset
