"""Viewsets: scoped querysets, the shared FilterSets, public UUIDs; answering and closing a
call and ending a device are actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from carecircle.adaptations.api.views import NO_DELETE, CanChange, StepMixin
from carecircle.core.api import ScopedViewSetMixin
from carecircle.emergency import services
from carecircle.emergency.api import serializers as s
from carecircle.emergency.filters import CallFilter, DeviceFilter
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.persons.api.serializers import as_drf_error


class CallDeviceViewSet(StepMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Call devices and hotline registrations of elders in the caller's area."""

    queryset = CallDevice.objects.all()
    serializer_class = s.CallDeviceSerializer
    filterset_class = DeviceFilter
    lookup_field = "uuid"
    select_related = ("person__area",)
    http_method_names = NO_DELETE

    @extend_schema(request=s.DeviceEndSerializer, responses=s.CallDeviceSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def end(self, request, uuid=None):
        """Stop using the device (or end the hotline registration)."""
        return self.run_step(
            request, s.DeviceEndSerializer, lambda d, v: services.end_device(d, v["ended_on"])
        )


class CallEventViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Calls of elders in the caller's area (an institution: of the elders whose family care bed
    it serves). ``?state=open`` is the open queue."""

    queryset = CallEvent.objects.all()
    serializer_class = s.CallEventSerializer
    filterset_class = CallFilter
    lookup_field = "uuid"
    select_related = ("person__area", "device", "responder")
    http_method_names = NO_DELETE

    def _answer(self, call):
        call.refresh_from_db()
        return Response(self.get_serializer(call).data)

    @extend_schema(request=None, responses=s.CallEventSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def respond(self, request, uuid=None):
        """The caller answers the call now."""
        call = self.get_object()
        try:
            services.respond(call, request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return self._answer(call)

    @extend_schema(request=s.CloseSerializer, responses=s.CallEventSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def close(self, request, uuid=None):
        """Close the call with its outcome (answering it now if nobody had)."""
        call = self.get_object()
        serializer = s.CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.close(call, request.user, data["outcome"], data.get("note", ""))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return self._answer(call)
