"""Infant health records in the caller's scope (reading one is audited), and the schedule."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.response import Response

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.childhealth import filters
from carecircle.childhealth.api import serializers as s
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core.api import ScopedViewSetMixin


class ChildRecordViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    lookup_field = "uuid"
    select_related: tuple[str, ...] = ("child",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        record(request, AuditAction.VIEW_RECORD, obj=obj)
        return Response(self.get_serializer(obj).data)


class NewbornVisitViewSet(ChildRecordViewSet):
    queryset = NewbornVisit.objects.all()
    serializer_class = s.NewbornVisitSerializer
    filterset_class = filters.NewbornVisitFilter


class NewbornScreeningViewSet(ChildRecordViewSet):
    queryset = NewbornScreening.objects.all()
    serializer_class = s.NewbornScreeningSerializer
    filterset_class = filters.NewbornScreeningFilter


class VaccinationViewSet(ChildRecordViewSet):
    queryset = Vaccination.objects.all()
    serializer_class = s.VaccinationSerializer
    filterset_class = filters.VaccinationFilter
    select_related = ("child", "dose")


class ChildHealthCheckViewSet(ChildRecordViewSet):
    queryset = ChildHealthCheck.objects.all()
    serializer_class = s.ChildHealthCheckSerializer
    filterset_class = filters.ChildHealthCheckFilter


class DevelopmentGuidanceViewSet(ChildRecordViewSet):
    queryset = DevelopmentGuidance.objects.all()
    serializer_class = s.DevelopmentGuidanceSerializer
    filterset_class = filters.DevelopmentGuidanceFilter


class VaccineDoseViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The immunisation schedule (read-only)."""

    queryset = VaccineDose.objects.all()
    serializer_class = s.VaccineDoseSerializer
    lookup_field = "uuid"
    pagination_class = None
