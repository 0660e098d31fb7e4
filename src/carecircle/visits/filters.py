"""One FilterSet per model, shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.persons.filters import AreaCodeFilter
from carecircle.persons.models import Person
from carecircle.visits import services
from carecircle.visits.choices import HelperKind, HelpKind, VisitMode
from carecircle.visits.models import CareWish, Helper, HelpLog, Pairing, Visit


class MonthFilter(django_filters.CharFilter):
    """A calendar month ``YYYY-MM``: rows dated in it (month ends included)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        try:
            year, month = (int(part) for part in value.split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            return qs.none()
        last = services.Month(first.year, first.month).last
        return qs.filter(**{f"{self.field_name}__gte": first, f"{self.field_name}__lte": last})


class ScopedAreaFilterSet(django_filters.FilterSet):
    """In the HTML form, the ``area`` filter offers the towns and villages of the user's area."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        scope = getattr(user, "scope_area", None)
        if scope is not None and "area" in self.filters:
            areas = Area.objects.filter(
                path__startswith=scope.path, level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
            ).order_by("path")
            choices = [("", _("全部"))] + [(a.code, f"{a.code} {a.name}") for a in areas]
            self.filters["area"].extra["widget"] = forms.Select(choices=choices)


PERSON_AREA = {"label": _("区划"), "help_text": _("区划代码，包含下级区划")}


class VisitFilter(ScopedAreaFilterSet):
    FOLLOW_UP = [("pending", _("待跟进")), ("done", _("已跟进")), ("none", _("无需跟进"))]

    area = AreaCodeFilter(field_name="person__area", **PERSON_AREA)
    month = MonthFilter(
        field_name="visited_on", label=_("月份"), help_text=_("YYYY-MM，如 2025-03")
    )
    mode = django_filters.ChoiceFilter(label=_("探访方式"), choices=VisitMode.choices)
    follow_up = django_filters.ChoiceFilter(
        label=_("跟进"), choices=FOLLOW_UP, method="filter_follow_up"
    )
    person = django_filters.UUIDFilter(
        field_name="person__uuid",
        label=_("老年人"),
        help_text=_("老年人的公开标识"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Visit
        fields = ["area", "month", "mode", "follow_up", "person"]

    def filter_follow_up(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(follow_up_needed=True, follow_up_done_on__isnull=True)
        if value == "done":
            return queryset.filter(follow_up_done_on__isnull=False)
        if value == "none":
            return queryset.filter(follow_up_needed=False)
        return queryset


class HelperFilter(ScopedAreaFilterSet):
    q = django_filters.CharFilter(label=_("姓名"), method="filter_q")
    area = AreaCodeFilter(field_name="area", **PERSON_AREA)
    kind = django_filters.ChoiceFilter(label=_("帮扶人类型"), choices=HelperKind.choices)
    active = django_filters.BooleanFilter(
        label=_("在帮"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Helper
        fields = ["q", "area", "kind", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


class PairingFilter(ScopedAreaFilterSet):
    STATUS = [("active", _("在结对")), ("ended", _("已结束"))]

    area = AreaCodeFilter(field_name="person__area", **PERSON_AREA)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=STATUS, method="filter_status")
    helper = django_filters.UUIDFilter(
        field_name="helper__uuid", label=_("帮扶人"), widget=forms.HiddenInput
    )
    person = django_filters.UUIDFilter(
        field_name="person__uuid", label=_("老年人"), widget=forms.HiddenInput
    )

    class Meta:
        model = Pairing
        fields = ["area", "status", "helper", "person"]

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(ended_on__isnull=True)
        if value == "ended":
            return queryset.filter(ended_on__isnull=False)
        return queryset


class HelpLogFilter(django_filters.FilterSet):
    pairing = django_filters.UUIDFilter(
        field_name="pairing__uuid", label=_("结对"), widget=forms.HiddenInput
    )
    kind = django_filters.ChoiceFilter(label=_("帮扶内容"), choices=HelpKind.choices)
    month = MonthFilter(field_name="helped_on", label=_("月份"), help_text=_("YYYY-MM"))

    class Meta:
        model = HelpLog
        fields = ["pairing", "kind", "month"]


class CareWishFilter(ScopedAreaFilterSet):
    WAITING, PLACED, WITHDRAWN = "waiting", "placed", "withdrawn"
    STATUS = [(WAITING, _("等待入住")), (PLACED, _("已集中供养")), (WITHDRAWN, _("已撤回"))]

    area = AreaCodeFilter(field_name="person__area", **PERSON_AREA)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=STATUS, method="filter_status")
    person = django_filters.UUIDFilter(
        field_name="person__uuid", label=_("老年人"), widget=forms.HiddenInput
    )

    class Meta:
        model = CareWish
        fields = ["area", "status", "person"]

    def filter_status(self, queryset, name, value):
        on = timezone.localdate()
        placed = Exists(services.institution_stays(on, "person"))
        if value == self.WITHDRAWN:
            return queryset.filter(withdrawn_on__lte=on)
        if value == self.PLACED:
            return queryset.filter(services.open_wish_q(on)).filter(placed)
        if value == self.WAITING:
            return queryset.filter(services.open_wish_q(on)).exclude(placed)
        return queryset


class PersonAreaFilter(ScopedAreaFilterSet):
    """The area filter of lists of elders (unpaired elders, wish candidates)."""

    area = AreaCodeFilter(field_name="area", **PERSON_AREA)

    class Meta:
        model = Person
        fields = ["area"]
