import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from carecircle.accounts.choices import Role
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.childhealth.models import ChildHealthCheck, NewbornVisit, Vaccination
from carecircle.childhealth.tests.conftest import check, dose, make_child, vaccinate, visit
from carecircle.core import testing as t

pytestmark = pytest.mark.django_db
D = dt.date
FROZEN = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
VISITS = reverse("childhealth:visit-list")


def test_scope_and_audit(client, village_health_worker, child, other_child, outsider):
    mine, theirs = visit(child, D(2025, 1, 15)), visit(other_child, D(2025, 3, 5))
    assert list(NewbornVisit.objects.for_user(village_health_worker)) == [mine]
    assert not NewbornVisit.objects.for_user(outsider).exists()
    client.force_login(village_health_worker)
    page = client.get(VISITS).content.decode()
    assert "王*明" in page and "李*红" not in page
    assert client.get(reverse("childhealth:visit-detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("childhealth:visit-detail", args=[theirs.uuid])).status_code == 404
    assert client.get(reverse("childhealth:child", args=[other_child.uuid])).status_code == 404
    assert client.get(reverse("childhealth:child", args=[child.uuid])).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_RECORD).count() == 2
    edit = reverse("childhealth:visit-update", args=[theirs.uuid])
    assert client.post(edit, {"visited_on": "2025-03-06", "visitor": "x"}).status_code == 404


def test_elderly_domain_users_see_no_children(client, civil_affairs_officer, child):
    visit(child, D(2025, 1, 15))
    assert not NewbornVisit.objects.for_user(civil_affairs_officer).exists()


def test_permissions(client, village_worker, health_officer, city_officer, child):
    record = visit(child, D(2025, 1, 15))
    client.force_login(village_worker)  # reads, does not record
    assert client.get(VISITS).status_code == 200
    assert client.get(reverse("childhealth:visit-create")).status_code == 403
    assert client.get(reverse("childhealth:overdue")).status_code == 200
    client.force_login(health_officer)
    assert client.get(reverse("childhealth:visit-detail", args=[record.uuid])).status_code == 200
    assert client.get(reverse("childhealth:visit-create")).status_code == 403
    client.force_login(city_officer)
    assert client.get(reverse("childhealth:schedule")).status_code == 200


@time_machine.travel(FROZEN, tick=False)
def test_create_by_id_number_and_from_the_child_page(client, health_worker, child, other_child):
    client.force_login(health_worker)
    url = reverse("childhealth:vaccination-create")
    data = {
        "id_number": child.id_number,
        "dose": dose("HepB", 1).pk,
        "given_on": "2025-01-10",
        "batch": "202412A",
        "clinic": "海安镇预防接种门诊",
    }
    response = client.post(url, data)
    given = Vaccination.objects.get()
    assert response.status_code == 302 and given.child == child and given.batch == "202412A"
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH_PERSON).count() == 1
    assert "该儿童已有该剂次的接种记录" in client.post(url, data).content.decode()
    early = {**data, "dose": dose("BCG", 1).pk, "given_on": "2025-01-09"}
    assert "服务日期不能早于出生日期" in client.post(url, early).content.decode()
    future = {**data, "dose": dose("BCG", 1).pk, "given_on": "2025-07-01"}
    assert "服务日期不能晚于今天" in client.post(url, future).content.decode()
    # From the child's record page: no ID number, the child comes with the link.
    page = reverse("childhealth:check-create") + f"?child={child.uuid}"
    assert "id_number" not in client.get(page).content.decode()
    wrong_age = {"checkpoint": "3", "checked_on": "2025-02-20", "weight_kg": "5.1"}
    assert "检查日期与所选月龄不符" in client.post(page, wrong_age).content.decode()
    ok = {"checkpoint": "3", "checked_on": "2025-04-12", "weight_kg": "6.4", "length_cm": "61.5"}
    response = client.post(page, ok)
    assert response.status_code == 302
    assert response["Location"] == reverse("childhealth:child", args=[child.uuid])
    assert str(ChildHealthCheck.objects.get().weight_kg) == "6.40"
    # Another town's child cannot be named, neither by link nor by ID number.
    other_town = make_child(t.VILLAGE_A1.replace("100200", "101210"), name="赵小虎")
    bad = reverse("childhealth:check-create") + f"?child={other_town.uuid}"
    assert client.get(bad).status_code == 404
    by_number = {**data, "id_number": other_town.id_number, "dose": dose("BCG", 1).pk}
    assert "未在您的管辖范围内找到" in client.post(url, by_number).content.decode()
    # A worker of both domains sees elders, but records infant services for children only.
    client.force_login(t.make_user(Role.HEALTH_WORKER, area_code=t.TOWN_A))
    elder = t.make_person(t.VILLAGE_A1, birth=D(1950, 1, 1))
    by_number = {**data, "id_number": elder.id_number, "dose": dose("BCG", 1).pk}
    assert "仅适用于婴幼儿" in client.post(url, by_number).content.decode()


@time_machine.travel(FROZEN, tick=False)
def test_child_record_page_shows_done_due_overdue(client, health_worker, child):
    vaccinate(child, "HepB", 1, D(2025, 1, 10))
    check(child, 1, D(2025, 2, 10))
    client.force_login(health_worker)
    response = client.get(reverse("childhealth:child", args=[child.uuid]))
    summary = response.context["summary"]
    # On 2025-06-30 (5 months old): done HepB-1 and 满月; due: 6-month items not yet due.
    assert summary["done"] == 2 and summary["overdue"] >= 8 and summary["missed"] == 2
    page = response.content.decode()
    assert "逾期未做" in page and "已错过" in page and "乙肝疫苗第1剂（HepB）" in page


@time_machine.travel(FROZEN, tick=False)
def test_worklist_by_village_and_export(client, health_worker, child, other_child):
    client.force_login(health_worker)
    response = client.get(reverse("childhealth:overdue"))
    assert response.context["paginator"].count == 2
    page = response.content.decode()
    assert "钟涵村委会" in page and "拥徐村委会" in page
    narrowed = client.get(reverse("childhealth:overdue"), {"area": t.VILLAGE_A2})
    assert narrowed.context["paginator"].count == 1
    export = client.get(reverse("childhealth:overdue"), {"export": "xlsx"})
    assert export.status_code == 200
    text = t.xlsx_text(export.content)
    assert "王*明" in text and "疫苗接种逾期" in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_list_filters_and_export(client, health_worker, child, other_child):
    vaccinate(child, "HepB", 1, D(2025, 1, 10))
    vaccinate(child, "DTaP", 1, D(2025, 4, 12))
    vaccinate(other_child, "HepB", 1, D(2025, 3, 2))
    client.force_login(health_worker)
    url = reverse("childhealth:vaccination-list")
    assert "共 3 条" in client.get(url).content.decode()
    assert "共 2 条" in client.get(url, {"vaccine": "HepB"}).content.decode()
    assert "共 1 条" in client.get(url, {"area": t.VILLAGE_A2}).content.decode()
    assert "共 1 条" in client.get(url, {"date_from": "2025-04-01"}).content.decode()
    text = t.xlsx_text(client.get(url, {"export": "xlsx", "vaccine": "DTaP"}).content)
    assert "百白破疫苗第1剂（DTaP）" in text and "乙肝" not in text


def test_person_page_include(client, health_worker, child):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = health_worker
    html = render_to_string("childhealth/_person_link.html", {"person": child}, request=request)
    assert reverse("childhealth:child", args=[child.uuid]) in html
    elder = t.make_person(t.VILLAGE_A1, birth=D(1950, 1, 1))
    assert "href" not in render_to_string(
        "childhealth/_person_link.html", {"person": elder}, request=request
    )


@time_machine.travel(FROZEN, tick=False)
def test_hub_figure_counts_the_worklist_in_scope(
    village_health_worker, health_worker, child, other_child
):
    from carecircle.childhealth.services import overdue_count

    assert overdue_count(health_worker, D(2025, 6, 30)) == 2
    assert overdue_count(village_health_worker, D(2025, 6, 30)) == 1
