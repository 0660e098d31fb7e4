"""Viewsets: scoped querysets, the shared FilterSets, public UUIDs; workflow steps as actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from carecircle.adaptations import services
from carecircle.adaptations.api import serializers as s
from carecircle.adaptations.filters import BedFilter, ProjectFilter
from carecircle.adaptations.models import AdaptationItem, AdaptationProject, FamilyCareBed
from carecircle.core.api import ScopedViewSetMixin
from carecircle.persons.api.serializers import as_drf_error

# Records are ended or cancelled by a date, never deleted through the API.
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class CanChange(permissions.BasePermission):
    """Workflow actions change the record: the model's change permission."""

    def has_permission(self, request, view) -> bool:
        meta = view.queryset.model._meta
        return bool(
            request.user.is_authenticated
            and request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        )


class StepMixin:
    """Run a service step with the validated input and answer with the updated record."""

    def run_step(self, request, input_class, step):
        obj = self.get_object()
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            step(obj, serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)


class AdaptationProjectViewSet(StepMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Home adaptation projects of elders in the caller's area."""

    queryset = AdaptationProject.objects.all()
    serializer_class = s.AdaptationProjectSerializer
    filterset_class = ProjectFilter
    lookup_field = "uuid"
    select_related = ("person__area", "contractor")
    http_method_names = NO_DELETE

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")

    @extend_schema(request=s.AssessSerializer, responses=s.AdaptationProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def assess(self, request, uuid=None):
        """Record the home-risk assessment (申请 → 已评估)."""
        return self.run_step(
            request,
            s.AssessSerializer,
            lambda p, d: services.assess(p, d["assessed_on"], d["assessment_note"]),
        )

    @extend_schema(request=s.StartSerializer, responses=s.AdaptationProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def start(self, request, uuid=None):
        """Work begins (已评估 → 施工中)."""
        return self.run_step(
            request, s.StartSerializer, lambda p, d: services.start(p, d["started_on"])
        )

    @extend_schema(request=s.CompleteSerializer, responses=s.AdaptationProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def complete(self, request, uuid=None):
        """Work accepted with the subsidy granted (施工中 → 已完工)."""
        return self.run_step(
            request,
            s.CompleteSerializer,
            lambda p, d: services.complete(p, d["completed_on"], d["subsidy"]),
        )

    @extend_schema(request=s.CancelSerializer, responses=s.AdaptationProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def cancel(self, request, uuid=None):
        """Drop a project that is not completed."""
        return self.run_step(
            request,
            s.CancelSerializer,
            lambda p, d: services.cancel(p, d["cancelled_on"], d["reason"]),
        )

    @extend_schema(request=s.AdaptationItemSerializer, responses=s.AdaptationItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def items(self, request, uuid=None):
        """Add an item (kind, quantity, unit cost) to an open project."""
        project = self.get_object()
        serializer = s.AdaptationItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = AdaptationItem(project=project, **serializer.validated_data)
        try:
            services.add_item(item)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(s.AdaptationItemSerializer(item).data, status=status.HTTP_201_CREATED)


class FamilyCareBedViewSet(StepMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Family care beds: an institution's staff see their institution's beds, area officers the
    beds of elders in their area."""

    queryset = FamilyCareBed.objects.all()
    serializer_class = s.FamilyCareBedSerializer
    filterset_class = BedFilter
    lookup_field = "uuid"
    select_related = ("person__area", "provider", "adaptation")
    http_method_names = NO_DELETE

    @extend_schema(request=s.BedEndSerializer, responses=s.FamilyCareBedSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def end(self, request, uuid=None):
        """End the bed (撤床) with a reason."""
        return self.run_step(
            request,
            s.BedEndSerializer,
            lambda b, d: services.end_bed(b, d["ended_on"], d["end_reason"]),
        )
