"""R20: purge never touches rows younger than 180 days; on SQLite it is not available."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.audit.services import record

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the purge override exists on PostgreSQL only"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite behaviour")


def _event_days_ago(days: int) -> AuditEvent:
    with time_machine.travel(timezone.now() - dt.timedelta(days=days), tick=False):
        return record(None, AuditAction.LOGIN, username=f"u{days}")


@pytest.mark.django_db
def test_retention_shorter_than_180_days_is_refused():
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit_purge", days=179)


@pytest.mark.django_db
def test_setting_shorter_than_180_days_is_refused(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit_purge", dry_run=True)


@pytest.mark.django_db
def test_dry_run_counts(capsys):
    _event_days_ago(400)
    _event_days_ago(10)
    call_command("audit_purge", days=365, dry_run=True)
    assert "1 audit events older" in capsys.readouterr().out
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_archive_writes_old_rows_only(tmp_path):
    _event_days_ago(400)
    _event_days_ago(10)
    target = tmp_path / "audit.jsonl"
    call_command("audit_purge", days=365, archive=str(target))
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["username"] for r in rows] == ["u400"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit_purge", days=365, archive=str(target))


@sqlite_only
@pytest.mark.django_db
def test_sqlite_cannot_purge():
    _event_days_ago(400)
    with pytest.raises(CommandError, match="not available"):
        call_command("audit_purge", days=365)
    assert AuditEvent.objects.count() == 1


@postgres_only
@pytest.mark.django_db
def test_postgres_purges_rows_older_than_retention():
    _event_days_ago(400)
    _event_days_ago(200)
    _event_days_ago(10)
    call_command("audit_purge", days=365)
    remaining = set(AuditEvent.objects.values_list("username", flat=True))
    assert {"u200", "u10"} <= remaining and "u400" not in remaining
    purge = AuditEvent.objects.get(action=AuditAction.CONFIG_CHANGE)
    assert purge.detail["deleted"] == "1"


@postgres_only
@pytest.mark.django_db
def test_postgres_trigger_protects_young_rows_even_with_a_wrong_clock():
    """Python's clock a year ahead makes every row look old; the database clock disagrees."""
    _event_days_ago(10)
    _event_days_ago(400)
    future = timezone.now() + dt.timedelta(days=365)
    with time_machine.travel(future, tick=False), pytest.raises(DatabaseError):
        call_command("audit_purge", days=180)
    assert AuditEvent.objects.count() == 2  # all or nothing


@postgres_only
@pytest.mark.django_db
def test_postgres_override_is_off_after_the_purge():
    call_command("audit_purge", days=365)
    event = record(None, AuditAction.LOGIN)
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
