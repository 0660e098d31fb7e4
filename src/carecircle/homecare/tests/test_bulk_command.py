"""``carecircle manage import_service_orders FILE``: summary, dry run, scope and error report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from carecircle.accounts.choices import Role
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.homecare.models import ServiceOrder
from carecircle.homecare.tests.bulk_support import (
    as_csv,
    as_xlsx,
    build_world,
    orders,
    row,
)

pytestmark = pytest.mark.django_db
world = pytest.fixture(build_world, name="world")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_service_orders", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_csv_then_the_same_xlsx(world, tmp_path):
    rows = orders(world, 60)
    path = tmp_path / "orders.csv"
    path.write_bytes(as_csv(rows))
    out, _err = run(path)
    assert "共 60 行：新增 60，更新 0，未变 0。" in out
    assert "行/秒" in out
    assert ServiceOrder.objects.count() == 60
    xlsx = tmp_path / "orders.xlsx"
    xlsx.write_bytes(as_xlsx(rows))
    out, _err = run(xlsx)
    assert "共 60 行：新增 0，更新 0，未变 60。" in out
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 2


def test_dry_run(world, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(as_csv(orders(world, 10)))
    out, _err = run(path, "--dry-run")
    assert "新增 10" in out and "试运行" in out
    assert not ServiceOrder.objects.exists()


def test_errors_go_to_the_report_and_nothing_is_written(world, tmp_path):
    rows = orders(world, 20)
    rows[4]["老人身份证号"] = "320685194005050018"
    rows[9]["状态"] = "??"
    path = tmp_path / "orders.csv"
    path.write_bytes(as_csv(rows))
    with pytest.raises(CommandError, match="2 处错误，未写入任何数据"):
        run(path)
    assert not ServiceOrder.objects.exists()
    report = load_workbook(tmp_path / "orders-errors.xlsx").active
    assert [list(r) for r in report.iter_rows(values_only=True)] == [
        ["行号", "列", "单元格内容", "错误说明"],
        [6, "老人身份证号", "320685********0018", "身份证号校验位错误"],
        [11, "状态", "??", "取值应为：已派单、已完成、已取消、未上门"],
    ]
    target = tmp_path / "report.csv"
    with pytest.raises(CommandError):
        run(path, "--report", target)
    with target.open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == [
            "6",
            "老人身份证号",
            "320685********0018",
            "身份证号校验位错误",
        ]


def test_as_a_user_with_their_scope(world, tmp_path):
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=world.station, username="zhan")
    path = tmp_path / "orders.csv"
    path.write_bytes(as_csv([row(world.other, world.elder, world.items["meal"], "W1")]))
    with pytest.raises(CommandError):
        run(path, "--user", "zhan")
    assert (
        "只能导入本机构的工单" in load_workbook(tmp_path / "orders-errors.xlsx").active["D2"].value
    )
    t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, username="cun")
    with pytest.raises(CommandError, match="may not import"):
        run(path, "--user", "cun")
    with pytest.raises(CommandError, match="no active user"):
        run(path, "--user", "nobody")
    assert staff.is_active


def test_the_templates_list_every_column(world, tmp_path):
    for name in ("template.xlsx", "template.csv"):
        out, _err = run("--template", tmp_path / name)
        assert "template written" in out
    header = load_workbook(tmp_path / "template.xlsx").active[1]
    assert header[0].value == "服务机构统一社会信用代码"
    assert header[0].comment.text.startswith("必填")
    lines = (tmp_path / "template.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["服务机构统一社会信用代码", "工单编号", "老人身份证号"]
    with pytest.raises(CommandError, match="give the FILE"):
        run()
