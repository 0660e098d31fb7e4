"""API representations. Elders are named by public identifier and shown masked; statuses, dates
of workflow steps and derived amounts are read-only (they change through the step actions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.adaptations.choices import BedEndReason
from carecircle.adaptations.forms import find_elder
from carecircle.adaptations.models import (
    BED_PROVIDER_KINDS,
    AdaptationItem,
    AdaptationProject,
    FamilyCareBed,
)
from carecircle.adaptations.services import apply, open_bed, update_details
from carecircle.institutions.models import Provider
from carecircle.persons.api.serializers import ScopedPersonField, as_drf_error
from carecircle.persons.models import Person


def user_of(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ScopedProviderField(serializers.SlugRelatedField):
    """A provider by public identifier, among the caller's providers of ``kinds``."""

    def __init__(self, kinds=None, **kwargs):
        self.kinds = kinds
        kwargs.setdefault("queryset", Provider.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        queryset = Provider.objects.for_user(user_of(self.parent))
        if self.kinds is not None:
            queryset = queryset.filter(kind__in=self.kinds)
        return queryset


class ElderSerializerMixin(serializers.Serializer):
    """The elder: written once as ``person`` (public identifier), shown masked with the area."""

    person = ScopedPersonField(help_text=_("老年人的公开标识（创建后不可更改）"))
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    area = serializers.CharField(source="person.area.code", read_only=True)
    area_name = serializers.CharField(source="person.area.name", read_only=True)

    def validate_person(self, person: Person) -> Person:
        if self.instance is not None and person != self.instance.person:
            raise serializers.ValidationError(_("不能更改所属老年人"))
        return person


class AdaptationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdaptationItem
        fields = ["uuid", "kind", "description", "quantity", "unit_cost", "cost"]
        read_only_fields = ["uuid", "cost"]


class AdaptationProjectSerializer(ElderSerializerMixin, serializers.ModelSerializer):
    contractor = ScopedProviderField(
        required=False, allow_null=True, help_text=_("施工机构的公开标识")
    )
    items = AdaptationItemSerializer(many=True, read_only=True)
    self_paid = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = AdaptationProject
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "area_name",
            "status",
            "applied_on",
            "assessed_on",
            "assessment_note",
            "contractor",
            "contractor_name",
            "started_on",
            "completed_on",
            "cancelled_on",
            "cancel_reason",
            "items",
            "total_cost",
            "subsidy",
            "self_paid",
            "target_group",
            "note",
            "created_at",
            "updated_at",
        ]
        # The assessment and the subsidy are recorded by the assess and complete actions.
        read_only_fields = ["assessment_note", "subsidy"]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("contractor") and attrs.get("contractor_name"):
            raise serializers.ValidationError(
                {"contractor_name": [_("已选择施工机构时不填施工单位名称")]}
            )
        return attrs

    def create(self, validated_data):
        try:
            return apply(AdaptationProject(**validated_data))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return update_details(instance)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class AssessSerializer(serializers.Serializer):
    assessed_on = serializers.DateField(help_text=_("评估日期"))
    assessment_note = serializers.CharField(help_text=_("居家环境评估发现的风险"))


class StartSerializer(serializers.Serializer):
    started_on = serializers.DateField(help_text=_("开工日期"))


class CompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(help_text=_("完工日期"))
    subsidy = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, help_text=_("政府补贴（元）")
    )


class CancelSerializer(serializers.Serializer):
    cancelled_on = serializers.DateField(help_text=_("取消日期"))
    reason = serializers.CharField(max_length=200, help_text=_("取消原因"))


class FamilyCareBedSerializer(serializers.ModelSerializer):
    """A bed. On creation the elder is given by ``person`` (public identifier, in the caller's
    scope) or, for an institution's staff, by ``id_number`` (the elder lives at home, outside
    the institution's residents). An institution's staff create beds of their own institution."""

    person = ScopedPersonField(required=False, help_text=_("老年人的公开标识"))
    id_number = serializers.CharField(
        write_only=True, required=False, max_length=30, help_text=_("老年人的身份证号，只写")
    )
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    area = serializers.CharField(source="person.area.code", read_only=True)
    provider = ScopedProviderField(
        kinds=BED_PROVIDER_KINDS, required=False, help_text=_("服务机构的公开标识")
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    adaptation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = FamilyCareBed
        fields = [
            "uuid",
            "person",
            "id_number",
            "person_name",
            "area",
            "provider",
            "provider_name",
            "adaptation",
            "started_on",
            "ended_on",
            "end_reason",
            "care_plan",
            "visits_per_month",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = user_of(self)
        if self.instance is not None:
            if self.instance.ended_on is not None:
                raise serializers.ValidationError(_("已撤床的床位不能修改"))
            for name in ("person", "provider", "id_number", "started_on"):
                if name in attrs and attrs[name] != getattr(self.instance, name, None):
                    raise serializers.ValidationError({name: [_("创建后不可更改")]})
            attrs.pop("id_number", None)
            return attrs
        number = attrs.pop("id_number", "")
        if number and "person" not in attrs:
            queryset = (
                Person.objects.all() if user.institution_id else Person.objects.for_user(user)
            )
            try:
                attrs["person"] = find_elder(number, queryset)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"id_number": exc.messages}) from exc
        if "person" not in attrs:
            raise serializers.ValidationError({"person": [_("请提供老年人的公开标识或身份证号")]})
        if user.institution_id:
            attrs["provider"] = Provider.objects.get(pk=user.institution_id)
        elif "provider" not in attrs:
            raise serializers.ValidationError({"provider": [_("该字段是必填项。")]})
        return attrs

    def create(self, validated_data):
        try:
            return open_bed(FamilyCareBed(**validated_data))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class BedEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text=_("撤床日期"))
    end_reason = serializers.ChoiceField(choices=BedEndReason.choices, help_text=_("撤床原因"))
