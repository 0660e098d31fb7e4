"""Health checks through the API: the elder by public identifier, shown with a masked name."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.core.api import check_candidate
from carecircle.health.choices import EXAMINATION_FIELDS
from carecircle.health.forms import check_date_problem
from carecircle.health.models import ElderHealthCheck
from carecircle.persons.api.serializers import ScopedPersonField
from carecircle.referrals.api.serializers import ScopedSlugField
from carecircle.referrals.models import Hospital


class ElderHealthCheckSerializer(serializers.ModelSerializer):
    person = ScopedPersonField(help_text=_("老人的公开标识"))
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    hospital = ScopedSlugField(
        Hospital, required=False, allow_null=True, help_text=_("已登记体检机构的公开标识")
    )
    institution_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    counts_as_management = serializers.BooleanField(read_only=True)

    class Meta:
        model = ElderHealthCheck
        fields = [
            "uuid",
            "person",
            "person_name",
            "checked_on",
            "hospital",
            "institution_name",
            *EXAMINATION_FIELDS,
            "health_assessment",
            "guidance_given",
            "results_summary",
            "counts_as_management",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        person = attrs.get("person", getattr(instance, "person", None))
        if instance is not None and person != instance.person:
            raise serializers.ValidationError({"person": [_("不能更改所属老人")]})
        if person is not None and person.domain != "elderly":
            raise serializers.ValidationError({"person": [_("健康管理记录仅适用于老年人")]})
        hospital = attrs.get("hospital", getattr(instance, "hospital", None))
        if hospital is not None:
            attrs["institution_name"] = hospital.name
        elif not attrs.get("institution_name", getattr(instance, "institution_name", "")):
            raise serializers.ValidationError(
                {"institution_name": [_("请选择已登记机构或填写体检机构名称")]}
            )
        on = attrs.get("checked_on", getattr(instance, "checked_on", None))
        problem = check_date_problem(person, on) if person and on else None
        if problem:
            raise serializers.ValidationError({"checked_on": [problem]})
        check_candidate(ElderHealthCheck, instance, attrs)
        return attrs
