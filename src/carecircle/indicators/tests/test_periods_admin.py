"""Closing, publishing and republishing periods: frozen values, audit, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carecircle.accounts.choices import DepartmentKind, Role
from carecircle.accounts.models import Department
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.indicators import periods_admin, reporting
from carecircle.indicators.choices import ReportState
from carecircle.indicators.models import Indicator, IndicatorValue, PeriodState, Target
from carecircle.indicators.services import compute
from carecircle.institutions.models import CapacityRecord

TODAY = dt.date(2026, 6, 1)


def req(user):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"}, request_id="test")


@pytest.fixture
def renshe(db):
    dept = Department.objects.create(
        kind=DepartmentKind.HUMAN_RESOURCES, area=t.area(t.CITY), name="人社局"
    )
    return t.make_user(
        Role.DEPARTMENT_OFFICER, area_code=t.CITY, username="renshe", department=dept
    )


@pytest.fixture
def beds(db):
    """An elderly institution in 海安镇 with 80 of 100 beds nursing-type since 2020."""
    provider = t.make_provider(t.VILLAGE_A1, opened_on=dt.date(2019, 1, 1))
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2020, 1, 1), beds_total=100, beds_nursing=80
    )
    return provider


def e14(area_code: str, period: str) -> Decimal | None:
    return IndicatorValue.objects.get(
        indicator__code="E14", area__code=area_code, period=period
    ).value


def test_closing_freezes_the_period_and_republish_recomputes_it(city_officer, beds):
    state = periods_admin.close_period(req(city_officer), "2024", "年度数据核定", today=TODAY)
    assert state.closed_by == city_officer and state.published_at is None
    assert e14(t.TOWN_A, "2024") == Decimal("80.0000")
    event = AuditEvent.objects.get(action=AuditAction.PERIOD_CLOSE)
    assert event.detail["step"] == "close" and event.detail["note"] == "年度数据核定"

    # New records dated inside the closed year no longer change it...
    CapacityRecord.objects.create(
        provider=beds, valid_from=dt.date(2024, 6, 1), beds_total=100, beds_nursing=50
    )
    report = compute(["E14"], ["2024", "2023"], today=TODAY)
    assert report.skipped_closed == ["2024"]
    assert e14(t.TOWN_A, "2024") == Decimal("80.0000")
    assert e14(t.TOWN_A, "2023") == Decimal("80.0000")

    # ...until the period is republished explicitly; it stays closed.
    with pytest.raises(ValidationError):
        periods_admin.republish_period(req(city_officer), "2024", " ", today=TODAY)
    state = periods_admin.republish_period(
        req(city_officer), "2024", "补录2024年6月床位变更", today=TODAY
    )
    assert e14(t.TOWN_A, "2024") == Decimal("50.0000")
    assert state.republished_count == 1 and state.published_at is not None
    assert PeriodState.objects.filter(period="2024").exists()
    event = AuditEvent.objects.get(action=AuditAction.PERIOD_REPUBLISH)
    assert event.detail["reason"] == "补录2024年6月床位变更" and event.detail["count"] == "1"
    periods_admin.republish_period(req(city_officer), "2024", "再次核对", today=TODAY)
    assert PeriodState.objects.get(period="2024").republished_count == 2


def test_publish_is_audited_once(city_officer):
    with pytest.raises(ValidationError, match="尚未关账"):
        periods_admin.publish_period(req(city_officer), "2023")
    periods_admin.close_period(req(city_officer), "2023", today=TODAY)
    state = periods_admin.publish_period(req(city_officer), "2023")
    assert state.published_at is not None
    with pytest.raises(ValidationError, match="已发布"):
        periods_admin.publish_period(req(city_officer), "2023")
    steps = [e.detail["step"] for e in AuditEvent.objects.filter(action=AuditAction.PERIOD_CLOSE)]
    assert sorted(steps) == ["close", "publish"]


def test_closing_is_refused_twice_before_the_end_and_with_pending_reports(city_officer, renshe):
    with pytest.raises(ValidationError, match="尚未结束"):
        periods_admin.close_period(req(city_officer), "2026", today=TODAY)
    with pytest.raises(ValidationError, match="格式不正确"):
        periods_admin.close_period(req(city_officer), "26", today=TODAY)
    e01 = Indicator.objects.get(code="E01")
    report = reporting.save_report(
        renshe, e01, t.area(t.CITY), "2025", Decimal(95), submit=True
    ).report
    with pytest.raises(ValidationError, match="1 条填报待审核"):
        periods_admin.close_period(req(city_officer), "2025", today=TODAY)
    reporting.approve(req(city_officer), report)
    periods_admin.close_period(req(city_officer), "2025", today=TODAY)
    with pytest.raises(ValidationError, match="已关账"):
        periods_admin.close_period(req(city_officer), "2025", today=TODAY)
    assert not PeriodState.objects.filter(period="2026").exists()


def test_republish_refreshes_reported_values_of_the_period(city_officer, renshe):
    e01 = Indicator.objects.get(code="E01")
    report = reporting.save_report(
        renshe, e01, t.area(t.CITY), "2025", Decimal(85), submit=True
    ).report
    reporting.approve(req(city_officer), report)
    value = IndicatorValue.objects.get(indicator=e01, period="2025", area__code=t.CITY)
    assert value.target == Decimal(90) and value.status != "achieved"
    periods_admin.close_period(req(city_officer), "2025", today=TODAY)
    # The coordination office lowers the target: the closed period keeps its status...
    Target.objects.create(indicator=e01, area=t.area(t.CITY), year=2025, value=Decimal(80))
    value.refresh_from_db()
    assert value.target == Decimal(90)
    # ...and changes it only when republished. Reported values stay locked throughout.
    periods_admin.republish_period(req(city_officer), "2025", "目标调整", today=TODAY)
    value.refresh_from_db()
    assert value.target == Decimal(80) and value.status == "achieved"
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    with pytest.raises(ValidationError, match="已关账"):
        reporting.unlock(req(city_officer), report, "更正")


def test_only_the_coordination_office_closes_periods(client, city_officer, renshe, town_officer):
    for user in (renshe, town_officer):
        with pytest.raises(PermissionDenied):
            periods_admin.close_period(req(user), "2023", today=TODAY)
        client.force_login(user)
        assert client.get(reverse("indicators:periods")).status_code == 403
        url = reverse("indicators:period-action", args=["2023", "close"])
        assert client.post(url).status_code == 403
    assert not PeriodState.objects.exists()

    client.force_login(city_officer)
    page = client.get(reverse("indicators:periods"))
    assert page.status_code == 200 and "2023" in page.content.decode()
    response = client.post(
        reverse("indicators:period-action", args=["2023", "close"]), {"note": "核定"}
    )
    assert response.status_code == 302
    assert PeriodState.objects.get(period="2023").note == "核定"
    client.post(reverse("indicators:period-action", args=["2023", "publish"]))
    client.post(reverse("indicators:period-action", args=["2023", "republish"]), {"reason": ""})
    assert PeriodState.objects.get(period="2023").republished_count == 0
    client.post(reverse("indicators:period-action", args=["2023", "republish"]), {"reason": "更正"})
    state = PeriodState.objects.get(period="2023")
    assert state.published_at is not None and state.republished_count == 1
    # There is no way back: a closed period is never reopened.
    assert (
        client.post(reverse("indicators:period-action", args=["2023", "reopen"])).status_code == 404
    )
    assert PeriodState.objects.filter(period="2023").exists()


def test_period_rows_list_states_and_pending_reports(city_officer, renshe):
    e01 = Indicator.objects.get(code="E01")
    reporting.save_report(renshe, e01, t.area(t.CITY), "2024", Decimal(95), submit=True)
    rows = {row.code: row for row in periods_admin.period_rows(TODAY)}
    assert {"2021", "2025", "2026", "2026Q2", "202606"} <= set(rows)
    assert rows["2024"].submitted == 1 and not rows["2024"].can_close
    assert rows["2023"].can_close and rows["2023"].status == "open"
    assert not rows["2026"].can_close
