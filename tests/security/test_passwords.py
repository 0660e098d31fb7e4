"""R8/R11: Argon2id, length 12, 3 of 4 classes, blocklist, no reuse of the last 5, expiry,
forced change at first login, one-time secrets that expire."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carecircle.accounts import services
from carecircle.accounts.choices import Role
from carecircle.accounts.models import PasswordHistory
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t

from .helpers import PASSWORD, login

GOOD = "Quiet-River-Lamp-47"


def _codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {error.code for error in exc.error_list}
    return set()


def test_argon2id_is_the_default_hasher_in_base_settings():
    base = importlib.import_module("carecircle.conf.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    production = [line for line in base.PASSWORD_HASHERS if "MD5" in line or "SHA1" in line]
    assert production == []
    encoded = Argon2PasswordHasher().encode("x" * 12, Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


def test_policy_values_are_configured():
    assert settings.PASSWORD_MIN_LENGTH >= 12
    assert settings.PASSWORD_MIN_CLASSES >= 3
    assert settings.PASSWORD_MAX_AGE_DAYS <= 90
    assert settings.PASSWORD_HISTORY_COUNT >= 5


@pytest.mark.django_db
def test_a_good_password_passes():
    assert _codes(GOOD) == set()


@pytest.mark.django_db
def test_minimum_length_12():
    assert "password_too_short" in _codes("Qr-7xLm!pw9")  # 11
    assert "password_too_short" not in _codes("Qr-7xLm!pw9Z")  # 12


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("quietriverlampx", False),  # 1 class
        ("quietriverlamp47", False),  # 2 classes
        ("Quietriverlamp47", True),  # 3 classes
        ("quiet-river-lamp-47", True),  # 3 classes (symbols)
    ],
)
def test_three_of_four_character_classes(password, ok):
    assert ("password_classes" not in _codes(password)) is ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", ["Haian2025!!abc", "MinZheng@2025xy", "yanglao#Center9", "海安Qw12345678!"]
)
def test_blocklist(password):
    assert "password_blocklisted" in _codes(password)


@pytest.mark.django_db
def test_no_reuse_of_the_last_five(village_worker):
    used = [PASSWORD] + [f"Quiet-River-Lamp-{n}" for n in range(40, 44)]  # 5 passwords
    for new in used[1:]:
        assert _codes(new, village_worker) == set()
        services.change_password(village_worker, new)
    assert village_worker.check_password(used[-1])
    for old in used:
        assert "password_reused" in _codes(old, village_worker), old
    services.change_password(village_worker, "Quiet-River-Lamp-99")
    # The oldest one has dropped out of the last five.
    assert "password_reused" not in _codes(used[0], village_worker)
    assert "password_reused" in _codes(used[1], village_worker)
    assert PasswordHistory.objects.filter(user=village_worker).count() <= 5


@pytest.mark.django_db
def test_change_password_view(client, village_worker):
    login(client, village_worker.username)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    old_hash = village_worker.password
    url = reverse("accounts:password-change")
    data = {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD}
    response = client.post(url, data)
    assert response.status_code == 302
    village_worker.refresh_from_db()
    assert village_worker.check_password(GOOD)
    assert village_worker.password_changed_at is not None
    assert not village_worker.must_change_password
    assert PasswordHistory.objects.filter(user=village_worker, password=old_hash).exists()
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_key  # rotated
    assert client.get("/api/me/").status_code == 200  # still signed in
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert event.user_id == village_worker.pk and event.outcome == "success"


@pytest.mark.django_db
def test_change_password_rejects_weak_and_reused(client, outsider):
    client.force_login(outsider)
    url = reverse("accounts:password-change")
    for new in ("Haian2025!!abc", PASSWORD, "short"):
        response = client.post(
            url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.status_code == 200
        assert response.context["form"].errors
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)


@pytest.mark.django_db
def test_other_sessions_end_when_the_password_changes(client, village_worker):
    other = Client()
    login(other, village_worker.username, ip="10.0.0.9")
    login(client, village_worker.username)
    client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert client.get("/api/me/").status_code == 200
    assert other.get("/api/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_forced_change_at_first_login(client, pages_render):
    user = t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, must_change_password=True)
    response = login(client, user.username)
    assert response["Location"] == reverse("accounts:password-change")
    assert client.get(reverse("accounts:user-list"))["Location"] == reverse(
        "accounts:password-change"
    )
    assert client.get("/api/me/").status_code == 403
    assert client.get(reverse("accounts:password-change")).status_code == 200
    client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert client.get("/api/me/").status_code == 200


@pytest.mark.django_db
def test_expired_password_forces_a_change(client):
    user = t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1)
    user.password_changed_at = timezone.now() - dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    user.save()
    client.force_login(user)
    assert client.get("/api/me/").status_code == 403
    user.password_changed_at = timezone.now() - dt.timedelta(
        days=settings.PASSWORD_MAX_AGE_DAYS - 1
    )
    user.save()
    assert client.get("/api/me/").status_code == 200


@pytest.mark.django_db
def test_demo_accounts_are_exempt(client):
    user = t.make_user(
        Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, must_change_password=True, is_demo=True
    )
    client.force_login(user)
    assert client.get("/api/me/").status_code == 200


@pytest.mark.django_db
def test_one_time_password_is_random_and_expires_after_24_hours(client, village_worker):
    with time_machine.travel(dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC), tick=False) as clock:
        first = services.issue_one_time_password(village_worker)
        second = services.issue_one_time_password(village_worker)
        assert first != second and len(first) >= settings.PASSWORD_MIN_LENGTH
        assert _codes(second) == set()
        clock.shift(dt.timedelta(hours=25))
        response = login(client, village_worker.username, second)
    assert "_auth_user_id" not in response.wsgi_request.session
    failure = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert failure.detail["reason"] == "one_time_password_expired"


@pytest.mark.django_db
def test_one_time_password_works_within_24_hours_and_must_be_changed(client, village_worker):
    secret = services.issue_one_time_password(village_worker)
    response = login(client, village_worker.username, secret)
    assert response["Location"] == reverse("accounts:password-change")
