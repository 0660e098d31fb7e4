"""R2/R4: deny by default and separated admin roles."""

from __future__ import annotations

import itertools

import pytest
from django.db import IntegrityError, transaction

from carecircle.accounts.choices import Role
from carecircle.accounts.models import User
from carecircle.accounts.roles import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    counted_permissions,
    grantable_roles,
    permissions_for,
)
from carecircle.core import testing as t

ALL_ROLES = [value for value, _ in Role.choices]


def test_no_role_both_audits_and_manages_users():
    for role in ALL_ROLES:
        perms = permissions_for(role)
        assert not {"audit.view_auditevent", "accounts.manage_users"} <= perms, role


def test_admin_roles_are_disjoint():
    for first, second in itertools.combinations(sorted(ADMIN_ROLES), 2):
        assert not permissions_for(first) & permissions_for(second), (first, second)


def test_only_the_audit_admin_reads_the_audit_log():
    readers = [r for r in ALL_ROLES if "audit.view_auditevent" in permissions_for(r)]
    assert readers == [Role.AUDIT_ADMIN]


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_admin_roles_hold_no_personal_data_permissions(role):
    assert not [p for p in permissions_for(role) if p.startswith("persons.")]
    assert "core.export_data" not in permissions_for(role)


@pytest.mark.django_db
def test_user_without_role_has_no_permissions(outsider):
    assert outsider.get_all_permissions() == set()
    assert not outsider.has_perm("persons.view_person")
    assert not outsider.has_module_perms("persons")


@pytest.mark.django_db
def test_new_users_get_no_role_scope_or_staff():
    user = User.objects.create_user("fresh", password="Quiet-River-Lamp-47")
    assert user.role == "" and user.scope_area is None and user.institution is None
    assert not user.is_staff and not user.is_superuser
    assert user.get_all_permissions() == set()


@pytest.mark.django_db
def test_inactive_user_has_no_permissions(village_worker):
    village_worker.is_active = False
    village_worker.save()
    assert village_worker.get_all_permissions() == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_business_user_may_be_superuser(role):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(f"su-{role}", role=role, is_superuser=True)


@pytest.mark.django_db
def test_superuser_update_is_refused_by_the_database(village_worker):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=village_worker.pk).update(is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_nobody_can_grant_an_admin_role_in_the_ui(role):
    user = t.make_user(role, area_code=t.CITY)
    granted = grantable_roles(user)
    assert not granted & ADMIN_ROLES
    assert granted <= set(BUSINESS_ROLES)
    own = permissions_for(role)
    if role != Role.SYSTEM_ADMIN:
        assert all(counted_permissions(g, user) <= own for g in granted)
