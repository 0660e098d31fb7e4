"""``carecircle indicators …``: compute, show, report, export and import from the console."""

import io
import json

import pytest
from openpyxl import load_workbook

from carecircle.audit.models import AuditEvent
from carecircle.cli import main
from carecircle.core import testing as t
from carecircle.indicators.choices import ReportState, Source
from carecircle.indicators.models import IndicatorValue, ReportedValue
from carecircle.indicators.tests.exchange_support import (
    PERIOD,
    QUTANG,
    approved,
    build_world,
    declare,
)

pytestmark = pytest.mark.django_db

SHOW_KEYS = {
    "code",
    "name",
    "value",
    "numerator",
    "denominator",
    "target",
    "status",
    "computed_at",
    "na_reason",
    "source",
}


@pytest.fixture
def world(monkeypatch, city_officer):
    build_world(monkeypatch)
    approved(city_officer, "E02", t.CITY, "98.5", comment="年报")


def test_compute_shows_progress_and_summary(monkeypatch, capsys, city_officer):
    declare(monkeypatch)
    t.make_provider(QUTANG + "202", name="测试院", has_safety_system=True)
    assert main(["indicators", "compute", "--period", "2025", "2025Q1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "2025, 2025Q1" in out and "项指标" in out
    value = IndicatorValue.objects.get(indicator__code="X05", area__code=QUTANG, period="2025")
    assert value.value == 100


def test_compute_of_one_area(monkeypatch, capsys, city_officer):
    declare(monkeypatch)
    assert main(["indicators", "compute", "--area", QUTANG, "--period", "2025"]) == 0
    assert IndicatorValue.objects.filter(area__code__startswith=QUTANG).exists()
    # The units above the area are brought up to date too (their totals include it).
    assert IndicatorValue.objects.filter(area__code=t.CITY).exists()
    assert not IndicatorValue.objects.filter(area__code="320685100").exists()
    assert "100%" in capsys.readouterr().err  # the progress bar ran to its end


def test_show_json_keys(world, capsys):
    assert main(["indicators", "show", "--area", QUTANG, "--period", PERIOD, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 49
    assert all(set(row) == SHOW_KEYS for row in rows)
    x05 = next(r for r in rows if r["code"] == "X05")
    assert (x05["value"], x05["numerator"], x05["denominator"]) == (50, 1, 2)
    assert x05["status"] == "off_track" and x05["source"] == "computed"
    assert x05["target"] == 100 and x05["computed_at"]
    e02 = next(r for r in rows if r["code"] == "E02")
    assert e02["value"] is None and e02["source"] == "reported" and e02["na_reason"]


def test_show_table(world, capsys):
    assert main(["indicators", "show", "--area", t.CITY, "--period", PERIOD]) == 0
    out = capsys.readouterr().out
    assert "基本医疗保险参保率" in out and "98.5" in out and "进度滞后" in out


@pytest.mark.parametrize(
    "args",
    [
        ["show", "--area", "999", "--period", PERIOD],
        ["show", "--area", QUTANG, "--period", "2025-1"],
    ],
)
def test_show_bad_input(world, capsys, args):
    assert main(["indicators", *args]) == 1
    assert "错误" in capsys.readouterr().err


def test_report_xlsx_and_pdf(world, tmp_path, capsys):
    xlsx = tmp_path / "report.xlsx"
    assert (
        main(["indicators", "report", "--period", PERIOD, "--format", "xlsx", "--out", str(xlsx)])
        == 0
    )
    book = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames == ["指标总览", "预警", "分镇街情况"]
    assert "海安市" in book["指标总览"]["A1"].value
    pdf = tmp_path / "report.pdf"
    args = ["--period", PERIOD, "--format", "pdf", "--out", str(pdf), "--area", QUTANG]
    assert main(["indicators", "report", *args]) == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"STSong-Light" in data
    assert AuditEvent.objects.filter(action="export", username="console").count() == 2


def test_export_then_import_round_trip(world, tmp_path, capsys, city_officer):
    out = tmp_path / "values.json"
    args = ["--format", "dhis2-json", "--period", PERIOD, "--out", str(out)]
    assert main(["indicators", "export", *args]) == 0
    assert json.loads(out.read_text())["dataValues"]
    adx = tmp_path / "values.xml"
    args = ["--format", "adx", "--period", PERIOD, "--out", str(adx), "--area", QUTANG]
    assert main(["indicators", "export", *args]) == 0
    assert adx.read_bytes().startswith(b"<?xml")
    IndicatorValue.objects.filter(source=Source.REPORTED).delete()
    ReportedValue.objects.all().delete()
    capsys.readouterr()

    assert main(["indicators", "import", str(out), "--dry-run"]) == 0
    assert "试运行" in capsys.readouterr().out
    assert not ReportedValue.objects.exists()

    assert main(["indicators", "import", str(out), "--user", "city"]) == 0
    first = capsys.readouterr().out
    assert "新增 1，更新 0" in first
    report = ReportedValue.objects.get()
    assert (report.value, report.comment, report.state) == (98.5, "年报", ReportState.SUBMITTED)

    assert main(["indicators", "import", str(out)]) == 0
    assert "新增 0，更新 0" in capsys.readouterr().out


def test_import_reports_conflicts_with_exit_status(world, tmp_path, capsys):
    path = tmp_path / "bad-values.json"
    values = [{"dataElement": "E02", "period": PERIOD, "orgUnit": t.CITY, "value": "12"}]
    path.write_text(json.dumps({"dataValues": values}))
    assert main(["indicators", "import", str(path)]) == 2
    out = capsys.readouterr().out
    assert "冲突 1" in out and "锁定" in out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "无法读取"),
        ("not json", [], "JSON"),
        ('{"x": 1}', [], "dataValues"),
        ('{"dataValues": []}', ["--user", "nobody"], "nobody"),
    ],
)
def test_import_bad_input(world, tmp_path, capsys, content, args, message):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    assert main(["indicators", "import", str(path), *args]) == 1
    assert message in capsys.readouterr().err


def test_import_without_a_city_officer(db, tmp_path, capsys):
    path = tmp_path / "input.json"
    path.write_text('{"dataValues": []}')
    assert main(["indicators", "import", str(path)]) == 1
    assert "--user" in capsys.readouterr().err
