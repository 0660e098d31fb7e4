"""API representations. Persons appear by public identifier and masked name only; prices,
costs and settlement figures are computed on the server and read-only."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.areas.services import current_units_for
from carecircle.core.api import as_drf_error, request_user
from carecircle.core.idnumbers import mask_name
from carecircle.homecare import services
from carecircle.homecare.choices import Funding
from carecircle.homecare.forms import persons_served_by, providers_for
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
    Settlement,
    SettlementException,
    SettlementLine,
)
from carecircle.institutions.models import Staff
from carecircle.persons.models import Person


class ScopedSlugField(serializers.SlugRelatedField):
    """A related row by public identifier or code, looked up only among those ``rows(user)``
    offers (others answer "does not exist")."""

    def __init__(self, rows, **kwargs):
        self.rows = rows
        kwargs.setdefault("queryset", ServiceItem.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        user = request_user(self.root)
        return self.rows(user) if user is not None else self.queryset.none()


class ServiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = [
            "uuid", "code", "name", "category", "unit", "price", "provider_kinds",
            "min_duration_percent", "description", "active", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["uuid", "updated_at"]


class ProviderContractSerializer(serializers.ModelSerializer):
    provider = ScopedSlugField(providers_for, slug_field="uuid")
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    areas = ScopedSlugField(current_units_for, slug_field="code", many=True)
    items = ScopedSlugField(
        lambda user: ServiceItem.objects.filter(active=True), slug_field="code", many=True
    )

    class Meta:
        model = ProviderContract
        fields = [
            "uuid", "provider", "provider_name", "number", "signed_on", "valid_from", "valid_to",
            "areas", "items", "note", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["uuid", "updated_at"]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        provider = attrs.get("provider", getattr(self.instance, "provider", None))
        items = attrs.get("items", self.instance.items.all() if self.instance else [])
        try:
            services.check_contract(provider, items)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        number = attrs.get("number", getattr(self.instance, "number", None))
        clash = ProviderContract.objects.filter(provider=provider, number=number)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"number": [_("该机构已有此编号的合同")]})
        return attrs


class EntitlementRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntitlementRule
        fields = [
            "uuid", "name", "hardship_kind", "min_age", "min_ability_level", "living_alone",
            "category", "monthly_hours", "monthly_amount", "valid_from", "valid_to", "doc_no",
            "is_demo_assumption", "note", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["uuid", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        merged = {
            name: attrs.get(name, getattr(self.instance, name, None))
            for name in ("category", "monthly_hours", "monthly_amount", "valid_from", "valid_to")
        }
        if (merged["monthly_hours"] is None) == (merged["monthly_amount"] is None):
            raise serializers.ValidationError(_("每月服务时长和每月服务金额须且只能填写一项"))
        try:
            services.check_rule(EntitlementRule(pk=getattr(self.instance, "pk", None), **merged))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return attrs


class PersonRefMixin(serializers.Serializer):
    person_name = serializers.SerializerMethodField(help_text=_("脱敏姓名"))
    village = serializers.CharField(source="person.area.code", read_only=True)

    def get_person_name(self, obj) -> str:
        return mask_name(obj.person.name)


class EntitlementSerializer(PersonRefMixin, serializers.ModelSerializer):
    person = ScopedSlugField(
        lambda user: Person.objects.for_user(user).filter(domain="elderly"),
        slug_field="uuid",
    )
    provider = ScopedSlugField(providers_for, slug_field="uuid")
    rule = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Entitlement
        fields = [
            "uuid", "person", "person_name", "village", "provider", "category",
            "monthly_hours", "monthly_amount", "valid_from", "valid_to", "rule", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["uuid", "rule", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            for name in ("person", "provider", "category"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [_("不能更改")]})
        hours = attrs.get("monthly_hours", getattr(self.instance, "monthly_hours", None))
        amount = attrs.get("monthly_amount", getattr(self.instance, "monthly_amount", None))
        if (hours is None) == (amount is None):
            raise serializers.ValidationError(_("每月服务时长和每月服务金额须且只能填写一项"))
        return attrs


def _order_persons(serializer):
    """Elders the order's provider serves (and, for area users, in their own scope)."""
    user = request_user(serializer)
    provider = _order_provider(serializer)
    if user is None or provider is None:
        return Person.objects.none()
    persons = Person.objects.filter(persons_served_by(provider), merged_into__isnull=True)
    if not user.institution_id:
        persons = persons.filter(Person.scope_q(user) or Q(pk__in=[]))
    return persons


def _order_provider(serializer):
    user = request_user(serializer)
    if user is not None and user.institution_id:
        return user.institution
    data = getattr(serializer, "initial_data", None) or {}
    wanted = data.get("provider")
    if not wanted:
        return None
    try:
        return providers_for(user).filter(uuid=wanted).first()
    except DjangoValidationError:
        return None


class OrderPersonField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Person.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return _order_persons(self.root)


class ServiceOrderSerializer(PersonRefMixin, serializers.ModelSerializer):
    provider = ScopedSlugField(providers_for, slug_field="uuid", required=False)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    person = OrderPersonField()
    item = ScopedSlugField(lambda user: ServiceItem.objects.filter(active=True), slug_field="code")
    category = serializers.CharField(source="item.category", read_only=True)
    worker = ScopedSlugField(
        lambda user: Staff.objects.for_user(user), slug_field="uuid", required=False,
        allow_null=True,
    )  # fmt: skip
    external_ref = serializers.CharField(max_length=40, required=False, allow_blank=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "uuid", "provider", "provider_name", "person", "person_name", "village", "item",
            "category", "worker", "external_ref", "status", "scheduled_start", "scheduled_end",
            "checked_in_at", "checked_out_at", "duration_minutes", "quantity", "funding",
            "unit_price", "cost", "rating", "complaint", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "uuid", "status", "checked_in_at", "checked_out_at", "duration_minutes",
            "unit_price", "cost", "rating", "complaint", "created_at", "updated_at",
        ]  # fmt: skip
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            raise serializers.ValidationError(_("工单派发后请使用签到、签退、完成等操作"))
        user = request_user(self)
        provider = user.institution if user.institution_id else attrs.get("provider")
        if provider is None:
            raise serializers.ValidationError({"provider": [_("该字段是必填项。")]})
        attrs["provider"] = provider
        start, end = attrs["scheduled_start"], attrs.get("scheduled_end")
        if end is not None and end <= start:
            raise serializers.ValidationError({"scheduled_end": [_("预约结束时间须晚于开始时间")]})
        worker = attrs.get("worker")
        if worker is not None and worker.provider_id != provider.pk:
            raise serializers.ValidationError({"worker": [_("服务人员不属于该服务机构")]})
        funding = attrs.get("funding", Funding.GOVERNMENT)
        day = timezone.localdate(start)
        if funding == Funding.GOVERNMENT and not services.contracted_on(
            provider.pk, attrs["item"], day
        ):
            raise serializers.ValidationError(
                {"item": [_("该机构在预约日期没有包含此项目的有效服务合同")]}
            )
        ref = attrs.get("external_ref", "").strip()
        if ref and ServiceOrder.objects.filter(provider=provider, external_ref=ref).exists():
            raise serializers.ValidationError({"external_ref": [_("该机构已有此工单号")]})
        attrs["external_ref"] = ref
        return attrs

    def create(self, validated_data):
        order = ServiceOrder(**validated_data)
        try:
            return services.schedule(order)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class TimeSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text=_("签到或签退时间"))


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    complaint = serializers.CharField(max_length=500, allow_blank=True, default="")


class SettlementSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "uuid", "provider", "provider_name", "month", "status", "government_amount",
            "delivered_amount", "withheld_amount", "self_paid_amount", "orders_count",
            "exceptions_count", "computed_at", "approved_by", "approved_at",
        ]  # fmt: skip
        read_only_fields = fields


class SettleSerializer(serializers.Serializer):
    month = serializers.DateField(help_text=_("结算月份的任一日期，如 2025-03-01"))
    provider = ScopedSlugField(providers_for, slug_field="uuid", required=False)


class SettlementLineSerializer(PersonRefMixin, serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = SettlementLine
        fields = [
            "person", "person_name", "village", "category", "orders_count", "quantity",
            "delivered_amount", "cap_hours", "cap_amount", "paid_hours", "government_amount",
            "excess_amount",
        ]  # fmt: skip
        read_only_fields = fields


class SettlementExceptionSerializer(PersonRefMixin, serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    order = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = SettlementException
        fields = [
            "kind", "order", "external_ref", "person", "person_name", "village", "category",
            "service_date", "amount", "detail",
        ]  # fmt: skip
        read_only_fields = fields
