"""R1: every model holding area- or institution-bound rows is reached through a scoped manager.

A model with a foreign key to ``areas.Area`` or ``institutions.Provider`` must have a default
manager whose queryset has ``for_user`` and must define ``scope_q``. Models found by walking
the app registry, so new models are checked as soon as they exist.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from carecircle.core.models import BaseModel

TARGETS = {"areas.Area", "institutions.Provider"}

# Not scoped by design (each reason is the exception it documents):
NO_SCOPE = {
    # The division tree is public reference data (its own ``for_user`` only requires a scope).
    "areas.Area": "reference data; Area.objects.for_user needs a scoped user",
    "areas.AreaVersion": "history of the public division tree",
    # Accounts are managed through User.objects.manageable_by and the role of the viewer.
    "accounts.User": "scoped by User.objects.manageable_by (user management)",
    "accounts.Department": "organisation chart, no personal data",
}
# Scoped with ``for_user`` but without ``scope_q``: published aggregate statistics.
FOR_USER_ONLY = {
    "areas.PopulationFact": "aggregate statistics, scoped through Area.objects.for_user",
}


def _area_bound_models():
    for model in apps.get_models():
        if not model.__module__.startswith("carecircle."):
            continue
        if getattr(model, "instance_type", None) is not None:
            continue  # simple_history's Historical* tables: reached through obj.history only
        targets = {
            field.related_model._meta.label
            for field in model._meta.concrete_fields
            if field.is_relation and field.many_to_one and field.related_model
        }
        if targets & TARGETS:
            yield model


def test_the_walk_finds_area_bound_models():
    labels = {m._meta.label for m in _area_bound_models()}
    assert {"institutions.Provider", "persons.Person", "accounts.User"} <= labels


@pytest.mark.parametrize("model", list(_area_bound_models()), ids=lambda m: m._meta.label)
def test_area_bound_model_is_scoped(model):
    label = model._meta.label
    if label in NO_SCOPE:
        return
    queryset = model._default_manager.all()
    assert callable(getattr(queryset, "for_user", None)), f"{label}: manager lacks for_user"
    if label in FOR_USER_ONLY:
        return
    owner = next((c for c in model.__mro__ if "scope_q" in c.__dict__), None)
    assert owner is not None, f"{label}: no scope_q"
    assert owner is not BaseModel, f"{label}: scope_q not defined (BaseModel's only raises)"
    assert isinstance(owner.__dict__["scope_q"], classmethod), f"{label}: scope_q not a classmethod"


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(_area_bound_models()), ids=lambda m: m._meta.label)
def test_scoped_manager_denies_users_without_scope(model, outsider):
    label = model._meta.label
    if label in NO_SCOPE:
        return
    assert not model._default_manager.for_user(outsider).exists()
