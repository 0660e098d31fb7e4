"""Excel upload of service orders on the shared import page (``core:import service-orders``).

The page's runner (``core.imports.run_import``) reads the workbook, calls ``check_row`` for every
row (errors marked on the cells of the report it returns) and, only if all rows pass, ``apply_row``
for each inside one transaction. Rows are checked here by the same checks as the bulk import
(``bulk_check`` on one row at a time) and kept; the first ``apply_row`` writes all of them with
the bulk writer (staging table, one upsert), and the later calls only report what happened to
their row. Files beyond the upload page's limits go through ``carecircle manage
import_service_orders``.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.core.imports import ImportColumn, Importer, RowInvalid, TranslatedTitle
from carecircle.homecare.bulk import TRACKED
from carecircle.homecare.bulk_check import Chunk, ErrorLog, OrderChecker
from carecircle.homecare.bulk_columns import COLUMNS, KEYS
from carecircle.homecare.bulk_refs import References
from carecircle.homecare.bulk_write import FIELDS, OrderWriter, refresh_indicators


def _as_is(value: Any) -> Any:
    """Cells reach the checks as the workbook holds them (text, number or date)."""
    return value


class ServiceOrderImporter(Importer):
    title = TranslatedTitle(gettext_noop("居家上门服务工单"))
    slug = "service-orders"
    permission = "homecare.import_serviceorder"
    columns = tuple(
        ImportColumn(
            column.header,
            column.key,
            _as_is,
            required=column.required,
            example=column.example,
            note=column.note,
        )
        for column in COLUMNS
    )

    def __init__(self, user):
        super().__init__(user)
        self.checker: OrderChecker | None = None  # built on the first row (not for the page)
        self.checked: list[dict[str, Any]] = []
        self.results: dict[tuple[int, str], str] | None = None

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["clean"]["provider"], values["clean"]["external_ref"])

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        errors = ErrorLog()
        if self.checker is None:
            self.checker = OrderChecker(
                References(self.user, prefetch=True), errors, duplicates=False
            )
        self.checker.errors = errors
        raw = {key: (values.get(key),) for key in KEYS}
        columns = self.checker.check(Chunk([0], raw))
        if errors.count:
            by_key: dict[str, list[str]] = defaultdict(list)
            for error in errors.items:
                by_key[error.key].append(error.message)
            raise RowInvalid({key: "；".join(messages) for key, messages in by_key.items()})
        clean = {name: column[0] for name, column in columns.items()}
        self.checked.append(clean)
        values["clean"] = clean
        return values

    def apply_row(self, values: dict[str, Any]) -> str:
        if self.results is None:
            self.results = self._write_all()
        return self.results[self.row_key(values)]

    def _write_all(self) -> dict[tuple[int, str], str]:
        """Stage every checked row, refuse changes to settled months, upsert once."""
        writer = OrderWriter()
        writer.open()
        rows = list(range(2, len(self.checked) + 2))
        writer.stage(rows, {name: [row[name] for row in self.checked] for name in FIELDS})
        writer.lock()
        locked = writer.locked_months()
        if locked:
            writer.close()
            raise ValidationError(
                "；".join(
                    _("%(ref)s：%(m)s") % {"ref": self.checked[row - 2]["external_ref"], "m": m}
                    for row, m in locked[:20]
                )
            )
        results = writer.statuses()
        touched = {name: {row[name] for row in self.checked} - {None} for name in TRACKED}
        since = min(row["scheduled_start"] for row in self.checked).date()
        if any(status == "updated" for status in results.values()):
            since = None  # orders that moved in time may leave earlier periods
            for name in TRACKED:
                touched[name] |= writer.changed_values(name)
        writer.upsert()
        writer.close()
        transaction.on_commit(partial(refresh_indicators, touched, since))
        return results
