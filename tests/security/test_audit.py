"""R18/R19/R20: audit events for sign-in and sign-out, an append-only audit table readable only
by the audit administrator, and logs without ID numbers or forged lines."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.models import AuditEvent
from carecircle.audit.services import record
from carecircle.core.idnumbers import make_resident_id

from .helpers import PASSWORD, login

RESIDENT_ID = make_resident_id("320685", dt.date(1948, 2, 29), 123)


@pytest.mark.django_db
def test_login_success_is_one_event_with_user_ip_and_request_id(client, village_worker):
    response = login(client, village_worker.username, ip="10.20.30.40")
    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.user_id == village_worker.pk and event.username == village_worker.username
    assert event.role == village_worker.role
    assert event.scope  # the user's area at the time
    assert event.ip_address == "10.20.30.40"
    assert event.request_id == response["X-Request-ID"]
    assert event.occurred_at is not None


@pytest.mark.django_db
def test_login_failure_is_one_event(client, village_worker):
    response = login(client, village_worker.username, "Wrong-Password-1", ip="10.20.30.41")
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.outcome == AuditOutcome.FAILURE
    assert event.user_id is None and event.username == village_worker.username
    assert event.ip_address == "10.20.30.41"
    assert event.request_id == response["X-Request-ID"]
    assert "Wrong-Password-1" not in str(event.detail)


@pytest.mark.django_db
def test_logout_is_one_event(client, village_worker):
    login(client, village_worker.username, ip="10.20.30.42")
    response = client.post(reverse("accounts:logout"), REMOTE_ADDR="10.20.30.42")
    events = AuditEvent.objects.filter(action=AuditAction.LOGOUT)
    assert events.count() == 1
    event = events.get()
    assert event.user_id == village_worker.pk
    assert event.ip_address == "10.20.30.42"
    assert event.request_id == response["X-Request-ID"]
    assert AuditEvent.objects.count() == 2  # login + logout, nothing else


@pytest.mark.django_db
def test_request_id_from_a_proxy_is_kept_only_when_well_formed(client, village_worker):
    response = login(client, village_worker.username, HTTP_X_REQUEST_ID="abc12345-proxy")
    assert response["X-Request-ID"] == "abc12345-proxy"
    client.logout()
    response = login(client, "nobody", HTTP_X_REQUEST_ID="bad id\r\ninjected")
    assert "\n" not in AuditEvent.objects.latest("id").request_id
    assert response["X-Request-ID"] != "bad id\r\ninjected"


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_audit_table_is_append_only():
    event = record(None, AuditAction.CONFIG_CHANGE, label="test")
    with pytest.raises(DatabaseError):
        _raw("UPDATE audit_auditevent SET username = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM audit_auditevent")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError):
            _raw("TRUNCATE audit_auditevent")
    event.refresh_from_db()
    assert event.username == ""


@pytest.mark.django_db
def test_orm_cannot_change_audit_rows_either():
    event = record(None, AuditAction.CONFIG_CHANGE, label="test")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(outcome=AuditOutcome.FAILURE)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fixture",
    [
        "city_officer",
        "civil_affairs_officer",
        "town_officer",
        "village_worker",
        "system_admin",
        "security_admin",
        "outsider",
    ],
)
def test_only_the_audit_admin_reads_the_audit_log(client, request, fixture):
    record(None, AuditAction.CONFIG_CHANGE, label="secret")
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    for name in ("audit:event-list", "audit:access-report"):
        assert client.get(reverse(name)).status_code == 403
        assert client.get(reverse(name) + "?export=xlsx").status_code == 403
    assert AuditEvent.objects.for_user(user).count() == 0


@pytest.mark.django_db
def test_audit_admin_reads_the_audit_log(client, audit_admin):
    record(None, AuditAction.CONFIG_CHANGE, label="visible")
    client.force_login(audit_admin)
    response = client.get(reverse("audit:event-list"))
    assert response.status_code == 200
    assert "visible" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("audit:event-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _configured_handler() -> tuple[logging.Handler, io.StringIO]:
    """A handler with the filters and format of the configured console handler (R19)."""
    config = settings.LOGGING
    console = config["handlers"]["console"]
    assert "redact" in console["filters"]
    assert "console" in config["root"]["handlers"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for name in console["filters"]:
        spec = dict(config["filters"][name])
        handler.addFilter(import_string(spec.pop("()"))(**spec))
    handler.setFormatter(logging.Formatter(config["formatters"][console["formatter"]]["format"]))
    return handler, stream


def test_logs_never_contain_a_full_id_number_and_escape_crlf():
    handler, stream = _configured_handler()
    logger = logging.getLogger("carecircle.tests.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("lookup %s failed\r\nFAKE 00:00 INFO admin logged in", RESIDENT_ID)
        logger.warning("inline " + RESIDENT_ID.lower())
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert RESIDENT_ID not in output and RESIDENT_ID.lower() not in output
    assert RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:] in output
    assert "\\r\\nFAKE" in output
    assert len(output.strip().splitlines()) == 2  # one line per record, nothing forged


def test_root_logger_has_the_redact_filter():
    root = logging.getLogger()
    redactors = [f for h in root.handlers for f in h.filters if type(f).__name__ == "RedactFilter"]
    assert redactors


@pytest.mark.django_db
def test_audit_entries_are_redacted_too(client, village_worker):
    event = record(None, AuditAction.SEARCH_PERSON, label=f"query {RESIDENT_ID}", q=RESIDENT_ID)
    event.refresh_from_db()
    assert RESIDENT_ID not in event.object_label
    assert RESIDENT_ID not in str(event.detail)


@pytest.mark.django_db
def test_password_is_never_stored_in_an_audit_event(client, village_worker):
    login(client, village_worker.username, "Secret-Typo-77")
    login(client, village_worker.username, PASSWORD)
    for event in AuditEvent.objects.all():
        text = f"{event.detail} {event.object_label} {event.username}"
        assert "Secret-Typo-77" not in text and PASSWORD not in text
