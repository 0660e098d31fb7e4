"""R9: 5 failures per username lock the account for 30 minutes (admin roles: until unlocked),
a per-IP throttle, and one uniform error message. Sign-ins go through the real login page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from carecircle.accounts.forms import UNIFORM_LOGIN_ERROR
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent

from .helpers import PASSWORD, login

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
MESSAGE = str(UNIFORM_LOGIN_ERROR)


def _fail(client, username, times, *, ip_prefix="10.1.0."):
    """Failures from distinct addresses, so only the username counter reaches the limit."""
    for i in range(times):
        response = login(client, username, "wrong-Password-1", ip=f"{ip_prefix}{i + 1}")
        assert response.status_code == 200
        assert MESSAGE in response.content.decode()


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.mark.django_db
@pytest.mark.parametrize(("minutes", "locked"), [(1, True), (29, True), (31, False)])
def test_five_failures_lock_username_for_30_minutes(client, village_worker, minutes, locked):
    with time_machine.travel(T0, tick=False) as clock:
        _fail(client, village_worker.username, 5)
        clock.shift(dt.timedelta(minutes=minutes))
        response = login(client, village_worker.username, ip="10.9.9.9")
    assert _signed_in(response) is not locked
    if locked:
        assert MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, village_worker):
    _fail(client, village_worker.username, 4)
    assert _signed_in(login(client, village_worker.username, ip="10.9.9.9"))


@pytest.mark.django_db
def test_success_resets_the_counter(client, village_worker):
    _fail(client, village_worker.username, 4)
    assert _signed_in(login(client, village_worker.username, ip="10.9.9.9"))
    client.logout()
    _fail(client, village_worker.username, 4, ip_prefix="10.2.0.")
    assert _signed_in(login(client, village_worker.username, ip="10.9.9.8"))


@pytest.mark.django_db
def test_one_uniform_message_and_status(client, village_worker, other_village_worker):
    wrong_password = login(client, village_worker.username, "Wrong-Password-99", ip="10.3.0.1")
    unknown_user = login(client, "no-such-user", "Wrong-Password-99", ip="10.3.0.2")
    _fail(client, other_village_worker.username, 5, ip_prefix="10.3.1.")
    locked = login(client, other_village_worker.username, ip="10.3.0.3")  # right password
    inactive_user = other_village_worker.__class__.objects.create_user(
        "inactive", password=PASSWORD, is_active=False
    )
    inactive = login(client, inactive_user.username, ip="10.3.0.4")
    responses = [wrong_password, unknown_user, locked, inactive]
    assert {r.status_code for r in responses} == {200}
    for response in responses:
        assert MESSAGE in response.content.decode()
        assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["system_admin", "audit_admin", "security_admin"])
def test_admin_roles_stay_locked_until_unlocked(client, request, fixture, security_admin):
    admin_user = request.getfixturevalue(fixture)
    with time_machine.travel(T0, tick=False) as clock:
        _fail(client, admin_user.username, 5)
        clock.shift(dt.timedelta(days=30))
        assert not _signed_in(login(client, admin_user.username, ip="10.9.9.9"))
        # The security administrator (another person) unlocks the account.
        unlocker = client.__class__()
        unlocker.force_login(
            security_admin if admin_user != security_admin else _second_security_admin()
        )
        response = unlocker.post(reverse("accounts:user-unlock", args=[admin_user.pk]))
        assert response.status_code == 302
        assert _signed_in(login(client, admin_user.username, ip="10.9.9.9"))
    unlock = AuditEvent.objects.get(action=AuditAction.USER_UNLOCK)
    assert unlock.object_id == str(admin_user.pk)


def _second_security_admin():
    from carecircle.accounts.choices import Role
    from carecircle.core import testing as t

    return t.make_user(Role.SECURITY_ADMIN, username="secadmin2")


@pytest.mark.django_db
def test_area_admin_unlocks_users_in_its_subtree_only(client, town_officer, village_worker):
    from carecircle.accounts.choices import Role
    from carecircle.core import testing as t

    elsewhere = t.make_user(Role.VILLAGE_WORKER, area_code="320685101001", username="far")
    _fail(client, village_worker.username, 5)
    _fail(client, elsewhere.username, 5, ip_prefix="10.4.0.")
    admin_client = client.__class__()
    admin_client.force_login(town_officer)
    assert (
        admin_client.post(reverse("accounts:user-unlock", args=[elsewhere.pk])).status_code == 404
    )
    assert (
        admin_client.post(reverse("accounts:user-unlock", args=[village_worker.pk])).status_code
        == 302
    )
    assert _signed_in(login(client, village_worker.username, ip="10.9.9.9"))
    client.logout()
    assert not _signed_in(login(client, elsewhere.username, ip="10.9.9.9"))


@pytest.mark.django_db
def test_unlock_needs_permission_and_post(client, village_worker, other_village_worker):
    client.force_login(village_worker)
    url = reverse("accounts:user-unlock", args=[other_village_worker.pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code in (403, 405)


@pytest.mark.django_db
def test_per_ip_throttle(client, village_worker):
    """Five failures from one address, whatever the usernames, block that address."""
    for i in range(5):
        login(client, f"guess-{i}", "Wrong-Password-99", ip="10.5.0.1")
    assert not _signed_in(login(client, village_worker.username, ip="10.5.0.1"))
    assert _signed_in(login(client, village_worker.username, ip="10.5.0.2"))


@pytest.mark.django_db
def test_lockout_is_audited(client, village_worker):
    _fail(client, village_worker.username, 5)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.username == village_worker.username
    assert lockout.ip_address == "10.1.0.5"


@pytest.mark.django_db
def test_api_token_shares_the_lockout_and_is_throttled(client, village_worker):
    url = reverse("token-list")
    for i in range(5):
        response = client.post(
            url,
            {"username": village_worker.username, "password": "wrong"},
            content_type="application/json",
            REMOTE_ADDR=f"10.6.0.{i}",
        )
        assert response.status_code == 400
        assert response.json()["detail"] == MESSAGE
    locked = client.post(
        url,
        {"username": village_worker.username, "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.6.1.1",
    )
    assert locked.status_code == 400
    assert locked.json()["detail"] == MESSAGE
    statuses = [
        client.post(url, {"username": "x", "password": "y"}, REMOTE_ADDR="10.7.0.1").status_code
        for _ in range(12)
    ]
    assert 429 in statuses
