"""Health checks in the caller's scope; reading one is audited."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.response import Response

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.api import ScopedViewSetMixin
from carecircle.health.api.serializers import ElderHealthCheckSerializer
from carecircle.health.filters import ElderHealthCheckFilter
from carecircle.health.models import ElderHealthCheck


class ElderHealthCheckViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = ElderHealthCheck.objects.all()
    serializer_class = ElderHealthCheckSerializer
    filterset_class = ElderHealthCheckFilter
    lookup_field = "uuid"
    select_related = ("person", "hospital")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def retrieve(self, request, *args, **kwargs):
        check = self.get_object()
        record(request, AuditAction.VIEW_RECORD, obj=check)
        return Response(self.get_serializer(check).data)
