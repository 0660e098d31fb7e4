"""Loading statistical division codes: Hai'an's list and the whole country's (china-division).

Set-based, in one transaction:

1. the file is read and checked completely (code lengths, duplicates, parents) before anything
   is written, so a bad file changes nothing;
2. what is loaded is read once (id, code, name, parent, path) and the wanted tree is computed in
   memory: every unit's final parent and materialised path;
3. new units get their ids up front and are written in one pass (``COPY`` on PostgreSQL,
   ``executemany`` elsewhere); renamed or moved units are updated in place (ids, and therefore
   every row that refers to them, stay) with their old name and parent kept as an
   ``AreaVersion``; units below a moved one get their path rewritten.

Units in the database that the file does not list (demo assumptions, abolished units) are kept,
and so is the place of a unit put under a demo-assumption area (the file cannot know that area).
Re-running a load changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.choices import LEVEL_BY_CODE_LENGTH, is_urban_name, kind_from_name
from carecircle.areas.models import AREA_EPOCH, Area, AreaVersion
from carecircle.core.bulk import allocate_ids

BATCH = 5000
MAX_REPORTED_ERRORS = 20
CODE_LENGTHS = tuple(LEVEL_BY_CODE_LENGTH)  # 2, 4, 6, 9, 12
NATIONAL_FILES = (
    ("provinces.csv", None),
    ("cities.csv", "provinceCode"),
    ("areas.csv", "cityCode"),
    ("streets.csv", "areaCode"),
    ("villages.csv", "streetCode"),
)
INSERT_COLUMNS = (
    "id",
    "code",
    "name",
    "level",
    "kind",
    "is_urban",
    "parent_id",
    "path",
    "depth",
    "valid_from",
    "is_demo_assumption",
)


@dataclass(frozen=True, slots=True)
class UnitRow:
    code: str
    name: str
    parent_code: str | None
    file: str = ""  # where the row comes from, for error messages
    line: int = 0

    @property
    def where(self) -> str:
        if not self.file:
            return self.code
        return _("%(f)s 第%(n)d行") % {"f": self.file, "n": self.line}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved_paths: int = 0
    errors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return _("区划导入完成：新增 %(c)d，更新 %(u)d，未变 %(n)d") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
        }


class DivisionFileError(ValueError):
    """The file cannot be loaded; the message lists the problems (nothing has been written)."""

    def __init__(self, errors: str | list[str]):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        shown = self.errors[:MAX_REPORTED_ERRORS]
        more = len(self.errors) - len(shown)
        text = "\n".join(shown)
        if more > 0:
            text += "\n" + _("……另有 %(n)d 处错误") % {"n": more}
        super().__init__(text)


# Reading -------------------------------------------------------------------------------------


def haian_rows() -> list[UnitRow]:
    text = (
        resources.files("carecircle.areas")
        .joinpath("data/divisions-320685.csv")
        .read_text(encoding="utf-8")
    )
    reader = csv.DictReader(text.splitlines())
    return [
        UnitRow(r["code"], r["name"], r["parent_code"] or None, "divisions-320685.csv", n)
        for n, r in enumerate(reader, start=2)
    ]


def load_haian() -> LoadResult:
    return load_units(haian_rows())


def read_national(directory: str | Path) -> list[UnitRow]:
    """Every unit of the five china-division CSV files, checked; raises on any bad line."""
    base = Path(directory)
    rows: list[UnitRow] = []
    errors: list[str] = []
    for index, (filename, parent_column) in enumerate(NATIONAL_FILES):
        path = base / filename
        if not path.exists():
            errors.append(_("缺少文件：%(f)s") % {"f": path})
            continue
        code_length = CODE_LENGTHS[index]
        parent_length = CODE_LENGTHS[index - 1] if index else None
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [column.strip() for column in next(reader, [])]
            wanted = ["code", "name"] + ([parent_column] if parent_column else [])
            missing = [column for column in wanted if column not in header]
            if missing:
                errors.append(_("%(f)s 缺少列：%(c)s") % {"f": filename, "c": "、".join(missing)})
                continue
            code_at, name_at = header.index("code"), header.index("name")
            parent_at = header.index(parent_column) if parent_column else None
            for line_no, record in enumerate(reader, start=2):
                if not record:
                    continue
                try:
                    code = record[code_at].strip()
                    name = record[name_at].strip()
                    parent = record[parent_at].strip() if parent_at is not None else None
                except IndexError:
                    errors.append(_("%(f)s 第%(n)d行：列数不足") % {"f": filename, "n": line_no})
                    continue
                problem = _line_problem(code, name, parent, code_length, parent_length)
                if problem:
                    where = _("%(f)s 第%(n)d行") % {"f": filename, "n": line_no}
                    errors.append(f"{where}：{problem}")
                else:
                    rows.append(UnitRow(code, name, parent or None, filename, line_no))
    if errors:
        raise DivisionFileError(errors)
    return rows


def _line_problem(
    code: str, name: str, parent: str | None, code_length: int, parent_length: int | None
) -> str | None:
    if not code or not name:
        return _("代码或名称为空")
    if len(code) != code_length or not code.isdigit():
        return _("区划代码 %(c)s 应为%(n)d位数字") % {"c": code, "n": code_length}
    if parent_length and (len(parent or "") != parent_length or not parent.isdigit()):
        return _("上级代码“%(p)s”应为%(n)d位数字") % {"p": parent or "", "n": parent_length}
    return None


def national_rows(directory: str | Path) -> Iterator[UnitRow]:
    yield from read_national(directory)


def load_national(directory: str | Path, *, progress: bool = True) -> LoadResult:
    return load_units(read_national(directory), progress=progress)


# Planning ------------------------------------------------------------------------------------


def _check(rows: Iterable[UnitRow]) -> dict[str, UnitRow]:
    """The file's units by code; code format and duplicates checked."""
    by_code: dict[str, UnitRow] = {}
    errors: list[str] = []
    for row in rows:
        where = row.where
        if len(row.code) not in LEVEL_BY_CODE_LENGTH or not row.code.isdigit():
            errors.append(_("%(w)s：区划代码位数不正确：%(c)s") % {"w": where, "c": row.code})
        elif row.code in by_code:
            errors.append(
                _("%(w)s：区划代码 %(c)s 重复（%(o)s）")
                % {"w": where, "c": row.code, "o": by_code[row.code].where}
            )
        elif row.parent_code is not None and len(row.parent_code) >= len(row.code):
            errors.append(
                _("%(w)s：上级代码 %(p)s 应比区划代码 %(c)s 短")
                % {"w": where, "p": row.parent_code, "c": row.code}
            )
        else:
            by_code[row.code] = row
    if errors:
        raise DivisionFileError(errors)
    return by_code


def _existing() -> dict[str, tuple[int, str, int | None, str]]:
    """code → (id, name, parent id, path) of every loaded unit (one query, raw cursor)."""
    table = Area._meta.db_table
    # A server-side cursor on PostgreSQL: rows arrive in chunks, not all at once in libpq.
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT id, code, name, parent_id, path FROM {table}")  # noqa: S608
        existing = {}
        while chunk := cursor.fetchmany(50_000):
            for pk, code, name, parent_id, path in chunk:
                existing[code] = (pk, name, parent_id, path)
    return existing


def load_units(rows: Iterable[UnitRow], *, progress: bool = False) -> LoadResult:
    """Insert new units and update changed ones, in one transaction (see module docstring)."""
    wanted = _check(rows)
    bar = _progress(len(wanted), progress)
    result = LoadResult()
    with transaction.atomic():
        existing = _existing()
        missing = [
            _("%(w)s：上级区划 %(p)s 不存在") % {"w": row.where, "p": row.parent_code}
            for row in wanted.values()
            if row.parent_code and row.parent_code not in wanted and row.parent_code not in existing
        ]
        if missing:
            raise DivisionFileError(missing)
        _keep_demo_placements(wanted, existing)

        new_codes = sorted((code for code in wanted if code not in existing), key=len)
        ids = dict(zip(new_codes, allocate_ids(Area, len(new_codes)), strict=True))

        def id_of(code: str | None) -> int | None:
            if code is None:
                return None
            return existing[code][0] if code in existing else ids[code]

        changed: list[tuple[int, UnitRow, int | None]] = []
        moved = False
        for code, (pk, name, parent_id, _path) in existing.items():
            row = wanted.get(code)
            if row is None:
                continue
            new_parent_id = id_of(row.parent_code)
            if row.name != name or new_parent_id != parent_id:
                changed.append((pk, row, new_parent_id))
                moved = moved or new_parent_id != parent_id
            else:
                result.unchanged += 1
        paths = _moved_paths(wanted, existing) if moved else _new_paths(new_codes, wanted, existing)

        epoch = AREA_EPOCH.isoformat()
        _insert(
            (
                ids[code],
                code,
                wanted[code].name,
                LEVEL_BY_CODE_LENGTH[len(code)],
                kind_from_name(wanted[code].name, LEVEL_BY_CODE_LENGTH[len(code)]),
                is_urban_name(wanted[code].name),
                id_of(wanted[code].parent_code),
                paths[code],
                CODE_LENGTHS.index(len(code)),
                epoch,
                False,
            )
            for code in new_codes
        )
        result.created = len(new_codes)
        if bar is not None:
            bar.update(result.created + result.unchanged)
        if changed:
            _apply_changes(
                [
                    (pk, row, parent_id, paths.get(row.code) or existing[row.code][3])
                    for pk, row, parent_id in changed
                ],
                existing,
            )
            result.updated = len(changed)
        if moved:
            changed_codes = {row.code for _pk, row, _parent in changed}
            repathed = [
                (paths[code], pk)
                for code, (pk, _name, _parent, path) in existing.items()
                if code not in changed_codes and paths[code] != path
            ]
            _rewrite_paths(repathed)
            result.moved_paths = len(repathed)
    if bar is not None:
        bar.update(len(changed))
        bar.close()
    return result


def _keep_demo_placements(
    wanted: dict[str, UnitRow], existing: dict[str, tuple[int, str, int | None, str]]
) -> None:
    """Units placed under a demo-assumption area (a street the published list does not know
    yet) stay there: the file cannot contradict an assumption it knows nothing about."""
    demo = dict(Area.objects.filter(is_demo_assumption=True).values_list("pk", "code"))
    if not demo:
        return
    for code, (_pk, _name, parent_id, _path) in existing.items():
        row = wanted.get(code)
        if parent_id in demo and row is not None and row.parent_code != demo[parent_id]:
            wanted[code] = UnitRow(code, row.name, demo[parent_id], row.file, row.line)


def _new_paths(
    new_codes: list[str],
    wanted: dict[str, UnitRow],
    existing: dict[str, tuple[int, str, int | None, str]],
) -> dict[str, str]:
    """Paths of new units when nothing moves: below a loaded parent or a new one."""
    paths: dict[str, str] = {}
    for code in new_codes:  # parents first (shorter codes)
        parent = wanted[code].parent_code
        if parent is None:
            paths[code] = code + "/"
        else:
            base = paths.get(parent) or existing[parent][3]
            paths[code] = base + code + "/"
    return paths


def _moved_paths(
    wanted: dict[str, UnitRow], existing: dict[str, tuple[int, str, int | None, str]]
) -> dict[str, str]:
    """Paths of every unit, the file's and the kept ones, once some unit changes parent."""
    code_of = {pk: code for code, (pk, *_rest) in existing.items()}
    parent_code: dict[str, str | None] = {
        code: code_of.get(parent_id) if parent_id else None
        for code, (_pk, _name, parent_id, _path) in existing.items()
    }
    del code_of
    parent_code.update((code, row.parent_code) for code, row in wanted.items())
    paths: dict[str, str] = {}
    for code in sorted(parent_code, key=len):
        parent = parent_code[code]
        if parent is None:
            paths[code] = code + "/"
        elif parent in paths:
            paths[code] = paths[parent] + code + "/"
        else:  # an inconsistent old row (parent with a longer code): keep what it has
            paths[code] = existing[code][3]
    return paths


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="unit", desc="areas", mininterval=0.5)


# Writing -------------------------------------------------------------------------------------


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _insert(rows: Iterable[tuple]) -> None:
    table = Area._meta.db_table
    columns = ", ".join(INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of 665k statements, text lines built here in bulk.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                lines: list[str] = []
                for row in rows:
                    lines.append("\t".join(map(_copy_text, row)))
                    if len(lines) >= BATCH:
                        copy.write("\n".join(lines) + "\n")
                        lines.clear()
                if lines:
                    copy.write("\n".join(lines) + "\n")
            return
        # A larger SQLite page cache for this load keeps the index updates in memory; the
        # connection's own setting is restored afterwards.
        cursor.execute("PRAGMA cache_size")
        previous_cache = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
        marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        batch: list[tuple] = []
        try:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous_cache)}")


def _rewrite_paths(rows: list[tuple[str, int]]) -> None:
    """New paths of units whose ancestor moved; their open history row follows."""
    table = Area._meta.db_table
    versions = AreaVersion._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.executemany(f"UPDATE {table} SET path = %s WHERE id = %s", chunk)  # noqa: S608
            cursor.executemany(
                f"UPDATE {versions} SET path = %s WHERE area_id = %s AND valid_to IS NULL",  # noqa: S608
                chunk,
            )


def _apply_changes(
    changed: list[tuple[int, UnitRow, int | None, str]],
    existing: dict[str, tuple[int, str, int | None, str]],
) -> None:
    """Renames and moves: keep the old state as a version, then update the rows in place."""
    on = timezone.localdate()
    reason = _("区划代码表更新")
    valid_from = dict(
        Area.objects.filter(pk__in=[pk for pk, *_rest in changed]).values_list("pk", "valid_from")
    )
    record_versions(
        [
            VersionChange(
                area_id=pk,
                area_valid_from=valid_from[pk],
                old_name=existing[row.code][1],
                old_parent_id=existing[row.code][2],
                old_path=existing[row.code][3],
                new_name=row.name,
                new_parent_id=parent_id,
                new_path=path,
            )
            for pk, row, parent_id, path in changed
        ],
        on=on,
        reason=reason,
    )
    table = Area._meta.db_table
    params = []
    for pk, row, parent_id, path in changed:
        level = LEVEL_BY_CODE_LENGTH[len(row.code)]
        params.append(
            (
                row.name,
                kind_from_name(row.name, level),
                is_urban_name(row.name),
                parent_id,
                path,
                pk,
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(
                f"UPDATE {table} SET name = %s, kind = %s, is_urban = %s, parent_id = %s, "  # noqa: S608
                "path = %s WHERE id = %s",
                params[start : start + BATCH],
            )


# History -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionChange:
    area_id: int
    area_valid_from: dt.date
    old_name: str
    old_parent_id: int | None
    old_path: str
    new_name: str
    new_parent_id: int | None
    new_path: str


def record_versions(changes: list[VersionChange], *, on: dt.date, reason: str) -> None:
    """Close each area's current version on ``on`` and open a new one from ``on``.

    An area without history first gets a version for its state so far (from its start date). A
    second change on the same day replaces that day's version instead of adding one.
    """
    if not changes:
        return
    area_ids = [change.area_id for change in changes]
    has_history: set[int] = set()
    open_today: dict[int, int] = {}
    for start in range(0, len(area_ids), 900):
        chunk = area_ids[start : start + 900]
        for pk, area_id, valid_from, valid_to in AreaVersion.objects.filter(
            area_id__in=chunk
        ).values_list("pk", "area_id", "valid_from", "valid_to"):
            has_history.add(area_id)
            if valid_to is None and valid_from == on:
                open_today[area_id] = pk
    to_create: list[AreaVersion] = []
    to_close: list[int] = []
    for change in changes:
        if change.area_id in open_today:
            AreaVersion.objects.filter(pk=open_today[change.area_id]).update(
                name=change.new_name,
                parent_id=change.new_parent_id,
                path=change.new_path,
                reason=reason,
            )
            continue
        if change.area_id in has_history:
            to_close.append(change.area_id)
        elif change.area_valid_from < on:
            to_create.append(
                AreaVersion(
                    area_id=change.area_id,
                    name=change.old_name,
                    parent_id=change.old_parent_id,
                    path=change.old_path,
                    valid_from=change.area_valid_from,
                    valid_to=on,
                    reason=reason,
                )
            )
        to_create.append(
            AreaVersion(
                area_id=change.area_id,
                name=change.new_name,
                parent_id=change.new_parent_id,
                path=change.new_path,
                valid_from=on,
                reason=reason,
            )
        )
    for start in range(0, len(to_close), 900):
        AreaVersion.objects.filter(
            area_id__in=to_close[start : start + 900], valid_to__isnull=True
        ).update(valid_to=on)
    AreaVersion.objects.bulk_create(to_create, batch_size=1000)


def reparent_area(
    area: Area, *, parent: Area | None, on: dt.date, name: str | None = None, reason: str = ""
) -> Area:
    """Move (or rename) ``area`` from ``on``: close its current version, open a new one, and
    rewrite the materialised paths of its whole subtree in one UPDATE."""
    if parent is not None and (parent.pk == area.pk or parent.is_within(area)):
        raise ValueError(_("不能把区划移到它自己或其下级之下"))
    new_name = name or area.name
    old_path = area.path
    new_path = (parent.path if parent else "") + area.code + "/"
    with transaction.atomic():
        record_versions(
            [
                VersionChange(
                    area_id=area.pk,
                    area_valid_from=area.valid_from,
                    old_name=area.name,
                    old_parent_id=area.parent_id,
                    old_path=old_path,
                    new_name=new_name,
                    new_parent_id=parent.pk if parent else None,
                    new_path=new_path,
                )
            ],
            on=on,
            reason=reason,
        )
        if old_path != new_path:
            with connection.cursor() as cursor:
                for table, extra in (
                    (Area._meta.db_table, ""),
                    (AreaVersion._meta.db_table, " AND valid_to IS NULL"),
                ):
                    cursor.execute(
                        f"UPDATE {table} SET path = %s || SUBSTR(path, %s) "  # noqa: S608
                        f"WHERE path LIKE %s{extra}",
                        [new_path, len(old_path) + 1, old_path + "%"],
                    )
        level = LEVEL_BY_CODE_LENGTH.get(len(area.code), area.level)
        Area.objects.filter(pk=area.pk).update(
            name=new_name,
            parent=parent,
            kind=kind_from_name(new_name, level) if new_name != area.name else area.kind,
            is_urban=is_urban_name(new_name) if new_name != area.name else area.is_urban,
        )
    area.refresh_from_db()
    return area
