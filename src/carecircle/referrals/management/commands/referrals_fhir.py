"""``carecircle manage referrals_fhir export FILE`` / ``import FILE``: the FHIR exchange from the
server's console, without a user's scope (every referral; every person and organisation).

Both are audited like the page and the API (the user is the console operator)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record
from carecircle.referrals import fhir
from carecircle.referrals.fhir_import import import_bundle
from carecircle.referrals.models import Referral

OPERATOR = "console:referrals_fhir"


class Command(BaseCommand):
    help = "导出或导入转诊单（HL7 FHIR R4 Bundle，JSON） / export or import referrals as FHIR"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", help="JSON 文件路径；export 时 '-' 表示标准输出")

    def handle(self, *args, action: str, file: str, **options):
        if action == "export":
            return self.export(file)
        return self.import_(file)

    def export(self, file: str) -> None:
        try:
            bundle = fhir.build_bundle(Referral.objects.all())
        except fhir.ExportError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(bundle, ensure_ascii=False, indent=1)
        count = fhir.count_requests(bundle)
        record(None, AuditAction.EXPORT, username=OPERATOR, label="转诊单FHIR导出", rows=count)
        if file == "-":
            self.stdout.write(text)
            return
        Path(file).write_text(text, encoding="utf-8")
        self.stderr.write(f"已导出 {count} 条转诊单 / exported {count} referrals → {file}")

    def import_(self, file: str) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        outcome = import_bundle(path.read_bytes())
        record(
            None,
            AuditAction.IMPORT,
            username=OPERATOR,
            outcome=AuditOutcome.SUCCESS if outcome.ok else AuditOutcome.FAILURE,
            label="转诊单FHIR导入",
            rows=outcome.requests,
            created=outcome.created,
            updated=outcome.updated,
            errors=len(outcome.errors),
        )
        if not outcome.ok:
            for message in outcome.messages(limit=200):
                self.stderr.write(message)
            raise CommandError(
                f"{len(outcome.errors)} 处错误，未写入任何数据 / errors, nothing written"
            )
        self.stdout.write(
            f"新增 created {outcome.created} · 更新 updated {outcome.updated} · "
            f"未变 unchanged {outcome.unchanged}"
        )
