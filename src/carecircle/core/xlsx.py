"""Excel (xlsx) export and reading, shared by every list and import."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    """One exported column: a Chinese header and how to read the value from a row object."""

    header: str
    value: Callable[[Any], Any]
    width: int = 16


def yes_no(value: bool) -> str:
    """是 or 否, for a boolean column."""
    return _("是") if value else _("否")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return _defuse_formula(value)
    if isinstance(value, (int, float, dt.date)):
        return value
    return _defuse_formula(str(value))


def _defuse_formula(text: str) -> str:
    """Text that a spreadsheet would run as a formula is kept as text (CSV/formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def build_workbook(title: str, columns: Sequence[Column], rows: Iterable[Any]) -> Workbook:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(column.header) for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in rows:
        sheet.append([_cell(column.value(row)) for column in columns])
    sheet.freeze_panes = "A2"
    return workbook


def workbook_response(workbook: Workbook, filename_stem: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    # Server-generated ASCII filename (R16); the Chinese title is inside the workbook.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{filename_stem}-{stamp}.xlsx"'
    return response


def read_rows(data: bytes, *, max_rows: int) -> tuple[list[str], list[list[Any]]]:
    """Header and data rows of the first sheet (python-calamine, which reads without macros)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = workbook.get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    if not rows:
        return [], []
    header = [str(value).strip() for value in rows[0]]
    body = [row for row in rows[1:] if any(str(v).strip() for v in row if v is not None)]
    if len(body) > max_rows:
        raise ValueError(f"too many rows: {len(body)} > {max_rows}")
    return header, body
