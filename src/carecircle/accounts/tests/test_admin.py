"""The Django admin is for the system administrator only (R4)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from carecircle.accounts.models import User
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent


@pytest.mark.django_db
def test_system_admin_reaches_the_admin(client, system_admin):
    client.force_login(system_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(reverse("admin:accounts_user_change", args=[system_admin.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert system_admin.password not in html
    assert "md5$" not in html and "argon2" not in html
    assert 'name="role"' not in html  # own role is read-only


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fixture", ["audit_admin", "civil_affairs_officer", "town_officer", "outsider"]
)
def test_others_get_403(client, request, fixture):
    user = request.getfixturevalue(fixture)
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


@pytest.mark.django_db
def test_system_admin_without_staff_flag_is_refused(client, system_admin):
    system_admin.is_staff = False
    system_admin.save()
    client.force_login(system_admin)
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


@pytest.mark.django_db
def test_anonymous_goes_to_the_audited_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_no_personal_data_models_in_admin():
    registered = {model._meta.app_label for model in admin.site._registry}
    assert "persons" not in registered
    assert {m._meta.label for m in admin.site._registry} >= {"accounts.User", "accounts.Department"}


@pytest.mark.django_db
def test_admin_role_change_is_audited(client, system_admin, village_worker):
    client.force_login(system_admin)
    url = reverse("admin:accounts_user_change", args=[village_worker.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "role": "town_officer",
            "scope_area": village_worker.scope_area_id,
            "scope_domain": village_worker.scope_domain,
            "is_active": "on",
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    village_worker.refresh_from_db()
    assert village_worker.role == "town_officer"
    event = AuditEvent.objects.get(action=AuditAction.USER_CHANGE)
    assert event.detail["role"] == "village_worker → town_officer"


@pytest.mark.django_db
def test_admin_creates_users_without_a_usable_password(client, system_admin):
    client.force_login(system_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "created-in-admin", "scope_domain": "both", "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="created-in-admin")
    assert not user.has_usable_password() and user.must_change_password


@pytest.mark.django_db
def test_admin_one_time_password_action(client, system_admin, village_worker):
    client.force_login(system_admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_one_time_password", "_selected_action": [village_worker.pk]},
    )
    assert response.status_code == 200
    village_worker.refresh_from_db()
    assert village_worker.check_password(response.context["secret"])
    assert village_worker.must_change_password
