"""API endpoints: the same scope, permissions and FilterSets as the pages (R1, R2)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from carecircle.childcare.api import serializers
from carecircle.childcare.filters import BrandChainFilter, CareNetworkFilter, FilingFilter
from carecircle.childcare.models import BrandChain, CareNetwork, Filing
from carecircle.childcare.supply import supply_demand
from carecircle.core.api import ScopedViewSetMixin
from carecircle.indicators.queries import area_for_user

# Records keep their history: networks and chains are edited, never deleted through the API.
METHODS = ["get", "post", "put", "patch", "head", "options"]


class FilingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Filings in the caller's scope with their documents' metadata and notices (read-only)."""

    queryset = Filing.objects.all()
    serializer_class = serializers.FilingSerializer
    filterset_class = FilingFilter
    lookup_field = "uuid"
    select_related = ("provider", "previous")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("documents", "notices")


class CareNetworkViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = CareNetwork.objects.all()
    serializer_class = serializers.CareNetworkSerializer
    filterset_class = CareNetworkFilter
    lookup_field = "uuid"
    http_method_names = METHODS
    select_related = ("hub",)


class BrandChainViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = BrandChain.objects.all()
    serializer_class = serializers.BrandChainSerializer
    filterset_class = BrandChainFilter
    lookup_field = "uuid"
    http_method_names = METHODS


class CanViewSupplyDemand(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_perm("childcare.view_supply_demand")
        )


class SupplyDemandViewSet(viewsets.ViewSet):
    """Supply and demand of childcare below an area (default: the caller's area)."""

    permission_classes = [CanViewSupplyDemand]

    @extend_schema(
        parameters=[OpenApiParameter("area", str, description="division code in your scope")],
        responses=serializers.SupplyTableSerializer,
    )
    def list(self, request):
        user = request.user
        if user.scope_area is None:
            raise Http404
        code = (request.query_params.get("area") or "").strip() or user.scope_area.code
        table = supply_demand(user, area_for_user(user, code), timezone.localdate())
        return Response(serializers.SupplyTableSerializer(table).data)
