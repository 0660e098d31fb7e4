"""API endpoints: the same scope, permissions and FilterSets as the HTML pages (R1, R2)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from rest_framework import viewsets

from carecircle.core.api import ScopedViewSetMixin
from carecircle.institutions.api import serializers
from carecircle.institutions.filters import CreditListingFilter, ProviderFilter, StaffFilter
from carecircle.institutions.models import (
    CapacityRecord,
    CreditListing,
    Designation,
    Grade,
    Provider,
    Staff,
)

# Registries keep their history: records are ended by a date, never deleted through the API.
METHODS = ["get", "post", "put", "patch", "head", "options"]


class RegistryViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    lookup_field = "uuid"
    http_method_names = METHODS


class ProviderViewSet(RegistryViewSet):
    """Elderly-care and childcare providers in the caller's scope, with today's capacity."""

    queryset = Provider.objects.all()
    serializer_class = serializers.ProviderSerializer
    filterset_class = ProviderFilter
    select_related = ("area",)

    def get_queryset(self):
        today = timezone.localdate()
        latest = CapacityRecord.objects.filter(
            provider=OuterRef("pk"), valid_from__lte=today
        ).order_by("-valid_from", "-pk")
        return (
            super()
            .get_queryset()
            .with_capacity(today)
            .annotate(cap_valid_from=Subquery(latest.values("valid_from")[:1]))
            .prefetch_related("service_areas")
        )


class CapacityRecordViewSet(RegistryViewSet):
    """Dated capacity records (beds and childcare places)."""

    queryset = CapacityRecord.objects.all()
    serializer_class = serializers.CapacityRecordSerializer
    filterset_fields = ["provider__uuid"]
    select_related = ("provider",)


class DesignationViewSet(RegistryViewSet):
    queryset = Designation.objects.all()
    serializer_class = serializers.DesignationSerializer
    filterset_fields = ["provider__uuid", "kind"]
    select_related = ("provider",)


class GradeViewSet(RegistryViewSet):
    queryset = Grade.objects.all()
    serializer_class = serializers.GradeSerializer
    filterset_fields = ["provider__uuid", "grade"]
    select_related = ("provider",)


class StaffViewSet(RegistryViewSet):
    """Staff of providers; ID numbers are accepted on write and returned masked only."""

    queryset = Staff.objects.all()
    serializer_class = serializers.StaffSerializer
    filterset_class = StaffFilter
    select_related = ("provider",)


class CreditListingViewSet(RegistryViewSet):
    """Red and black lists and lifetime bans (published city-wide)."""

    queryset = CreditListing.objects.all()
    serializer_class = serializers.CreditListingSerializer
    filterset_class = CreditListingFilter
