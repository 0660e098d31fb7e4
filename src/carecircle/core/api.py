"""API building blocks: scoped viewsets, permission checks and capped pagination (R1, R2, R6)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers
from rest_framework.pagination import PageNumberPagination


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(exc))


def request_user(serializer):
    """The user of the request a serializer serves (None outside a request)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def check_candidate(model, instance, attrs: dict, *, clean: bool = False) -> None:
    """Validate the row a create or update would write (the instance's values overlaid with
    ``attrs``) against the model's constraints, and its ``clean()`` when asked, as a form does.
    An edit is not compared with itself."""
    current = {}
    if instance is not None:
        current = {f.name: getattr(instance, f.name) for f in instance._meta.concrete_fields}
    candidate = model(**{**current, **attrs})
    candidate._state.adding = instance is None
    try:
        if clean:
            candidate.clean()
        candidate.validate_constraints()
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Authenticated and holding the model permission for the method, reads included (R2)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


class CappedPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def page_size(self) -> int:  # type: ignore[override]
        return settings.LIST_PAGE_SIZE

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return settings.LIST_PAGE_SIZE_MAX


class ScopedViewSetMixin:
    """Every API queryset starts from the model's scoped queryset; others are simply absent."""

    def get_queryset(self):
        return self.queryset.model.objects.for_user(self.request.user).select_related(
            *getattr(self, "select_related", ())
        )
