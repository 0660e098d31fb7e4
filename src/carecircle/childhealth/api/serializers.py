"""Infant health records through the API: the child by public identifier, shown masked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.childhealth.choices import DISEASE_FIELDS
from carecircle.childhealth.forms import checkpoint_problem, date_problem
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core.api import check_candidate
from carecircle.core.choices import Domain
from carecircle.persons.api.serializers import ScopedPersonField

META = ["uuid", "child", "child_name", "created_at", "updated_at"]


class VaccineDoseSerializer(serializers.ModelSerializer):
    class Meta:
        model = VaccineDose
        fields = ["uuid", "code", "vaccine_name", "dose_number", "due_months", "due_days", "note"]
        read_only_fields = fields


class ChildRecordSerializer(serializers.ModelSerializer):
    """The child is fixed once recorded; the date is checked against the child's life and the
    model constraints against the complete record."""

    child = ScopedPersonField(help_text=_("儿童的公开标识"))
    child_name = serializers.CharField(source="child.masked_name", read_only=True)
    date_field = ""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        child = attrs.get("child", getattr(instance, "child", None))
        if instance is not None and child != instance.child:
            raise serializers.ValidationError({"child": [_("不能更改所属儿童")]})
        if child is not None and child.domain != Domain.CHILDCARE:
            raise serializers.ValidationError({"child": [_("婴幼儿健康服务记录仅适用于婴幼儿")]})
        on = attrs.get(self.date_field, getattr(instance, self.date_field, None))
        problem = date_problem(child, on) if child and on else None
        if problem:
            raise serializers.ValidationError({self.date_field: [problem]})
        self.extra_checks(child, attrs)
        check_candidate(self.Meta.model, instance, attrs)
        return attrs

    def extra_checks(self, child, attrs) -> None:
        return None


class NewbornVisitSerializer(ChildRecordSerializer):
    date_field = "visited_on"
    age_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = NewbornVisit
        fields = [*META, "visited_on", "age_days", "visitor", "institution_name", "findings"]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []


class NewbornScreeningSerializer(ChildRecordSerializer):
    date_field = "sampled_on"
    complete = serializers.BooleanField(read_only=True)

    class Meta:
        model = NewbornScreening
        fields = [
            *META,
            "sampled_on",
            *DISEASE_FIELDS,
            "complete",
            "result",
            "institution_name",
            "note",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []


class VaccinationSerializer(ChildRecordSerializer):
    date_field = "given_on"
    dose = serializers.SlugRelatedField(
        slug_field="uuid", queryset=VaccineDose.objects.all(), help_text=_("免疫程序剂次的公开标识")
    )
    dose_label = serializers.CharField(source="dose.label", read_only=True)

    class Meta:
        model = Vaccination
        fields = [*META, "dose", "dose_label", "given_on", "batch", "clinic"]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []


class ChildHealthCheckSerializer(ChildRecordSerializer):
    date_field = "checked_on"

    class Meta:
        model = ChildHealthCheck
        fields = [
            *META,
            "checked_on",
            "checkpoint",
            "weight_kg",
            "length_cm",
            "head_cm",
            "institution_name",
            "findings",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []

    def extra_checks(self, child, attrs) -> None:
        instance = self.instance
        on = attrs.get("checked_on", getattr(instance, "checked_on", None))
        checkpoint = attrs.get("checkpoint", getattr(instance, "checkpoint", None))
        problem = checkpoint_problem(child, checkpoint, on) if child and on and checkpoint else None
        if problem:
            raise serializers.ValidationError({"checked_on": [problem]})


class DevelopmentGuidanceSerializer(ChildRecordSerializer):
    date_field = "given_on"

    class Meta:
        model = DevelopmentGuidance
        fields = [*META, "given_on", "topic", "mode", "given_by", "note"]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []
