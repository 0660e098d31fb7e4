"""Shared pieces of the security tests (SECURITY.md R2–R20, R32).

The named-user fixtures live in ``src/carecircle/conftest.py``, which pytest only applies below
``src``; they are re-exported here.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse

from carecircle.accounts.choices import Role
from carecircle.conftest import *  # noqa: F403  (named users, Hai'an areas)
from carecircle.core import testing as t

FORCED_CHANGE_MIDDLEWARE = "carecircle.accounts.middleware.PasswordChangeRequiredMiddleware"
AFTER = "carecircle.accounts.middleware.SessionTimeoutMiddleware"


@pytest.fixture(autouse=True)
def _security_defaults(settings):
    """Fresh throttle counters; the forced-password-change middleware runs after the timeout."""
    cache.clear()
    middleware = list(settings.MIDDLEWARE)
    assert middleware.index(FORCED_CHANGE_MIDDLEWARE) == middleware.index(AFTER) + 1
    yield
    cache.clear()


@pytest.fixture
def security_admin(db):
    return t.make_user(Role.SECURITY_ADMIN, username="secadmin")


def base_template_url_names() -> list[str]:
    source = (settings.PACKAGE_DIR / "templates" / "base.html").read_text(encoding="utf-8")
    return re.findall(r"{%\s*url\s+'([^']+)'", source)


@pytest.fixture
def pages_render():
    """Every URL name that base.html links to exists, so pages can render."""
    missing = []
    for name in base_template_url_names():
        try:
            reverse(name)
        except NoReverseMatch:
            missing.append(name)
    if missing:
        pytest.fail(f"base.html refers to URL names that do not exist: {', '.join(missing)}")
