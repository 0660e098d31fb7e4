"""API serializers. Personal data leaves only masked: the child's name and ID number and the
guardian's name and phone (R24); workflows (offers, enrolment) run through ``services``."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from carecircle.enrolment import occupancy, services
from carecircle.enrolment.models import Application, ChildcareClass, ClassRule, Enrolment, Offer
from carecircle.institutions.api.serializers import ScopedProviderField, as_drf_error


class ChildcareClassSerializer(serializers.ModelSerializer):
    provider = ScopedProviderField()
    rule = serializers.SlugRelatedField(
        slug_field="code", queryset=ClassRule.objects.filter(active=True)
    )
    enrolled_today = serializers.SerializerMethodField(help_text=_("今日在托人数"))
    vacancies = serializers.SerializerMethodField(help_text=_("空位（待答复录取计为已占）"))
    carers_today = serializers.SerializerMethodField(help_text=_("今日在岗保育人员"))
    waiting = serializers.SerializerMethodField(help_text=_("候补人数"))

    class Meta:
        model = ChildcareClass
        fields = [
            "uuid",
            "provider",
            "name",
            "rule",
            "mode",
            "capacity",
            "monthly_fee",
            "affordable_fee",
            "opened_on",
            "closed_on",
            "enrolled_today",
            "vacancies",
            "carers_today",
            "waiting",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []

    def _day(self, obj: ChildcareClass) -> occupancy.ClassDay:
        if not hasattr(obj, "enrolled"):
            return occupancy.class_day(obj, timezone.localdate())
        return occupancy.day_of(obj, timezone.localdate())

    def get_enrolled_today(self, obj) -> int:
        return self._day(obj).enrolled

    def get_vacancies(self, obj) -> int:
        return self._day(obj).vacancies

    def get_carers_today(self, obj) -> int:
        return self._day(obj).carers

    def get_waiting(self, obj) -> int:
        return self._day(obj).waiting

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance else ChildcareClass()
        for key, value in attrs.items():
            setattr(instance, key, value)
        problems = services.class_problems(instance)
        if problems:
            raise serializers.ValidationError({"non_field_errors": problems})
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return attrs


class ApplicationSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    childcare_class = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    child = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    child_name_masked = serializers.CharField(source="masked_child_name", read_only=True)
    priority_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    position = serializers.SerializerMethodField(help_text=_("候补位次（候补中时）"))

    class Meta:
        model = Application
        fields = [
            "uuid",
            "reference_code",
            "provider",
            "childcare_class",
            "mode",
            "status",
            "position",
            "child",
            "child_name_masked",
            "id_number_masked",
            "birth_date",
            "sex",
            "area",
            "guardian_relationship",
            "guardian_name_masked",
            "guardian_phone_masked",
            "wanted_start",
            "priority_groups",
            "submitted_at",
            "source",
            "status_changed_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_position(self, obj) -> int | None:
        positions = self.context.get("positions")
        if positions is not None:
            return positions.get(obj.pk)
        return occupancy.position_of(obj)


class OfferSerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    reference_code = serializers.CharField(source="application.reference_code", read_only=True)
    childcare_class = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    state = serializers.SerializerMethodField(help_text=_("待答复、已接受、已放弃或已过期"))

    class Meta:
        model = Offer
        fields = [
            "uuid",
            "application",
            "reference_code",
            "childcare_class",
            "start_on",
            "made_at",
            "expires_at",
            "accepted_at",
            "declined_at",
            "lapsed_at",
            "state",
        ]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return str(obj.state())


class EnrolmentSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    child = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    child_name_masked = serializers.CharField(source="child.masked_name", read_only=True)
    childcare_class = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    application = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "uuid",
            "provider",
            "child",
            "child_name_masked",
            "childcare_class",
            "application",
            "started_on",
            "ended_on",
            "end_reason",
        ]
        read_only_fields = fields
