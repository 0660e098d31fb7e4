import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse

from carecircle.accounts.choices import Role
from carecircle.core import testing as t


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # DRF throttle counters
    yield
    cache.clear()


@pytest.fixture
def security_admin(db):
    return t.make_user(Role.SECURITY_ADMIN, username="secadmin")


@pytest.fixture
def pages_render():
    """Skip page tests while other apps still lack URL names that base.html links to."""
    source = (settings.PACKAGE_DIR / "templates" / "base.html").read_text(encoding="utf-8")
    missing = []
    for name in re.findall(r"{%\s*url\s+'([^']+)'", source):
        try:
            reverse(name)
        except NoReverseMatch:
            missing.append(name)
    if missing:
        pytest.skip(f"base.html refers to URL names not built yet: {', '.join(missing)}")
