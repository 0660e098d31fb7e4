"""The leading-group report: xlsx sheets, the PDF with its Chinese font, the web download."""

import io

import pytest
from openpyxl import load_workbook

from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.indicators import reports
from carecircle.indicators.choices import Status
from carecircle.indicators.tests.exchange_support import (
    PERIOD,
    QUTANG,
    approved,
    build_world,
    qutang_officer,
)

pytestmark = pytest.mark.django_db

URL = "/indicators/report/"


@pytest.fixture
def world(monkeypatch, city_officer):
    build_world(monkeypatch)
    approved(city_officer, "E02", t.CITY, "98.5")


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_report_content(world):
    report = reports.build(t.area(t.CITY), PERIOD)
    assert len(report.rows) == 49
    codes = [row.indicator.code for row in report.alerts]
    # X05 is binding and has not moved since the baseline (1 of 3 institutions): off track.
    assert "X05" in codes
    assert all(
        row.status in (Status.NEEDS_ACCELERATION, Status.OFF_TRACK, Status.DETERIORATING)
        for row in report.alerts
    )
    assert all(row.indicator.is_binding for row in report.alerts)
    assert QUTANG in [u.code for u in report.units]
    assert len(report.units) > 9  # the towns of Hai'an: the PDF splits them


def test_xlsx_sheets(world):
    report = reports.build(t.area(t.CITY), PERIOD)
    book = load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert book.sheetnames == ["指标总览", "预警", "分镇街情况"]
    scorecard = rows(book["指标总览"])
    assert scorecard[0][0] == report.title
    header = scorecard[reports.HEADER_ROW - 1]
    assert header[:8] == [
        "指标代码",
        "指标名称",
        "属性",
        "计量单位",
        "当期值",
        "2025年目标",
        "状态",
        "较上期变化",
    ]
    by_code = {r[0]: r for r in scorecard[reports.HEADER_ROW :] if r[0]}
    assert by_code["E02"][4] == 98.5
    assert by_code["E02"][5] == "≥99"
    assert by_code["X05"][6] == "进度滞后"
    assert by_code["C01"][11]  # a reason why there is no value
    alerts = rows(book["预警"])[reports.HEADER_ROW :]
    assert "X05" in [r[0] for r in alerts]
    towns = rows(book["分镇街情况"])
    header = towns[reports.HEADER_ROW - 1]
    assert "曲塘镇" in header
    x05 = next(r for r in towns if r[0] == "X05")
    assert x05[header.index("曲塘镇")] == 50


def test_pdf_embeds_the_chinese_font(world):
    report = reports.build(t.area(t.CITY), PERIOD)
    data = reports.to_pdf(report)
    assert data.startswith(b"%PDF")
    assert b"STSong-Light" in data
    assert len(data) > 5000


def test_report_of_a_village_has_no_unit_table(world):
    report = reports.build(t.area("320685102202"), PERIOD)
    assert report.units == []
    assert reports.to_pdf(report).startswith(b"%PDF")
    book = load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert "本区划没有下级区划" in t.xlsx_text(reports.to_xlsx(report))
    assert len(book.sheetnames) == 3


@pytest.mark.parametrize(("fmt", "head"), [("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_web_download_is_scoped_and_audited(client, world, fmt, head):
    client.force_login(qutang_officer())
    response = client.get(URL, {"area": QUTANG, "period": PERIOD, "format": fmt})
    assert response.status_code == 200
    assert response.content.startswith(head)
    assert response["Content-Type"] == reports.CONTENT_TYPES[fmt]
    assert f"indicators-report-{QUTANG}-{PERIOD}-" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.user.username == "qutang"
    assert f"area={QUTANG}" in event.detail["filters"]
    # Outside the officer's town: not found.
    assert client.get(URL, {"area": t.CITY, "period": PERIOD, "format": fmt}).status_code == 404


def test_web_download_defaults_and_refusals(client, world, city_officer, outsider):
    client.force_login(city_officer)
    response = client.get(URL, {"period": PERIOD})
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert client.get(URL, {"format": "doc"}).status_code == 404
    assert client.get(URL, {"period": "2025X"}).status_code == 404
    assert client.post(URL).status_code == 405
    client.force_login(outsider)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
