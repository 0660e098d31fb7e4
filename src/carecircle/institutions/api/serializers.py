"""API serializers. Derived fields (domain, sex, birth date, credit status, ID mask) are read-only;
ID numbers are write-only and never returned in full."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecircle.areas.models import Area
from carecircle.core.api import as_drf_error
from carecircle.core.idnumbers import normalise_credit_code
from carecircle.institutions import services
from carecircle.institutions.choices import ServiceMode, SubjectKind
from carecircle.institutions.models import (
    CapacityRecord,
    CreditListing,
    Designation,
    Grade,
    Provider,
    Staff,
)


class ScopedProviderField(serializers.SlugRelatedField):
    """A provider by UUID, chosen among those the caller may see (others: "does not exist")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "uuid")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Provider.objects.none()
        return Provider.objects.for_user(request.user)


class ModelCleanMixin:
    """Run the model's validation (fields and constraints) before saving, as forms do."""

    def full_clean(self, instance, exclude=None) -> None:
        try:
            instance.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None:
            instance = self.Meta.model(**attrs)
        else:
            instance = copy.copy(self.instance)
            for key, value in attrs.items():
                setattr(instance, key, value)
        self.full_clean(instance)
        return attrs


class CapacitySnapshotSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    beds_total = serializers.IntegerField()
    beds_nursing = serializers.IntegerField()
    beds_dementia = serializers.IntegerField()
    places_total = serializers.IntegerField()
    places_affordable = serializers.IntegerField()


def _differs(provider: Provider, name: str, value) -> bool:
    if name == "service_areas":
        return {area.pk for area in value} != set(
            provider.service_areas.values_list("pk", flat=True)
        )
    return value != getattr(provider, name)


class ProviderSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    service_areas = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), many=True, required=False
    )
    service_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceMode.choices), required=False
    )
    capacity = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = [
            "uuid",
            "name",
            "domain",
            "kind",
            "ownership",
            "credit_code",
            "area",
            "service_areas",
            "address",
            "latitude",
            "longitude",
            "phone",
            "legal_representative",
            "status",
            "opened_on",
            "closed_on",
            "houses_disabled_extreme_poor",
            "signed_hospital",
            "has_sprinklers",
            "has_smoke_detectors",
            "has_safety_system",
            "filing_status",
            "filed_on",
            "service_modes",
            "monthly_fee",
            "capacity",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "domain", "capacity", "created_at", "updated_at"]
        validators: list = []  # the model's constraints are checked in the service

    @extend_schema_field(CapacitySnapshotSerializer(allow_null=True))
    def get_capacity(self, obj: Provider):
        """Capacity in force today (annotated by the list query, else read from the records)."""
        if hasattr(obj, "cap_valid_from"):
            if obj.cap_valid_from is None:
                return None
            values = {name: getattr(obj, f"cap_{name}") for name in CapacityRecord.COUNT_FIELDS}
            return {"valid_from": obj.cap_valid_from, **values}
        record = obj.capacity_on(timezone.localdate())
        if record is None:
            return None
        values = {name: getattr(record, name) for name in CapacityRecord.COUNT_FIELDS}
        return {"valid_from": record.valid_from, **values}

    def validate_credit_code(self, value: str) -> str:
        if not value:
            return ""
        try:
            return normalise_credit_code(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, attrs):
        user = self.context["request"].user
        if user.institution_id and self.instance is not None:
            locked = [
                name
                for name in services.INSTITUTION_LOCKED_FIELDS
                if name in attrs and _differs(self.instance, name, attrs[name])
            ]
            if locked:
                raise serializers.ValidationError(
                    {name: [_("机构用户不能修改该项，请联系主管部门")] for name in locked}
                )
        if "service_areas" in attrs and user.scope_area_id:
            outside = [
                a.code for a in attrs["service_areas"] if not services.area_in_scope(a, user)
            ]
            if outside:
                raise serializers.ValidationError(
                    {"service_areas": [_("服务区域不在您的管辖范围内")]}
                )
        return attrs

    def save_provider(self, instance=None) -> Provider:
        user = self.context["request"].user
        try:
            provider = services.register_provider(self.validated_data, user, instance=instance)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return provider

    def create(self, validated_data):
        return self.save_provider()

    def update(self, instance, validated_data):
        return self.save_provider(instance)


class CapacityRecordSerializer(ModelCleanMixin, serializers.ModelSerializer):
    provider = ScopedProviderField()

    class Meta:
        model = CapacityRecord
        fields = [
            "uuid",
            "provider",
            "valid_from",
            "beds_total",
            "beds_nursing",
            "beds_dementia",
            "places_total",
            "places_affordable",
            "note",
            "created_at",
        ]
        read_only_fields = ["uuid", "created_at"]
        validators: list = []


class DesignationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    provider = ScopedProviderField()

    class Meta:
        model = Designation
        fields = [
            "uuid",
            "provider",
            "kind",
            "issuing_level",
            "granted_on",
            "revoked_on",
            "document_no",
            "created_at",
        ]
        read_only_fields = ["uuid", "created_at"]
        validators: list = []


class GradeSerializer(ModelCleanMixin, serializers.ModelSerializer):
    provider = ScopedProviderField()

    class Meta:
        model = Grade
        fields = [
            "uuid",
            "provider",
            "grade",
            "valid_from",
            "valid_to",
            "assessed_by",
            "created_at",
        ]
        read_only_fields = ["uuid", "created_at"]
        validators: list = []


class StaffSerializer(serializers.ModelSerializer):
    provider = ScopedProviderField()
    id_number = serializers.CharField(
        write_only=True,
        required=False,
        max_length=20,
        help_text="18位居民身份证号（仅写入；读取时只返回脱敏号码）",
    )

    class Meta:
        model = Staff
        fields = [
            "uuid",
            "provider",
            "name",
            "id_number",
            "id_number_masked",
            "sex",
            "birth_date",
            "phone",
            "role",
            "skill_level",
            "hired_on",
            "left_on",
            "credit_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uuid",
            "id_number_masked",
            "sex",
            "birth_date",
            "credit_status",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": [_("请填写身份证号")]})
        return attrs

    def save_staff(self, instance=None) -> Staff:
        data = dict(self.validated_data)
        id_number = data.pop("id_number", None)
        try:
            return services.register_staff(
                data, self.context["request"].user, id_number=id_number, instance=instance
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def create(self, validated_data):
        return self.save_staff()

    def update(self, instance, validated_data):
        return self.save_staff(instance)


class CreditListingSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        write_only=True,
        required=False,
        max_length=20,
        help_text="对象为个人时填写（仅写入；保存为盲索引和脱敏号码）",
    )

    class Meta:
        model = CreditListing
        fields = [
            "uuid",
            "subject_kind",
            "subject_name",
            "id_number",
            "id_number_masked",
            "credit_code",
            "list_kind",
            "listed_on",
            "removed_on",
            "authority",
            "document_no",
            "reason",
            "created_at",
        ]
        read_only_fields = ["uuid", "id_number_masked", "created_at"]
        validators: list = []

    def validate(self, attrs):
        attrs = dict(attrs)
        raw_id = (attrs.pop("id_number", "") or "").strip()
        listing = self.instance or CreditListing()
        for key, value in attrs.items():
            setattr(listing, key, value)
        if listing.subject_kind == SubjectKind.PERSON:
            listing.credit_code = ""
            if raw_id:
                try:
                    listing.id_number_index, listing.id_number_masked = services.listing_index(
                        raw_id
                    )
                except DjangoValidationError as exc:
                    raise serializers.ValidationError({"id_number": exc.messages}) from exc
            elif not listing.id_number_index:
                raise serializers.ValidationError({"id_number": [_("对象为个人时须填写身份证号")]})
        else:
            listing.id_number_index = listing.id_number_masked = ""
            if not listing.credit_code:
                raise serializers.ValidationError(
                    {"credit_code": [_("对象为机构时须填写统一社会信用代码")]}
                )
            try:
                listing.credit_code = normalise_credit_code(listing.credit_code)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"credit_code": exc.messages}) from exc
        try:
            listing.full_clean()
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        self._listing = listing
        return attrs

    def create(self, validated_data):
        return services.save_listing(self._listing, self.context["request"].user)

    def update(self, instance, validated_data):
        previous = CreditListing.objects.get(pk=instance.pk).id_number_index
        return services.save_listing(self._listing, self.context["request"].user, previous)
