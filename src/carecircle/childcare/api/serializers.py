"""API serializers. Filings are read-only here (their state changes through the workflow pages);
documents are described, never returned: their files are downloaded through the scoped page."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from carecircle.childcare.choices import SATELLITE_KINDS
from carecircle.childcare.models import (
    BrandChain,
    CareNetwork,
    Filing,
    FilingDocument,
    FilingNotice,
)
from carecircle.core.idnumbers import normalise_credit_code
from carecircle.dashboard.stats import CHILDCARE_INSTITUTION_KINDS
from carecircle.institutions.api.serializers import ScopedProviderField
from carecircle.institutions.choices import CHILDCARE_KINDS


class FilingDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FilingDocument
        fields = ["uuid", "kind", "original_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class FilingNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FilingNotice
        fields = ["uuid", "issued_on", "text", "published"]
        read_only_fields = fields


class FilingSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    previous = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    documents = FilingDocumentSerializer(many=True, read_only=True)
    notices = FilingNoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Filing
        fields = [
            "uuid",
            "provider",
            "provider_name",
            "kind",
            "purpose",
            "previous",
            "state",
            "registration_type",
            "registration_authority",
            "credit_code",
            "business_scope",
            "premises_address",
            "premises_tenure",
            "lease_starts_on",
            "lease_ends_on",
            "floor_area_m2",
            "places",
            "classes_planned",
            "carers",
            "change_summary",
            "commitment_signed",
            "submitted_on",
            "first_submitted_on",
            "decided_on",
            "filing_no",
            "documents",
            "notices",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class KindCheckedProviderField(ScopedProviderField):
    """A provider in the caller's scope, of the given kinds."""

    def __init__(self, kinds, **kwargs):
        self.kinds = kinds
        super().__init__(**kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(kind__in=self.kinds)


class CreditCodeField(serializers.CharField):
    def to_internal_value(self, data):
        try:
            return normalise_credit_code(super().to_internal_value(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class CareNetworkSerializer(serializers.ModelSerializer):
    hub = KindCheckedProviderField(CHILDCARE_INSTITUTION_KINDS)
    satellites = KindCheckedProviderField(SATELLITE_KINDS, many=True, required=False)

    class Meta:
        model = CareNetwork
        fields = ["uuid", "name", "hub", "satellites", "established_on", "created_at", "updated_at"]
        read_only_fields = ["uuid", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["satellites"] = _visible_uuids(self, instance.satellites)
        return data


class BrandChainSerializer(serializers.ModelSerializer):
    operator_credit_code = CreditCodeField(max_length=30)
    members = KindCheckedProviderField(CHILDCARE_KINDS, many=True, allow_empty=False)

    class Meta:
        model = BrandChain
        fields = [
            "uuid",
            "name",
            "operator_name",
            "operator_credit_code",
            "members",
            "established_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["members"] = _visible_uuids(self, instance.members)
        return data


def _visible_uuids(serializer, relation) -> list[str]:
    """Linked providers the caller may see (others in the city stay unnamed)."""
    from carecircle.institutions.models import Provider

    user = serializer.context["request"].user
    visible = Provider.objects.for_user(user).values("pk")
    return [str(u) for u in relation.filter(pk__in=visible).values_list("uuid", flat=True)]


class SupplyRowSerializer(serializers.Serializer):
    area = serializers.CharField(source="code")
    name = serializers.CharField(source="label")
    children_under_3 = serializers.IntegerField(source="children")
    providers = serializers.IntegerField()
    places = serializers.IntegerField()
    places_affordable = serializers.IntegerField(source="affordable")
    enrolled = serializers.IntegerField(allow_null=True)
    vacancies = serializers.IntegerField(allow_null=True)
    applications_12_months = serializers.IntegerField(source="applications", allow_null=True)
    applications_waiting = serializers.IntegerField(source="waiting", allow_null=True)
    median_wait_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    residents = serializers.IntegerField()
    places_per_1000_residents = serializers.DecimalField(
        source="places_per_1000", max_digits=10, decimal_places=2, allow_null=True
    )
    places_per_100_children = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True
    )
    has_affordable_institution = serializers.BooleanField(allow_null=True)


class SupplyTableSerializer(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    on = serializers.DateField()
    total = SupplyRowSerializer()
    rows = SupplyRowSerializer(many=True)
    towns_without_affordable = serializers.SerializerMethodField()
    enrolment_available = serializers.BooleanField()

    def get_towns_without_affordable(self, table) -> list[dict]:
        return [{"area": t.code, "name": t.name} for t in table.towns_without_affordable]
