"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from carecircle.areas.models import Area
from carecircle.core.choices import Domain
from carecircle.institutions.choices import (
    CreditStatus,
    DesignationKind,
    ListKind,
    Ownership,
    ProviderKind,
    ProviderStatus,
    SkillLevel,
    StaffRole,
    SubjectKind,
)
from carecircle.institutions.models import CreditListing, Designation, Grade, Provider, Staff

COUNTY_DEPTH = 2
NO_SKILL = "none"


class AreaLabelMixin:
    def label_from_instance(self, obj: Area) -> str:
        """Indented under the county, so towns and their villages read as a tree."""
        return "\u3000" * max(obj.depth - COUNTY_DEPTH, 0) + obj.name


class AreaChoiceField(AreaLabelMixin, forms.ModelChoiceField):
    """An area chosen (and sent) by its statistical code."""

    def __init__(self, *args, **kwargs):
        kwargs["to_field_name"] = "code"
        super().__init__(*args, **kwargs)


class AreaFilterField(AreaLabelMixin, django_filters.fields.ModelChoiceField):
    pass


class AreaFilter(django_filters.ModelChoiceFilter):
    field_class = AreaFilterField


def scoped_areas(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Area.objects.none()
    if user.scope_area_id:
        return Area.objects.subtree(user.scope_area)
    if user.institution_id:
        return Area.objects.filter(providers__pk=user.institution_id)
    return Area.objects.none()


def scoped_providers(request):
    user = getattr(request, "user", None)
    if user is None:
        return Provider.objects.none()
    return Provider.objects.for_user(user).order_by("area__code", "name")


def in_force_q(prefix: str, start: str, end: str, on: dt.date) -> Q:
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": on})
    )


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    area = AreaFilter(
        label=_("区划"),
        queryset=scoped_areas,
        to_field_name="code",
        method="filter_area",
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(label=_("机构类型"), choices=ProviderKind.choices)
    domain = django_filters.ChoiceFilter(label=_("领域"), choices=Domain.choices)
    ownership = django_filters.ChoiceFilter(label=_("性质"), choices=Ownership.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProviderStatus.choices)
    designation = django_filters.ChoiceFilter(
        label=_("现有称号"), choices=DesignationKind.choices, method="filter_designation"
    )
    grade = django_filters.ChoiceFilter(
        label=_("现行等级"),
        choices=[(str(n), format_lazy(_("{n}级"), n=n)) for n in range(1, 6)],
        method="filter_grade",
    )

    class Meta:
        model = Provider
        fields = ["q", "area", "kind", "domain", "ownership", "status", "designation", "grade"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code=value.upper()))

    def filter_area(self, queryset, name, value):
        return queryset.filter(area__path__startswith=value.path) if value else queryset

    def filter_designation(self, queryset, name, value):
        if not value:
            return queryset
        held = Designation.objects.filter(provider=OuterRef("pk"), kind=value).filter(
            in_force_q("", "granted_on", "revoked_on", timezone.localdate())
        )
        return queryset.filter(Exists(held))

    def filter_grade(self, queryset, name, value):
        if not value:
            return queryset
        graded = Grade.objects.filter(provider=OuterRef("pk"), grade=int(value)).filter(
            in_force_q("", "valid_from", "valid_to", timezone.localdate())
        )
        return queryset.filter(Exists(graded))


class StaffFilter(django_filters.FilterSet):
    ACTIVE, LEFT = "active", "left"

    q = django_filters.CharFilter(label=_("姓名"), method="filter_q")
    provider = django_filters.ModelChoiceFilter(
        label=_("所在机构"),
        queryset=scoped_providers,
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    role = django_filters.ChoiceFilter(label=_("岗位"), choices=StaffRole.choices)
    skill_level = django_filters.ChoiceFilter(
        label=_("技能等级"),
        choices=[(v, label) for v, label in SkillLevel.choices if v] + [(NO_SKILL, _("无"))],
        method="filter_skill_level",
    )
    credit_status = django_filters.ChoiceFilter(label=_("信用状态"), choices=CreditStatus.choices)
    employment = django_filters.ChoiceFilter(
        label=_("在职状态"),
        choices=[(ACTIVE, _("在职")), (LEFT, _("已离职"))],
        method="filter_employment",
    )

    class Meta:
        model = Staff
        fields = ["q", "provider", "role", "skill_level", "credit_status", "employment"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def filter_skill_level(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(skill_level="" if value == NO_SKILL else value)

    def filter_employment(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(left_on__isnull=True) | Q(left_on__gt=today)
        if value == self.ACTIVE:
            return queryset.filter(active)
        if value == self.LEFT:
            return queryset.exclude(active)
        return queryset


class CreditListingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或姓名"), method="filter_q")
    list_kind = django_filters.ChoiceFilter(label=_("名单类型"), choices=ListKind.choices)
    subject_kind = django_filters.ChoiceFilter(label=_("对象类型"), choices=SubjectKind.choices)
    in_force = django_filters.BooleanFilter(
        label=_("现行有效"),
        method="filter_in_force",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = CreditListing
        fields = ["q", "list_kind", "subject_kind", "in_force"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(subject_name__icontains=value) | Q(credit_code=value.upper()))

    def filter_in_force(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.in_force()
        return current if value else queryset.exclude(pk__in=current.values("pk"))
