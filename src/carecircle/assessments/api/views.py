"""Assessments in the caller's scope. Reading one is audited; there is no delete."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.response import Response

from carecircle.assessments.api.serializers import AssessmentSerializer
from carecircle.assessments.filters import AssessmentFilter
from carecircle.assessments.models import Assessment
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.api import ScopedViewSetMixin


class AssessmentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Assessment.objects.all()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    lookup_field = "uuid"
    select_related = ("person__area", "agency", "assessor")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def retrieve(self, request, *args, **kwargs):
        assessment = self.get_object()
        record(request, AuditAction.VIEW_RECORD, obj=assessment)
        return Response(self.get_serializer(assessment).data)
