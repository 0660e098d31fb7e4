"""The caller's profile and API sign-in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.authtoken.models import Token

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent

PASSWORD = "Test-Password-2025!"


def _token(client, username, password=PASSWORD, ip="10.8.0.1"):
    return client.post(
        reverse("token-list"),
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_me_returns_own_role_and_scope(client, town_officer):
    client.force_login(town_officer)
    response = client.get(reverse("me-list"))
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == town_officer.username
    assert data["role"] == "town_officer"
    assert data["scope_area_code"] == town_officer.scope_area.code
    assert "accounts.manage_users" in data["permissions"]
    assert "password" not in data
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_me_for_user_without_role(client, outsider):
    client.force_login(outsider)
    data = client.get(reverse("me-list")).json()
    assert data["role"] == "" and data["scope_area_code"] is None and data["permissions"] == []


@pytest.mark.django_db
def test_me_requires_authentication(client):
    assert client.get(reverse("me-list")).status_code in (401, 403)


@pytest.mark.django_db
def test_token_sign_in_is_audited_and_works(client, village_worker):
    response = _token(client, village_worker.username)
    assert response.status_code == 200
    key = response.json()["token"]
    assert response.json()["expires_in"] > 0
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.user_id == village_worker.pk and event.detail["method"] == "api_token"
    assert event.ip_address == "10.8.0.1" and event.request_id
    me = client.get(reverse("me-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200 and me.json()["username"] == village_worker.username


@pytest.mark.django_db
def test_new_token_replaces_the_old_one(client, village_worker):
    first = _token(client, village_worker.username).json()["token"]
    second = _token(client, village_worker.username).json()["token"]
    assert first != second
    assert list(Token.objects.values_list("key", flat=True)) == [second]


@pytest.mark.django_db
def test_wrong_password_gives_the_uniform_error(client, village_worker):
    wrong = _token(client, village_worker.username, "nope")
    unknown = _token(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 2


@pytest.mark.django_db
def test_no_token_while_a_password_change_is_due(client, village_worker):
    village_worker.must_change_password = True
    village_worker.save()
    response = _token(client, village_worker.username)
    assert response.status_code == 403
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_expiring_token_authentication(village_worker):
    from rest_framework.exceptions import AuthenticationFailed

    from carecircle.accounts.api.authentication import ExpiringTokenAuthentication

    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False) as clock:
        token = Token.objects.create(user=village_worker)
        auth = ExpiringTokenAuthentication()
        assert auth.authenticate_credentials(token.key)[0] == village_worker
        clock.shift(dt.timedelta(hours=13))
        with pytest.raises(AuthenticationFailed):
            auth.authenticate_credentials(token.key)
    assert not Token.objects.exists()
