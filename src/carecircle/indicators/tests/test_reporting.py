"""Reported values: entry, approval locking, unlock, permissions, checks, import, reminders."""

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
from carecircle.core.imports import run_import
from carecircle.indicators import reporting
from carecircle.indicators.choices import ReportState, Source
from carecircle.indicators.importers import ReportedValueImporter
from carecircle.indicators.models import (
    Indicator,
    IndicatorValue,
    PeriodState,
    ReportedValue,
    ReportingDeadline,
    ValueNote,
)

HEADERS = [column.header for column in ReportedValueImporter.columns]


def department(kind: str, area_code: str = t.CITY) -> Department:
    return Department.objects.get_or_create(
        kind=kind, area=t.area(area_code), defaults={"name": f"测试{kind}"}
    )[0]


def officer(kind: str, username: str, area_code: str = t.CITY):
    return t.make_user(
        Role.DEPARTMENT_OFFICER,
        area_code=area_code,
        username=username,
        department=department(kind, area_code),
    )


@pytest.fixture
def renshe(db):
    return officer(DepartmentKind.HUMAN_RESOURCES, "renshe")


@pytest.fixture
def yibao(db):
    return officer(DepartmentKind.MEDICAL_INSURANCE, "yibao")


@pytest.fixture
def city(city_officer):
    city_officer.department = department(DepartmentKind.COORDINATION)
    city_officer.save()
    return city_officer


def req(user):
    """What the services need of a request: the user, an address, a request id."""
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"}, request_id="test")


def ind(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def submitted(user, code="E01", period="2025", value="95.2", **kwargs) -> ReportedValue:
    return reporting.save_report(
        user, ind(code), t.area(t.CITY), period, Decimal(value), submit=True, **kwargs
    ).report


# Workflow and locking ---------------------------------------------------------------------------


def test_approval_locks_publishes_and_unlock_is_audited(renshe, city):
    report = submitted(renshe, numerator=Decimal("952"), denominator=Decimal("1000"))
    assert report.state == ReportState.SUBMITTED
    reporting.approve(req(city), report)
    report.refresh_from_db()
    assert report.is_locked and report.decided_by == city
    value = IndicatorValue.objects.get(indicator=report.indicator, area=report.area, period="2025")
    assert value.source == Source.REPORTED and value.value == Decimal("95.2")
    assert value.numerator == Decimal("952") and value.denominator == Decimal("1000")

    with pytest.raises(ValidationError, match="审核锁定"):
        reporting.save_report(renshe, report.indicator, report.area, "2025", Decimal("96"))
    with pytest.raises(PermissionDenied):
        reporting.unlock(req(renshe), report, "写错了")
    with pytest.raises(ValidationError):
        reporting.unlock(req(city), report, "  ")

    reporting.unlock(req(city), report, "人社局更正年报口径")
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert not IndicatorValue.objects.filter(indicator=report.indicator, period="2025").exists()
    event = AuditEvent.objects.get(action=AuditAction.VALUE_UNLOCK)
    assert event.detail["reason"] == "人社局更正年报口径" and event.username == city.username

    reporting.save_report(renshe, report.indicator, report.area, "2025", Decimal("96"), submit=True)
    report.refresh_from_db()
    reporting.approve(req(city), report)
    assert IndicatorValue.objects.get(indicator=report.indicator, period="2025").value == 96
    assert AuditEvent.objects.filter(action=AuditAction.VALUE_APPROVE).count() == 2
    reasons = [h.history_change_reason for h in report.history.all()]
    assert "人社局更正年报口径" in reasons


def test_reject_needs_a_reason_and_reopens_entry(renshe, city):
    report = submitted(renshe)
    with pytest.raises(ValidationError):
        reporting.reject(req(city), report, "")
    reporting.reject(req(city), report, "分母口径不对")
    report.refresh_from_db()
    assert report.state == ReportState.REJECTED and report.reject_reason == "分母口径不对"
    reporting.submit(renshe, report)
    assert report.state == ReportState.SUBMITTED


def test_saving_the_same_values_changes_nothing(renshe):
    first = reporting.save_report(renshe, ind("E01"), t.area(t.CITY), "2025", Decimal("95"))
    again = reporting.save_report(renshe, ind("E01"), t.area(t.CITY), "2025", Decimal("95"))
    assert (first.outcome, again.outcome) == ("created", "unchanged")
    assert first.report.history.count() == 1


# Permissions ------------------------------------------------------------------------------------


def test_department_reports_only_its_own_indicators(renshe, yibao):
    assert reporting.may_report(renshe, ind("E01"))
    assert not reporting.may_report(renshe, ind("E02"))
    with pytest.raises(PermissionDenied):
        reporting.save_report(renshe, ind("E02"), t.area(t.CITY), "2025", Decimal("98"))
    assert submitted(yibao, "E02", value="98.5").state == ReportState.SUBMITTED


def test_reporting_outside_the_own_area_is_refused(db):
    town_dept = officer(DepartmentKind.HUMAN_RESOURCES, "renshe-town", t.TOWN_A)
    with pytest.raises(PermissionDenied):
        reporting.save_report(town_dept, ind("E01"), t.area(t.TOWN_B), "2025", Decimal("95"))
    assert reporting.save_report(town_dept, ind("E01"), t.area(t.TOWN_A), "2025", Decimal("95"))


def test_computed_indicators_with_records_cannot_be_reported(city):
    with pytest.raises(ValidationError, match="系统计算"):
        reporting.save_report(city, ind("E14"), t.area(t.CITY), "2025", Decimal("50"))


def test_town_officer_and_department_cannot_approve(client, renshe, town_officer):
    report = submitted(renshe)
    for user in (town_officer, renshe):
        with pytest.raises(PermissionDenied):
            reporting.approve(req(user), report)
    client.force_login(town_officer)
    assert client.get(reverse("indicators:report-approvals")).status_code == 403
    url = reverse("indicators:report-action", args=[report.pk, "approve"])
    # The town officer does not even see a city value.
    assert client.post(url).status_code == 404
    client.force_login(renshe)
    assert client.get(reverse("indicators:report-approvals")).status_code == 403
    client.post(url)
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_entry_page_refuses_other_departments_indicators(client, renshe):
    client.force_login(renshe)
    url = reverse("indicators:report-entry")
    assert (
        client.get(url, {"indicator": "E01", "area": t.CITY, "period": "2025"}).status_code == 200
    )
    assert (
        client.get(url, {"indicator": "E02", "area": t.CITY, "period": "2025"}).status_code == 403
    )
    assert (
        client.get(url, {"indicator": "E14", "area": t.CITY, "period": "2025"}).status_code == 404
    )


def test_town_officer_cannot_enter_values(client, town_officer):
    client.force_login(town_officer)
    query = {"indicator": "E01", "area": t.TOWN_A, "period": "2025"}
    assert client.get(reverse("indicators:report-entry"), query).status_code == 403
    assert client.get(reverse("indicators:reporting")).status_code == 200


# Checks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "extra", "field", "message"),
    [
        ("E02", "101", {}, "value", "数值不能大于 100"),
        ("E02", "-1", {}, "value", "数值不能小于 0"),
        ("E05", "30", {}, "value", "数值不能小于 40"),
        ("E02", "98", {"numerator": Decimal("990")}, "denominator", "须同时填写分母"),
        (
            "E02",
            "98",
            {"numerator": Decimal(11), "denominator": Decimal(10)},
            "numerator",
            "大于分母",
        ),
        (
            "E02",
            "98",
            {"numerator": Decimal(1), "denominator": Decimal(0)},
            "denominator",
            "不能为0",
        ),
        (
            "E02",
            "98",
            {"numerator": Decimal(90), "denominator": Decimal(100)},
            "value",
            "应为 90.00",
        ),
        ("E05", "83", {"numerator": Decimal(83), "denominator": Decimal(1)}, "numerator", "不填写"),
    ],
)
def test_unit_and_range_checks(city, code, value, extra, field, message):
    with pytest.raises(ValidationError) as caught:
        reporting.save_report(city, ind(code), t.area(t.CITY), "2025", Decimal(value), **extra)
    assert message in " ".join(caught.value.message_dict[field])


def test_annual_indicators_only_by_year_and_no_future_periods(city):
    with pytest.raises(ValidationError, match="年度指标只能按年填报"):
        reporting.save_report(city, ind("E01"), t.area(t.CITY), "2025Q1", Decimal(95))
    with pytest.raises(ValidationError, match="尚未开始"):
        reporting.save_report(city, ind("E01"), t.area(t.CITY), "2099", Decimal(95))
    with pytest.raises(ValidationError, match="格式不正确"):
        reporting.save_report(city, ind("E01"), t.area(t.CITY), "25", Decimal(95))


def test_closed_periods_refuse_changes(renshe, city):
    report = submitted(renshe, period="2024")
    approved = submitted(renshe, period="2023")
    reporting.approve(req(city), approved)
    PeriodState.objects.create(period="2024", closed_at="2025-04-01T00:00Z")
    PeriodState.objects.create(period="2023", closed_at="2024-04-01T00:00Z")
    with pytest.raises(ValidationError, match="已关账"):
        reporting.save_report(renshe, report.indicator, report.area, "2024", Decimal(90))
    with pytest.raises(ValidationError, match="已关账"):
        reporting.approve(req(city), report)
    with pytest.raises(ValidationError, match="已关账"):
        reporting.reject(req(city), report, "不对")
    with pytest.raises(ValidationError, match="已关账"):
        reporting.unlock(req(city), approved, "更正")


def test_entry_form_shows_chinese_errors_next_to_the_field(client, yibao):
    client.force_login(yibao)
    url = reverse("indicators:report-entry") + f"?indicator=E02&area={t.CITY}&period=2025"
    page = client.get(url)
    assert "合理范围 0～100" in page.content.decode()
    response = client.post(url, {"value": "120", "action": "submit"})
    assert response.status_code == 200
    assert "数值不能大于 100（%）" in response.content.decode()
    response = client.post(
        url, {"value": "98", "numerator": "900", "denominator": "1000", "action": "draft"}
    )
    assert "按分子、分母计算应为 90.00%" in response.content.decode()
    assert not ReportedValue.objects.exists()
    response = client.post(
        url, {"value": "98.6", "numerator": "986", "denominator": "1000", "action": "submit"}
    )
    report = ReportedValue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:report-detail", args=[report.pk])
    assert report.state == ReportState.SUBMITTED and report.entered_by == yibao


def test_detail_shows_history_and_approval_through_the_pages(client, renshe, city):
    report = submitted(renshe)
    client.force_login(city)
    queue = client.get(reverse("indicators:report-approvals"))
    assert "E01" in queue.content.decode()
    response = client.post(reverse("indicators:report-action", args=[report.pk, "approve"]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    response = client.post(
        reverse("indicators:report-action", args=[report.pk, "unlock"]), {"reason": ""}
    )
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    client.post(
        reverse("indicators:report-action", args=[report.pk, "unlock"]), {"reason": "口径调整"}
    )
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    page = client.get(reverse("indicators:report-detail", args=[report.pk])).content.decode()
    assert "变更记录" in page and "口径调整" in page and "已审核" in page and "已提交" in page


def test_reporting_page_lists_the_departments_indicators(client, renshe, city):
    ReportingDeadline.objects.create(
        indicator=ind("E01"), period="2025", due_on=dt.date(2026, 3, 31)
    )
    client.force_login(renshe)
    page = client.get(reverse("indicators:reporting")).content.decode()
    assert "城乡基本养老保险参保缴费率" in page and "基本医疗保险参保率" not in page
    assert "截止 2026-03-31" in page
    assert reverse("indicators:reporting") in client.get(reverse("dashboard:home")).content.decode()
    client.force_login(city)
    page = client.get(reverse("indicators:reporting")).content.decode()
    assert "城乡基本养老保险参保缴费率" in page and "基本医疗保险参保率" in page
    assert client.get(reverse("indicators:reporting"), {"area": "999999"}).status_code == 404


def test_institution_staff_see_no_reporting(client, db):
    provider = t.make_provider(t.VILLAGE_A1)
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=provider, username="staff")
    client.force_login(staff)
    assert client.get(reverse("indicators:reporting")).status_code in (403, 404)


# Excel import -----------------------------------------------------------------------------------


def row(code="E01", area=t.CITY, period="2025", value="95.2", num=None, den=None, submit="否"):
    return [code, area, period, value, num, den, "年报", submit]


def test_import_is_idempotent(renshe):
    data = t.xlsx(HEADERS, [row(), row(period="2024", value="94.8", num="948", den="1000")])
    first = run_import(ReportedValueImporter(renshe), data)
    assert first.ok, first.messages()
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = run_import(ReportedValueImporter(renshe), data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    submitted_file = t.xlsx(HEADERS, [row(submit="是")])
    third = run_import(ReportedValueImporter(renshe), submitted_file)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)
    assert ReportedValue.objects.get(period="2025").state == ReportState.SUBMITTED


def test_import_reports_each_bad_cell_and_writes_nothing(renshe):
    data = t.xlsx(
        HEADERS,
        [
            row(),
            row(code="E99"),
            row(code="E02"),
            row(area="3206"),
            row(area="999999999"),
            row(period="2025Q1"),
            row(period="2025-1"),
            row(value="120"),
            row(num="90", den="100"),
            row(),
        ],
    )
    outcome = run_import(ReportedValueImporter(renshe), data)
    assert not outcome.ok
    assert not ReportedValue.objects.exists()
    messages = outcome.messages()
    expected = [
        "第3行“指标代码”列：指标代码不存在",
        "第4行“指标代码”列：该指标不由您所在部门填报",
        "第5行“区划代码”列：不在您的管辖范围内",
        "第6行“区划代码”列：区划代码不存在",
        "第7行“期间”列：年度指标只能按年填报",
        "第8行“期间”列：期间“2025-1”格式不正确",
        "第9行“数值”列：数值不能大于 100",
        "第10行“数值”列：数值与分子÷分母不一致",
        "第11行：与第2行重复",
    ]
    for text in expected:
        assert any(text in m for m in messages), (text, messages)
    assert outcome.error_report


def test_import_rejects_changes_to_approved_values(renshe, city):
    report = submitted(renshe, value="95.2", comment="年报")
    reporting.approve(req(city), report)
    same = run_import(ReportedValueImporter(renshe), t.xlsx(HEADERS, [row(value="95.2")]))
    assert (same.ok, same.unchanged) == (True, 1)
    changed = run_import(
        ReportedValueImporter(renshe), t.xlsx(HEADERS, [row(value="96"), row(period="2024")])
    )
    assert not changed.ok
    assert any("已审核锁定" in m and "解锁" in m for m in changed.messages())
    assert not ReportedValue.objects.filter(period="2024").exists()
    report.refresh_from_db()
    assert report.value == Decimal("95.2")


def test_import_page_is_open_to_reporters_only(client, renshe, town_officer):
    client.force_login(renshe)
    assert client.get(reverse("core:import", args=["reported-values"])).status_code == 200
    client.force_login(town_officer)
    assert client.get(reverse("core:import", args=["reported-values"])).status_code == 403


# Reminders --------------------------------------------------------------------------------------


def test_reminders_for_due_overdue_and_waiting_values(renshe, yibao, city):
    for code in ("E01", "E02"):
        ReportingDeadline.objects.create(
            indicator=ind(code), period="2025", due_on=dt.date(2026, 3, 31)
        )
    assert reporting.reminders_for(renshe, dt.date(2026, 2, 1)) == []
    soon = reporting.reminders_for(renshe, dt.date(2026, 3, 10))
    assert [(r.indicator.code, r.state, r.overdue, r.days_left) for r in soon] == [
        ("E01", "missing", False, 21)
    ]
    assert "indicator=E01" in soon[0].url
    late = reporting.reminders_for(renshe, dt.date(2026, 4, 5))
    assert late[0].overdue and late[0].days_overdue == 5

    report = submitted(yibao, "E02", value="98.5")
    waiting = reporting.reminders_for(city, dt.date(2026, 2, 1))
    assert [(r.kind, r.indicator.code) for r in waiting] == [("approve", "E02")]
    assert waiting[0].url == reverse("indicators:report-detail", args=[report.pk])
    yibao_items = reporting.reminders_for(yibao, dt.date(2026, 3, 10))
    assert [(r.indicator.code, r.state) for r in yibao_items] == [("E02", "submitted")]

    reporting.approve(req(city), report)
    assert reporting.reminders_for(yibao, dt.date(2026, 4, 10)) == []
    assert all(r.kind == "report" for r in reporting.reminders_for(city, dt.date(2026, 4, 10)))
    PeriodState.objects.create(period="2025", closed_at="2026-04-15T00:00Z")
    assert reporting.reminders_for(renshe, dt.date(2026, 4, 20)) == []


def test_reminders_show_on_the_reporting_page(client, renshe):
    ReportingDeadline.objects.create(
        indicator=ind("E01"), period="2025", due_on=dt.date(2020, 3, 31)
    )
    client.force_login(renshe)
    page = client.get(reverse("indicators:reporting")).content.decode()
    assert "填报提醒" in page and "已逾期" in page


def test_no_reminders_without_an_area(db):
    assert reporting.reminders_for(t.make_user(Role.AUDIT_ADMIN, username="aud")) == []


# Notes ------------------------------------------------------------------------------------------


def notes_url(code="E14", area=t.TOWN_A, period="2025"):
    return reverse("indicators:notes") + f"?indicator={code}&area={area}&period={period}"


def test_notes_are_scoped_by_area(client, town_officer):
    client.force_login(town_officer)
    assert client.get(notes_url(area=t.TOWN_B)).status_code == 404
    assert client.get(notes_url(area=t.CITY)).status_code == 404
    assert client.post(notes_url(area=t.TOWN_B), {"text": "越权"}).status_code == 404
    assert client.get(notes_url(code="E99")).status_code == 404
    assert client.get(notes_url(period="20255")).status_code == 404
    response = client.post(
        notes_url(), {"text": "护理型床位将于三季度投用"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "护理型床位将于三季度投用" in body and "<html" not in body
    note = ValueNote.objects.get()
    assert (note.area.code, note.period, note.author) == (t.TOWN_A, "2025", town_officer)
    empty = client.post(notes_url(), {"text": "  "}, HTTP_HX_REQUEST="true")
    assert "请填写备注内容" in empty.content.decode() and ValueNote.objects.count() == 1
    # A full page without htmx; the city's note on the same indicator is not shown below it.
    ValueNote.objects.create(
        indicator=ind("E14"),
        area=t.area(t.CITY),
        period="2025",
        text="市级说明",
        author=town_officer,
    )
    page = client.get(notes_url()).content.decode()
    assert "<html" in page and "护理型床位将于三季度投用" in page and "市级说明" not in page


def test_notes_need_the_permission_to_add(client, village_worker):
    client.force_login(village_worker)
    url = notes_url(area=t.VILLAGE_A1)
    page = client.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "添加备注" not in page.content.decode()
    assert client.post(url, {"text": "x"}).status_code == 403
    assert not ValueNote.objects.exists()


def test_reported_value_detail_embeds_its_notes(client, renshe):
    report = submitted(renshe)
    client.force_login(renshe)
    client.post(
        notes_url("E01", t.CITY, "2025"), {"text": "含灵活就业人员"}, HTTP_HX_REQUEST="true"
    )
    page = client.get(reverse("indicators:report-detail", args=[report.pk])).content.decode()
    assert "含灵活就业人员" in page


def test_baseline_approval_and_unlock_move_the_status_of_later_values(renshe, city):
    later = submitted(renshe, period="2023", value="85")
    reporting.approve(req(city), later)
    value = IndicatorValue.objects.get(indicator=later.indicator, period="2023")
    assert value.status == "no_baseline"
    base = submitted(renshe, period="2021", value="80")
    reporting.approve(req(city), base)
    value.refresh_from_db()
    assert value.baseline == Decimal("80") and value.status not in ("no_baseline",)
    base.refresh_from_db()
    reporting.unlock(req(city), base, "基期口径更正")
    value.refresh_from_db()
    assert value.baseline is None and value.status == "no_baseline"
