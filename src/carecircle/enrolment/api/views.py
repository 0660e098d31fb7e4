"""API endpoints: the same scope, permissions and FilterSets as the pages (R1, R2).

Classes are read and written here; applications, offers and enrolments are read-only (their
workflows, with the rules of ``services``, run on the institution's pages). Reading one
application is audited like its page.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import viewsets

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.api import ScopedViewSetMixin
from carecircle.enrolment import occupancy
from carecircle.enrolment.api import serializers
from carecircle.enrolment.filters import (
    ApplicationFilter,
    ChildcareClassFilter,
    EnrolmentFilter,
    OfferFilter,
)
from carecircle.enrolment.models import Application, ChildcareClass, Enrolment, Offer

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class ChildcareClassViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Classes in the caller's scope with today's occupancy, vacancies, carers and waiting."""

    queryset = ChildcareClass.objects.all()
    serializer_class = serializers.ChildcareClassSerializer
    filterset_class = ChildcareClassFilter
    lookup_field = "uuid"
    http_method_names = NO_DELETE
    select_related = ("provider", "rule")

    def get_queryset(self):
        return occupancy.with_counts(super().get_queryset(), timezone.localdate())


class ApplicationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Applications for places, with masked personal data and waiting-list positions."""

    queryset = Application.objects.all()
    serializer_class = serializers.ApplicationSerializer
    filterset_class = ApplicationFilter
    lookup_field = "uuid"
    select_related = ("provider", "childcare_class", "area", "child")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("priority_groups")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page) if page is not None else []
        context = {**self.get_serializer_context(), "positions": occupancy.positions(rows)}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record(request, AuditAction.VIEW_RECORD, obj=self.get_object(), channel="api")
        return response


class OfferViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Offer.objects.all()
    serializer_class = serializers.OfferSerializer
    filterset_class = OfferFilter
    lookup_field = "uuid"
    select_related = ("application", "childcare_class")


class EnrolmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Enrolment.objects.all()
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = EnrolmentFilter
    lookup_field = "uuid"
    select_related = ("provider", "child", "childcare_class", "application")
