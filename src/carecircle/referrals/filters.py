"""FilterSets shared by the hospital and referral lists, their exports (xlsx, FHIR) and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.institutions.models import Provider
from carecircle.persons.filters import AreaCodeFilter
from carecircle.referrals.choices import Direction, HospitalLevel, ReferralStatus, Urgency
from carecircle.referrals.models import Hospital, Referral


def yes_no_select() -> forms.Select:
    """全部 / 是 / 否 for a boolean filter (the default select says 未知 for "any")."""
    return forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])


def _user(request):
    return getattr(request, "user", None)


def scoped_hospitals(request):
    user = _user(request)
    if user is None:
        return Hospital.objects.none()
    return Hospital.objects.for_user(user).order_by("-level", "name")


def scoped_institutions(request):
    user = _user(request)
    if user is None:
        return Provider.objects.none()
    return Provider.objects.for_user(user).elderly_institutions().order_by("name")


def area_select(filterset, name: str) -> None:
    """In the HTML form, offer the towns and villages inside the user's area."""
    user = _user(filterset.request)
    scope = getattr(user, "scope_area", None)
    if scope is None:
        return
    areas = Area.objects.filter(
        path__startswith=scope.path, level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    ).order_by("path")
    choices = [("", _("全部"))] + [(a.code, f"{a.code} {a.name}") for a in areas]
    filterset.filters[name].extra["widget"] = forms.Select(choices=choices)


@extend_schema_field(OpenApiTypes.UUID)
class UUIDChoiceFilter(django_filters.ModelChoiceFilter):
    """A related row chosen (and sent) by its public UUID."""


class DateInput(forms.DateInput):
    input_type = "date"


class HospitalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    level = django_filters.ChoiceFilter(label=_("医院级别"), choices=HospitalLevel.choices)
    is_primary_care = django_filters.BooleanFilter(
        label=_("基层医疗卫生机构"), widget=yes_no_select()
    )
    area = AreaCodeFilter(field_name="area", label=_("区划"), help_text=_("区划代码，包含下级"))

    class Meta:
        model = Hospital
        fields = ["q", "level", "is_primary_care", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area_select(self, "area")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code=value.upper()))


class ReferralFilter(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(label=_("方向"), choices=Direction.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReferralStatus.choices)
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=Urgency.choices)
    institution = UUIDChoiceFilter(
        label=_("养老机构"),
        queryset=scoped_institutions,
        method="filter_institution",
        field_name="uuid",
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    hospital = UUIDChoiceFilter(
        label=_("医院"),
        queryset=scoped_hospitals,
        method="filter_hospital",
        field_name="uuid",
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    area = AreaCodeFilter(
        field_name="person__area", label=_("区划"), help_text=_("老人居住地区划代码，包含下级")
    )
    referred_from = django_filters.DateFilter(
        field_name="referred_on__date",
        lookup_expr="gte",
        label=_("转诊日期起"),
        widget=DateInput(),
    )
    referred_to = django_filters.DateFilter(
        field_name="referred_on__date",
        lookup_expr="lte",
        label=_("转诊日期止"),
        widget=DateInput(),
    )
    diagnosis = django_filters.CharFilter(
        field_name="diagnosis_code",
        lookup_expr="istartswith",
        label=_("诊断编码"),
        help_text=_("ICD-10编码前缀，如 I63"),
    )
    person = django_filters.UUIDFilter(
        field_name="person__uuid", label=_("人员"), help_text=_("人员的公开标识")
    )

    class Meta:
        model = Referral
        fields = [
            "direction",
            "status",
            "urgency",
            "institution",
            "hospital",
            "area",
            "referred_from",
            "referred_to",
            "diagnosis",
            "person",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area_select(self, "area")

    def filter_institution(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(from_provider=value) | Q(to_provider=value))

    def filter_hospital(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(from_hospital=value) | Q(to_hospital=value))


class ReferralListFilter(ReferralFilter):
    """The list page's form: the same filters without the person's identifier (API only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("person")
