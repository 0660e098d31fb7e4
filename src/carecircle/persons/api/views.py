"""Viewsets: scoped querysets, shared filtersets, public UUIDs, audited single-person reads."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.api import ScopedViewSetMixin
from carecircle.persons.api.serializers import (
    ContactSerializer,
    HardshipFlagSerializer,
    MoveSerializer,
    PersonCreateSerializer,
    PersonSerializer,
    ResidenceSerializer,
    as_drf_error,
)
from carecircle.persons.filters import (
    ContactFilter,
    HardshipFlagFilter,
    PersonFilter,
    ResidenceFilter,
)
from carecircle.persons.models import Contact, HardshipFlag, Person, Residence
from carecircle.persons.services import move_person

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class CanChangePerson(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(
            request.user.is_authenticated and request.user.has_perm("persons.change_person")
        )


class PersonViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Elders and children in the caller's scope. Reading one person is audited."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    lookup_field = "uuid"
    select_related = ("area", "merged_into")
    http_method_names = NO_DELETE

    def get_serializer_class(self):
        if self.action == "create":
            return PersonCreateSerializer
        if self.action == "move":
            return MoveSerializer
        return PersonSerializer

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        record(request, AuditAction.VIEW_RECORD, obj=person)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=MoveSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangePerson])
    def move(self, request, uuid=None):
        """Move to another village: the current residence closes, a new one opens."""
        person = self.get_object()
        serializer = MoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if person.merged_into_id:
            return Response(status=status.HTTP_404_NOT_FOUND)
        try:
            move_person(person, data["area"], data["on"], data.get("address", ""))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(PersonSerializer(person, context=self.get_serializer_context()).data)


class HardshipFlagViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = HardshipFlag.objects.all()
    serializer_class = HardshipFlagSerializer
    filterset_class = HardshipFlagFilter
    lookup_field = "uuid"
    select_related = ("person",)
    http_method_names = NO_DELETE


class ContactViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Guardians and emergency contacts; name and phone are write-only and shown masked."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    lookup_field = "uuid"
    select_related = ("person",)
    http_method_names = NO_DELETE


class ResidenceViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Residence history (read-only: it changes through moves)."""

    queryset = Residence.objects.all()
    serializer_class = ResidenceSerializer
    filterset_class = ResidenceFilter
    lookup_field = "uuid"
    select_related = ("person", "area")
