"""R12/R13: server-side sessions rotated at sign-in, idle timeout 30 min, absolute lifetime,
logout deletes the session, deactivation ends sessions, CSRF on unsafe methods."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent

from .helpers import login

T0 = dt.datetime(2025, 5, 6, 8, 0, tzinfo=dt.UTC)
ME = "/api/me/"


def _session_key(client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


@pytest.mark.django_db
def test_sessions_are_server_side():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.django_db
def test_session_key_rotated_at_login(client, village_worker):
    session = client.session
    session["before"] = "login"
    session.save()
    before = session.session_key
    assert login(client, village_worker.username).status_code == 302
    after = _session_key(client)
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.django_db
def test_idle_timeout(client, village_worker):
    with time_machine.travel(T0, tick=False) as clock:
        login(client, village_worker.username)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(ME).status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # active 29 minutes ago: still fine
        assert client.get(ME).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?timeout=1"
    assert client.get(ME).status_code in (401, 403)
    timeout = AuditEvent.objects.get(action=AuditAction.SESSION_TIMEOUT)
    assert timeout.user_id == village_worker.pk
    assert "会话已超时" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_idle_timeout_on_the_api(client, village_worker):
    with time_machine.travel(T0, tick=False) as clock:
        login(client, village_worker.username)
        assert client.get(ME).status_code == 200
        clock.shift(dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
        assert client.get(ME).status_code in (401, 403)


@pytest.mark.django_db
def test_absolute_lifetime(client, village_worker):
    """However active, a session ends SESSION_COOKIE_AGE (12 h) after sign-in."""
    with time_machine.travel(T0, tick=False) as clock:
        login(client, village_worker.username)
        stored = Session.objects.get(session_key=_session_key(client))
        assert stored.expire_date <= timezone.now() + dt.timedelta(
            seconds=settings.SESSION_COOKIE_AGE
        )
        assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
        elapsed = dt.timedelta(0)
        while elapsed < dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 25 * 60):
            clock.shift(dt.timedelta(minutes=25))
            elapsed += dt.timedelta(minutes=25)
            assert client.get(ME).status_code == 200, elapsed
        clock.shift(dt.timedelta(minutes=26))
        assert client.get(ME).status_code in (401, 403)
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_TIMEOUT).count() == 1


def test_absolute_lifetime_is_12_hours_and_idle_30_minutes():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_IDLE_SECONDS <= 30 * 60


@pytest.mark.django_db
def test_logout_deletes_the_session(client, village_worker):
    login(client, village_worker.username)
    key = _session_key(client)
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(ME).status_code in (401, 403)


@pytest.mark.django_db
def test_logout_is_post_only(client, village_worker):
    login(client, village_worker.username)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(ME).status_code == 200  # still signed in


@pytest.mark.django_db
def test_deactivation_ends_every_session(client, town_officer, village_worker):
    login(client, village_worker.username)
    other_device = Client()
    login(other_device, village_worker.username, ip="10.0.0.2")
    keys = [_session_key(client), _session_key(other_device)]
    admin = Client()
    admin.force_login(town_officer)
    response = admin.post(reverse("accounts:user-deactivate", args=[village_worker.pk]))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert client.get(ME).status_code in (401, 403)
    assert other_device.get(ME).status_code in (401, 403)
    assert _session_key(admin) and admin.get(ME).status_code == 200
    village_worker.refresh_from_db()
    assert not village_worker.is_active


@pytest.mark.django_db
def test_deactivation_is_post_only(client, town_officer, village_worker):
    client.force_login(town_officer)
    url = reverse("accounts:user-deactivate", args=[village_worker.pk])
    assert client.get(url).status_code == 405
    village_worker.refresh_from_db()
    assert village_worker.is_active


@pytest.mark.django_db
def test_csrf_required_on_unsafe_methods(village_worker):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": village_worker.username, "password": "x"}
    )
    assert response.status_code == 403
    client.force_login(village_worker)
    assert client.post(reverse("accounts:logout")).status_code == 403


@pytest.mark.django_db
def test_session_cookie_flags(client, village_worker):
    response = login(client, village_worker.username)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"].lower() in ("lax", "strict")
