"""Fast writing and removal of demo rows.

* Every demo row of a registry model gets a UUID in a reserved namespace (first 32 bits
  ``de40da7a``), drawn from the seeded generator: the demo is deterministic and its rows can be
  found again with one indexed range query, without a marker column or a new model.
* Large tables are written with ``COPY`` on PostgreSQL and ``executemany`` elsewhere, bypassing
  model instances, ``save()`` and django-simple-history (bulk writes leave no history rows).
* Demo rows are removed with set-based ``DELETE … WHERE fk IN (subquery)`` statements, children
  first, including rows of other apps that point at them (nullable references are cleared).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models.fields import AutoFieldMixin

DEMO_UUID_PREFIX = 0xDE40DA7A
DEMO_UUID_LOW = uuid.UUID(int=DEMO_UUID_PREFIX << 96)
DEMO_UUID_HIGH = uuid.UUID(int=(DEMO_UUID_PREFIX + 1) << 96)
BATCH = 5000


def demo_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID inside the demo namespace."""
    return uuid.UUID(int=(DEMO_UUID_PREFIX << 96) | rng.getrandbits(96), version=4)


def demo_rows(model: type[models.Model]) -> models.QuerySet:
    """Rows of a ``BaseModel`` subclass created by the demo generator (UUID range, indexed)."""
    return model._base_manager.filter(uuid__gte=DEMO_UUID_LOW, uuid__lt=DEMO_UUID_HIGH)


def reset_sequences(*model_classes: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class BulkWriter:
    """Append tuples of field values (by attname) and write them in batches.

    Values are Python values (``date``, ``datetime``, ``UUID``, ``Decimal``); they are adapted for
    the connection here. Concrete fields not listed get their model default, so a column added
    to the model later (with a default) does not break the demo.
    """

    def __init__(
        self,
        model: type[models.Model],
        attnames: Sequence[str],
        batch: int = BATCH,
        parent: BulkWriter | None = None,
    ):
        self.model = model
        self.parent = parent
        opts = model._meta
        fields = [opts.get_field(name) for name in attnames]
        given = {f.attname for f in fields}
        self.extra_fields = [
            f
            for f in opts.concrete_fields
            if f.attname not in given and not isinstance(f, AutoFieldMixin)
        ]
        self.extra_values = tuple(
            f.get_db_prep_save(f.get_default(), connection) for f in self.extra_fields
        )
        self.columns = [f.column for f in fields] + [f.column for f in self.extra_fields]
        self.batch = batch
        self.rows: list[tuple] = []
        self.written = 0
        sqlite = connection.vendor == "sqlite"
        # Per-position adapters: only UUIDs need converting (SQLite stores them as 32 hex chars);
        # date, datetime and Decimal have adapters registered by Django's backends.
        self._uuid_positions = [
            i for i, f in enumerate(fields) if isinstance(f, models.UUIDField) and sqlite
        ]
        self._aware = [
            i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField) and sqlite
        ]
        self._datetimes: dict = {}
        self._ops = connection.ops

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.parent is not None:
            self.parent.flush()
        rows = self.rows
        if self._uuid_positions or self._aware:
            rows = [self._adapt(row) for row in rows]
        if self.extra_values:
            rows = [(*row, *self.extra_values) for row in rows]
        _write(self.model._meta.db_table, self.columns, rows)
        self.written += len(rows)
        self.rows = []

    def _adapt(self, row: tuple) -> tuple:
        values = list(row)
        for i in self._uuid_positions:
            if values[i] is not None:
                values[i] = values[i].hex
        for i in self._aware:
            value = values[i]
            if value is not None:
                # Timestamps repeat (one "now" per load): adapt each distinct value once.
                adapted = self._datetimes.get(value)
                if adapted is None:
                    adapted = self._datetimes[value] = self._ops.adapt_datetimefield_value(value)
                values[i] = adapted
        return tuple(values)


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {qn(table)} ({column_sql}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def write_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[tuple]) -> int:
    writer = BulkWriter(model, attnames)
    for row in rows:
        writer.add(row)
    writer.flush()
    return writer.written


# Removal -------------------------------------------------------------------------------------


def _references(target: type[models.Model]) -> list[tuple[type[models.Model], models.Field]]:
    """Every enforced foreign key (or one-to-one) of any model, auto-created ones included,
    that points at ``target``. Unenforced ones (history tables, audit log) are left alone."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model is target
                and getattr(field, "db_constraint", True)
            ):
                found.append((model, field))
    return found


def purge(queryset: models.QuerySet, *, _depth: int = 0) -> int:
    """Delete the rows of ``queryset`` and, first, what refers to them: nullable references
    are set to NULL, the others deleted the same way. No model instances, no signals."""
    if _depth > 8:
        raise RuntimeError("demo purge: reference chain too deep")
    model = queryset.model
    for other, field in _references(model):
        referring = other._base_manager.filter(**{f"{field.name}__in": queryset.values("pk")})
        if field.null:
            referring.update(**{field.name: None})
        elif other is not model:
            purge(referring, _depth=_depth + 1)
    return queryset._raw_delete(queryset.db)
