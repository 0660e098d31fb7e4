from decimal import Decimal

import pytest
from django.urls import reverse

from carecircle.accounts.choices import Role
from carecircle.adaptations.choices import ProjectStatus
from carecircle.adaptations.models import AdaptationProject, FamilyCareBed
from carecircle.adaptations.tests.helpers import add_item, completed_project, days_ago, open_bed
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.testing import xlsx_text

pytestmark = pytest.mark.django_db

PROJECTS = reverse("adaptations:project-list")
BEDS = reverse("adaptations:bed-list")


def project_url(project, name="project-detail"):
    return reverse(f"adaptations:{name}", args=[project.uuid])


def bed_url(bed, name="bed-detail"):
    return reverse(f"adaptations:{name}", args=[bed.uuid])


@pytest.fixture
def projects(elder, other_elder):
    done = completed_project(
        elder,
        applied=days_ago(90),
        assessed=days_ago(80),
        started=days_ago(70),
        completed=days_ago(60),
    )
    from carecircle.adaptations import services

    pending = services.apply(AdaptationProject(person=other_elder, applied_on=days_ago(10)))
    return done, pending


def test_anonymous_and_roleless_users_are_refused(client, outsider, projects):
    done, _pending = projects
    for url in (PROJECTS, BEDS, project_url(done)):
        assert reverse("accounts:login") in client.get(url)["Location"]
    client.force_login(outsider)
    assert client.get(PROJECTS).status_code == 403
    assert client.get(project_url(done)).status_code == 403
    assert client.get(BEDS).status_code == 403


def test_village_worker_sees_only_their_village(client, village_worker, projects):
    done, pending = projects
    client.force_login(village_worker)
    page = client.get(PROJECTS).content.decode()
    assert "王*英" in page and "李*兰" not in page
    assert "王秀英" not in page  # names are masked
    assert client.get(project_url(done)).status_code == 200
    assert client.get(project_url(pending)).status_code == 404
    export = client.get(PROJECTS, {"export": "xlsx"})
    text = xlsx_text(export.content)
    assert "王*英" in text and "李*兰" not in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
    # The village worker reads projects but does not run them.
    assert client.get(project_url(done, "project-update")).status_code == 403
    assert client.post(project_url(pending, "project-assess"), {}).status_code == 403


def test_list_filters_by_status_village_and_year(client, town_officer, projects):
    done, pending = projects
    client.force_login(town_officer)
    only_done = client.get(PROJECTS, {"status": ProjectStatus.COMPLETED}).content.decode()
    assert "王*英" in only_done and "李*兰" not in only_done
    village = client.get(PROJECTS, {"area": t.VILLAGE_A2}).content.decode()
    assert "李*兰" in village and "王*英" not in village
    year = done.completed_on.year
    by_year = client.get(PROJECTS, {"completed_year": year}).content.decode()
    assert "王*英" in by_year and "李*兰" not in by_year


def test_lifecycle_through_the_pages(client, town_officer, elder):
    client.force_login(town_officer)
    created = client.post(
        reverse("adaptations:project-create"),
        {"id_number": elder.id_number, "applied_on": days_ago(20).isoformat(), "note": ""},
    )
    assert created.status_code == 302, created.content.decode()
    project = AdaptationProject.objects.get(person=elder)
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH_PERSON).count() == 1
    response = client.post(
        project_url(project, "project-assess"),
        {"assessed_on": days_ago(15).isoformat(), "assessment_note": "卫生间无扶手"},
    )
    assert response.status_code == 302
    # Starting without items is refused with the reason on the form.
    refused = client.post(project_url(project, "project-start"), {"started_on": days_ago(10)})
    assert refused.status_code == 200 and "先登记改造明细" in refused.content.decode()
    item = client.post(
        project_url(project, "item-create"),
        {"kind": "grab_bars", "description": "", "quantity": "2", "unit_cost": "150"},
    )
    assert item.status_code == 302
    client.post(
        project_url(project, "project-update"),
        {"applied_on": days_ago(20).isoformat(), "contractor_name": "测试装饰公司", "note": ""},
    )
    started = client.post(project_url(project, "project-start"), {"started_on": days_ago(10)})
    assert started.status_code == 302
    too_much = client.post(
        project_url(project, "project-complete"),
        {"completed_on": days_ago(1).isoformat(), "subsidy": "301"},
    )
    assert "不能超过改造总费用" in too_much.content.decode()
    done = client.post(
        project_url(project, "project-complete"),
        {"completed_on": days_ago(1).isoformat(), "subsidy": "300"},
    )
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert project.subsidy == Decimal("300") and project.target_group
    page = client.get(project_url(project)).content.decode()
    assert "已完工" in page and "300.00" in page
    # A completed project is no longer edited.
    assert client.get(project_url(project, "project-update")).status_code == 404


def test_create_by_id_number_stays_in_scope(client, village_worker, other_elder):
    user = t.make_user(Role.TOWN_OFFICER, area_code=t.TOWN_B)
    client.force_login(user)
    response = client.post(
        reverse("adaptations:project-create"),
        {"id_number": other_elder.id_number, "applied_on": days_ago(5).isoformat()},
    )
    assert response.status_code == 200
    assert "未找到该身份证号" in response.content.decode()
    assert not AdaptationProject.objects.exists()


def test_create_from_the_elder_page(client, town_officer, elder):
    client.force_login(town_officer)
    url = f"{reverse('adaptations:project-create')}?person={elder.uuid}"
    form = client.get(url).content.decode()
    assert 'name="id_number"' not in form and "王*英" in form
    response = client.post(url, {"applied_on": days_ago(5).isoformat()})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH_PERSON).exists()


def test_remove_item(client, town_officer, elder):
    from carecircle.adaptations import services

    project = services.apply(AdaptationProject(person=elder, applied_on=days_ago(5)))
    item = add_item(project)
    client.force_login(town_officer)
    response = client.post(reverse("adaptations:item-delete", args=[item.uuid]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.total_cost == 0 and not project.items.exists()


# Family care beds -----------------------------------------------------------------------------


def test_institution_staff_see_and_manage_only_their_beds(
    client, station_staff, station, other_station, elder, other_elder
):
    mine = open_bed(elder, station)
    theirs = open_bed(other_elder, other_station)
    client.force_login(station_staff)
    page = client.get(BEDS).content.decode()
    assert "王*英" in page and "李*兰" not in page
    assert client.get(bed_url(mine)).status_code == 200
    assert client.get(bed_url(theirs)).status_code == 404
    assert client.get(bed_url(theirs, "bed-end")).status_code == 404
    text = xlsx_text(client.get(BEDS, {"export": "xlsx"}).content)
    assert "王*英" in text and "李*兰" not in text
    # The institution's staff see no adaptation projects.
    assert client.get(PROJECTS).status_code == 403
    ended = client.post(
        bed_url(mine, "bed-end"), {"ended_on": days_ago(1).isoformat(), "end_reason": "deceased"}
    )
    assert ended.status_code == 302
    assert FamilyCareBed.objects.get(pk=mine.pk).ended_on == days_ago(1)


def test_institution_staff_set_up_a_bed_for_their_institution(
    client, station_staff, station, other_station, elder
):
    client.force_login(station_staff)
    form = client.get(reverse("adaptations:bed-create")).content.decode()
    assert "钟涵居家站" in form and "拥徐居家站" not in form
    response = client.post(
        reverse("adaptations:bed-create"),
        {
            "id_number": elder.id_number,
            "provider": other_station.pk,  # ignored: the field is fixed to their institution
            "started_on": days_ago(3).isoformat(),
            "visits_per_month": "4",
            "care_plan": "每周上门1次",
        },
    )
    assert response.status_code == 302, response.content.decode()
    bed = FamilyCareBed.objects.get(person=elder)
    assert bed.provider == station
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH_PERSON).count() == 1
    # A second open bed for the same elder is refused.
    again = client.post(
        reverse("adaptations:bed-create"),
        {"id_number": elder.id_number, "started_on": days_ago(1), "visits_per_month": "4"},
    )
    assert "已有在床" in again.content.decode()


def test_area_officers_see_beds_of_elders_in_their_area(
    client, village_worker, station, other_station, elder, other_elder
):
    mine = open_bed(elder, other_station)  # served from the other village: still in scope
    theirs = open_bed(other_elder, station)
    client.force_login(village_worker)
    page = client.get(BEDS).content.decode()
    assert "王*英" in page and "李*兰" not in page
    assert client.get(bed_url(mine)).status_code == 200
    assert client.get(bed_url(theirs)).status_code == 404
    # A village worker reads beds but does not set them up.
    assert client.get(reverse("adaptations:bed-create")).status_code == 403
