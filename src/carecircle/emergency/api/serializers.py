"""API representations. Elders are named by public identifier and shown masked; the response
and closing of a call are recorded through the ``respond`` and ``close`` actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.adaptations.api.serializers import ElderSerializerMixin, user_of
from carecircle.emergency.choices import CallOutcome
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.emergency.services import enrol_device, register_call
from carecircle.persons.api.serializers import as_drf_error


class CallDeviceSerializer(ElderSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = CallDevice
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "area_name",
            "kind",
            "coverage",
            "serial",
            "enrolled_on",
            "ended_on",
            "note",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            for name in ("kind", "enrolled_on"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: [_("创建后不可更改，请停用后重新登记")]}
                    )
        return attrs

    def create(self, validated_data):
        try:
            return enrol_device(CallDevice(**validated_data))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        instance.save()
        return instance


class DeviceEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text=_("停用日期"))


class ScopedDeviceField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", CallDevice.objects.none())
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return CallDevice.objects.for_user(user_of(self.parent))


class CallEventSerializer(ElderSerializerMixin, serializers.ModelSerializer):
    device = ScopedDeviceField(required=False, allow_null=True, help_text=_("设备的公开标识"))
    responder = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CallEvent
        fields = [
            "uuid",
            "person",
            "person_name",
            "area",
            "area_name",
            "device",
            "called_at",
            "kind",
            "responder",
            "responder_name",
            "responded_at",
            "response_seconds",
            "closed_at",
            "outcome",
            "note",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            for name in ("device", "called_at"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [_("创建后不可更改")]})
        return attrs

    def create(self, validated_data):
        try:
            return register_call(CallEvent(**validated_data))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallOutcome.choices, help_text=_("处置结果"))
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text=_("处置说明")
    )
