"""The audit log screens: filters, pagination, audited export, the R31 access report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.models import AuditEvent
from carecircle.audit.services import record


class _Req:
    """Just enough of a request for ``record``."""

    def __init__(self, user, ip="10.0.0.1"):
        self.user = user
        self.META = {"REMOTE_ADDR": ip}
        self.request_id = "req-12345678"


def _at(when, *args, **kwargs):
    with time_machine.travel(when, tick=False):
        return record(*args, **kwargs)


@pytest.fixture
def events(village_worker, town_officer):
    day = dt.datetime(2025, 4, 1, 2, 0, tzinfo=dt.UTC)
    _at(day, _Req(village_worker), AuditAction.VIEW_RECORD, label="张*明", person="p1")
    _at(day, _Req(village_worker), AuditAction.VIEW_FULL_ID, label="李*华")
    _at(day + dt.timedelta(days=1), _Req(village_worker), AuditAction.EXPORT, label="老年人")
    _at(day + dt.timedelta(days=3), _Req(village_worker), AuditAction.SEARCH_PERSON, label="q")
    _at(day, _Req(village_worker), AuditAction.LOGIN)
    _at(day, _Req(town_officer), AuditAction.VIEW_RECORD, label="王*")
    _at(day, None, AuditAction.LOGIN_FAILED, outcome=AuditOutcome.FAILURE, username="=cmd|x")
    return day


@pytest.mark.django_db
def test_filters(client, audit_admin, village_worker, events):
    client.force_login(audit_admin)
    url = reverse("audit:event-list")

    def names(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return [(e.username, e.action) for e in response.context["object_list"]]

    assert len(names({"username": village_worker.username})) == 5
    assert {a for _, a in names({"action": AuditAction.VIEW_RECORD})} == {"view_record"}
    assert names({"outcome": AuditOutcome.FAILURE}) == [("=cmd|x", "login_failed")]
    assert len(names({"date_from": "2025-04-02", "date_to": "2025-04-02"})) == 1
    assert len(names({"date_from": "2025-04-01", "date_to": "2025-04-01"})) == 5


@pytest.mark.django_db
def test_page_renders(client, pages_render, audit_admin, events):
    client.force_login(audit_admin)
    response = client.get(reverse("audit:event-list"))
    assert response.status_code == 200
    assert "张*明" in response.content.decode()


@pytest.mark.django_db
def test_pagination(client, audit_admin, settings):
    settings.LIST_PAGE_SIZE = 3
    for _ in range(7):
        record(None, AuditAction.CONFIG_CHANGE)
    client.force_login(audit_admin)
    response = client.get(reverse("audit:event-list"), {"action": "config_change", "page": 3})
    assert response.context["paginator"].num_pages == 3
    assert len(response.context["object_list"]) == 1


@pytest.mark.django_db
def test_export_is_audited_and_formula_safe(client, audit_admin, events):
    client.force_login(audit_admin)
    response = client.get(reverse("audit:event-list"), {"export": "xlsx", "outcome": "failure"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "'=cmd|x"  # never a formula
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT, user=audit_admin).get()
    assert export.detail["rows"] == "1"
    assert "outcome=failure" in export.detail["filters"]


@pytest.mark.django_db
def test_access_report_lists_only_data_access_by_that_user(
    client, audit_admin, village_worker, events
):
    client.force_login(audit_admin)
    url = reverse("audit:access-report")
    assert list(client.get(url).context["object_list"]) == []  # nothing without a query
    response = client.get(
        url,
        {
            "username": village_worker.username,
            "start": "2025-04-01T00:00",
            "end": "2025-04-03T00:00",
        },
    )
    actions = sorted(e.action for e in response.context["object_list"])
    assert actions == ["export", "view_full_id", "view_record"]
    export = client.get(
        url,
        {
            "username": village_worker.username,
            "start": "2025-04-01T00:00",
            "end": "2025-04-30T00:00",
            "export": "xlsx",
        },
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 1 + 4
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=audit_admin).count() == 1


def test_roles_are_shown_by_name(client, audit_admin, events):
    client.force_login(audit_admin)
    page = client.get(reverse("audit:event-list")).content.decode()
    assert "村（社区）工作人员" in page
    assert AuditEvent(role="retired_role").role_label == "retired_role"
