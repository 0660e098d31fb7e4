"""Indicator API representations (read-only, plus the import summary)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecircle.indicators.models import Indicator, IndicatorValue, Target
from carecircle.indicators.queries import source_state


class IndicatorSerializer(serializers.ModelSerializer):
    data_source = serializers.SerializerMethodField(
        help_text=_("computed（系统计算）、reported（部门填报）或 no_source（尚无数据来源）")
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "domain",
            "category",
            "name_zh",
            "name_en",
            "unit",
            "unit_label",
            "target_op",
            "target_value",
            "attribute",
            "source",
            "data_source",
            "period_scope",
            "owner_departments",
            "owner_hint",
            "policy_clause",
            "formula_zh",
            "how_to_compute",
            "min_value",
            "max_value",
            "targets_inherit",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["computed", "reported", "no_source"]))
    def get_data_source(self, obj: Indicator) -> str:
        return source_state(obj)


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "indicator", "area", "area_name", "year", "value", "is_default", "note"]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "area",
            "area_name",
            "period",
            "source",
            "numerator",
            "denominator",
            "value",
            "na_reason",
            "target",
            "baseline",
            "status",
            "growth_ratio",
            "definition_version",
            "computed_at",
        ]
        read_only_fields = fields


class RecordSerializer(serializers.Serializer):
    """One record behind a value: its public identifier, its unit and the listed cells (people
    and staff by masked name only)."""

    id = serializers.CharField(help_text=_("UUID，区划为区划代码"))
    area = serializers.CharField(allow_null=True, help_text=_("记录所计入的区划代码"))
    values = serializers.ListField(child=serializers.CharField(allow_blank=True))


class RecordPageSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    area = serializers.CharField()
    period = serializers.CharField()
    part = serializers.CharField(required=False, help_text=_("numerator 或 denominator"))
    label = serializers.CharField(help_text=_("所列记录的含义"))
    model = serializers.CharField(help_text=_("记录类型，如 persons.Person"))
    columns = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RecordSerializer(many=True)


class ConflictSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("数据值在文件中的序号（从1开始）"))
    data_element = serializers.CharField(allow_blank=True)
    org_unit = serializers.CharField(allow_blank=True)
    period = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["success", "warning", "error"])
    dry_run = serializers.BooleanField()
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    ignored = serializers.IntegerField()
    conflicts = ConflictSerializer(many=True)


# The dataValueSets document accepted by the import (only the keys read are listed).
DATA_VALUE_SET_SCHEMA = {
    "type": "object",
    "required": ["dataValues"],
    "properties": {
        "dataSet": {"type": "string"},
        "period": {"type": "string", "description": "默认期间（数据值未给出时）"},
        "orgUnit": {"type": "string", "description": "默认组织机构（数据值未给出时）"},
        "dataValues": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["dataElement", "value"],
                "properties": {
                    "dataElement": {"type": "string", "description": "指标代码，如 E02"},
                    "period": {"type": "string", "description": "2025、2025Q1 或 202503"},
                    "orgUnit": {"type": "string", "description": "统计用区划代码"},
                    "value": {"type": "string"},
                    "comment": {"type": "string"},
                },
            },
        },
    },
}
EXPORT_TYPES = {"application/json": DATA_VALUE_SET_SCHEMA, "application/adx+xml": OpenApiTypes.STR}
