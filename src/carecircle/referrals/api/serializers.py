"""API representations. Persons appear by public identifier and masked name only; status and its
dates change through the actions, never by writing the fields (R3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.core.api import request_user
from carecircle.core.idnumbers import normalise_credit_code
from carecircle.institutions.models import Provider
from carecircle.persons.api.serializers import ScopedPersonField, as_drf_error
from carecircle.referrals import services
from carecircle.referrals.choices import Urgency
from carecircle.referrals.forms import scoped_areas
from carecircle.referrals.icd10 import icd10_problem, normalise_icd10
from carecircle.referrals.models import Hospital, Referral


class ScopedAreaCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return scoped_areas(request_user(self.parent))


class HospitalSerializer(serializers.ModelSerializer):
    area = ScopedAreaCodeField(help_text=_("所在区划代码（县、镇或村）"))
    area_name = serializers.CharField(source="area.name", read_only=True)
    level_label = serializers.CharField(read_only=True)

    class Meta:
        model = Hospital
        fields = [
            "uuid",
            "name",
            "credit_code",
            "level",
            "grade",
            "level_label",
            "is_primary_care",
            "area",
            "area_name",
            "address",
            "phone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]

    def validate_credit_code(self, value: str) -> str:
        try:
            return normalise_credit_code(value)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class ScopedSlugField(serializers.SlugRelatedField):
    """A provider or hospital by UUID among those the caller may see."""

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("slug_field", "uuid")
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = self.model.objects.for_user(request_user(self.parent))
        return queryset.elderly_institutions() if self.model is Provider else queryset


class ReferralSerializer(serializers.ModelSerializer):
    """Read a referral; create one with ``person``, ``provider`` and ``hospital`` (UUIDs)."""

    person = ScopedPersonField(help_text=_("老人的公开标识"))
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    provider = ScopedSlugField(
        Provider, write_only=True, help_text=_("养老机构：上转时为转出方，下转时为接收方")
    )
    hospital = ScopedSlugField(
        Hospital, write_only=True, help_text=_("医院：上转时为接收方，下转时为转出方")
    )
    from_provider = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    to_provider = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    from_hospital = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    to_hospital = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    from_name = serializers.CharField(source="source.name", read_only=True)
    to_name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "fhir_id",
            "person",
            "person_name",
            "direction",
            "provider",
            "hospital",
            "from_provider",
            "to_provider",
            "from_hospital",
            "to_hospital",
            "from_name",
            "to_name",
            "referred_on",
            "reason",
            "diagnosis_code",
            "diagnosis_text",
            "urgency",
            "status",
            "accepted_at",
            "completed_at",
            "reject_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uuid",
            "fhir_id",
            "status",
            "accepted_at",
            "completed_at",
            "reject_reason",
            "created_at",
            "updated_at",
        ]

    def validate_diagnosis_code(self, value: str) -> str:
        code = normalise_icd10(value)
        problem = icd10_problem(code)
        if problem:
            raise serializers.ValidationError(problem)
        return code

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = request_user(self)
        own = getattr(user, "institution_id", None)
        if own and attrs["provider"].pk != own:
            raise serializers.ValidationError({"provider": [_("机构工作人员只能以本机构为一方")]})
        return attrs

    def create(self, validated_data):
        validated_data.setdefault("urgency", Urgency.ROUTINE)
        try:
            return services.create_referral(**validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class RejectSerializer(serializers.Serializer):
    reject_reason = serializers.CharField(max_length=200)


class BundleOutcomeSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    requests = serializers.IntegerField(help_text=_("ServiceRequest 条数"))
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField(), source="messages")
