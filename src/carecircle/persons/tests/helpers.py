"""Small helpers shared by the persons tests."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from openpyxl import Workbook, load_workbook

from carecircle.core.dates import years_before
from carecircle.core.idnumbers import make_resident_id

_seq = itertools.count(101)


def new_id(birth: dt.date, *, male: bool = True) -> str:
    """A fresh valid 18-digit number for ``birth`` (odd sequence: male)."""
    seq = next(_seq) * 2 % 998 + (1 if male else 2)
    return make_resident_id("320685", birth, seq)


def elder_birth(years: int = 75) -> dt.date:
    return years_before(dt.date.today(), years) - dt.timedelta(days=10)


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_text(data: bytes) -> str:
    """Every cell of every sheet, joined: to assert what an export contains."""
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )
