"""Indicator API: catalogue, targets, values, drill-down, gap lists, export and import, scoped."""

import json

import pytest

from carecircle.accounts.choices import Role
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.indicators.choices import ReportState
from carecircle.indicators.exchange import ADX_NS
from carecircle.indicators.models import Indicator, ReportedValue, Target
from carecircle.indicators.tests.exchange_support import (
    PERIOD,
    QUTANG,
    QUTANG_VILLAGE,
    approved,
    build_world,
    qutang_officer,
)

pytestmark = pytest.mark.django_db

API = "/api"


@pytest.fixture
def world(monkeypatch, city_officer):
    build_world(monkeypatch)
    approved(city_officer, "E02", t.CITY, "98.5")
    approved(city_officer, "E02", QUTANG, "97")


@pytest.fixture
def qutang(db):
    return qutang_officer()


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def all_results(client, url, params) -> list[dict]:
    params = {**params, "page_size": 500}
    return results(client.get(url, params))


def test_catalogue(client, qutang):
    client.force_login(qutang)
    rows = all_results(client, f"{API}/indicators/", {})
    assert len(rows) == 49
    e14 = client.get(f"{API}/indicators/E14/").json()
    assert e14["name_zh"] == "护理型床位数占养老机构床位比例"
    assert e14["target_value"] == "75.0000"
    assert e14["data_source"] == "computed"
    assert client.get(f"{API}/indicators/E02/").json()["data_source"] == "reported"
    binding = all_results(client, f"{API}/indicators/", {"attribute": "binding"})
    assert binding and all(r["attribute"] == "binding" for r in binding)


def test_institution_staff_and_outsiders_see_no_indicator(client, outsider):
    provider = t.make_provider(t.VILLAGE_A1)
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=provider, username="inst")
    for user in (staff, outsider):
        client.force_login(user)
        assert client.get(f"{API}/indicators/").status_code == 403
        assert client.get(f"{API}/indicator-values/").status_code == 403
    client.logout()
    assert client.get(f"{API}/indicators/").status_code in (401, 403)


def test_targets(client, qutang):
    indicator = Indicator.objects.get(code="E14")
    Target.objects.create(indicator=indicator, area=t.area(QUTANG), year=2024, value=50, note="镇")
    client.force_login(qutang)
    [row] = results(client.get(f"{API}/indicator-targets/", {"area": QUTANG}))
    assert (row["indicator"], row["area"], row["year"], row["value"]) == (
        "E14",
        QUTANG,
        2024,
        "50.0000",
    )
    assert results(client.get(f"{API}/indicator-targets/", {"indicator": "E02"})) == []


def test_values_are_scoped_to_the_subtree(client, world, city_officer, qutang):
    client.force_login(qutang)
    rows = all_results(client, f"{API}/indicator-values/", {"indicator": "X05", "period": PERIOD})
    codes = {r["area"] for r in rows}
    assert QUTANG in codes and QUTANG_VILLAGE in codes
    assert all(code.startswith(QUTANG) for code in codes)
    # Outside the town: nothing, and no detail either.
    assert results(client.get(f"{API}/indicator-values/", {"area": t.CITY})) == []
    outside = client.get(f"{API}/indicator-values/", {"area": t.CITY, "page_size": 1})
    assert outside.json()["count"] == 0
    client.force_login(city_officer)
    query = {"indicator": "X05", "area": t.CITY, "period": PERIOD}
    [city_row] = results(client.get(f"{API}/indicator-values/", query))
    client.force_login(qutang)
    assert client.get(f"{API}/indicator-values/{city_row['id']}/").status_code == 404


def test_value_filters(client, world, qutang):
    client.force_login(qutang)
    [row] = results(
        client.get(
            f"{API}/indicator-values/",
            {"indicator": "X05", "area": QUTANG, "period": PERIOD, "source": "computed"},
        )
    )
    assert row["value"] == "50.0000"
    assert row["status"] == "off_track"
    assert row["numerator"] == "1.0000" and row["denominator"] == "2.0000"
    reported = results(client.get(f"{API}/indicator-values/", {"source": "reported"}))
    assert [(r["indicator"], r["area"]) for r in reported] == [("E02", QUTANG)]
    off = results(client.get(f"{API}/indicator-values/", {"status": "off_track", "page_size": 500}))
    assert off and all(r["status"] == "off_track" for r in off)
    assert client.get(f"{API}/indicator-values/", {"status": "nonsense"}).status_code == 400


def test_drilldown_shows_masked_people_in_scope(client, world, qutang):
    client.force_login(qutang)
    url = f"{API}/indicators/E13/records/"
    data = client.get(url, {"area": QUTANG, "period": PERIOD, "part": "numerator"}).json()
    assert (data["indicator"], data["area"], data["part"], data["model"]) == (
        "E13",
        QUTANG,
        "numerator",
        "persons.Person",
    )
    assert data["count"] == 1
    [row] = data["results"]
    assert row["area"] == QUTANG_VILLAGE
    assert "李*光" in row["values"]
    text = json.dumps(data, ensure_ascii=False)
    assert "李四光" not in text and "张三丰" not in text
    denominator = client.get(url, {"area": QUTANG, "period": PERIOD, "part": "denominator"})
    assert denominator.json()["count"] == 2
    assert client.get(url, {"area": t.CITY, "period": PERIOD}).status_code == 404
    assert client.get(url, {"area": QUTANG, "part": "both"}).status_code == 400
    assert client.get(url, {"area": QUTANG, "period": "20250"}).status_code == 400


def test_drilldown_of_providers_and_no_source(client, world, city_officer, qutang):
    client.force_login(city_officer)
    url = f"{API}/indicators/X05/records/"
    data = client.get(url, {"period": PERIOD, "part": "denominator"}).json()
    assert data["count"] == 3
    assert {r["area"] for r in data["results"]} == {QUTANG_VILLAGE, t.VILLAGE_A1}
    client.force_login(qutang)
    data = client.get(url, {"period": PERIOD, "part": "denominator"}).json()
    assert data["area"] == QUTANG and data["count"] == 2
    # A reported indicator has no records behind it.
    assert client.get(f"{API}/indicators/E02/records/").status_code == 404


def test_gap_list_is_scoped(client, world, city_officer, qutang):
    client.force_login(qutang)
    url = f"{API}/indicators/X05/gap/"
    data = client.get(url, {"area": QUTANG, "period": PERIOD}).json()
    assert data["count"] == 1
    assert "曲塘敬老院" in data["results"][0]["values"]
    assert client.get(url, {"area": t.CITY, "period": PERIOD}).status_code == 404
    client.force_login(city_officer)
    assert client.get(url, {"period": PERIOD}).json()["count"] == 2


def test_export_is_scoped_and_audited(client, world, qutang):
    client.force_login(qutang)
    url = f"{API}/indicators/export/"
    response = client.get(url, {"period": PERIOD})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    values = json.loads(response.content)["dataValues"]
    assert values and all(v["orgUnit"].startswith(QUTANG) for v in values)
    assert {"dataElement": "E02", "orgUnit": QUTANG, "value": "97"}.items() <= next(
        v for v in values if v["dataElement"] == "E02"
    ).items()
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.user == qutang and event.detail["rows"] == str(len(values))
    adx = client.get(url, {"period": PERIOD, "format": "adx"})
    assert adx.status_code == 200
    assert adx["Content-Type"].startswith("application/adx+xml")
    assert ADX_NS.encode() in adx.content and b'orgUnit="320685"' not in adx.content
    assert client.get(url, {"period": PERIOD, "area": t.CITY}).status_code == 404
    assert client.get(url, {"period": PERIOD, "format": "csv"}).status_code == 404


def test_import_as_the_caller(client, world, city_officer):
    client.force_login(city_officer)
    url = f"{API}/indicators/import/"
    body = {
        "dataValues": [
            {"dataElement": "E03", "period": PERIOD, "orgUnit": QUTANG, "value": "99.5"},
            {"dataElement": "E02", "period": PERIOD, "orgUnit": QUTANG, "value": "97"},
            {"dataElement": "X05", "period": PERIOD, "orgUnit": QUTANG, "value": "10"},
        ]
    }
    dry = client.post(f"{url}?dry_run=true", body, content_type="application/json")
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True and dry.json()["imported"] == 1
    assert not ReportedValue.objects.filter(indicator__code="E03").exists()

    response = client.post(url, body, content_type="application/json")
    summary = response.json()
    assert (summary["imported"], summary["updated"], summary["ignored"]) == (1, 0, 1)
    assert summary["status"] == "warning"
    [conflict] = summary["conflicts"]
    assert conflict["data_element"] == "X05" and "系统" in conflict["reason"]
    report = ReportedValue.objects.get(indicator__code="E03", area__code=QUTANG)
    assert report.state == ReportState.SUBMITTED and report.entered_by == city_officer

    again = client.post(url, body, content_type="application/json").json()
    assert (again["imported"], again["updated"], again["ignored"]) == (0, 0, 2)


def test_import_of_adx_and_bad_bodies(client, world, city_officer):
    client.force_login(city_officer)
    url = f"{API}/indicators/import/"
    adx = (
        f'<adx xmlns="{ADX_NS}"><group orgUnit="{QUTANG}" period="2025-01-01/P1Y">'
        '<dataValue dataElement="E03" value="98"/></group></adx>'
    )
    response = client.post(url, adx, content_type="application/adx+xml")
    assert response.json()["imported"] == 1
    assert client.post(url, {"rows": []}, content_type="application/json").status_code == 400
    assert client.post(url, [1], content_type="application/json").status_code == 400
    assert client.post(url, "{", content_type="application/json").status_code == 400
    bomb = '<!DOCTYPE adx [<!ENTITY a "b">]><adx/>'
    assert client.post(url, bomb, content_type="application/adx+xml").status_code == 400


def test_import_needs_the_report_permission(client, world, qutang):
    client.force_login(qutang)
    body = {
        "dataValues": [{"dataElement": "E03", "period": PERIOD, "orgUnit": QUTANG, "value": "9"}]
    }
    response = client.post(f"{API}/indicators/import/", body, content_type="application/json")
    assert response.status_code == 403
    assert not ReportedValue.objects.filter(indicator__code="E03").exists()
