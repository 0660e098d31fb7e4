import pytest

from carecircle.adaptations.choices import ProjectStatus
from carecircle.adaptations.models import AdaptationProject, FamilyCareBed
from carecircle.adaptations.tests.helpers import days_ago, open_bed

pytestmark = pytest.mark.django_db

PROJECTS = "/api/adaptation-projects/"
BEDS = "/api/family-care-beds/"


def test_anonymous_and_roleless_users_are_refused(client, outsider):
    assert client.get(PROJECTS).status_code in (401, 403)
    client.force_login(outsider)
    assert client.get(PROJECTS).status_code == 403
    assert client.get(BEDS).status_code == 403


def test_project_workflow_through_the_api(client, town_officer, elder):
    client.force_login(town_officer)
    created = client.post(
        PROJECTS,
        {"person": str(elder.uuid), "applied_on": days_ago(30).isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == ProjectStatus.APPLIED and body["person_name"] == "王*英"
    assert "王秀英" not in created.content.decode()
    url = f"{PROJECTS}{body['uuid']}/"
    steps = [
        ("assess", {"assessed_on": days_ago(25).isoformat(), "assessment_note": "地面湿滑"}),
        ("items", {"kind": "anti_slip", "quantity": 1, "unit_cost": "480.00"}),
    ]
    for name, data in steps:
        response = client.post(f"{url}{name}/", data, content_type="application/json")
        assert response.status_code in (200, 201), response.json()
    patched = client.patch(
        url, {"contractor_name": "测试公司", "status": "completed"}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["status"] == ProjectStatus.ASSESSED
    client.post(f"{url}start/", {"started_on": days_ago(20)}, content_type="application/json")
    refused = client.post(
        f"{url}complete/",
        {"completed_on": days_ago(1).isoformat(), "subsidy": "480.01"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "subsidy" in refused.json()
    done = client.post(
        f"{url}complete/",
        {"completed_on": days_ago(1).isoformat(), "subsidy": "400"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == ProjectStatus.COMPLETED
    assert done.json()["self_paid"] == "80.00"
    assert done.json()["target_group"] is True
    # A completed project is not edited; status and amounts are never written directly.
    edit = client.patch(url, {"status": "applied", "subsidy": "0"}, content_type="application/json")
    assert edit.status_code == 400
    assert AdaptationProject.objects.get().status == ProjectStatus.COMPLETED
    assert client.delete(url).status_code in (403, 405)


def test_api_is_scoped(client, village_worker, other_village_worker, elder, other_elder, station):
    from carecircle.adaptations import services

    mine = services.apply(AdaptationProject(person=elder, applied_on=days_ago(5)))
    theirs = services.apply(AdaptationProject(person=other_elder, applied_on=days_ago(5)))
    bed = open_bed(other_elder, station)
    client.force_login(village_worker)
    listing = client.get(PROJECTS).json()
    assert [row["uuid"] for row in listing["results"]] == [str(mine.uuid)]
    assert client.get(f"{PROJECTS}{theirs.uuid}/").status_code == 404
    assert client.get(f"{BEDS}{bed.uuid}/").status_code == 404
    assert client.get(BEDS).json()["count"] == 0
    # Read-only for a village worker.
    refused = client.post(
        f"{PROJECTS}{mine.uuid}/assess/",
        {"assessed_on": days_ago(1).isoformat(), "assessment_note": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.force_login(other_village_worker)
    assert client.get(f"{BEDS}{bed.uuid}/").status_code == 200
    assert client.get(BEDS, {"person": str(other_elder.uuid)}).json()["count"] == 1


def test_institution_staff_manage_their_beds_through_the_api(
    client, station_staff, station, other_station, elder, other_elder
):
    theirs = open_bed(other_elder, other_station)
    client.force_login(station_staff)
    created = client.post(
        BEDS,
        {"id_number": elder.id_number, "started_on": days_ago(2).isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["provider"] == str(station.uuid)
    assert elder.id_number not in created.content.decode()
    assert [row["uuid"] for row in client.get(BEDS).json()["results"]] == [created.json()["uuid"]]
    assert client.get(f"{BEDS}{theirs.uuid}/").status_code == 404
    ended = client.post(
        f"{BEDS}{created.json()['uuid']}/end/",
        {"ended_on": days_ago(1).isoformat(), "end_reason": "withdrawn"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["end_reason"] == "withdrawn"
    assert FamilyCareBed.objects.filter(ended_on__isnull=True).count() == 1
    assert client.get(PROJECTS).status_code == 403
