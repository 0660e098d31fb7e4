"""API representations. ID numbers, phones and contact details go in write-only and come out
masked (R24); a person's domain and village are set once and change only through a move (R3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecircle.areas.models import Area
from carecircle.areas.services import current_units_for
from carecircle.core.api import request_user
from carecircle.core.choices import ScopeDomain
from carecircle.persons.forms import normalise_phone
from carecircle.persons.models import Contact, HardshipFlag, Person, Residence
from carecircle.persons.services import register_person, status_label, validate_id_number


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError(exc.messages)


class ScopedPersonField(serializers.SlugRelatedField):
    """A person by public identifier, looked up only among the caller's persons."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Person.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        user = request_user(self.parent)
        return Person.objects.for_user(user).filter(merged_into__isnull=True)


class VillageCodeField(serializers.SlugRelatedField):
    """A village by its 12-digit code, only inside the caller's area."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Area.objects.none())
        kwargs.setdefault("help_text", _("村（社区）的12位统计用区划代码"))
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return current_units_for(request_user(self.parent))


class PersonSerializer(serializers.ModelSerializer):
    """Read and edit. ``domain`` and ``area`` are read-only here: moves go through ``move``."""

    id_number = serializers.CharField(
        write_only=True,
        required=False,
        max_length=30,
        help_text=_("居民身份证号，只写；仅在更正时提交"),
    )
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=20, help_text=_("只写")
    )
    phone_masked = serializers.CharField(source="masked_phone", read_only=True)
    status = serializers.SerializerMethodField(help_text=_("在册、已死亡、已迁出或已合并"))
    merged_into = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Person
        fields = [
            "uuid",
            "domain",
            "name",
            "id_number",
            "id_number_masked",
            "birth_date",
            "sex",
            "area",
            "area_name",
            "address",
            "phone",
            "phone_masked",
            "living_arrangement",
            "disability_kind",
            "disability_grade",
            "death_date",
            "moved_out_on",
            "status",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uuid",
            "domain",
            "id_number_masked",
            "birth_date",
            "sex",
            "death_date",
            "moved_out_on",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, person: Person) -> str:
        return str(status_label(person))

    def validate_phone(self, value: str) -> str:
        try:
            return normalise_phone(value)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def domain_of(self, attrs) -> str:
        return self.instance.domain

    def validate(self, attrs):
        attrs = super().validate(attrs)
        domain = self.domain_of(attrs)
        raw = attrs.get("id_number")
        if raw:
            on = self.instance.created_at.date() if self.instance else None
            try:
                parsed = validate_id_number(
                    raw, domain, exclude_pk=getattr(self.instance, "pk", None), on=on
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"id_number": exc.messages}) from exc
            attrs["id_number"] = parsed.number
        kind = attrs.get("disability_kind", getattr(self.instance, "disability_kind", ""))
        grade = attrs.get("disability_grade", getattr(self.instance, "disability_grade", None))
        if grade and not kind:
            raise serializers.ValidationError(
                {"disability_grade": [_("未选择残疾类别时不能填写残疾等级")]}
            )
        return attrs

    def update(self, instance: Person, validated_data):
        if instance.merged_into_id:
            raise serializers.ValidationError(_("已合并的记录不能修改"))
        id_number = validated_data.pop("id_number", None)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        if id_number:
            instance.set_id_number(id_number)
        instance.save()
        return instance


class PersonCreateSerializer(PersonSerializer):
    """Registration: the ID number, domain and village are required and set once."""

    id_number = serializers.CharField(
        write_only=True, max_length=30, help_text=_("居民身份证号，只写；出生日期和性别由此得出")
    )
    area = VillageCodeField()

    class Meta(PersonSerializer.Meta):
        read_only_fields = [f for f in PersonSerializer.Meta.read_only_fields if f != "domain"]
        extra_kwargs = {"domain": {"required": True}}

    def domain_of(self, attrs) -> str:
        domain = attrs["domain"]
        user = request_user(self)
        if getattr(user, "scope_domain", None) not in (ScopeDomain.BOTH, domain):
            raise serializers.ValidationError({"domain": [_("您的业务范围不包括此类人员")]})
        return domain

    def create(self, validated_data):
        id_number = validated_data.pop("id_number")
        person = Person(**validated_data)
        try:
            return register_person(person, id_number=id_number)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class MoveSerializer(serializers.Serializer):
    area = VillageCodeField()
    on = serializers.DateField(help_text=_("迁居日期"))
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HardshipFlagSerializer(serializers.ModelSerializer):
    person = ScopedPersonField(help_text=_("人员的公开标识"))

    class Meta:
        model = HardshipFlag
        fields = ["uuid", "person", "kind", "valid_from", "valid_to", "note", "created_at"]
        read_only_fields = ["uuid", "created_at"]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        person = attrs.get("person", getattr(instance, "person", None))
        if instance is not None and person != instance.person:
            raise serializers.ValidationError({"person": [_("不能更改所属人员")]})
        kind = attrs.get("kind", getattr(instance, "kind", None))
        start = attrs.get("valid_from", getattr(instance, "valid_from", None))
        end = attrs.get("valid_to", getattr(instance, "valid_to", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"valid_to": [_("终止日期须晚于认定日期")]})
        clash = HardshipFlag.objects.filter(person=person, kind=kind, valid_from=start)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"kind": [_("该人员该日期已有此标识")]})
        return attrs


class ContactSerializer(serializers.ModelSerializer):
    person = ScopedPersonField(help_text=_("人员的公开标识"))
    name = serializers.CharField(write_only=True, required=False, max_length=50)
    phone = serializers.CharField(write_only=True, required=False, max_length=20)

    class Meta:
        model = Contact
        fields = [
            "uuid",
            "person",
            "relation",
            "relationship",
            "name",
            "phone",
            "name_masked",
            "phone_masked",
            "created_at",
        ]
        read_only_fields = ["uuid", "name_masked", "phone_masked", "created_at"]

    def validate_phone(self, value: str) -> str:
        try:
            return normalise_phone(value)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None:
            missing = {k: [_("该字段是必填项。")] for k in ("name", "phone") if not attrs.get(k)}
            if missing:
                raise serializers.ValidationError(missing)
        elif "person" in attrs and attrs["person"] != self.instance.person:
            raise serializers.ValidationError({"person": [_("不能更改所属人员")]})
        return attrs

    def _apply(self, contact: Contact, validated_data) -> Contact:
        name = validated_data.pop("name", None)
        phone = validated_data.pop("phone", None)
        for key, value in validated_data.items():
            setattr(contact, key, value)
        if name or phone:
            contact.set_details(
                name or contact.full_name, phone if phone is not None else contact.full_phone
            )
        contact.save()
        return contact

    def create(self, validated_data):
        return self._apply(Contact(), validated_data)

    def update(self, instance, validated_data):
        return self._apply(instance, validated_data)


class ResidenceSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Residence
        fields = ["uuid", "person", "area", "area_name", "address", "valid_from", "valid_to"]
        read_only_fields = fields
