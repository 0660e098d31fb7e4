"""The portal in headless Chromium against a live server: search, apply, look up the status.

Marked ``browser`` (run separately in CI); skipped when Playwright or Debian's chromium is
missing. Browser console errors fail the test, so a CSP violation (inline script or style)
would too.
"""

from __future__ import annotations

import importlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.enrolment.models import Application, ClassRule
from carecircle.enrolment.tests.helpers import birth_for, child_id, childcare_provider

CHROMIUM = Path("/usr/bin/chromium")
# CI sets CARECIRCLE_REQUIRE_BROWSER so that a missing browser fails instead of skipping.
if os.environ.get("CARECIRCLE_REQUIRE_BROWSER"):
    from playwright import sync_api

    assert CHROMIUM.exists(), "Debian chromium is required (apt-get install chromium)"
else:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
        pytest.skip("Debian chromium is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _reference_data() -> None:
    """Areas and class rules (a flush by an earlier transactional test removes them)."""
    from carecircle.areas.loaders import load_haian
    from carecircle.areas.models import Area

    if not Area.objects.filter(code=t.VILLAGE_A1).exists():
        load_haian()
    if not ClassRule.objects.exists():
        seeds = importlib.import_module(
            "carecircle.enrolment.migrations.0002_seed_rules_and_priority_groups"
        )
        seeds.seed(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _database_as_before(django_db_setup, django_db_blocker):
    """A live-server test runs on a committed database that is flushed afterwards; tests that run
    later (pytest-django orders transactional tests last, but a test that asks for its user
    fixture at run time counts as one without a database) must still find the Hai'an areas and
    the seeded reference data. So the database is saved before this module and put back after
    it, exactly. The audit table's TRUNCATE trigger (R20, PostgreSQL) is switched off in this
    throw-away test database for the flushes; its rows are never updated or deleted otherwise."""
    from django.core.management import call_command
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_truncate"
                )
        saved = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(saved)


@pytest.fixture
def portal_city(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are plain
    # synchronous ones between page actions.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _reference_data()
    today = timezone.localdate()
    for code, lat, lon in (
        (t.VILLAGE_A1, "32.540", "120.460"),
        (t.VILLAGE_A2, "32.550", "120.460"),
        (t.TOWN_B, "32.548", "120.545"),
    ):
        area = t.area(code)
        area.latitude, area.longitude = Decimal(lat), Decimal(lon)
        area.save()
    from carecircle.enrolment.tests.helpers import make_class, on_duty

    near = childcare_provider(t.VILLAGE_A1, name="钟涵托育园", places=60, affordable=30)
    toddlers = make_class(near, "toddler", name="托小班（1）", affordable_fee=1400)
    on_duty(toddlers, 2, today)
    far = childcare_provider(t.TOWN_B, name="城东托育园", places=40, affordable=0)
    make_class(far, "older_toddler", name="托大班（1）", monthly_fee=2600)
    return {"live": live_server.url, "today": today}


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_search_apply_and_look_up_on_a_phone(portal_city):
    base = portal_city["live"]
    number = child_id(birth_for(18, portal_city["today"]))
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport=PHONE)
        errors = _console_errors(page)
        page.goto(f"{base}/portal/?kind=childcare")
        with page.expect_navigation():
            page.select_option("#id_area", t.VILLAGE_A1)  # the picker searches on change
        cards = page.locator(".p-card .p-name")
        assert cards.all_inner_texts() == ["钟涵托育园", "城东托育园"]  # nearest first
        with page.expect_navigation():
            page.check("#id_affordable")
        assert cards.all_inner_texts() == ["钟涵托育园"]
        page.click(".p-card-link")
        page.click("text=申请此班")
        page.fill("#id_child_name", "顾小雨")
        page.fill("#id_id_number", number[:-1] + ("0" if number[-1] != "0" else "1"))
        page.select_option("#id_area", t.VILLAGE_A1)
        page.fill("#id_guardian_name", "顾春燕")
        page.fill("#id_guardian_phone", "13912345678")
        page.check("#id_consent")
        page.click("#apply-form button[type=submit]")
        assert "身份证号校验位错误" in page.inner_text(".p-form")
        page.fill("#id_id_number", number)
        page.check("#id_consent")
        page.click("#apply-form button[type=submit]")
        code = page.inner_text("#reference-code").strip()
        page.click("text=查询申请进度")
        page.fill("#id_reference_code", code)
        page.fill("#id_id_last4", number[-4:])
        page.click("#status-form button[type=submit]")
        result = page.inner_text("#status-result")
        assert "已提交" in result and "托小班（1）" in result and "顾小雨" not in result
        browser.close()
    assert errors == []
    application = Application.objects.get(reference_code=code)
    assert application.child_name == "顾小雨" and application.source == "portal"


def test_a_click_on_the_map_searches_from_there(portal_city):
    base = portal_city["live"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = _console_errors(page)
        page.goto(f"{base}/portal/?kind=childcare&area={t.VILLAGE_A1}")
        svg = page.locator("#portal-map")
        box = svg.bounding_box()
        with page.expect_navigation():
            # Far east of the map, towards 城东 (town B).
            page.mouse.click(box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.5)
        assert "lon=" in page.url
        assert page.locator(".p-card .p-name").first.inner_text() == "城东托育园"
        browser.close()
    assert errors == []
