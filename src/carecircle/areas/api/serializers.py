"""API serializers. Areas are referred to by their statistical code; writes take only the
lowest-level units of the caller's own subtree."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecircle.areas import services
from carecircle.areas.models import Area, PopulationFact, ResidentialArea


class ModelCleanMixin:
    """The model's own validation (fields and constraints, Chinese messages) before saving."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.Meta.model(**attrs) if self.instance is None else copy.copy(self.instance)
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs


class AreaSerializer(ModelCleanMixin, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("上级区划代码")
    )

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "kind",
            "is_urban",
            "parent",
            "path",
            "depth",
            "valid_from",
            "valid_to",
            "latitude",
            "longitude",
            "boundary",
            "is_demo_assumption",
        ]
        # Code, name and place in the tree change only through the division loaders (with
        # history); descriptive fields may be corrected.
        read_only_fields = [
            "code",
            "name",
            "level",
            "kind",
            "parent",
            "path",
            "depth",
            "valid_from",
            "is_demo_assumption",
        ]


class PopulationRollupSerializer(serializers.Serializer):
    """The lowest-level facts of one year summed over an area's subtree."""

    year = serializers.IntegerField()
    units = serializers.IntegerField(help_text=_("填报该年数据的村（社区）数"))
    total = serializers.IntegerField()
    male = serializers.IntegerField()
    female = serializers.IntegerField()
    urban = serializers.IntegerField()
    rural = serializers.IntegerField()
    aged_60_plus = serializers.IntegerField()
    aged_65_plus = serializers.IntegerField()
    aged_80_plus = serializers.IntegerField()
    under_3 = serializers.IntegerField()
    births = serializers.IntegerField()
    family_households = serializers.IntegerField()
    collective_households = serializers.IntegerField()


class LowestAreaField(serializers.SlugRelatedField):
    """A village or community by code, among the lowest-level units of the caller's subtree."""

    default_error_messages = {
        "does_not_exist": _("区划代码“{value}”不存在或不在您的管辖范围内（须为村、社区）"),
        "invalid": _("区划代码无效"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Area.objects.none()
        return services.lowest_units_for(request.user)

    def to_representation(self, obj):
        return obj.code


class PopulationFactSerializer(ModelCleanMixin, serializers.ModelSerializer):
    area = LowestAreaField(help_text=_("村（社区）的12位区划代码"))
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = PopulationFact
        fields = ["id", "area", "area_name", "year", *PopulationFact.COUNT_FIELDS, "source"]
        validators: list = []  # (area, year) uniqueness: the model's message, in full_clean

    def validate(self, attrs):
        merged = {
            name: attrs.get(name, getattr(self.instance, name, 0))
            for name in PopulationFact.COUNT_FIELDS
        }
        problems = services.fact_problems(merged)
        if problems:
            raise serializers.ValidationError(problems)
        return super().validate(attrs)


class ResidentialAreaSerializer(ModelCleanMixin, serializers.ModelSerializer):
    area = LowestAreaField(help_text=_("所在村（社区）的12位区划代码"))
    area_name = serializers.CharField(source="area.name", read_only=True)
    elderly_room_per_100 = serializers.SerializerMethodField(
        help_text=_("每百户养老服务用房（㎡）")
    )
    childcare_room_per_100 = serializers.SerializerMethodField(
        help_text=_("每百户托育服务用房（㎡）")
    )
    below_norm = serializers.SerializerMethodField(help_text=_("是否低于配建标准（无户数时为空）"))

    class Meta:
        model = ResidentialArea
        fields = [
            "uuid",
            "name",
            "area",
            "area_name",
            "kind",
            "households",
            "elderly_room_m2",
            "childcare_room_m2",
            "elderly_room_per_100",
            "childcare_room_per_100",
            "below_norm",
            "delivered_on",
            "address",
            "latitude",
            "longitude",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []  # (area, name) uniqueness: the model's message, in full_clean

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_elderly_room_per_100(self, obj) -> str | None:
        result = services.compliance(obj)
        return str(result.elderly_per_100) if result else None

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_childcare_room_per_100(self, obj) -> str | None:
        result = services.compliance(obj)
        return str(result.childcare_per_100) if result else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_below_norm(self, obj) -> bool | None:
        result = services.compliance(obj)
        return result.below if result else None
