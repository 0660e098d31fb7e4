"""Fast, fully checked, all-or-nothing import of home-care service orders (CSV or xlsx).

    outcome = import_orders(path_or_bytes, user=user, dry_run=False)

The file is read in chunks of rows; each chunk is checked column by column (``bulk_check``: one
check per distinct value, references looked up in batches) and, while no error has been found,
staged in a temporary table (``bulk_write``). When the whole file has been read:

* any error: nothing is written; the outcome lists every error (row number, column, value,
  reason; details kept for the first million, all counted);
* otherwise one upsert keyed on (provider, 工单编号) writes the new and changed orders in the same
  transaction, and the dependent indicators are recomputed once it commits.

Re-importing the same file changes nothing. The upload page (``importers.py``), the command
``import_service_orders`` and ``bench/services.py`` all come through here or through the same
checks and writer.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import io
import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from carecircle.homecare.bulk_check import Chunk, ErrorLog, OrderChecker, OrderError
from carecircle.homecare.bulk_columns import COLUMNS, HEADERS, cell_text
from carecircle.homecare.bulk_refs import References
from carecircle.homecare.bulk_write import OrderWriter, refresh_indicators

CHUNK_ROWS = 20_000
# Foreign keys whose values lead indicators to areas (elder → village, provider → area, …).
TRACKED = ("provider", "person", "item", "worker")
Source = bytes | str | Path | IO[bytes]
Progress = Callable[[int], None]


class FileProblem(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class BulkOutcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[OrderError] = field(default_factory=list)
    error_count: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall-clock time per phase
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # this process's CPU time

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def messages(self, limit: int = 50) -> list[str]:
        """The first ``limit`` errors as sentences, after a line with the total if it is more."""
        lines = [error.describe() for error in self.errors[:limit]]
        if self.error_count > len(lines):
            lines.insert(
                0,
                _("共 %(n)d 处错误，以下列出前 %(k)d 处，完整清单见错误报告")
                % {"n": self.error_count, "k": len(lines)},
            )
        return lines

    def summary(self) -> str:
        if not self.ok:
            return _("共 %(r)d 行，发现 %(n)d 处错误，未写入任何数据。") % {
                "r": self.rows,
                "n": self.error_count,
            }
        text = _("共 %(r)d 行：新增 %(c)d，更新 %(u)d，未变 %(n)d。") % {
            "r": self.rows,
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
        }
        if self.dry_run:
            text += _("（试运行，未写入）")
        return text


# Reading ----------------------------------------------------------------------------------------


def _binary(source: Source) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, (str, Path)):
        return open(source, "rb")  # noqa: SIM115 - closed by the reader's caller
    return source


def detect_format(source: Source, name: str = "") -> str:
    """ "xlsx" or "csv", from the name's extension, else from the content (a zip is xlsx)."""
    name = name or (str(source) if isinstance(source, (str, Path)) else "")
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".csv"):
        return suffix[1:]
    if isinstance(source, bytes):
        return "xlsx" if source[:4] == b"PK\x03\x04" else "csv"
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return "xlsx" if handle.read(4) == b"PK\x03\x04" else "csv"
    raise FileProblem(_("仅支持 CSV 或 xlsx 文件"))


def _csv_records(binary: IO[bytes]) -> Iterator[list[str]]:
    """Rows of a CSV in UTF-8 (with or without BOM) or, failing that, GB18030 (what Excel in
    Chinese writes as "CSV")."""
    head = binary.read(1 << 16)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError as exc:
        raise FileProblem(_("文件编码无法识别，请另存为 UTF-8 编码的 CSV")) from exc
    except csv.Error as exc:
        raise FileProblem(_("CSV 格式错误：%(e)s") % {"e": exc}) from exc


def _xlsx_records(binary: IO[bytes]) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(binary)
        sheet = workbook.get_sheet_by_index(0)
        yield from sheet.iter_rows()
    except Exception as exc:  # noqa: BLE001 - any unreadable upload is the user's file
        raise FileProblem(_("无法读取 xlsx 文件，请使用下载的模板")) from exc


def _blank(record: list[Any]) -> bool:
    return not any(record) or all(cell_text(value) == "" for value in record)


class OrderFile:
    """Header and chunks of the rows of an uploaded file; row numbers count the header as 1."""

    def __init__(self, source: Source, fmt: str | None = None, name: str = ""):
        self.format = fmt or detect_format(source, name)
        self._binary = _binary(source)
        read = _csv_records if self.format == "csv" else _xlsx_records
        self._records = read(self._binary)
        self.positions: dict[str, int] = {}
        self.problems: list[str] = []
        self.row_no = 1
        try:
            self._read_header()
        except FileProblem:
            self.close()
            raise

    def _read_header(self) -> None:
        for record in self._records:
            if not _blank(record):
                header = [cell_text(value).lstrip("\ufeff") for value in record]
                break
            self.row_no += 1
        else:
            self.problems.append(_("文件是空的"))
            return
        self.width = len(header)
        for column in COLUMNS:
            found = [i for i, text in enumerate(header) if text == column.header]
            if len(found) > 1:
                self.problems.append(_("列“%(h)s”出现了多次") % {"h": column.header})
            elif found:
                self.positions[column.key] = found[0]
            elif column.required:
                self.problems.append(_("缺少必填列“%(h)s”") % {"h": column.header})

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        keys = list(HEADERS)
        while True:
            batch = list(itertools.islice(self._records, size))
            if not batch:
                return
            rows = list(range(self.row_no + 1, self.row_no + 1 + len(batch)))
            self.row_no += len(batch)
            if not all(map(any, batch)):
                kept = [(n, r) for n, r in zip(rows, batch, strict=True) if not _blank(r)]
                rows = [n for n, _r in kept]
                batch = [r for _n, r in kept]
                if not batch:
                    continue
            width = self.width
            if any(len(record) < width for record in batch):
                batch = [r if len(r) >= width else [*r, *[""] * (width - len(r))] for r in batch]
            cells = list(zip(*batch, strict=False))
            columns = {
                key: cells[self.positions[key]] if key in self.positions else (None,) * len(rows)
                for key in keys
            }
            yield Chunk(rows, columns)

    def close(self) -> None:
        self._binary.close()


# Importing --------------------------------------------------------------------------------------


def import_orders(
    source: Source,
    *,
    fmt: str | None = None,
    name: str = "",
    user=None,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> BulkOutcome:
    """Check every row of the file, then write all of it or nothing (see the module doc).

    ``user``: the importing user, whose scope limits the providers (``None``: any provider, for
    the command line). ``progress`` is called with the number of rows read so far.
    """
    outcome = BulkOutcome(dry_run=dry_run)
    errors = ErrorLog()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        orders = OrderFile(source, fmt, name)
    except FileProblem as exc:
        return _failed(outcome, errors, str(exc))
    # Millions of short-lived rows would make the cyclic garbage collector rescan the large
    # lookup caches again and again; nothing here creates reference cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if orders.problems:
            for problem in orders.problems:
                errors.add(1, "", "", problem)
            return _finish(outcome, errors)
        _run(orders, outcome, errors, user, dry_run, progress, chunk_rows)
    except FileProblem as exc:
        return _failed(outcome, errors, str(exc))
    finally:
        if collecting:
            gc.enable()
        orders.close()
        outcome.seconds["total"] = time.perf_counter() - started
        outcome.cpu_seconds["total"] = time.process_time() - cpu
    return _finish(outcome, errors)


def _failed(outcome: BulkOutcome, errors: ErrorLog, message: str) -> BulkOutcome:
    errors.add(1, "", "", message)
    return _finish(outcome, errors)


def _finish(outcome: BulkOutcome, errors: ErrorLog) -> BulkOutcome:
    outcome.errors = errors.sorted()
    outcome.error_count = errors.count
    if errors.count:
        outcome.created = outcome.updated = outcome.unchanged = 0
    return outcome


class Clock:
    """Wall-clock and CPU time per phase (the CPU time tells the work apart from waiting for
    the database server or for a busy machine)."""

    def __init__(self, outcome: BulkOutcome):
        self.wall = outcome.seconds
        self.cpu = outcome.cpu_seconds

    @contextmanager
    def __call__(self, phase: str):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[phase] = self.wall.get(phase, 0.0) + time.perf_counter() - wall
            self.cpu[phase] = self.cpu.get(phase, 0.0) + time.process_time() - cpu

    def iterate(self, phase: str, iterator: Iterator[Chunk]) -> Iterator[Chunk]:
        while True:
            with self(phase):
                item = next(iterator, None)
            if item is None:
                return
            yield item


def _run(orders, outcome, errors, user, dry_run, progress, chunk_rows) -> None:
    clock = Clock(outcome)
    checker = OrderChecker(References(user), errors)
    writer = OrderWriter()
    touched: dict[str, set[int]] = {name: set() for name in TRACKED}
    earliest: dt.datetime | None = None
    with transaction.atomic():
        writer.open()
        for chunk in clock.iterate("read", orders.chunks(chunk_rows)):
            with clock("check"):
                columns = checker.check(chunk)
            outcome.rows += len(chunk.rows)
            if errors.count == 0:
                with clock("stage"):
                    writer.stage(chunk.rows, columns)
                    for name in TRACKED:
                        touched[name].update(columns[name])
                    first = min(columns["scheduled_start"])
                    earliest = first if earliest is None else min(earliest, first)
            if progress is not None:
                progress(outcome.rows)
        if errors.count == 0 and outcome.rows:
            with clock("compare"):
                writer.lock()
                for row_no, message in writer.locked_months():
                    errors.add(row_no, "scheduled_start", "", message)
                if errors.count == 0:
                    outcome.created, outcome.updated, outcome.unchanged = writer.classify()
        if errors.count == 0 and not dry_run and (outcome.created or outcome.updated):
            with clock("write"):
                if outcome.updated:
                    for name in TRACKED:
                        touched[name] |= writer.changed_values(name)
                writer.upsert()
            touched = {name: {v for v in ids if v is not None} for name, ids in touched.items()}
            # Orders that moved in time may leave earlier periods: then every period.
            since = earliest.date() if earliest is not None and not outcome.updated else None
            transaction.on_commit(partial(_refresh, clock, touched, since))
        writer.close()
        if errors.count or dry_run:
            transaction.set_rollback(True)


def _refresh(clock: Clock, touched: dict[str, set[int]], since: dt.date | None) -> None:
    with clock("indicators"):
        refresh_indicators(touched, since)


# Error report -----------------------------------------------------------------------------------

REPORT_HEADERS = ("行号", "列", "单元格内容", "错误说明")


def _safe(text: str) -> str:
    """Text a spreadsheet would run as a formula stays text (CSV/formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_rows(outcome: BulkOutcome) -> Iterator[tuple[Any, ...]]:
    for error in outcome.errors:
        yield (error.row, error.header, _safe(error.value), _safe(error.message))
    if outcome.error_count > len(outcome.errors):
        more = outcome.error_count - len(outcome.errors)
        yield ("", "", "", _("另有 %(n)d 处错误未列出") % {"n": more})


def error_report_xlsx(outcome: BulkOutcome) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误报告"))
    sheet.append(list(REPORT_HEADERS))
    for row in report_rows(outcome):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_error_report(outcome: BulkOutcome, path: str | Path) -> None:
    """Every error to ``path``: .xlsx, or CSV (UTF-8 with BOM, which Excel opens) otherwise."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(error_report_xlsx(outcome))
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_HEADERS)
        writer.writerows(report_rows(outcome))
