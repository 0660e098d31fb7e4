"""Writing checked service orders in bulk, and what must follow a bulk write.

Checked rows go first into a temporary staging table (``COPY`` on PostgreSQL, ``executemany`` on
SQLite). Once the whole file has passed, one statement compares them with the stored orders
(counts of new, changed and unchanged rows) and one ``INSERT … SELECT … ON CONFLICT (provider_id,
external_ref) DO UPDATE … WHERE <a value differs>`` writes them: a re-import of the same file
changes nothing, not even ``updated_at``. Everything runs in the caller's transaction.

Bulk statements bypass model signals, so the indicators that depend on service orders are
recomputed explicitly once the transaction commits (``refresh_indicators``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.core.bulk import refresh_statistics
from carecircle.homecare.choices import SettlementStatus
from carecircle.homecare.models import ServiceOrder, Settlement

log = logging.getLogger(__name__)
STAGE = "cc_order_stage"
SQLITE_CACHE_KIB = 256 * 1024
# The fields a file provides (the key first), by model field name.
KEY = ("provider", "external_ref")
FIELDS = (
    "provider",
    "external_ref",
    "person",
    "item",
    "worker",
    "status",
    "scheduled_start",
    "scheduled_end",
    "checked_in_at",
    "checked_out_at",
    "duration_minutes",
    "quantity",
    "funding",
    "unit_price",
    "cost",
    "rating",
    "complaint",
)
UPDATED = tuple(name for name in FIELDS if name not in KEY)


def _column(name: str) -> str:
    return ServiceOrder._meta.get_field(name).column


class OrderWriter:
    """Stages checked columns, classifies them against the stored orders and upserts them."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.qn = connection.ops.quote_name
        self.table = self.qn(ServiceOrder._meta.db_table)
        self.columns = [_column(name) for name in FIELDS]
        # Concrete fields no file carries (none today): their defaults, so a field added to the
        # model later does not break the import.
        ours = {*FIELDS, "uuid", "created_at", "updated_at"}
        self.extra = [
            f
            for f in ServiceOrder._meta.concrete_fields
            if f.name not in ours and not isinstance(f, AutoFieldMixin)
        ]
        self.staged = 0
        self._adapted: dict[Any, Any] = {}
        self._cache_size: int | None = None
        self.zone = timezone.get_default_timezone()
        # Only ever drop our own temporary table, never a table of that name in the schema.
        self._temp_schema = "pg_temp" if self.vendor == "postgresql" else "temp"

    # Staging -----------------------------------------------------------------------------------
    def open(self) -> None:
        qn = self.qn
        picked = ", ".join(qn(c) for c in self.columns)
        uuid_column = "" if self.vendor == "postgresql" else f", {qn('uuid')}"
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                # Index pages of a large table stay in memory while it is written (SQLite's
                # default page cache is 2 MB); the connection's setting is restored after.
                cursor.execute("PRAGMA cache_size")
                self._cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            cursor.execute(f"DROP TABLE IF EXISTS {self._temp_schema}.{STAGE}")
            drop = " ON COMMIT DROP" if self.vendor == "postgresql" else ""
            cursor.execute(
                f"CREATE TEMP TABLE {STAGE}{drop} AS SELECT "  # noqa: S608 - fixed names
                f"CAST(NULL AS integer) AS row_no, CAST(NULL AS date) AS month, "
                f"{picked}{uuid_column} FROM {self.table} WHERE 1 = 0"
            )

    def close(self) -> None:
        if self.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self._temp_schema}.{STAGE}")
                if self._cache_size is not None:
                    cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    def stage(self, rows: list[int], columns: dict[str, list[Any]]) -> None:
        """Append a checked chunk (clean columns by field name; times naive local) to the
        staging table."""
        months = self._convert(columns["scheduled_start"], _month_of)
        ordered = [rows, months, *(columns[name] for name in FIELDS)]
        names = ["row_no", "month", *self.columns]
        if self.vendor == "postgresql":
            self._copy(names, zip(*ordered, strict=True))
        else:
            ordered = [self._adapt_sqlite(values) for values in ordered]
            ordered.append(uuid_hexes(len(rows)))
            names.append("uuid")
            marks = ", ".join(["%s"] * len(names))
            quoted = ", ".join(self.qn(n) for n in names)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {STAGE} ({quoted}) VALUES ({marks})",  # noqa: S608
                    list(zip(*ordered, strict=True)),
                )
        self.staged += len(rows)

    def _copy(self, names: list[str], rows: Iterable[tuple]) -> None:
        """COPY with the session in the local time zone: the server reads the naive local
        times as local (with its own zone rules), then the session is set back."""
        quoted = ", ".join(self.qn(n) for n in names)
        zone = timezone.get_default_timezone_name()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('TimeZone')")
            session_zone = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone])
            with cursor.cursor.copy(f"COPY {STAGE} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])

    def _convert(self, values: list[Any], convert) -> list[Any]:
        """``convert`` applied once per distinct value (the results are remembered)."""
        cache = self._adapted.setdefault(convert, {None: None})
        if len(cache) > 600_000:
            cache.clear()
            cache[None] = None
        for value in set(values).difference(cache):
            cache[value] = convert(value)
        return list(map(cache.__getitem__, values))

    def _adapt_sqlite(self, values: list[Any]) -> list[Any]:
        """SQLite gets datetimes as UTC text (as Django writes them: ``str`` of the naive UTC
        time), dates as ISO text and decimals as text."""
        sample = next((v for v in values if v is not None), None)
        if isinstance(sample, dt.datetime):
            return self._convert(values, self._utc_text)
        if isinstance(sample, dt.date):
            return self._convert(values, dt.date.isoformat)
        if isinstance(sample, Decimal):
            return self._convert(values, str)
        return values

    def _utc_text(self, moment: dt.datetime) -> str:
        """A naive local time as SQLite stores it: UTC, ``YYYY-MM-DD HH:MM:SS``."""
        return (moment - self.zone.utcoffset(moment)).isoformat(" ")

    # Comparison --------------------------------------------------------------------------------
    def _differs(self, stored: str, new: str) -> str:
        op = "IS DISTINCT FROM" if self.vendor == "postgresql" else "IS NOT"
        qn = self.qn
        return " OR ".join(
            f"{stored}.{qn(_column(name))} {op} {new}.{qn(_column(name))}" for name in UPDATED
        )

    def _join(self) -> str:
        qn = self.qn
        provider, ref = qn(_column("provider")), qn(_column("external_ref"))
        return f"t.{provider} = s.{provider} AND t.{ref} = s.{ref}"

    def lock(self) -> None:
        """PostgreSQL: other writers of orders wait until this import commits, so the counts
        below stay true (readers are not blocked). SQLite transactions here are IMMEDIATE."""
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")

    def classify(self) -> tuple[int, int, int]:
        """(created, updated, unchanged) if the staged rows were written now."""
        differs = self._differs("t", "s")
        sql = (
            f"SELECT COUNT(*), COUNT(t.id), "  # noqa: S608 - fixed names
            f"COALESCE(SUM(CASE WHEN t.id IS NOT NULL AND ({differs}) THEN 1 ELSE 0 END), 0) "
            f"FROM {STAGE} s LEFT JOIN {self.table} t ON {self._join()}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            total, matched, changed = cursor.fetchone()
        return total - matched, int(changed), matched - int(changed)

    def statuses(self) -> dict[tuple[int, str], str]:
        """ "created", "updated" or "unchanged" for each staged (provider, order number)."""
        qn = self.qn
        provider, ref = qn(_column("provider")), qn(_column("external_ref"))
        sql = (
            f"SELECT s.{provider}, s.{ref}, CASE WHEN t.id IS NULL THEN 'created' "  # noqa: S608
            f"WHEN {self._differs('t', 's')} THEN 'updated' ELSE 'unchanged' END "
            f"FROM {STAGE} s LEFT JOIN {self.table} t ON {self._join()}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {(p, r): status for p, r, status in cursor.fetchall()}

    def changed_values(self, field: str) -> set[Any]:
        """The stored values of ``field`` in the orders the upsert will change (their old
        elder, say: indicators must move away from it too)."""
        column = self.qn(_column(field))
        sql = (
            f"SELECT DISTINCT t.{column} FROM {STAGE} s "  # noqa: S608 - fixed names
            f"JOIN {self.table} t ON {self._join()} WHERE {self._differs('t', 's')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {row[0] for row in cursor.fetchall() if row[0] is not None}

    def locked_months(self) -> list[tuple[int, str]]:
        """(row, message) for each new or changed order in a month whose settlement is
        approved: by its new date, or by the date it had."""
        approved = set(
            Settlement.objects.filter(status=SettlementStatus.APPROVED).values_list(
                "provider_id", "month"
            )
        )
        if not approved:
            return []
        qn = self.qn
        settlement = qn(Settlement._meta.db_table)
        provider = qn(_column("provider"))
        differs = self._differs("t", "s")
        problems: dict[int, dt.date] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.row_no, s.month FROM {STAGE} s "  # noqa: S608 - fixed names
                f"JOIN {settlement} a ON a.provider_id = s.{provider} AND a.month = s.month "
                f"AND a.status = %s LEFT JOIN {self.table} t ON {self._join()} "
                f"WHERE t.id IS NULL OR {differs}",
                [SettlementStatus.APPROVED.value],
            )
            for row_no, month in cursor.fetchall():
                problems[row_no] = _as_date(month)
            providers = sorted({p for p, _month in approved})
            cursor.execute(
                f"SELECT s.row_no, t.id FROM {STAGE} s "  # noqa: S608 - fixed names
                f"JOIN {self.table} t ON {self._join()} WHERE ({differs}) "
                f"AND s.{provider} IN ({', '.join(['%s'] * len(providers))})",
                providers,
            )
            changed = dict(cursor.fetchall())
        if changed:
            by_pk = {pk: row_no for row_no, pk in changed.items()}
            stored = ServiceOrder.objects.filter(pk__in=list(by_pk)).values_list(
                "pk", "provider_id", "scheduled_start"
            )
            for pk, provider_id, start in stored.iterator(chunk_size=5000):
                month = timezone.localtime(start).date().replace(day=1)
                if (provider_id, month) in approved:
                    problems.setdefault(by_pk[pk], month)
        message = _("%(m)s的结算单已审核，不能新增或修改该月的工单")
        return [
            (row_no, message % {"m": f"{month:%Y年%m月}"})
            for row_no, month in sorted(problems.items())
        ]

    # Writing -----------------------------------------------------------------------------------
    def upsert(self) -> None:
        qn = self.qn
        now = timezone.now()
        stamp = (
            now if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
        )
        extra_values = [f.get_db_prep_save(f.get_default(), connection) for f in self.extra]
        target = [
            qn("uuid"),
            qn("created_at"),
            qn("updated_at"),
            *(qn(f.column) for f in self.extra),
            *(qn(c) for c in self.columns),
        ]
        new_uuid = "gen_random_uuid()" if self.vendor == "postgresql" else f"s.{qn('uuid')}"
        source = [
            new_uuid,
            "%s",
            "%s",
            *(["%s"] * len(self.extra)),
            *(f"s.{qn(c)}" for c in self.columns),
        ]
        updates = ", ".join(
            f"{qn(_column(name))} = excluded.{qn(_column(name))}" for name in UPDATED
        )
        sql = (
            f"INSERT INTO {self.table} ({', '.join(target)}) "  # noqa: S608 - fixed names
            f"SELECT {', '.join(source)} FROM {STAGE} s WHERE 1 = 1 "
            f"ON CONFLICT ({qn(_column('provider'))}, {qn(_column('external_ref'))}) "
            f"DO UPDATE SET {updates}, {qn('updated_at')} = excluded.{qn('updated_at')} "
            f"WHERE {self._differs(self.table, 'excluded')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [stamp, stamp, *extra_values])


def _month_of(moment: dt.datetime) -> dt.date:
    return moment.date().replace(day=1)


def uuid_hexes(count: int) -> list[str]:
    """``count`` random version-4 UUIDs as 32 hex digits (how SQLite stores them), from one
    read of the system's random source."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes((b & 0x0F) | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])  # RFC 4122 variant
    text = raw.hex()
    return [text[i : i + 32] for i in range(0, 32 * count, 32)]


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# Indicators -------------------------------------------------------------------------------------


def refresh_indicators(ids_by_field: dict[str, set[int]], since: dt.date | None) -> None:
    """Recompute the indicators that depend on service orders for the areas the written orders
    lead to (through their elder, provider, …), as the live path does after a save. A failure is
    logged, never raised: the import has committed and ``indicators compute`` repairs."""
    refresh_statistics(ServiceOrder)
    if not getattr(settings, "CARECIRCLE_LIVE_INDICATORS", True):
        return
    from carecircle.indicators import receivers
    from carecircle.indicators.periods import standard_periods, window
    from carecircle.indicators.services import codes_watching, compute, recompute_affected

    try:
        watchers = codes_watching(ServiceOrder)
        if not watchers:
            return
        areas_of: dict[str, set[int] | None] = {}
        by_code: dict[str, set[int] | None] = {}
        for code, lookups in watchers.items():
            found: set[int] | None = set()
            for lookup in lookups:
                if lookup not in areas_of:
                    areas_of[lookup] = _areas(lookup, ids_by_field)
                if areas_of[lookup] is None or found is None:
                    found = None
                else:
                    found |= areas_of[lookup]
            by_code[code] = found
        full = [
            code
            for code, areas in by_code.items()
            if areas is None or len(areas) > receivers.FULL_RECOMPUTE_UNITS
        ]
        if full:
            periods = None
            if since is not None:
                periods = [p for p in standard_periods() if window(p).on >= since]
            if periods is None or periods:
                compute(full, periods)
        groups: dict[frozenset, list[str]] = {}
        for code, areas in by_code.items():
            if code not in full and areas:
                groups.setdefault(frozenset(areas), []).append(code)
        for areas, codes in groups.items():
            recompute_affected(codes, areas, since=since)
    except Exception:  # pragma: no cover - never fail a committed import
        log.exception("indicator recomputation after the service-order import failed")


def _areas(lookup: str, ids_by_field: dict[str, set[int]]) -> set[int] | None:
    """Area ids ``lookup`` (e.g. ``person__area``) leads to from the written orders; ``None``
    when it cannot be followed (then everything is recomputed)."""
    first, _sep, rest = lookup.partition("__")
    try:
        field = ServiceOrder._meta.get_field(first)
    except Exception:  # noqa: BLE001 - an unknown lookup: recompute everything
        return None
    ids = ids_by_field.get(field.name)
    if ids is None or not field.is_relation:
        return None
    if not rest:
        return set(ids)
    model = field.related_model
    found: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        found |= set(
            model._base_manager.filter(pk__in=ordered[start : start + 5000])
            .values_list(rest, flat=True)
            .distinct()
        )
    found.discard(None)
    return found
