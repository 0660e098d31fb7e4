"""R13/R15/R17/R21/R25/R32: response headers, cookie flags and the production settings."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "carecircle.conf.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "CARECIRCLE_FIELD_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "CARECIRCLE_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    "DJANGO_ALLOWED_HOSTS": "carecircle.haian.example",
}


def _production_env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**keep, **PRODUCTION_ENV, "CARECIRCLE_DATA_DIR": str(tmp_path)}


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


@pytest.mark.django_db
def test_csp_without_unsafe_inline_and_no_framing(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert csp["default-src"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_login_page_has_no_inline_script_or_style(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "<script>" not in html and "style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_no_store_on_authenticated_responses(client, outsider):
    client.force_login(outsider)
    for path in ("/api/me/", reverse("accounts:password-change")):
        response = client.get(path, follow=False)
        assert "no-store" in response["Cache-Control"], path


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get(reverse("accounts:login"))
    assert len(response["X-Request-ID"]) >= 8


def test_debug_off_by_default():
    assert settings.DEBUG is False


def test_production_settings(tmp_path):
    """Imported in a fresh interpreter so the test process keeps its own settings."""
    code = (
        "import json, carecircle.conf.production as p;"
        "print(json.dumps({k: getattr(p, k) for k in ("
        "'DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY',"
        "'CSRF_COOKIE_HTTPONLY','SESSION_COOKIE_NAME','CSRF_COOKIE_NAME','SESSION_COOKIE_SAMESITE',"
        "'SECURE_HSTS_SECONDS','SECURE_SSL_REDIRECT','SECURE_CONTENT_TYPE_NOSNIFF',"
        "'X_FRAME_OPTIONS','PASSWORD_HASHERS')}))"
    )
    result = subprocess.run(  # noqa: S603 - fixed command, test only
        [sys.executable, "-c", code],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert "Argon2" in values["PASSWORD_HASHERS"][0]


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = _production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(  # noqa: S603 - fixed command, test only
        [sys.executable, "-c", "import carecircle.conf.production"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_passes_at_warning_level(tmp_path):
    result = subprocess.run(  # noqa: S603 - fixed command, test only
        [
            sys.executable,
            "-m",
            "carecircle.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
