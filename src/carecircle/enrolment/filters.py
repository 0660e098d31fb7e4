"""FilterSets shared by the HTML lists, their xlsx exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.enrolment.choices import ApplicationSource, ApplicationStatus, EndReason
from carecircle.enrolment.models import Application, ChildcareClass, ClassRule, Enrolment, Offer
from carecircle.institutions.choices import ServiceMode
from carecircle.institutions.filters import AreaFilter, scoped_areas
from carecircle.institutions.models import Provider

OPEN, CLOSED = "open", "closed"


def childcare_providers(request):
    user = getattr(request, "user", None)
    if user is None:
        return Provider.objects.none()
    return Provider.objects.for_user(user).childcare().order_by("area__code", "name")


def scoped_classes(request):
    user = getattr(request, "user", None)
    if user is None:
        return ChildcareClass.objects.none()
    return (
        ChildcareClass.objects.for_user(user)
        .select_related("provider")
        .order_by("provider__name", "name")
    )


class ClassChoiceFilterField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: ChildcareClass) -> str:
        return f"{obj.provider.name} {obj.name}"


class ClassFilter(django_filters.ModelChoiceFilter):
    field_class = ClassChoiceFilterField


def _area_filter() -> AreaFilter:
    return AreaFilter(
        label=_("区划"),
        field_name="provider__area",
        queryset=scoped_areas,
        to_field_name="code",
        method="filter_area",
        empty_label=_("全部"),
    )


def _provider_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("托育机构"),
        queryset=childcare_providers,
        to_field_name="uuid",
        empty_label=_("全部"),
    )


class ChildcareClassFilter(django_filters.FilterSet):
    area = _area_filter()
    provider = django_filters.ModelChoiceFilter(
        label=_("托育机构"),
        queryset=childcare_providers,
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    rule = django_filters.ModelChoiceFilter(
        label=_("班级类型"), queryset=ClassRule.objects.all(), empty_label=_("全部")
    )
    mode = django_filters.ChoiceFilter(label=_("服务方式"), choices=ServiceMode.choices)
    state = django_filters.ChoiceFilter(
        label=_("开班状态"),
        choices=[(OPEN, _("开班中")), (CLOSED, _("已撤班"))],
        method="filter_state",
    )

    class Meta:
        model = ChildcareClass
        fields = ["area", "provider", "rule", "mode", "state"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(provider__area__path__startswith=value.path) if value else queryset

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        open_q = Q(opened_on__lte=today) & (Q(closed_on__isnull=True) | Q(closed_on__gt=today))
        if value == OPEN:
            return queryset.filter(open_q)
        if value == CLOSED:
            return queryset.exclude(open_q)
        return queryset


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ApplicationStatus.choices)
    provider = django_filters.ModelChoiceFilter(
        label=_("托育机构"),
        queryset=childcare_providers,
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    childcare_class = ClassFilter(
        label=_("申请班级"), queryset=scoped_classes, to_field_name="uuid", empty_label=_("全部")
    )
    source = django_filters.ChoiceFilter(label=_("申请渠道"), choices=ApplicationSource.choices)
    reference_code = django_filters.CharFilter(label=_("申请编号"), method="filter_code")

    class Meta:
        model = Application
        fields = ["status", "provider", "childcare_class", "source", "reference_code"]

    def filter_code(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(reference_code=value) if value else queryset


class OfferFilter(django_filters.FilterSet):
    PENDING, ACCEPTED, DECLINED, EXPIRED = "pending", "accepted", "declined", "expired"

    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[
            (PENDING, _("待答复")),
            (ACCEPTED, _("已接受")),
            (DECLINED, _("已放弃")),
            (EXPIRED, _("已过期")),
        ],
        method="filter_state",
    )
    childcare_class = ClassFilter(
        label=_("录取班级"), queryset=scoped_classes, to_field_name="uuid", empty_label=_("全部")
    )

    class Meta:
        model = Offer
        fields = ["state", "childcare_class"]

    def filter_state(self, queryset, name, value):
        now = timezone.now()
        unanswered = Q(accepted_at__isnull=True, declined_at__isnull=True)
        if value == self.PENDING:
            return queryset.pending(now)
        if value == self.ACCEPTED:
            return queryset.filter(accepted_at__isnull=False)
        if value == self.DECLINED:
            return queryset.filter(declined_at__isnull=False)
        if value == self.EXPIRED:
            return queryset.filter(unanswered).filter(
                Q(lapsed_at__isnull=False) | Q(expires_at__lte=now)
            )
        return queryset


class EnrolmentFilter(django_filters.FilterSet):
    ACTIVE, ENDED = "active", "ended"

    state = django_filters.ChoiceFilter(
        label=_("在托状态"),
        choices=[(ACTIVE, _("在托")), (ENDED, _("已离托"))],
        method="filter_state",
    )
    provider = django_filters.ModelChoiceFilter(
        label=_("托育机构"),
        queryset=childcare_providers,
        to_field_name="uuid",
        empty_label=_("全部"),
    )
    childcare_class = ClassFilter(
        label=_("班级"), queryset=scoped_classes, to_field_name="uuid", empty_label=_("全部")
    )
    end_reason = django_filters.ChoiceFilter(label=_("离托原因"), choices=EndReason.choices)

    class Meta:
        model = Enrolment
        fields = ["state", "provider", "childcare_class", "end_reason"]

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == self.ACTIVE:
            return queryset.active_on(today)
        if value == self.ENDED:
            return queryset.filter(ended_on__lte=today)
        return queryset
