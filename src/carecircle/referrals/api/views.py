"""Hospitals and referrals in the caller's scope; the referral actions; the FHIR exchange.

``GET /api/referrals/fhir/`` returns the filtered referrals as a FHIR R4 Bundle (needs the
exchange and the view-full-ID rights, audited); ``POST`` with a Bundle imports it, all or
nothing, answering 400 with every problem named by entry and path.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record
from carecircle.core.api import ScopedViewSetMixin
from carecircle.persons.api.serializers import as_drf_error
from carecircle.referrals import fhir, services
from carecircle.referrals.api.serializers import (
    BundleOutcomeSerializer,
    HospitalSerializer,
    ReferralSerializer,
    RejectSerializer,
)
from carecircle.referrals.fhir_import import import_bundle
from carecircle.referrals.filters import HospitalFilter, ReferralFilter
from carecircle.referrals.models import Hospital, Referral

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class FhirJSONParser(JSONParser):
    media_type = "application/fhir+json"


class CanChangeReferral(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(
            request.user.is_authenticated and request.user.has_perm("referrals.change_referral")
        )


class CanExchange(permissions.BasePermission):
    """Export: view + exchange + view full ID numbers; import: exchange + add + change."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if request.method == "POST":
            needed = ("referrals.exchange_referral", "referrals.add_referral")
            needed += ("referrals.change_referral",)
        else:
            needed = ("referrals.view_referral", "referrals.exchange_referral")
            needed += ("persons.view_full_id_number",)
        return all(user.has_perm(p) for p in needed)


class HospitalViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Hospital.objects.all()
    serializer_class = HospitalSerializer
    filterset_class = HospitalFilter
    lookup_field = "uuid"
    select_related = ("area",)
    http_method_names = NO_DELETE


class ReferralViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals of the caller's institution or area. Reading one is audited."""

    queryset = Referral.objects.all()
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    lookup_field = "uuid"
    select_related = ("person", "from_provider", "to_provider", "from_hospital", "to_hospital")

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        record(request, AuditAction.VIEW_RECORD, obj=referral)
        return Response(self.get_serializer(referral).data)

    def _act(self, request, func, *args):
        referral = self.get_object()
        try:
            referral = func(referral, *args)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReferral])
    def accept(self, request, uuid=None):
        """The receiving side accepts the referral."""
        return self._act(request, services.accept)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReferral])
    def complete(self, request, uuid=None):
        return self._act(request, services.complete)

    @extend_schema(request=RejectSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReferral])
    def reject(self, request, uuid=None):
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(request, services.reject, serializer.validated_data["reject_reason"])

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReferral])
    def cancel(self, request, uuid=None):
        return self._act(request, services.cancel)

    @extend_schema(
        methods=["GET"],
        responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT},
        description=_("筛选后的转诊单，FHIR R4 Bundle（collection）"),
    )
    @extend_schema(
        methods=["POST"],
        request={"application/fhir+json": OpenApiTypes.OBJECT},
        responses={200: BundleOutcomeSerializer, 400: BundleOutcomeSerializer},
        description=_("导入FHIR Bundle：全部通过检查才写入"),
    )
    @action(
        detail=False,
        methods=["get", "post"],
        permission_classes=[CanExchange],
        parser_classes=[JSONParser, FhirJSONParser],
        pagination_class=None,
    )
    def fhir(self, request):
        if request.method == "POST":
            return self._import(request)
        referrals = self.filter_queryset(self.get_queryset())
        try:
            bundle = fhir.build_bundle(referrals)
        except fhir.ExportError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        record(
            request,
            AuditAction.EXPORT,
            label=_("转诊单FHIR导出"),
            rows=fhir.count_requests(bundle),
            format="fhir-r4-bundle",
            filters=request.GET.urlencode(),
        )
        return Response(bundle, content_type="application/fhir+json")

    def _import(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        outcome = import_bundle(data, user=request.user)
        record(
            request,
            AuditAction.IMPORT,
            outcome=AuditOutcome.SUCCESS if outcome.ok else AuditOutcome.FAILURE,
            label=_("转诊单FHIR导入"),
            rows=outcome.requests,
            created=outcome.created,
            updated=outcome.updated,
            errors=len(outcome.errors),
        )
        body = BundleOutcomeSerializer(outcome).data
        code = status.HTTP_200_OK if outcome.ok else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
