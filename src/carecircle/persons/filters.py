"""One FilterSet per model, shared by the HTML lists and the API (never by ID number: R25)."""

from __future__ import annotations

import calendar
import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.core.choices import Domain, Sex
from carecircle.core.dates import years_before
from carecircle.persons.choices import DisabilityKind, HardshipKind, LivingArrangement
from carecircle.persons.models import Contact, HardshipFlag, Person, Residence


def months_before(on: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier; a day missing in that month falls back to its last day."""
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


class PersonStatus:
    PRESENT = "present"
    DECEASED = "deceased"
    MOVED_OUT = "moved_out"
    CHOICES = [
        (PRESENT, _("在册")),
        (DECEASED, _("已死亡")),
        (MOVED_OUT, _("已迁出")),
    ]


# Age bands: (key, label, lower bound, upper bound exclusive); years for elders, months for
# children under three.
ELDER_BANDS = [
    ("60-69", _("60–69岁"), 60, 70),
    ("70-79", _("70–79岁"), 70, 80),
    ("80-89", _("80–89岁"), 80, 90),
    ("90+", _("90岁及以上"), 90, None),
]
CHILD_BANDS = [
    ("0-5m", _("0–5个月"), 0, 6),
    ("6-11m", _("6–11个月"), 6, 12),
    ("12-23m", _("12–23个月"), 12, 24),
    ("24-35m", _("24–35个月"), 24, 36),
]
_BANDS = {
    key: (low, high, key.endswith("m")) for key, _label, low, high in ELDER_BANDS + CHILD_BANDS
}

ANY_DISABILITY = "any"
DISABILITY_CHOICES = [(ANY_DISABILITY, _("任一残疾"))] + [
    (value, label) for value, label in DisabilityKind.choices if value
]
LIVING_CHOICES = [(value or "unknown", label) for value, label in LivingArrangement.choices]


def age_band_q(key: str, on: dt.date) -> Q:
    low, high, in_months = _BANDS[key]
    before = months_before if in_months else years_before
    condition = Q(birth_date__lte=before(on, low))
    if high is not None:
        condition &= Q(birth_date__gt=before(on, high))
    return condition


class AreaCodeFilter(django_filters.CharFilter):
    """A statistical division code; matches the area and everything below it."""

    def filter(self, qs, value):
        if not value:
            return qs
        area = Area.objects.filter(code=value.strip()).only("path").first()
        if area is None:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__path__startswith": area.path})


class PersonFilter(django_filters.FilterSet):
    """Filters of the elder and child lists and of ``/api/persons/``.

    Subclasses fix ``domain`` (the lists); the API exposes it as a filter.
    """

    domain_fixed: str | None = None

    q = django_filters.CharFilter(label=_("姓名"), method="filter_q", help_text=_("姓名包含的文字"))
    area = AreaCodeFilter(field_name="area", label=_("区划"), help_text=_("区划代码，包含下级区划"))
    domain = django_filters.ChoiceFilter(label=_("类别"), choices=Domain.choices)
    hardship = django_filters.ChoiceFilter(
        label=_("困难类型"),
        choices=HardshipKind.choices,
        method="filter_hardship",
        help_text=_("当前有效的困难标识"),
    )
    living_arrangement = django_filters.ChoiceFilter(
        label=_("居住状况"), choices=LIVING_CHOICES, method="filter_living"
    )
    sex = django_filters.ChoiceFilter(label=_("性别"), choices=Sex.choices)
    age_band = django_filters.ChoiceFilter(
        label=_("年龄段"),
        choices=[(k, label) for k, label, *_rest in ELDER_BANDS + CHILD_BANDS],
        method="filter_age_band",
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=PersonStatus.CHOICES, method="filter_status"
    )
    disability = django_filters.ChoiceFilter(
        label=_("残疾"), choices=DISABILITY_CHOICES, method="filter_disability"
    )

    class Meta:
        model = Person
        fields = ["q", "area", "domain", "sex"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.domain_fixed:
            self.filters.pop("domain", None)
            bands = ELDER_BANDS if self.domain_fixed == Domain.ELDERLY else CHILD_BANDS
            self.filters["age_band"].extra["choices"] = [(k, label) for k, label, *_r in bands]
        user = getattr(self.request, "user", None)
        scope = getattr(user, "scope_area", None)
        if scope is not None:
            # In the HTML form, offer the towns and villages inside the user's area.
            areas = Area.objects.filter(
                path__startswith=scope.path, level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
            ).order_by("path")
            choices = [("", _("全部"))] + [(a.code, f"{a.code} {a.name}") for a in areas]
            self.filters["area"].extra["widget"] = forms.Select(choices=choices)

    @property
    def today(self) -> dt.date:
        return timezone.localdate()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def filter_hardship(self, queryset, name, value):
        return queryset.with_flag(value, self.today) if value else queryset

    def filter_living(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(living_arrangement="" if value == "unknown" else value)

    def filter_age_band(self, queryset, name, value):
        return queryset.filter(age_band_q(value, self.today)) if value in _BANDS else queryset

    def filter_status(self, queryset, name, value):
        on = self.today
        if value == PersonStatus.PRESENT:
            return queryset.present_on(on)
        if value == PersonStatus.DECEASED:
            return queryset.filter(death_date__lte=on)
        if value == PersonStatus.MOVED_OUT:
            return queryset.filter(moved_out_on__lte=on).exclude(death_date__lte=on)
        return queryset

    def filter_disability(self, queryset, name, value):
        if value == ANY_DISABILITY:
            return queryset.exclude(disability_kind="")
        return queryset.filter(disability_kind=value) if value else queryset


class ElderFilter(PersonFilter):
    domain_fixed = Domain.ELDERLY


class ChildFilter(PersonFilter):
    domain_fixed = Domain.CHILDCARE


class PersonChildFilter(django_filters.FilterSet):
    person = django_filters.UUIDFilter(
        field_name="person__uuid", label=_("人员"), help_text=_("人员的公开标识")
    )


class HardshipFlagFilter(PersonChildFilter):
    class Meta:
        model = HardshipFlag
        fields = ["person", "kind"]


class ContactFilter(PersonChildFilter):
    class Meta:
        model = Contact
        fields = ["person", "relation"]


class ResidenceFilter(PersonChildFilter):
    class Meta:
        model = Residence
        fields = ["person"]
