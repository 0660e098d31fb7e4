"""The API: scoped viewsets (another village's rows are 404), the services' rules, masked data."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from carecircle.core import testing as t
from carecircle.persons.choices import HardshipKind
from carecircle.visits import services
from carecircle.visits.models import Helper, Pairing, Visit
from carecircle.visits.tests.conftest import elder, helper

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate().isoformat()


@pytest.fixture
def api(village_worker):
    client = APIClient()
    client.force_authenticate(village_worker)
    return client


def test_record_and_read_visits_in_scope(api, village_worker, poor, other_poor):
    response = api.post(
        "/api/visits/",
        {"person": str(poor.uuid), "visited_on": today(), "mode": "video",
         "visitor_name": "张村干", "findings": ["housing_hazard"], "follow_up_needed": True,
         "follow_up_note": "修电线"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recorded_by"] == village_worker.username
    assert body["person_name"] == poor.masked_name
    assert poor.name not in response.content.decode()
    refused = api.post(
        "/api/visits/",
        {"person": str(other_poor.uuid), "visited_on": today(), "visitor_name": "张"},
        format="json",
    )
    assert refused.status_code == 400
    bad = api.post(
        "/api/visits/",
        {"person": str(poor.uuid), "visited_on": today(), "visitor_name": "张",
         "findings": ["normal", "unwell"]},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and "findings" in bad.json()
    theirs = Visit.objects.create(person=other_poor, visited_on=timezone.localdate(),
                                  visitor_name="外村")  # fmt: skip
    assert api.get(f"/api/visits/{theirs.uuid}/").status_code == 404
    assert api.patch(f"/api/visits/{theirs.uuid}/", {"note": "x"}).status_code == 404
    listed = [row["uuid"] for row in api.get("/api/visits/").json()["results"]]
    assert listed == [body["uuid"]]
    assert api.delete(f"/api/visits/{body['uuid']}/").status_code in (403, 405)
    assert Visit.objects.filter(uuid=body["uuid"]).exists()


def test_helpers_and_pairings(api, settings, poor):
    settings.CARECIRCLE_HELPER_MAX_ELDERS = 1
    created = api.post(
        "/api/helpers/",
        {"name": "钱邻居", "kind": "neighbour", "area": t.VILLAGE_A1, "phone": "13912340000"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["phone_masked"] == "139****0000"
    assert "13912340000" not in created.content.decode()
    outside = api.post(
        "/api/helpers/",
        {"name": "外村", "kind": "neighbour", "area": t.VILLAGE_A2, "phone": "13912340000"},
        format="json",
    )
    assert outside.status_code == 400
    helper_uuid = created.json()["uuid"]
    paired = api.post(
        "/api/pairings/",
        {"person": str(poor.uuid), "helper": helper_uuid, "started_on": today()},
        format="json",
    )
    assert paired.status_code == 201, paired.json()
    second = api.post(
        "/api/pairings/",
        {"person": str(elder().uuid), "helper": helper_uuid, "started_on": today()},
        format="json",
    )
    assert second.status_code == 400 and "达到上限" in second.content.decode()
    pairing = paired.json()["uuid"]
    log = api.post(
        "/api/help-logs/",
        {"pairing": pairing, "helped_on": today(), "kind": "call_on", "minutes": 30},
        format="json",
    )
    assert log.status_code == 201, log.json()
    ended = api.patch(f"/api/pairings/{pairing}/", {"ended_on": today()}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == today()
    assert Helper.objects.get(uuid=helper_uuid).pairings.filter(ended_on__isnull=True).count() == 0


def test_other_villages_helpers_and_pairings_are_absent(api, other_poor):
    theirs = helper(t.VILLAGE_A2, name="外村人")
    pairing = services.pair(other_poor, theirs, timezone.localdate())
    assert api.get(f"/api/helpers/{theirs.uuid}/").status_code == 404
    assert api.get(f"/api/pairings/{pairing.uuid}/").status_code == 404
    assert api.get("/api/helpers/").json()["count"] == 0
    log = api.post(
        "/api/help-logs/",
        {"pairing": str(pairing.uuid), "helped_on": today(), "kind": "call_on", "minutes": 30},
        format="json",
    )
    assert log.status_code == 400
    assert Pairing.objects.count() == 1


def test_care_wishes(api, poor):
    refused = api.post(
        "/api/care-wishes/", {"person": str(poor.uuid), "registered_on": today()}, format="json"
    )
    assert refused.status_code == 400 and "特困" in refused.content.decode()
    person = elder(flag=HardshipKind.EXTREME_POVERTY)
    created = api.post(
        "/api/care-wishes/", {"person": str(person.uuid), "registered_on": today()}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["placed"] is False
    assert api.get("/api/care-wishes/").json()["results"][0]["placed"] is False


def test_no_role_and_anonymous(outsider, poor):
    client = APIClient()
    assert client.get("/api/visits/").status_code in (401, 403)
    client.force_authenticate(outsider)
    assert client.get("/api/visits/").status_code == 403
