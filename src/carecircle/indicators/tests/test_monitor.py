"""Monitoring pages: scorecard, indicator page, drill-down, gap list, definition, home panels.

A tiny fixture: three elderly-care institutions in 海安镇 and one in 城东镇 with capacity records,
and a test indicator T01 ("institutions with a phone number", a count ratio whose gap list is the
institutions without one), computed with ``services.compute`` for 2024 together with E14.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from carecircle.accounts.choices import Role
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.indicators import engine, reporting
from carecircle.indicators.choices import Status
from carecircle.indicators.definitions.common import operating
from carecircle.indicators.engine import Computation, Measure
from carecircle.indicators.models import Indicator, IndicatorValue, ReportingDeadline, Target
from carecircle.indicators.services import compute
from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS
from carecircle.institutions.models import CapacityRecord, Provider

pytestmark = pytest.mark.django_db

PERIOD = "2024"
QUTANG = "320685102"  # 曲塘镇
VILLAGE_B = "320685101210"  # a village of 城东镇


@pytest.fixture
def world(settings, monkeypatch):
    settings.CARECIRCLE_LIVE_INDICATORS = False
    engine.computations()  # the real registry first, then the test indicator on top
    institutions = Q(kind__in=ELDERLY_INSTITUTION_KINDS)
    everyone = Measure(
        model=Provider, area="area", when=operating, base=institutions, label="养老机构"
    )
    with_phone = Measure(
        model=Provider,
        area="area",
        when=operating,
        base=institutions & ~Q(phone=""),
        label="有联系电话的养老机构",
    )
    monkeypatch.setitem(
        engine.REGISTRY, "T01", Computation(code="T01", numerator=with_phone, denominator=everyone)
    )
    indicator = Indicator.objects.create(
        code="T01",
        domain="elderly",
        category="测试",
        name_zh="有联系电话的养老机构占比",
        name_en="Institutions with a phone number",
        unit="percent",
        unit_label="%",
        target_op=">=",
        target_value=Decimal(100),
        attribute="binding",
        source="computed",
        period_scope="snapshot",
        min_value=Decimal(0),
        max_value=Decimal(100),
    )
    opened = dt.date(2020, 1, 1)
    providers = [
        t.make_provider(t.VILLAGE_A1, name="钟涵敬老院", phone="0513-1", opened_on=opened),
        t.make_provider(t.VILLAGE_A1, name="钟涵护理院", phone="", opened_on=opened),
        t.make_provider(t.VILLAGE_A2, name="拥徐敬老院", phone="", opened_on=opened),
        t.make_provider(VILLAGE_B, name="城东敬老院", phone="0513-2", opened_on=opened),
    ]
    for provider, (total, nursing) in zip(
        providers, [(100, 60), (50, 10), (40, 20), (80, 70)], strict=True
    ):
        CapacityRecord.objects.create(
            provider=provider, valid_from=opened, beds_total=total, beds_nursing=nursing
        )
    compute(["T01", "E14"], [PERIOD])
    return {"indicator": indicator, "providers": providers}


@pytest.fixture
def qutang(db):
    return t.make_user(Role.TOWN_OFFICER, area_code=QUTANG, username="qutang")


def url(name, code=None, **params):
    path = reverse(f"indicators:{name}", args=[code] if code else [])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{path}?{query}" if query else path


def stored(code, area_code, period=PERIOD):
    return IndicatorValue.objects.get(indicator__code=code, area__code=area_code, period=period)


# Pages -----------------------------------------------------------------------------------------


def test_every_page_renders_for_the_city_officer(client, city_officer, world):
    client.force_login(city_officer)
    pages = [
        url("scorecard", period=PERIOD),
        url("scorecard", period=PERIOD, status=Status.OFF_TRACK, binding="binding"),
        url("indicator", "T01", period=PERIOD),
        url("indicator", "E14", period=PERIOD, area=t.TOWN_A),
        url("indicator", "E01", period=PERIOD),  # reported, nothing reported yet
        url("drilldown", "T01", period=PERIOD, part="denominator"),
        url("drilldown", "E14", period=PERIOD, part="numerator"),
        url("gap", "T01", period=PERIOD),
        url("definition", "T01"),
        url("quality"),
        url("quality", area=t.TOWN_A),
        reverse("dashboard:home"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    scorecard = client.get(url("scorecard", period=PERIOD)).content.decode()
    assert "有联系电话的养老机构占比" in scorecard
    assert "尚未填报" in scorecard  # reported indicators without a value, hatched
    indicator = client.get(url("indicator", "T01", period=PERIOD)).content.decode()
    assert 'id="fig-trend"' in indicator and 'id="fig-compare"' in indicator
    assert "indicators/vendor/plotly.min.js" in indicator
    # Offline: no script or stylesheet from another site (a CDN). The CSRF token is random text,
    # so look at the URLs the page loads, not at every substring.
    loaded = re.findall(r'(?:src|href)="([^"]+)"', indicator)
    assert loaded and not [u for u in loaded if u.startswith(("http:", "https:", "//"))]


def test_scorecard_rows_carry_value_target_status_and_rank(client, city_officer, world):
    client.force_login(city_officer)
    response = client.get(url("scorecard", period=PERIOD, area=t.TOWN_A, domain="elderly"))
    rows = {r["indicator"].code: r for g in response.context["groups"] for r in g["rows"]}
    assert "C01" not in rows  # childcare filtered out
    t01 = rows["T01"]
    assert t01["value"] == "33.33%"  # 1 of the 3 institutions of 海安镇
    assert t01["target"] == "≥ 100%"
    assert t01["chip"]["label"]
    assert re.fullmatch(r"\d+/\d+", t01["rank"])  # among the towns of the city
    partial = client.get(
        url("scorecard", period=PERIOD, status="no_data"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and "T01" not in partial


def test_indicator_table_exports_to_xlsx(client, city_officer, world):
    client.force_login(city_officer)
    response = client.get(url("indicator", "T01", period=PERIOD, export="xlsx"))
    assert response.status_code == 200
    text = t.xlsx_text(response.content)
    assert "海安镇" in text and "城东镇" in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# Scope -----------------------------------------------------------------------------------------


def test_town_officer_sees_nothing_outside_their_town(client, qutang, world):
    client.force_login(qutang)
    other = {"period": PERIOD, "area": t.TOWN_A}
    refused = [
        url("scorecard", **other),
        url("indicator", "T01", **other),
        url("indicator", "T01", export="xlsx", **other),
        url("drilldown", "T01", part="numerator", **other),
        url("drilldown", "T01", part="numerator", export="xlsx", **other),
        url("gap", "T01", **other),
        url("gap", "T01", export="xlsx", **other),
        url("definition", "T01", area=t.TOWN_A),
        url("quality", area=t.TOWN_A),
        url("scorecard", area=t.CITY),
    ]
    for page in refused:
        assert client.get(page).status_code == 404, page
    assert client.get(url("scorecard", period=PERIOD)).status_code == 200
    own = client.get(url("indicator", "T01", period=PERIOD, area=QUTANG))
    assert own.status_code == 200
    codes = [code for code, _label in own.context["areas"]]
    assert codes[0] == QUTANG and all(code.startswith(QUTANG) for code in codes)


def test_users_without_an_area_or_login_get_nothing(client, world):
    provider = world["providers"][0]
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=provider)
    client.force_login(staff)
    assert client.get(url("scorecard")).status_code == 403
    assert client.get(url("indicator", "T01")).status_code == 403
    client.logout()
    assert client.get(url("scorecard")).status_code == 302


# Drill-down ------------------------------------------------------------------------------------


@pytest.mark.parametrize("area_code", [t.CITY, t.TOWN_A, t.TOWN_B])
def test_drilldown_counts_equal_the_stored_figures(client, city_officer, world, area_code):
    client.force_login(city_officer)
    value = stored("T01", area_code)
    for part, figure in (("numerator", value.numerator), ("denominator", value.denominator)):
        response = client.get(url("drilldown", "T01", period=PERIOD, area=area_code, part=part))
        assert response.context["total_rows"] == figure
        assert response.context["visible_rows"] == figure
        assert response.context["matches"]
    beds = stored("E14", area_code)
    for part, figure in (("numerator", beds.numerator), ("denominator", beds.denominator)):
        response = client.get(url("drilldown", "E14", period=PERIOD, area=area_code, part=part))
        assert response.context["matches"], (part, figure)
        assert response.context["stored"] == f"{int(figure):,}"


def test_drilldown_lists_records_with_links_and_no_identity_numbers(client, city_officer, world):
    client.force_login(city_officer)
    response = client.get(url("drilldown", "T01", period=PERIOD, part="denominator"))
    page = response.content.decode()
    for provider in world["providers"]:
        assert provider.name in page
        assert reverse("institutions:provider-detail", args=[provider.uuid]) in page
    assert response.context["total_rows"] == stored("T01", t.CITY).denominator == 4


def test_drilldown_shows_only_records_in_the_users_domain(client, world):
    childcare = t.make_user(
        Role.HEALTH_OFFICER, area_code=t.CITY, domain=ScopeDomain.CHILDCARE, username="hc"
    )
    client.force_login(childcare)
    response = client.get(url("drilldown", "T01", period=PERIOD, part="denominator"))
    assert response.context["total_rows"] == 4
    assert response.context["visible_rows"] == 0
    assert "钟涵敬老院" not in response.content.decode()


def test_drilldown_without_the_registry_permission_shows_counts_only(client, world):
    officer = t.make_user(Role.DEPARTMENT_OFFICER, area_code=t.CITY, username="dept")
    client.force_login(officer)
    response = client.get(url("drilldown", "T01", period=PERIOD, part="denominator"))
    assert response.status_code == 200
    assert not response.context["allowed"]
    assert "钟涵敬老院" not in response.content.decode()
    exported = client.get(url("drilldown", "T01", period=PERIOD, part="denominator", export="xlsx"))
    assert exported.status_code == 403


# Gap list --------------------------------------------------------------------------------------


def test_gap_list_names_what_is_missing_and_exports_a_worklist(client, city_officer, world):
    client.force_login(city_officer)
    response = client.get(url("gap", "T01", period=PERIOD, area=t.TOWN_A))
    assert response.context["headline"]["need"] == 2  # 1 of 3 has a phone; the target is 100 %
    assert "还差 2" in response.content.decode()
    export = client.get(url("gap", "T01", period=PERIOD, area=t.TOWN_A, export="xlsx"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[-2:] == ("处理情况", "负责人")
    names = sorted(row[0] for row in rows[1:])
    assert names == ["拥徐敬老院", "钟涵护理院"]
    assert all(row[-1] is None and row[-2] is None for row in rows[1:])
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert "T01" in event.object_label


def test_gap_headline_is_zero_once_the_target_is_met(client, city_officer, world):
    client.force_login(city_officer)
    response = client.get(url("gap", "T01", period=PERIOD, area=VILLAGE_B))
    assert response.context["headline"]["need"] == 0
    assert "已达到目标" in response.content.decode()


# Definition ------------------------------------------------------------------------------------


def _definition_data(indicator, **changes):
    data = {
        "action": "definition",
        "name_zh": indicator.name_zh,
        "name_en": indicator.name_en,
        "owner_departments": ["civil_affairs"],
        "target_op": indicator.target_op,
        "target_value": str(indicator.target_value),
        "attribute": indicator.attribute,
        "formula_zh": indicator.formula_zh,
        "policy_clause": indicator.policy_clause,
        "min_value": "0",
        "max_value": "100",
        "targets_inherit": "on",
    }
    data.update(changes)
    return data


def test_editing_the_definition_bumps_the_version_and_keeps_history(client, city_officer, world):
    indicator = world["indicator"]
    client.force_login(city_officer)
    page = client.get(url("definition", "T01"))
    assert page.context["form"] is not None
    before = indicator.history.count()
    response = client.post(
        url("definition", "T01"),
        _definition_data(indicator, target_value="50", formula_zh="新口径"),
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.version, indicator.target_value, indicator.formula_zh) == (2, 50, "新口径")
    assert indicator.history.count() == before + 1
    assert indicator.history.first().history_user == city_officer
    assert AuditEvent.objects.filter(action=AuditAction.CONFIG_CHANGE).exists()
    # Stored statuses follow the new target at once: 海安镇 had 33 %, now measured against 50 %.
    assert stored("T01", t.TOWN_A).target == 50
    # A new name alone is not a new definition.
    client.post(url("definition", "T01"), _definition_data(indicator, name_zh="新名称"))
    indicator.refresh_from_db()
    assert (indicator.name_zh, indicator.version) == ("新名称", 2)
    history = client.get(url("definition", "T01")).context["history"]
    assert len(history) == before + 2


def test_definition_form_rejects_an_inverted_range(client, city_officer, world):
    client.force_login(city_officer)
    response = client.post(
        url("definition", "T01"), _definition_data(world["indicator"], min_value="120")
    )
    assert response.status_code == 400
    assert world["indicator"].version == 1


def test_targets_are_set_with_history_and_only_by_the_coordination_office(
    client, city_officer, town_officer, world
):
    client.force_login(city_officer)
    data = {"action": "target", "area": t.TOWN_A, "year": "2024", "value": "80", "note": "测试"}
    assert client.post(url("definition", "T01"), data).status_code == 302
    target = Target.objects.get(indicator__code="T01", area__code=t.TOWN_A, year=2024)
    assert (target.value, target.is_default) == (80, False)
    data["value"] = "85"
    client.post(url("definition", "T01"), data)
    target.refresh_from_db()
    assert target.value == 85 and target.history.count() == 2
    rows = client.get(url("definition", "T01")).context["milestones"]
    town = next(r for r in rows if r["area"].code == t.TOWN_A)
    assert town["cells"][3] == {"year": 2024, "value": "85", "kind": "own", "label": "本级设定"}
    client.post(url("definition", "T01"), {"action": "clear_target", "target": target.pk})
    assert not Target.objects.filter(pk=target.pk).exists()
    client.force_login(town_officer)
    assert client.get(url("definition", "T01")).context["form"] is None
    assert client.post(url("definition", "T01"), data).status_code == 403


# Home page -------------------------------------------------------------------------------------


def test_home_page_lists_binding_indicators_off_track_and_reminders(client, city_officer, world):
    year = str(timezone.localdate().year)
    compute(["T01"], [year])
    IndicatorValue.objects.filter(indicator__code="T01", period=year).update(
        status=Status.OFF_TRACK
    )
    due = ReportingDeadline.objects.create(
        indicator=Indicator.objects.get(code="E02"),
        period=str(int(year) - 1),
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    client.force_login(city_officer)
    response = client.get(reverse("dashboard:home"))
    page = response.content.decode()
    assert [a["value"].indicator.code for a in response.context["alerts"]] == ["T01"]
    assert "约束性指标预警" in page and "有联系电话的养老机构占比" in page
    assert hasattr(reporting, "reminders_for")
    reminders = response.context["reminders"]
    assert [(r.indicator.code, r.period) for r in reminders] == [("E02", due.period)]
    assert "填报提醒" in page and escape(reminders[0].url) in page


def test_home_page_of_a_user_without_indicator_rights_has_no_alerts(client, world):
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=world["providers"][0])
    client.force_login(staff)
    response = client.get(reverse("dashboard:home"))
    assert response.context["alerts"] is None
    assert "约束性指标预警" not in response.content.decode()


# Static files ----------------------------------------------------------------------------------


def test_plotly_is_served_from_the_wheel_with_its_stylesheet():
    bundle = finders.find("indicators/vendor/plotly.min.js")
    assert bundle and bundle.endswith("plotly.min.js")
    css = Path(finders.find("indicators/plotly.css")).read_text(encoding="utf-8")
    text = Path(bundle).read_text(encoding="utf-8")
    # The rules plotly.js would inject (its "X .selector": "rules" table) are all in plotly.css.
    start = text.index('{"X,X div"')
    table = text[start : text.index("};for(", start)]
    selectors = re.findall(r'[{,]"([^"]*X[^"]*)":', table)
    assert len(selectors) > 40
    for selector in selectors:
        full = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly")
        assert full + " {" in css, selector
