import pytest
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.referrals import fhir
from carecircle.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_list_and_detail_are_scoped(client, staff, referral, other_referral):
    client.force_login(staff)
    body = client.get("/api/referrals/").json()
    assert [r["uuid"] for r in body["results"]] == [str(referral.uuid)]
    assert body["results"][0]["person_name"] == "王*英"
    assert client.get(f"/api/referrals/{other_referral.uuid}/").status_code == 404
    assert client.get(f"/api/referrals/{referral.uuid}/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_RECORD).count() == 1


def test_create_and_act(client, staff, resident, institution, hospital, other_institution):
    client.force_login(staff)
    data = {
        "person": str(resident.uuid),
        "direction": "up",
        "provider": str(institution.uuid),
        "hospital": str(hospital.uuid),
        "referred_on": timezone.now().isoformat(),
        "reason": "胸闷气短",
        "diagnosis_code": "I50.9",
        "diagnosis_text": "心力衰竭",
        "status": "completed",  # read-only: ignored
    }
    response = client.post("/api/referrals/", data, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "initiated" and created["to_hospital"] == str(hospital.uuid)
    uuid = created["uuid"]
    assert client.post(f"/api/referrals/{uuid}/complete/").status_code == 400
    assert client.post(f"/api/referrals/{uuid}/accept/").json()["status"] == "accepted"
    assert client.post(f"/api/referrals/{uuid}/complete/").json()["status"] == "completed"
    wrong = {**data, "provider": str(other_institution.uuid)}
    assert client.post("/api/referrals/", wrong, content_type="application/json").status_code == 400
    bad_code = {**data, "diagnosis_code": "X"}
    response = client.post("/api/referrals/", bad_code, content_type="application/json")
    assert "ICD-10" in response.json()["diagnosis_code"][0]


def test_reject_needs_a_reason(client, staff, referral):
    client.force_login(staff)
    assert client.post(f"/api/referrals/{referral.uuid}/reject/").status_code == 400
    response = client.post(
        f"/api/referrals/{referral.uuid}/reject/",
        {"reject_reason": "床位已满"},
        content_type="application/json",
    )
    assert response.json()["status"] == "rejected"


def test_fhir_endpoints(client, staff, weijian, referral):
    client.force_login(staff)
    assert client.get("/api/referrals/fhir/").status_code == 403
    client.force_login(weijian)
    response = client.get("/api/referrals/fhir/")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/fhir+json"
    )
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and fhir.count_requests(bundle) == 1
    response = client.post("/api/referrals/fhir/", bundle, content_type="application/fhir+json")
    assert response.json() == {
        "ok": True,
        "requests": 1,
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "errors": [],
    }
    bundle["entry"][-1]["resource"]["status"] = "draft"
    response = client.post("/api/referrals/fhir/", bundle, content_type="application/json")
    assert response.status_code == 400 and "resource.status" in response.json()["errors"][0]
    assert Referral.objects.get().status == "initiated"


def test_hospitals_api(client, weijian, staff, hospital):
    client.force_login(staff)
    assert client.get("/api/hospitals/").json()["count"] == 1
    assert client.post("/api/hospitals/", {}, content_type="application/json").status_code == 403
    client.force_login(weijian)
    data = {
        "name": "海安市康复医院",
        "credit_code": "12320685466000009",
        "level": "2",
        "area": "320685101",
    }
    response = client.post("/api/hospitals/", data, content_type="application/json")
    assert (
        response.status_code == 400 and "统一社会信用代码无效" in response.json()["credit_code"][0]
    )
