"""DHIS2 dataValueSets and ADX: export, import, round trips, idempotence, dry runs, conflicts."""

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own output
from decimal import Decimal

import pytest

from carecircle.accounts.choices import Role
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.indicators import exchange
from carecircle.indicators.choices import ReportState, Source
from carecircle.indicators.models import IndicatorValue, ReportedValue
from carecircle.indicators.tests.exchange_support import (
    PERIOD,
    QUTANG,
    approved,
    build_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch, city_officer):
    build_world(monkeypatch)
    approved(city_officer, "E02", t.CITY, "98.5", comment="医保局年报")
    approved(city_officer, "E02", QUTANG, "97.25")
    approved(city_officer, "E05", t.CITY, "80.1")


def reported_snapshot() -> dict:
    return {
        (r.indicator.code, r.area.code, r.period): (r.value, r.comment)
        for r in ReportedValue.objects.select_related("indicator", "area")
    }


def forget_reports() -> None:
    """As if the values came from another system: no report, no published reported value."""
    IndicatorValue.objects.filter(source=Source.REPORTED).delete()
    ReportedValue.objects.all().delete()


def document(*values, **defaults) -> bytes:
    return json.dumps({"dataValues": list(values), **defaults}).encode()


def dv(de="E02", pe=PERIOD, ou=t.CITY, value="96", **extra) -> dict:
    return {"dataElement": de, "period": pe, "orgUnit": ou, "value": value, **extra}


def test_dhis2_json_export_gives_values_not_na(world):
    root = t.area(t.CITY)
    data = json.loads(exchange.to_dhis2_json(exchange.export_values(root, [PERIOD])))
    assert data["dataSet"] == exchange.DATASET
    values = {(v["dataElement"], v["orgUnit"]): v for v in data["dataValues"]}
    assert values[("E02", t.CITY)]["value"] == "98.5"
    assert values[("E02", t.CITY)]["comment"] == "医保局年报"
    assert values[("E02", t.CITY)]["storedBy"] == "city"
    assert values[("E05", t.CITY)]["value"] == "80.1"
    assert values[("X05", t.CITY)]["value"] == "33.3333"
    assert values[("X05", QUTANG)]["value"] == "50"
    assert values[("X05", QUTANG)]["storedBy"] == exchange.COMPUTED_BY
    # Units without institutions have X05 n/a: not exported, and no reason anywhere.
    na = IndicatorValue.objects.filter(indicator__code="X05", period=PERIOD, value__isnull=True)
    assert na.exists()
    exported_units = {v["orgUnit"] for v in data["dataValues"] if v["dataElement"] == "X05"}
    assert not exported_units & set(na.values_list("area__code", flat=True))
    assert all(
        set(v)
        <= {"dataElement", "period", "orgUnit", "value", "storedBy", "lastUpdated", "comment"}
        for v in data["dataValues"]
    )
    assert "分母为0" not in json.dumps(data, ensure_ascii=False)


def test_adx_export_groups_by_unit_and_period(world):
    root = t.area(t.CITY)
    xml = exchange.to_adx(exchange.export_values(root, [PERIOD]))
    tree = ET.fromstring(xml)  # noqa: S314 - our own output
    ns = {"adx": exchange.ADX_NS}
    assert tree.tag == f"{{{exchange.ADX_NS}}}adx"
    group = tree.find(f"adx:group[@orgUnit='{t.CITY}']", ns)
    assert group.get("period") == "2025-01-01/P1Y"
    assert group.get("dataSet") == "CARECIRCLE"
    e02 = group.find("adx:dataValue[@dataElement='E02']", ns)
    assert e02.get("value") == "98.5"
    assert e02.find("adx:annotation", ns).text == "医保局年报"


@pytest.mark.parametrize("fmt", ["dhis2-json", "adx"])
def test_round_trip_gives_the_same_reported_values(world, city_officer, fmt):
    before = reported_snapshot()
    values = exchange.export_values(t.area(t.CITY), [PERIOD])
    data = exchange.export_document(fmt, values)
    computed = IndicatorValue.objects.filter(
        period=PERIOD, value__isnull=False, source=Source.COMPUTED
    ).count()
    forget_reports()

    summary = exchange.import_document(city_officer, data)

    assert summary.conflicts == []
    assert (summary.imported, summary.updated) == (3, 0)
    assert summary.ignored == computed  # computed values equal to ours are ignored
    assert reported_snapshot() == before
    assert set(ReportedValue.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}
    assert set(ReportedValue.objects.values_list("entered_by__username", flat=True)) == {"city"}


def test_importing_twice_changes_nothing(world, city_officer):
    data = exchange.to_dhis2_json(exchange.export_values(t.area(t.CITY), [PERIOD]))
    forget_reports()
    first = exchange.import_document(city_officer, data)
    assert first.imported == 3
    stamps = dict(ReportedValue.objects.values_list("pk", "updated_at"))

    second = exchange.import_document(city_officer, data)

    assert (second.imported, second.updated, second.conflicts) == (0, 0, [])
    assert second.ignored == first.total
    assert dict(ReportedValue.objects.values_list("pk", "updated_at")) == stamps


def test_dry_run_changes_nothing(world, city_officer):
    data = exchange.to_dhis2_json(exchange.export_values(t.area(t.CITY), [PERIOD]))
    forget_reports()
    audits = AuditEvent.objects.count()

    summary = exchange.import_document(city_officer, data, dry_run=True)

    assert summary.dry_run and summary.imported == 3
    assert not ReportedValue.objects.exists()
    assert AuditEvent.objects.count() == audits
    assert exchange.import_document(city_officer, data).imported == 3


def test_real_import_is_audited(world, city_officer):
    exchange.import_document(city_officer, document(dv("E03", value="99.5")))
    event = AuditEvent.objects.filter(action="import").latest("pk")
    assert event.user == city_officer
    assert event.detail["created"] == "1"


def test_changed_submitted_value_is_updated_same_value_ignored(world, city_officer):
    first = exchange.import_document(city_officer, document(dv("E03", value="99.1")))
    assert first.imported == 1
    same = exchange.import_document(city_officer, document(dv("E03", value="99.10")))
    assert (same.ignored, same.updated) == (1, 0)
    changed = exchange.import_document(city_officer, document(dv("E03", value="99.3")))
    assert changed.updated == 1
    report = ReportedValue.objects.get(indicator__code="E03", area__code=t.CITY)
    assert report.value == Decimal("99.3")
    assert report.state == ReportState.SUBMITTED


def test_conflicts_have_reasons(world, city_officer):
    data = document(
        dv("Z99"),
        dv(ou="999999"),
        dv(pe="2025M1"),
        dv(value="abc"),
        dv(value="NaN"),
        dv("X05", ou=QUTANG, value="77"),
        dv("E02", value="90"),  # approved 98.5: locked
        dv("E03", pe="202503"),  # annual indicator
        dv("E03", value="150"),  # a percentage above 100
        dv("E03", ou=QUTANG, value="95"),
        dv("E03", ou=QUTANG, value="96"),  # the same value twice in one file
        dv("E03", value=""),
        dv("E03", pe="2099"),
        dv("E03", deleted=True),
    )
    summary = exchange.import_document(city_officer, data)
    reasons = {c.index: c.reason for c in summary.conflicts}
    assert summary.imported == 1
    assert "Z99" in reasons[1]
    assert "999999" in reasons[2]
    assert "2025M1" in reasons[3]
    assert "abc" in reasons[4]
    assert "NaN" in reasons[5]
    assert "系统" in reasons[6]
    assert "锁定" in reasons[7] and "98.5" in reasons[7]
    assert "年度" in reasons[8]
    assert "不能大于" in reasons[9]
    assert 10 not in reasons
    assert "重复" in reasons[11]
    assert "缺少数值" in reasons[12]
    assert "尚未开始" in reasons[13]
    assert "删除" in reasons[14]
    assert summary.status == "warning"
    assert ReportedValue.objects.get(indicator__code="E02", area__code=t.CITY).value == Decimal(
        "98.5"
    )


def test_import_respects_scope_and_department(world):
    town_coordinator = t.make_user(Role.CITY_OFFICER, area_code=QUTANG, username="qt-coord")
    summary = exchange.import_document(
        town_coordinator, document(dv("E03", ou=t.TOWN_A), dv("E03", ou=QUTANG))
    )
    assert summary.imported == 1
    assert "管辖范围" in summary.conflicts[0].reason
    village = t.make_user(Role.VILLAGE_WORKER, area_code=QUTANG, username="vw")
    denied = exchange.import_document(village, document(dv("E03", ou=QUTANG, value="97")))
    assert "无权" in denied.conflicts[0].reason
    assert denied.status == "error"


def test_set_level_period_and_org_unit_apply_to_values(world, city_officer):
    data = json.dumps(
        {"period": PERIOD, "orgUnit": QUTANG, "dataValues": [{"dataElement": "E03", "value": "9"}]}
    )
    assert exchange.import_document(city_officer, data).imported == 1
    assert ReportedValue.objects.filter(indicator__code="E03", area__code=QUTANG).exists()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b'{"values": []}',
        b"[1, 2]",
        b"<root/>",
        b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY a "b">]><adx/>',
        b"<adx",
    ],
)
def test_bad_documents_are_refused(data, city_officer):
    with pytest.raises(exchange.ExchangeError):
        exchange.import_document(city_officer, data)


def test_adx_import_reads_periods_and_annotations(world, city_officer):
    xml = f"""<adx xmlns="{exchange.ADX_NS}">
      <group orgUnit="{QUTANG}" period="2025-01-01/P1Y" dataSet="CARECIRCLE">
        <dataValue dataElement="E03" value="98"><annotation>镇上报</annotation></dataValue>
      </group>
      <group orgUnit="{QUTANG}" period="2025-02-01/P1Y" dataSet="CARECIRCLE">
        <dataValue dataElement="E03" value="98"/>
      </group>
    </adx>"""
    summary = exchange.import_document(city_officer, xml)
    assert summary.imported == 1
    assert "ADX" in summary.conflicts[0].reason
    report = ReportedValue.objects.get(indicator__code="E03", area__code=QUTANG)
    assert (report.period, report.comment) == ("2025", "镇上报")


def test_format_value():
    assert exchange.format_value(Decimal("75.0000")) == "75"
    assert exchange.format_value(Decimal("12.5000")) == "12.5"
    assert exchange.format_value(Decimal("1E+3")) == "1000"
    assert exchange.format_value(Decimal("0.0000")) == "0"
