"""Column-wise checks of a chunk of service-order rows.

A chunk arrives as columns of raw cells. Every column is mapped through its ``ColumnMapper``
(one check per distinct value, database lookups in batches), then the rules between columns run
over the columns side by side. Every problem is reported with its spreadsheet row number and
column; nothing is written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from carecircle.homecare.bulk_columns import HEADERS, ColumnMapper, cell_text, parsers
from carecircle.homecare.bulk_refs import References

CENT = Decimal("0.01")
# Errors kept with their details; beyond this they are only counted.
KEEP_ERRORS = 1_000_000


@dataclass
class Chunk:
    rows: list[int]  # spreadsheet row numbers (the header is row 1)
    columns: dict[str, Sequence[Any]]  # raw cells by column key


@dataclass(frozen=True)
class OrderError:
    row: int
    key: str  # column key, "" for the whole row or file
    value: str
    message: str

    @property
    def header(self) -> str:
        return HEADERS.get(self.key, "")

    def describe(self) -> str:
        where = _("第%(r)d行") % {"r": self.row}
        if self.header:
            where += _("“%(h)s”列") % {"h": self.header}
        return f"{where}：{self.message}"


@dataclass
class ErrorLog:
    keep: int = KEEP_ERRORS
    items: list[OrderError] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, key: str, value: Any, message: str) -> None:
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append(OrderError(row, key, masked_value(key, value), message))

    def sorted(self) -> list[OrderError]:
        order = {key: i for i, key in enumerate(HEADERS)}
        return sorted(self.items, key=lambda e: (e.row, order.get(e.key, -1)))


def masked_value(key: str, value: Any) -> str:
    """The offending cell for the report; ID numbers keep only their first 6 and last 4."""
    text = cell_text(value)
    if key in ("id_number", "worker_id_number") and len(text) > 10:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    return text[:100]


RENAMED = {"credit_code": "provider", "id_number": "person", "item_code": "item"}


class OrderChecker:
    """Checks chunks one after another; remembers lookups and the keys seen in earlier chunks
    (a duplicate order number is an error wherever it repeats in the file)."""

    def __init__(self, refs: References, errors: ErrorLog, duplicates: bool = True):
        self.refs = refs
        self.duplicates = duplicates
        self.errors = errors
        self.mappers = {key: ColumnMapper(resolve) for key, resolve in parsers().items()}
        # Order numbers are nearly all distinct: nothing to gain from remembering them.
        self.mappers["external_ref"].keep = 0
        self.mappers["credit_code"] = ColumnMapper(refs.providers)
        self.mappers["id_number"] = ColumnMapper(refs.elders)
        self.mappers["item_code"] = ColumnMapper(refs.items)
        self.mappers["worker_id_number"] = ColumnMapper(refs.worker_indexes)
        self.seen: dict[tuple[int, str], int] = {}

    def check(self, chunk: Chunk) -> dict[str, list[Any]]:
        """Clean columns by model field name (``None`` in the cells that failed)."""
        rows, raw = chunk.rows, chunk.columns
        clean: dict[str, list[Any]] = {}
        for key, mapper in self.mappers.items():
            values, problems = mapper.map(raw[key])
            for position, message in problems:
                self.errors.add(rows[position], key, raw[key][position], message)
            clean[key] = values
        # File columns become model fields: references resolved to primary keys.
        columns = {RENAMED.get(key, key): values for key, values in clean.items()}
        worker_indexes = columns.pop("worker_id_number")
        self._order_of_times(chunk, columns)
        self._cost(chunk, columns)
        columns["worker"] = self._workers(chunk, columns, worker_indexes)
        columns["duration_minutes"] = _durations(
            columns["checked_in_at"], columns["checked_out_at"]
        )
        if self.duplicates:
            self._duplicates(chunk, columns)
        return columns

    # Rules between columns ---------------------------------------------------------------------
    def _order_of_times(self, chunk: Chunk, columns: dict[str, list[Any]]) -> None:
        pairs = (
            ("scheduled_start", "scheduled_end", _("预约结束时间不能早于预约开始时间")),
            ("checked_in_at", "checked_out_at", _("签退时间不能早于签到时间")),
        )
        for first, last, message in pairs:
            for i, (a, b) in enumerate(zip(columns[first], columns[last], strict=True)):
                if a is not None and b is not None and b < a:
                    self.errors.add(chunk.rows[i], last, chunk.columns[last][i], message)

    def _cost(self, chunk: Chunk, columns: dict[str, list[Any]]) -> None:
        """金额 = 服务数量 × 单价 to the cent, checked once per distinct triple."""
        triples = list(
            zip(columns["quantity"], columns["unit_price"], columns["cost"], strict=True)
        )
        wrong: dict[tuple, Decimal] = {}
        for quantity, price, cost in set(triples):
            if quantity is None or price is None or cost is None:
                continue
            expected = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
            if expected != cost:
                wrong[(quantity, price, cost)] = expected
        if not wrong:
            return
        for i, triple in enumerate(triples):
            if triple in wrong:
                message = _("金额应为服务数量×单价：%(q)s×%(p)s=%(e)s") % {
                    "q": triple[0],
                    "p": triple[1],
                    "e": wrong[triple],
                }
                self.errors.add(chunk.rows[i], "cost", chunk.columns["cost"][i], message)

    def _workers(
        self, chunk: Chunk, columns: dict[str, list[Any]], indexes: list[str | None]
    ) -> list[int | None]:
        """The staff row of each named worker: employed by the row's provider on its date."""
        providers, starts = columns["provider"], columns["scheduled_start"]
        pairs = {
            (provider, index)
            for provider, index in zip(providers, indexes, strict=True)
            if provider is not None and index is not None
        }
        if not pairs:
            return [None] * len(indexes)
        self.refs.load_stints(pairs)
        workers: list[int | None] = []
        for i, (provider, index, start) in enumerate(zip(providers, indexes, starts, strict=True)):
            if index is None or provider is None or start is None:
                workers.append(None)
                continue
            # Starts are aware datetimes in the local zone: .date() is the local day.
            found = self.refs.worker_on(provider, index, start.date())
            if isinstance(found, str):
                raw = chunk.columns["worker_id_number"][i]
                self.errors.add(chunk.rows[i], "worker_id_number", raw, found)
                workers.append(None)
            else:
                workers.append(found)
        return workers

    def _duplicates(self, chunk: Chunk, columns: dict[str, list[Any]]) -> None:
        seen = self.seen
        for i, key in enumerate(zip(columns["provider"], columns["external_ref"], strict=True)):
            if key[0] is None or key[1] is None:
                continue
            first = seen.setdefault(key, chunk.rows[i])
            if first != chunk.rows[i]:
                message = _("与第%(r)d行的服务机构和工单编号重复") % {"r": first}
                self.errors.add(chunk.rows[i], "external_ref", key[1], message)


def _durations(checked_in: list[Any], checked_out: list[Any]) -> list[int | None]:
    """Whole minutes between check-in and check-out (the model's derived duration)."""
    out: list[int | None] = []
    for start, end in zip(checked_in, checked_out, strict=True):
        if start is None or end is None or end < start:
            out.append(None)
        else:
            out.append(int((end - start).total_seconds() // 60))
    return out
