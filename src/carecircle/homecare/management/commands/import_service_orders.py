"""Import a file of home-care service orders (CSV or xlsx), all or nothing.

    carecircle manage import_service_orders FILE [--dry-run] [--user USERNAME] [--report PATH]
    carecircle manage import_service_orders --template orders.xlsx   # or orders.csv

Every row is checked first; with any error nothing is written and every error (row, column,
value, reason) goes to the report (``FILE-errors.xlsx`` unless ``--report`` names a .xlsx or .csv
file). Re-importing the same file changes nothing. ``--user`` imports with that user's scope
(institution staff: their own provider only); without it any registered provider is accepted.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record
from carecircle.homecare.bulk import detect_format, import_orders, write_error_report
from carecircle.homecare.bulk_columns import COLUMNS

SHOWN_ERRORS = 20
# The report as xlsx holds at most one sheet of rows; more errors go to CSV.
XLSX_ROWS = 1_000_000


class Command(BaseCommand):
    help = "Import home-care service orders from a CSV or xlsx file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the CSV (UTF-8 or GB18030) or xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="import as this user (their scope applies)")
        parser.add_argument("--report", help="error report path (.xlsx or .csv)")
        parser.add_argument("--template", help="write an empty template (.xlsx or .csv) and stop")

    def handle(self, *args, file=None, dry_run=False, user=None, report=None, **options):
        if options.get("template"):
            target = Path(options["template"])
            write_template(target)
            self.stdout.write(f"template written: {target}")
            return
        if not file:
            raise CommandError("give the FILE to import (or --template PATH)")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user, is_active=True).first()
            if importer is None:
                raise CommandError(f"no active user {user!r}")
            if not importer.has_perm("homecare.import_serviceorder"):
                raise CommandError(f"user {user!r} may not import service orders")
        fmt = detect_format(path)
        total = _count_lines(path) if fmt == "csv" else None
        with tqdm(total=total, unit="行", desc="检查", mininterval=0.5) as bar:

            def progress(rows: int) -> None:
                bar.update(rows - bar.n)

            outcome = import_orders(
                path, fmt=fmt, user=importer, dry_run=dry_run, progress=progress
            )
        record(
            None,
            AuditAction.IMPORT,
            user=importer,
            username="manage import_service_orders",
            outcome=AuditOutcome.SUCCESS if outcome.ok else AuditOutcome.FAILURE,
            label=f"service orders {path.name}",
            rows=outcome.rows,
            created=outcome.created,
            updated=outcome.updated,
            errors=outcome.error_count,
            dry_run=dry_run,
        )
        seconds = outcome.seconds.get("total", 0.0)
        rate = outcome.rows / seconds if seconds else 0.0
        self.stdout.write(outcome.summary())
        self.stdout.write(
            f"{seconds:.1f} s, {rate:,.0f} 行/秒 ("
            + ", ".join(
                f"{name} {value:.1f} s"
                for name, value in outcome.seconds.items()
                if name != "total"
            )
            + ")"
        )
        if outcome.ok:
            return
        for line in outcome.messages(SHOWN_ERRORS):
            self.stderr.write(line)
        target = Path(report) if report else path.with_name(f"{path.stem}-errors.xlsx")
        if target.suffix.lower() == ".xlsx" and outcome.error_count > XLSX_ROWS:
            target = target.with_suffix(".csv")
        write_error_report(outcome, target)
        raise CommandError(f"{outcome.error_count} 处错误，未写入任何数据；错误报告：{target}")


def _count_lines(path: Path) -> int:
    """Data rows of a CSV for the progress bar (lines less the header; quoted line breaks
    make it an estimate)."""
    count = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return max(count - 1, 0)


def write_template(target: Path) -> None:
    """The upload page's xlsx template (headers with notes and an example row), or the same
    two rows as CSV (UTF-8 with BOM, which Excel opens)."""
    if target.suffix.lower() == ".csv":
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column.header for column in COLUMNS])
            writer.writerow([column.example for column in COLUMNS])
        return
    from carecircle.homecare.importers import ServiceOrderImporter

    target.write_bytes(ServiceOrderImporter(None).template())
