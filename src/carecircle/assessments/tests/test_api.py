"""API: scoped reads and writes; the score is always computed on the server."""

import datetime as dt

import pytest

from carecircle.assessments.models import Assessment
from carecircle.assessments.tests.helpers import make_assessment, scores_for
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/assessments/"


def payload(person, **extra):
    return {
        "person": str(person.uuid),
        "assessed_on": "2025-03-01",
        "reason": "routine",
        "assessor_name": "张医生",
        "assessor_medical": True,
        "second_assessor_name": "李社工",
        "item_scores": scores_for(44),
        **extra,
    }


def test_create_computes_score_and_level(client, assessor, elder):
    client.force_login(assessor)
    body = payload(
        elder,
        initial_score=90,  # read-only: ignored
        final_level=0,
        risk_events=[
            {"kind": "fall", "date": "2025-02-20"},
            {"kind": "wander", "date": "2025-03-01"},
        ],
    )
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["initial_score"], data["initial_level"], data["final_level"]) == (44, 3, 4)
    assert data["adjustments"] == ["risk_events"]
    assert data["valid_until"] == "2026-02-28"
    assert data["domain_scores"] == {"B.1": 0, "B.2": 1, "B.3": 28, "B.4": 15}
    assert data["assessor"] == assessor.username
    assert elder.name not in response.content.decode()  # masked name only


def test_invalid_payload_names_the_fields(client, assessor, elder):
    client.force_login(assessor)
    scores = scores_for(90)
    del scores["B.4.2"]
    body = payload(elder, item_scores=scores, assessor_medical=False, diseases=["Z00"])
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"B.4.2", "assessor_medical", "diseases"}
    assert not Assessment.objects.exists()


def test_update_and_filters(client, assessor, elder):
    assessment = make_assessment(elder, total=90, on=dt.date(2025, 3, 1))
    client.force_login(assessor)
    url = f"{URL}{assessment.uuid}/"
    response = client.patch(url, {"coma": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["final_level"] == 4
    assert client.get(URL, {"final_level": 4}).json()["count"] == 1
    assert client.get(URL, {"final_level": 0}).json()["count"] == 0
    assert client.get(URL, {"person": str(elder.uuid)}).json()["count"] == 1
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_RECORD).count() == 1
    assert client.delete(url).status_code in (403, 405)  # no delete, for anyone
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_read_only_roles_cannot_write(client, village_worker, elder):
    client.force_login(village_worker)
    response = client.post(URL, payload(elder), content_type="application/json")
    assert response.status_code == 403
