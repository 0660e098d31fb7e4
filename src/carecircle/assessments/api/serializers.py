"""API representation of an assessment. The caller sends the items, diseases, risk events and
coma; score, levels, adjustments and validity are always computed on the server."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecircle.assessments import services
from carecircle.assessments.choices import reason_choices, risk_kind_choices
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import standard
from carecircle.core.api import request_user
from carecircle.core.choices import Domain
from carecircle.institutions.models import Provider
from carecircle.persons.api.serializers import ScopedPersonField


class ScopedAgencyField(serializers.SlugRelatedField):
    """An elderly-care provider by public identifier, only among the caller's providers."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Provider.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return Provider.objects.for_user(request_user(self.parent)).filter(domain=Domain.ELDERLY)


class RiskEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=risk_kind_choices(), help_text=_("照护风险事件类型"))
    date = serializers.DateField(help_text=_("发生日期，须在评估日前30天内"))


class AssessmentSerializer(serializers.ModelSerializer):
    person = ScopedPersonField(help_text=_("被评估老年人的公开标识"))
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    area = serializers.CharField(source="person.area.code", read_only=True)
    reason = serializers.ChoiceField(choices=reason_choices())
    agency = ScopedAgencyField(required=False, allow_null=True, help_text=_("评估机构的公开标识"))
    assessor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    item_scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text=_('26项得分：{"B.1.1": 4, …}，每项必填且须为该项的选项'),
    )
    diseases = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("疾病诊断编码，如 F00-F03")
    )
    risk_events = RiskEventSerializer(many=True, required=False)
    # Plain integers: one level enum under two names would trouble the schema (drf-spectacular).
    initial_level = serializers.IntegerField(read_only=True, help_text=_("初步等级 0–4（C.3）"))
    final_level = serializers.IntegerField(
        read_only=True, help_text=_("能力等级 0–4（C.5）：0能力完好 … 4能力完全丧失")
    )
    domain_scores = serializers.SerializerMethodField()
    final_level_name = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "assessed_on",
            "reason",
            "agency",
            "assessor",
            "assessor_name",
            "assessor_medical",
            "second_assessor_name",
            "second_assessor_medical",
            "item_scores",
            "diseases",
            "risk_events",
            "coma",
            "initial_score",
            "domain_scores",
            "initial_level",
            "final_level",
            "final_level_name",
            "adjustments",
            "valid_until",
            "invalidated_on",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uuid",
            "initial_score",
            "initial_level",
            "final_level",
            "adjustments",
            "valid_until",
            "invalidated_on",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_domain_scores(self, obj: Assessment) -> dict[str, int]:
        return {code: points for code, _name, points, _max in obj.domain_scores}

    @extend_schema_field(OpenApiTypes.STR)
    def get_final_level_name(self, obj: Assessment) -> str:
        return standard().level(obj.final_level).name

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if (
            self.instance is not None
            and "person" in attrs
            and attrs["person"] != self.instance.person
        ):
            raise serializers.ValidationError({"person": [_("不能更改被评估人员")]})
        return attrs

    def _save(self, assessment: Assessment, data) -> Assessment:
        for key, value in data.items():
            setattr(assessment, key, value)
        request = self.context.get("request")
        try:
            return services.record_assessment(assessment, user=getattr(request, "user", None))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc

    def create(self, validated_data):
        return self._save(Assessment(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)
