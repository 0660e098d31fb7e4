"""Viewsets: scoped querysets (others' rows are simply absent), shared filtersets, public UUIDs.
Nothing is deleted through the API: visits are corrected, pairings ended, wishes withdrawn."""

from __future__ import annotations

from rest_framework import viewsets

from carecircle.core.api import ScopedViewSetMixin
from carecircle.visits import services
from carecircle.visits.api.serializers import (
    CareWishSerializer,
    HelperSerializer,
    HelpLogSerializer,
    PairingSerializer,
    VisitSerializer,
)
from carecircle.visits.filters import (
    CareWishFilter,
    HelperFilter,
    HelpLogFilter,
    PairingFilter,
    VisitFilter,
)
from carecircle.visits.models import CareWish, Helper, HelpLog, Pairing, Visit

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class VisitViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Visits of elders in the caller's scope."""

    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    lookup_field = "uuid"
    select_related = ("person__area", "provider", "recorded_by")
    http_method_names = NO_DELETE


class HelperViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """一助一 helpers of the caller's villages; the phone is write-only, returned masked."""

    queryset = Helper.objects.all()
    serializer_class = HelperSerializer
    filterset_class = HelperFilter
    lookup_field = "uuid"
    select_related = ("area",)
    http_method_names = NO_DELETE

    def get_queryset(self):
        return services.with_load(super().get_queryset())


class PairingViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Create pairs an elder with a helper (capacity and one active pairing checked); a PATCH
    with ``ended_on`` ends it."""

    queryset = Pairing.objects.all()
    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    lookup_field = "uuid"
    select_related = ("person__area", "helper")
    http_method_names = NO_DELETE


class HelpLogViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = HelpLog.objects.all()
    serializer_class = HelpLogSerializer
    filterset_class = HelpLogFilter
    lookup_field = "uuid"
    select_related = ("pairing",)
    http_method_names = NO_DELETE


class CareWishViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Wishes for concentrated care, with whether the elder lives in an institution today."""

    queryset = CareWish.objects.all()
    serializer_class = CareWishSerializer
    filterset_class = CareWishFilter
    lookup_field = "uuid"
    select_related = ("person__area", "preferred_provider")
    http_method_names = NO_DELETE

    def get_queryset(self):
        return services.wishes_with_placement(super().get_queryset(), services.today())
