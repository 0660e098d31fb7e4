import pytest
from django.contrib import admin

from carecircle.accounts.choices import Role
from carecircle.accounts.roles import ROLE_PERMISSIONS
from carecircle.institutions.models import (
    CapacityRecord,
    Designation,
    Grade,
    Provider,
    Residency,
    Staff,
    StaffCertificate,
    Training,
)

pytestmark = pytest.mark.django_db


def test_only_non_personal_tables_are_in_the_admin():
    for model in (Provider, CapacityRecord, Designation, Grade):
        assert admin.site.is_registered(model)
    for model in (Staff, Residency, StaffCertificate, Training):
        assert not admin.site.is_registered(model)


def test_admin_pages_render(client, monkeypatch, system_admin, provider_a):
    # Which registry permissions the system administrator holds is decided in accounts/roles.py;
    # here only that the pages work once it holds them.
    granted = {
        f"institutions.{a}_{m}"
        for a in ("view", "change")
        for m in ("provider", "capacityrecord", "designation", "grade")
    }
    role_perms = dict(ROLE_PERMISSIONS)
    role_perms[Role.SYSTEM_ADMIN] = ROLE_PERMISSIONS[Role.SYSTEM_ADMIN] | granted
    monkeypatch.setattr("carecircle.accounts.roles.ROLE_PERMISSIONS", role_perms)
    client.force_login(system_admin)
    assert client.get("/sysadmin/institutions/provider/").status_code == 200
    page = client.get(f"/sysadmin/institutions/provider/{provider_a.pk}/change/")
    assert page.status_code == 200
    assert client.get("/sysadmin/institutions/capacityrecord/").status_code == 200
