"""Service orders through the shared Excel upload page, end to end, as the users who import."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carecircle.accounts.choices import Role
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.imports import run_import
from carecircle.core.models import ImportJob
from carecircle.homecare.bulk import import_orders
from carecircle.homecare.importers import ServiceOrderImporter
from carecircle.homecare.models import ServiceOrder
from carecircle.homecare.tests.bulk_support import (
    HEADERS,
    as_csv,
    as_xlsx,
    build_world,
    orders,
    row,
)

pytestmark = pytest.mark.django_db
world = pytest.fixture(build_world, name="world")
PAGE = reverse("core:import", args=["service-orders"])


def upload(client, data: bytes, name: str = "orders.xlsx") -> ImportJob:
    file = io.BytesIO(data)
    file.name = name
    response = client.post(PAGE, {"file": file})
    assert response.status_code == 302
    return ImportJob.objects.filter(importer="service-orders").order_by("-started_at", "-pk")[0]


def test_a_provider_uploads_its_orders_and_uploads_them_again(client, world, station_staff):
    client.force_login(station_staff)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "居家上门服务工单" in page.content.decode()
    template = client.get(PAGE, {"template": "xlsx"})
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    rows = orders(world, 80)
    job = upload(client, as_xlsx(rows))
    assert job.status == ImportJob.Status.DONE, job.messages
    assert (job.rows, job.created, job.updated, job.unchanged) == (80, 80, 0, 0)
    assert ServiceOrder.objects.filter(provider=world.station).count() == 80
    rows[5]["评分"] = "4"
    again = upload(client, as_xlsx(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 79)
    result = client.get(reverse("core:import-job", args=[again.uuid]))
    assert "新增 0，更新 1，未变 79" in result.content.decode()
    audited = AuditEvent.objects.filter(action=AuditAction.IMPORT, user=station_staff)
    assert audited.count() == 2


def test_a_row_of_another_provider_fails_the_whole_upload(client, world, station_staff):
    client.force_login(station_staff)
    rows = orders(world, 5)
    rows.append(row(world.other, world.elder, world.items["meal"], "FOREIGN"))
    rows[2]["金额"] = "0.01"
    job = upload(client, as_xlsx(rows))
    assert job.status == ImportJob.Status.FAILED
    assert not ServiceOrder.objects.exists()
    assert job.messages[0].startswith("第4行“金额”列：金额应为服务数量×单价")
    assert job.messages[1] == "第7行“服务机构统一社会信用代码”列：只能导入本机构的工单"
    page = client.get(reverse("core:import-job", args=[job.uuid]))
    assert "只能导入本机构的工单" in page.content.decode()
    report = client.get(reverse("core:import-job", args=[job.uuid]), {"report": "xlsx"})
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert sheet.cell(row=7, column=1).comment.text == "只能导入本机构的工单"


def test_a_civil_affairs_officer_uploads_for_every_provider_of_the_area(
    client, world, civil_affairs_officer
):
    client.force_login(civil_affairs_officer)
    rows = orders(world, 4)
    rows.append(row(world.other, world.elder_a2, world.items["meal"], "OTHER"))
    job = upload(client, as_xlsx(rows))
    assert (job.status, job.created) == (ImportJob.Status.DONE, 5), job.messages
    assert ServiceOrder.objects.filter(provider=world.other).count() == 1


def test_who_may_open_the_upload_page(client, world, village_worker, town_officer):
    assert client.get(PAGE).status_code == 302  # to the login page
    for user in (village_worker, town_officer):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
    provider_user = t.make_user(Role.INSTITUTION_STAFF, institution=world.other)
    client.force_login(provider_user)
    assert client.get(PAGE).status_code == 200


def test_the_runner_and_the_bulk_import_agree(world, station_staff):
    """The upload page's runner writes through the bulk writer: same rows, same counts."""
    rows = orders(world, 30)
    outcome = run_import(ServiceOrderImporter(station_staff), as_xlsx(rows))
    assert (outcome.ok, outcome.created) == (True, 30), outcome.messages()
    again = import_orders(as_csv(rows), user=station_staff)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    duplicate = run_import(ServiceOrderImporter(station_staff), as_xlsx(rows + rows[:1]))
    assert duplicate.messages() == ["第32行：与第2行重复"]
