"""API representations. Elders are named by public ID and shown with masked names; a helper's
phone is write-only and comes out masked (R24). Rules are the services' (the forms' too)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.areas.services import current_units_for
from carecircle.core.api import request_user
from carecircle.institutions.models import Provider
from carecircle.persons.api.serializers import ScopedPersonField, VillageCodeField, as_drf_error
from carecircle.persons.forms import normalise_phone
from carecircle.visits import services
from carecircle.visits.choices import VisitFinding
from carecircle.visits.models import CareWish, Helper, HelpLog, Pairing, Visit


def _checked(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class ProviderUuidField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Provider.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(slug_field="uuid", **kwargs)


class ElderMixin(serializers.Serializer):
    person = ScopedPersonField(help_text=_("老年人的公开标识"))
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    area = serializers.CharField(source="person.area.code", read_only=True)

    def fixed_person(self, attrs):
        """The elder: given on create, unchanged on update."""
        person = attrs.get("person", getattr(self.instance, "person", None))
        if self.instance is not None and person != self.instance.person:
            raise serializers.ValidationError({"person": [_("不能更改所属老人")]})
        return person


class VisitSerializer(ElderMixin, serializers.ModelSerializer):
    findings = serializers.ListField(
        child=serializers.ChoiceField(choices=VisitFinding.choices),
        required=False,
        help_text=_("探访情况，可多选"),
    )
    provider = ProviderUuidField(help_text=_("购买服务时承接探访的机构（公开标识）"))
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "visited_on",
            "mode",
            "visitor_name",
            "provider",
            "findings",
            "note",
            "follow_up_needed",
            "follow_up_note",
            "follow_up_done_on",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["uuid", "recorded_by", "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        person = self.fixed_person(attrs)

        def value(name, default=None):
            return attrs.get(name, getattr(self.instance, name, default))

        _checked(
            services.check_visit,
            person,
            visited_on=value("visited_on"),
            findings=list(value("findings", []) or []),
            follow_up_needed=bool(value("follow_up_needed", False)),
            follow_up_done_on=value("follow_up_done_on"),
            provider=value("provider"),
        )
        return attrs

    def create(self, validated_data):
        visit = Visit(**validated_data)
        return services.record_visit(visit, request_user(self))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.record_visit(instance, request_user(self))


class HelperSerializer(serializers.ModelSerializer):
    area = VillageCodeField()
    phone = serializers.CharField(
        write_only=True, required=False, max_length=20, help_text=_("只写；返回脱敏号码")
    )
    load = serializers.SerializerMethodField(help_text=_("当前在结对老人数"))

    class Meta:
        model = Helper
        fields = [
            "uuid",
            "name",
            "kind",
            "area",
            "address",
            "latitude",
            "longitude",
            "phone",
            "phone_masked",
            "active",
            "note",
            "load",
            "created_at",
        ]
        read_only_fields = ["uuid", "phone_masked", "created_at"]

    def get_load(self, helper) -> int:
        load = getattr(helper, "load", None)
        return load if load is not None else helper.pairings.filter(ended_on__isnull=True).count()

    def validate_phone(self, value: str) -> str:
        try:
            return normalise_phone(value)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None and not attrs.get("phone"):
            raise serializers.ValidationError({"phone": [_("该字段是必填项。")]})
        if "area" in attrs and not current_units_for(request_user(self)).filter(
            pk=attrs["area"].pk
        ):
            raise serializers.ValidationError({"area": [_("不在您的管辖范围内")]})
        lat = attrs.get("latitude", getattr(self.instance, "latitude", None))
        lon = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if (lat is None) != (lon is None):
            raise serializers.ValidationError({"longitude": [_("经纬度须同时填写")]})
        return attrs

    def _save(self, helper: Helper, validated_data) -> Helper:
        phone = validated_data.pop("phone", None)
        for key, value in validated_data.items():
            setattr(helper, key, value)
        if phone:
            helper.set_phone(phone)
        helper.save()
        return helper

    def create(self, validated_data):
        return self._save(Helper(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class ScopedHelperField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Helper.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return Helper.objects.for_user(request_user(self.parent))


class PairingSerializer(ElderMixin, serializers.ModelSerializer):
    """Create = pair (checks capacity and the one-active-pairing rule); update may end it."""

    helper = ScopedHelperField(help_text=_("帮扶人的公开标识"))
    helper_name = serializers.CharField(source="helper.name", read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "helper",
            "helper_name",
            "started_on",
            "ended_on",
            "note",
            "created_at",
        ]
        read_only_fields = ["uuid", "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self.fixed_person(attrs)
        if self.instance is not None:
            for name in ("helper", "started_on"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: [_("结对后不能更改，请结束后重新结对")]}
                    )
        elif attrs.get("ended_on"):
            raise serializers.ValidationError({"ended_on": [_("新建结对时不能填写结束日期")]})
        return attrs

    def create(self, validated_data):
        try:
            return services.pair(
                validated_data["person"],
                validated_data["helper"],
                validated_data["started_on"],
                validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        ended_on = validated_data.get("ended_on")
        note = validated_data.get("note", "")
        try:
            if ended_on and instance.ended_on is None:
                return services.end_pairing(instance, ended_on, note)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        if ended_on != instance.ended_on and "ended_on" in validated_data:
            raise serializers.ValidationError({"ended_on": [_("结束日期不能更改")]})
        if "note" in validated_data:
            instance.note = note
            instance.save(update_fields=["note", "updated_at"])
        return instance


class ScopedPairingField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Pairing.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return Pairing.objects.for_user(request_user(self.parent))


class HelpLogSerializer(serializers.ModelSerializer):
    pairing = ScopedPairingField(help_text=_("结对的公开标识"))

    class Meta:
        model = HelpLog
        fields = ["uuid", "pairing", "helped_on", "kind", "minutes", "note", "created_at"]
        read_only_fields = ["uuid", "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        pairing = attrs.get("pairing", getattr(self.instance, "pairing", None))
        if self.instance is not None and pairing != self.instance.pairing:
            raise serializers.ValidationError({"pairing": [_("不能更改所属结对")]})
        helped_on = attrs.get("helped_on", getattr(self.instance, "helped_on", None))
        _checked(services.check_help, pairing, helped_on)
        return attrs


class CareWishSerializer(ElderMixin, serializers.ModelSerializer):
    preferred_provider = ProviderUuidField(help_text=_("意向养老机构（公开标识）"))
    placed = serializers.SerializerMethodField(help_text=_("今天是否已入住养老机构"))

    class Meta:
        model = CareWish
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "registered_on",
            "withdrawn_on",
            "preferred_provider",
            "note",
            "placed",
            "created_at",
        ]
        read_only_fields = ["uuid", "created_at"]

    def get_placed(self, wish) -> bool:
        if hasattr(wish, "placed_on"):
            return wish.placed_on is not None
        return services.is_placed(wish.person, services.today())

    def validate(self, attrs):
        attrs = super().validate(attrs)
        person = self.fixed_person(attrs)
        wish = CareWish(pk=getattr(self.instance, "pk", None), person=person)
        for name in ("registered_on", "withdrawn_on", "preferred_provider", "note"):
            setattr(wish, name, attrs.get(name, getattr(self.instance, name, None)))
        _checked(services.check_wish, wish)
        return attrs
