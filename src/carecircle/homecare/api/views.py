"""Viewsets: the same scope, permissions and FilterSets as the pages (R1, R2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from carecircle.core.api import ScopedViewSetMixin
from carecircle.homecare import services, settlement
from carecircle.homecare.api import serializers as s
from carecircle.homecare.filters import (
    EntitlementFilter,
    EntitlementRuleFilter,
    ProviderContractFilter,
    ServiceItemFilter,
    ServiceOrderFilter,
    SettlementFilter,
)
from carecircle.homecare.forms import providers_for
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

# Records end by a date or a status, never by deletion through the API.
METHODS = ["get", "post", "put", "patch", "head", "options"]


def _error(exc: DjangoValidationError):
    return s.as_drf_error(exc)


class HasPerm(permissions.BasePermission):
    """The action's own permission (in addition to the model permission of the method)."""

    def __init__(self, *perms: str):
        self.perms = perms

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_authenticated and request.user.has_perms(self.perms))


class RegistryViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    lookup_field = "uuid"
    http_method_names = METHODS


class ServiceItemViewSet(RegistryViewSet):
    """The service menu with prices."""

    queryset = ServiceItem.objects.all()
    serializer_class = s.ServiceItemSerializer
    filterset_class = ServiceItemFilter


class ProviderContractViewSet(RegistryViewSet):
    """Providers' service contracts: villages covered and items."""

    queryset = ProviderContract.objects.all()
    serializer_class = s.ProviderContractSerializer
    filterset_class = ProviderContractFilter
    select_related = ("provider",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("areas", "items")


class EntitlementRuleViewSet(RegistryViewSet):
    """Entitlement rules: which elders qualify for how much service a month."""

    queryset = EntitlementRule.objects.all()
    serializer_class = s.EntitlementRuleSerializer
    filterset_class = EntitlementRuleFilter


class EntitlementViewSet(RegistryViewSet):
    """Elders' monthly entitlements and the provider serving them."""

    queryset = Entitlement.objects.all()
    serializer_class = s.EntitlementSerializer
    filterset_class = EntitlementFilter
    select_related = ("person__area", "provider", "rule")


class ServiceOrderViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Service orders: dispatch (POST), then check-in, check-out, complete, cancel, missed
    and rating as actions."""

    queryset = ServiceOrder.objects.all()
    serializer_class = s.ServiceOrderSerializer
    filterset_class = ServiceOrderFilter
    lookup_field = "uuid"
    select_related = ("person__area", "provider", "item", "worker")

    def _step(self, request, step, *args):
        order = self.get_object()
        try:
            step(order, *args)
        except DjangoValidationError as exc:
            raise _error(exc) from exc
        return Response(self.get_serializer(order).data)

    def _at(self, request):
        data = s.TimeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["at"]

    @extend_schema(request=s.TimeSerializer, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, uuid=None):
        return self._step(request, services.check_in, self._at(request))

    @extend_schema(request=s.TimeSerializer, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, uuid=None):
        return self._step(request, services.check_out, self._at(request))

    @extend_schema(request=None, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, uuid=None):
        return self._step(request, services.complete)

    @extend_schema(request=None, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, uuid=None):
        return self._step(request, services.cancel)

    @extend_schema(request=None, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"])
    def missed(self, request, uuid=None):
        return self._step(request, services.mark_missed)

    @extend_schema(request=s.RatingSerializer, responses=s.ServiceOrderSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, uuid=None):
        data = s.RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self._step(request, services.rate, values["rating"], values["complaint"])

    def get_permissions(self):
        if self.action in ("check_in", "check_out", "complete", "cancel", "missed", "rate"):
            return [HasPerm("homecare.view_serviceorder", "homecare.change_serviceorder")]
        return super().get_permissions()


class SettlementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Month-end settlements; lines and exceptions list those about elders in the caller's
    scope (a provider sees all of its own)."""

    queryset = Settlement.objects.all()
    serializer_class = s.SettlementSerializer
    filterset_class = SettlementFilter
    lookup_field = "uuid"
    select_related = ("provider", "approved_by")

    def get_permissions(self):
        if self.action in ("settle", "approve"):
            return [HasPerm("homecare.view_settlement", "homecare.settle_settlement")]
        return super().get_permissions()

    def _children(self, model, serializer_class):
        settlement_obj = self.get_object()
        rows = (
            model.objects.for_user(self.request.user)
            .filter(settlement=settlement_obj)
            .select_related("person__area", *(["order"] if model is SettlementException else []))
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(responses=s.SettlementLineSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def lines(self, request, uuid=None):
        return self._children(SettlementLine, s.SettlementLineSerializer)

    @extend_schema(responses=s.SettlementExceptionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def exceptions(self, request, uuid=None):
        return self._children(SettlementException, s.SettlementExceptionSerializer)

    @extend_schema(request=s.SettleSerializer, responses=s.SettlementSerializer(many=True))
    @action(detail=False, methods=["post"])
    def settle(self, request):
        """Compute (or recompute) the drafts of a month: one provider, or all in scope."""
        data = s.SettleSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        month, provider = data.validated_data["month"], data.validated_data.get("provider")
        try:
            if provider is not None:
                written = [settlement.settle(provider, month)]
            else:
                within = providers_for(request.user).values_list("pk", flat=True)
                written = settlement.settle_month(month, within=list(within))
        except DjangoValidationError as exc:
            raise _error(exc) from exc
        return Response(s.SettlementSerializer(written, many=True).data)

    @extend_schema(request=None, responses=s.SettlementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, uuid=None):
        obj = self.get_object()
        try:
            obj = settlement.approve(obj, request.user)
        except DjangoValidationError as exc:
            raise _error(exc) from exc
        return Response(self.get_serializer(obj).data)
