"""User management by area administrators: subtree, domain and role limits (R1, R2, R4, R11)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from carecircle.accounts.choices import Role
from carecircle.accounts.forms import UserCreateForm
from carecircle.accounts.models import User
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain

OTHER_TOWN_VILLAGE = "320685101001"


@pytest.fixture
def far_worker(db):
    return t.make_user(Role.VILLAGE_WORKER, area_code=OTHER_TOWN_VILLAGE, username="far")


def _new_user_data(**overrides):
    data = {
        "username": "newbie",
        "last_name": "王",
        "first_name": "小明",
        "phone": "",
        "role": Role.VILLAGE_WORKER,
        "department": "",
        "scope_area": str(t.area(t.VILLAGE_A1).pk),
        "institution": "",
        "scope_domain": ScopeDomain.BOTH,
    }
    data.update(overrides)
    return data


# The queryset ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_town_admin_manages_its_subtree_only(town_officer, village_worker, far_worker):
    manageable = set(User.objects.manageable_by(town_officer))
    assert village_worker in manageable
    assert far_worker not in manageable
    assert town_officer not in manageable  # never oneself
    assert town_officer.can_manage(village_worker)
    assert not town_officer.can_manage(far_worker)


@pytest.mark.django_db
def test_admin_accounts_are_never_manageable(civil_affairs_officer, system_admin, audit_admin):
    assert system_admin not in User.objects.manageable_by(civil_affairs_officer)
    assert not civil_affairs_officer.can_manage(system_admin)
    assert not civil_affairs_officer.can_manage(audit_admin)


@pytest.mark.django_db
def test_domain_limited_admin_manages_its_domain_only(civil_affairs_officer):
    elderly = t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, domain=ScopeDomain.ELDERLY)
    childcare = t.make_user(
        Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, domain=ScopeDomain.CHILDCARE
    )
    both = t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, domain=ScopeDomain.BOTH)
    manageable = set(User.objects.manageable_by(civil_affairs_officer))
    assert elderly in manageable
    assert childcare not in manageable and both not in manageable


@pytest.mark.django_db
def test_institution_staff_in_subtree_are_manageable(town_officer):
    near = t.make_provider(t.VILLAGE_A1)
    far = t.make_provider(OTHER_TOWN_VILLAGE)
    near_staff = t.make_user(Role.INSTITUTION_STAFF, institution=near)
    far_staff = t.make_user(Role.INSTITUTION_STAFF, institution=far)
    assert town_officer.can_manage(near_staff)
    assert not town_officer.can_manage(far_staff)


@pytest.mark.django_db
def test_users_without_the_permission_manage_nobody(village_worker, other_village_worker):
    assert not User.objects.manageable_by(village_worker).exists()
    assert not village_worker.can_manage(other_village_worker)


# The screens ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_list_shows_the_subtree(
    client, pages_render, town_officer, village_worker, far_worker
):
    client.force_login(town_officer)
    response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 200
    listed = {u.username for u, _, _ in response.context["rows"]}
    assert village_worker.username in listed
    assert far_worker.username not in listed


@pytest.mark.django_db
def test_user_list_forbidden_without_permission(client, village_worker):
    client.force_login(village_worker)
    assert client.get(reverse("accounts:user-list")).status_code == 403


@pytest.mark.django_db
def test_security_admin_lists_everyone_to_unlock(client, pages_render, security_admin, far_worker):
    client.force_login(security_admin)
    response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 200
    assert far_worker.username in {u.username for u, _, _ in response.context["rows"]}
    # ...but manages nobody.
    assert (
        client.post(reverse("accounts:user-reset-password", args=[far_worker.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_create_user_shows_a_one_time_password(client, pages_render, town_officer):
    client.force_login(town_officer)
    assert client.get(reverse("accounts:user-create")).status_code == 200
    response = client.post(reverse("accounts:user-create"), _new_user_data())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    created = User.objects.get(username="newbie")
    secret = response.context["secret"]
    assert created.check_password(secret)
    assert created.must_change_password and created.password_changed_at
    assert created.role == Role.VILLAGE_WORKER and not created.is_staff
    event = AuditEvent.objects.get(action=AuditAction.USER_CHANGE)
    assert event.detail["change"] == "create" and event.user_id == town_officer.pk
    assert secret not in str(event.detail)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": Role.SYSTEM_ADMIN}, "role"),
        ({"role": Role.AUDIT_ADMIN}, "role"),
        ({"role": Role.SECURITY_ADMIN}, "role"),
        ({"role": Role.CIVIL_AFFAIRS_OFFICER}, "role"),  # more than a town officer holds
        ({"scope_area": "OTHER"}, "scope_area"),  # outside the subtree
        ({"scope_area": ""}, "scope_area"),
        ({"role": Role.INSTITUTION_STAFF, "scope_area": ""}, "institution"),
    ],
)
def test_create_user_refuses_escalation(town_officer, overrides, field):
    if overrides.get("scope_area") == "OTHER":
        overrides["scope_area"] = str(t.area(OTHER_TOWN_VILLAGE).pk)
    form = UserCreateForm(_new_user_data(**overrides), user=town_officer)
    assert not form.is_valid()
    assert field in form.errors
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_domain_admin_cannot_grant_another_domain(civil_affairs_officer):
    form = UserCreateForm(_new_user_data(scope_domain=ScopeDomain.BOTH), user=civil_affairs_officer)
    assert not form.is_valid() and "scope_domain" in form.errors
    form = UserCreateForm(
        _new_user_data(scope_domain=ScopeDomain.ELDERLY), user=civil_affairs_officer
    )
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_create_forbidden_without_permission(client, village_worker):
    client.force_login(village_worker)
    response = client.post(reverse("accounts:user-create"), _new_user_data())
    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_update_is_audited(client, town_officer, village_worker):
    client.force_login(town_officer)
    data = _new_user_data(scope_area=str(t.area(t.VILLAGE_A2).pk))
    del data["username"]
    response = client.post(reverse("accounts:user-update", args=[village_worker.pk]), data)
    assert response.status_code == 302
    village_worker.refresh_from_db()
    assert village_worker.scope_area.code == t.VILLAGE_A2
    event = AuditEvent.objects.get(action=AuditAction.USER_CHANGE)
    assert event.detail["scope_area"] == f"{t.VILLAGE_A1} → {t.VILLAGE_A2}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["user-update", "user-reset-password", "user-deactivate", "user-unlock"]
)
def test_out_of_subtree_is_404(client, town_officer, far_worker, name):
    client.force_login(town_officer)
    url = reverse(f"accounts:{name}", args=[far_worker.pk])
    assert client.post(url).status_code == 404
    far_worker.refresh_from_db()
    assert far_worker.is_active and far_worker.check_password("Test-Password-2025!")


@pytest.mark.django_db
def test_reset_password(client, pages_render, town_officer, village_worker):
    victim = Client()
    victim.force_login(village_worker)
    client.force_login(town_officer)
    url = reverse("accounts:user-reset-password", args=[village_worker.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    village_worker.refresh_from_db()
    assert village_worker.check_password(response.context["secret"])
    assert village_worker.must_change_password
    assert victim.get("/api/me/").status_code in (401, 403)  # old sessions ended


@pytest.mark.django_db
def test_deactivate_ends_sessions(client, town_officer, village_worker):
    victim = Client()
    victim.force_login(village_worker)
    client.force_login(town_officer)
    response = client.post(reverse("accounts:user-deactivate", args=[village_worker.pk]))
    assert response.status_code == 302
    village_worker.refresh_from_db()
    assert not village_worker.is_active
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(village_worker.pk)
    ]
    event = AuditEvent.objects.get(action=AuditAction.USER_CHANGE)
    assert event.detail["change"] == "deactivate"
