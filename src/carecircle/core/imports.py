"""All-or-nothing Excel imports with a per-cell error report (R16, R28).

An ``Importer`` declares its columns (Chinese headers, parsers) and how to apply clean rows. The
runner checks the whole file first; if any cell is wrong it writes nothing and returns an xlsx
that marks each bad cell with its reason. Otherwise one transaction applies every row, and rows
that already match are left untouched, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from carecircle.core.xlsx import HEADER_FILL, HEADER_FONT, read_rows

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERROR_FONT = Font(color="9C0006")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_text(value: Any) -> str:
    return _text(value)


def parse_int(value: Any) -> int | None:
    text = _text(value)
    if text == "":
        return None
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("应为整数")) from exc
    if number < 0:
        raise ValidationError(_("不能为负数"))
    return number


def parse_decimal(value: Any) -> Decimal | None:
    text = _text(value)
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("应为数字")) from exc
    if number < 0:
        raise ValidationError(_("不能为负数"))
    return number


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("日期格式应为 YYYY-MM-DD"))


def parse_bool(value: Any) -> bool:
    text = _text(value).lower()
    if text in ("", "否", "no", "n", "0", "false"):
        return False
    if text in ("是", "yes", "y", "1", "true"):
        return True
    raise ValidationError(_("应填“是”或“否”"))


def choice_parser(choices) -> Callable[[Any], str]:
    """Accept either the Chinese label or the code of a TextChoices."""
    by_label = {str(label): value for value, label in choices.choices}
    values = set(choices.values)

    def parse(value: Any) -> str:
        text = _text(value)
        if text in by_label:
            return by_label[text]
        if text in values:
            return text
        allowed = "、".join(str(label) for label in by_label)
        raise ValidationError(_("取值应为：%(a)s") % {"a": allowed})

    return parse


class TranslatedTitle:
    """An importer's title, translated when read and a plain ``str`` on the class and on
    instances alike (the import pages read it from the class; the audit log needs a string).
    Pass the text through ``gettext_noop`` so makemessages finds it."""

    def __init__(self, text: str):
        self.text = text

    def __get__(self, obj, owner=None) -> str:
        return _(self.text)


@dataclass(frozen=True)
class ImportColumn:
    header: str
    key: str
    parse: Callable[[Any], Any] = parse_text
    required: bool = True
    example: str = ""
    note: str = ""


@dataclass
class RowError:
    row: int  # spreadsheet row number (header is row 1)
    column: int | None  # 0-based column index, None for a whole-row problem
    message: str

    def describe(self, headers: Sequence[str]) -> str:
        where = _("第%(r)d行") % {"r": self.row}
        if self.column is not None and self.column < len(headers):
            where += _("“%(h)s”列") % {"h": headers[self.column]}
        return f"{where}：{self.message}"


class RowInvalid(Exception):
    """Raised by ``Importer.check_row`` for problems that concern named columns."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_report: bytes | None = None
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, limit: int = 50) -> list[str]:
        return [error.describe(self.headers) for error in self.errors[:limit]]


class Importer:
    """Subclasses set ``title``, ``slug``, ``permission``, ``columns`` and implement the hooks."""

    title: str = ""
    slug: str = ""
    permission: str = ""
    columns: Sequence[ImportColumn] = ()

    def __init__(self, user):
        self.user = user

    # Hooks -----------------------------------------------------------------------------------
    def row_key(self, values: dict[str, Any]) -> Any:
        """Identity of a row, for duplicate detection within the file and idempotent upserts."""
        raise NotImplementedError

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """Cross-field and database checks; return cleaned values or raise ``RowInvalid``."""
        return values

    def apply_row(self, values: dict[str, Any]) -> str:
        """Write one clean row; return "created", "updated" or "unchanged"."""
        raise NotImplementedError

    # Template --------------------------------------------------------------------------------
    def template(self) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.title[:31]
        sheet.append([column.header for column in self.columns])
        sheet.append([column.example for column in self.columns])
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            note = (_("必填") if column.required else _("选填")) + (
                f"；{column.note}" if column.note else ""
            )
            cell.comment = Comment(note, "CareCircle")
            sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2 + 4)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def run_import(
    importer: Importer, data: bytes, *, progress: Callable[[int, int], None] | None = None
) -> ImportOutcome:
    outcome = ImportOutcome()
    if len(data) > settings.IMPORT_MAX_BYTES:
        outcome.errors.append(RowError(1, None, _("文件过大")))
        return outcome
    try:
        headers, body = read_rows(data, max_rows=settings.IMPORT_MAX_ROWS)
    except ValueError as exc:
        message = str(exc)
        if message.startswith("too many rows"):
            message = _("行数超过上限 %(n)d") % {"n": settings.IMPORT_MAX_ROWS}
        else:
            message = _("无法读取文件，请使用下载的 xlsx 模板")
        outcome.errors.append(RowError(1, None, message))
        return outcome
    except Exception:  # noqa: BLE001 - any unreadable upload is the user's file, not our bug
        outcome.errors.append(RowError(1, None, _("无法读取文件，请使用下载的 xlsx 模板")))
        return outcome
    outcome.headers = headers
    outcome.rows = len(body)
    positions: dict[str, int] = {}
    for column in importer.columns:
        if column.header in headers:
            positions[column.key] = headers.index(column.header)
        elif column.required:
            outcome.errors.append(RowError(1, None, _("缺少必填列“%(h)s”") % {"h": column.header}))
    if outcome.errors:
        return outcome

    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[Any, int] = {}
    total = len(body)
    for offset, raw in enumerate(body):
        row_no = offset + 2
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for column in importer.columns:
            index = positions.get(column.key)
            cell = raw[index] if index is not None and index < len(raw) else None
            if _text(cell) == "" and column.required:
                row_errors.append(RowError(row_no, index, _("不能为空")))
                continue
            try:
                values[column.key] = column.parse(cell)
            except ValidationError as exc:
                row_errors.append(RowError(row_no, index, "；".join(exc.messages)))
        if not row_errors:
            try:
                values = importer.check_row(values)
            except RowInvalid as exc:
                for key, message in exc.errors.items():
                    row_errors.append(RowError(row_no, positions.get(key), message))
            except ValidationError as exc:
                row_errors.append(RowError(row_no, None, "；".join(exc.messages)))
        if not row_errors:
            key = importer.row_key(values)
            if key in seen:
                row_errors.append(RowError(row_no, None, _("与第%(r)d行重复") % {"r": seen[key]}))
            else:
                seen[key] = row_no
                cleaned.append((row_no, values))
        outcome.errors.extend(row_errors)
        if progress is not None and offset % 200 == 0:
            progress(offset, total * 2)
    if outcome.errors:
        outcome.error_report = _error_report(headers, body, outcome.errors)
        return outcome

    with transaction.atomic():
        for done, (row_no, values) in enumerate(cleaned):
            try:
                result = importer.apply_row(values)
            except ValidationError as exc:
                # A rule only the database knows (race, constraint): undo everything.
                outcome.errors.append(RowError(row_no, None, "；".join(exc.messages)))
                transaction.set_rollback(True)
                outcome.created = outcome.updated = outcome.unchanged = 0
                outcome.error_report = _error_report(headers, body, outcome.errors)
                return outcome
            setattr(outcome, result, getattr(outcome, result) + 1)
            if progress is not None and done % 200 == 0:
                progress(total + done, total * 2)
    if progress is not None:
        progress(total * 2, total * 2)
    return outcome


def _error_report(headers: list[str], body: list[list[Any]], errors: list[RowError]) -> bytes:
    """The uploaded rows, with each bad cell filled red and commented, plus a reason column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("错误报告")
    sheet.append([*headers, _("错误说明")])
    for index in range(1, len(headers) + 2):
        sheet.cell(row=1, column=index).font = HEADER_FONT
    for raw in body:
        sheet.append([_text(value) if not isinstance(value, dt.date) else value for value in raw])
    by_row: dict[int, list[str]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error.describe(headers))
        if error.row >= 2 and error.column is not None:
            cell = sheet.cell(row=error.row, column=error.column + 1)
            cell.fill = ERROR_FILL
            cell.font = ERROR_FONT
            cell.comment = Comment(error.message, "CareCircle")
    reason_column = len(headers) + 1
    for row_no, messages in by_row.items():
        cell = sheet.cell(row=max(row_no, 1) if row_no >= 2 else 1, column=reason_column)
        if row_no >= 2:
            cell.value = "；".join(messages)
            cell.font = ERROR_FONT
    sheet.column_dimensions[sheet.cell(row=1, column=reason_column).column_letter].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
