"""Delete (or archive) audit events older than the retention period (R20).

    carecircle manage audit_purge [--days N] [--archive FILE] [--dry-run]

Rows younger than 180 days are never touched, whatever the setting: this command refuses a
shorter period, and on PostgreSQL the trigger of migration 0002 refuses too (it checks the row's
age against the database clock and only when ``carecircle.audit_purge`` is set for the
transaction).

On SQLite the append-only triggers have no override, so rows cannot be deleted here at all:
``--archive`` writes the old rows to a JSON-lines file and the database keeps them. SQLite is for
the demo and small installations; production uses PostgreSQL.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.audit.services import record

MINIMUM_DAYS = 180
FIELDS = [f.attname for f in AuditEvent._meta.concrete_fields]


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS (never younger than 180 days)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default: settings.AUDIT_RETENTION_DAYS, at least 180)",
        )
        parser.add_argument("--archive", help="first write the old rows to this new .jsonl file")
        parser.add_argument("--dry-run", action="store_true", help="only count")

    def handle(self, *args, days=None, archive=None, dry_run=False, **options):
        days = days if days is not None else getattr(settings, "AUDIT_RETENTION_DAYS", 365)
        if days < MINIMUM_DAYS:
            raise CommandError(f"retention must be at least {MINIMUM_DAYS} days, got {days}")
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEvent.objects.filter(occurred_at__lt=cutoff)
        count = old.count()
        self.stdout.write(f"{count} audit events older than {cutoff:%Y-%m-%d %H:%M} UTC")
        if dry_run:
            return
        if archive:
            written = self.archive(old, Path(archive))
            self.stdout.write(f"archived {written} events to {archive}")
        vendor = connection.vendor
        if vendor != "postgresql":
            if archive:
                self.stdout.write(
                    f"{vendor}: audit rows cannot be deleted (append-only trigger without "
                    "override); they stay in the database"
                )
                return
            raise CommandError(
                f"{vendor}: purging is not available, the audit table is append-only with no "
                "override; use --archive to export old rows (or --dry-run to count them)"
            )
        deleted = self.purge(cutoff)
        record(
            None,
            AuditAction.CONFIG_CHANGE,
            label="audit_purge",
            deleted=deleted,
            cutoff=cutoff.isoformat(),
            retention_days=days,
        )
        self.stdout.write(self.style.SUCCESS(f"deleted {deleted} audit events"))

    @staticmethod
    def purge(cutoff) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL carecircle.audit_purge = 'on'")
            cursor.execute("DELETE FROM audit_auditevent WHERE occurred_at < %s", [cutoff])
            deleted = cursor.rowcount
            cursor.execute("SET LOCAL carecircle.audit_purge = 'off'")
        return deleted

    @staticmethod
    def archive(queryset, path: Path) -> int:
        if path.exists():
            raise CommandError(f"{path} exists; the archive is never overwritten")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        written = 0
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for row in queryset.order_by("occurred_at", "id").values(*FIELDS).iterator(2000):
                out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                written += 1
        return written
