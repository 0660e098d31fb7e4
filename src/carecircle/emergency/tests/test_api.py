import pytest

from carecircle.adaptations.tests.helpers import days_ago, open_bed
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.emergency.tests.helpers import call, device

pytestmark = pytest.mark.django_db

DEVICES = "/api/call-devices/"
CALLS = "/api/call-events/"
JSON = "application/json"


def test_anonymous_and_roleless_users_are_refused(client, outsider):
    assert client.get(CALLS).status_code in (401, 403)
    client.force_login(outsider)
    assert client.get(CALLS).status_code == 403
    assert client.get(DEVICES).status_code == 403


def test_devices_and_calls_through_the_api(client, village_worker, elder):
    client.force_login(village_worker)
    created = client.post(
        DEVICES,
        {"person": str(elder.uuid), "kind": "call_button", "serial": "HJ77",
         "enrolled_on": days_ago(30).isoformat()},
        content_type=JSON,
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["coverage"] == "device" and created.json()["person_name"] == "王*英"
    button = created.json()["uuid"]
    registered = client.post(
        CALLS,
        {"person": str(elder.uuid), "device": button, "kind": "fall",
         "called_at": "2026-01-05T08:30:00+08:00"},
        content_type=JSON,
    )  # fmt: skip
    assert registered.status_code == 201, registered.json()
    url = f"{CALLS}{registered.json()['uuid']}/"
    assert client.get(CALLS, {"state": "open"}).json()["count"] == 1
    answered = client.post(f"{url}respond/", content_type=JSON)
    assert answered.status_code == 200 and answered.json()["responder"] == "village"
    assert answered.json()["response_seconds"] > 0
    closed = client.post(f"{url}close/", {"outcome": "ambulance"}, content_type=JSON)
    assert closed.status_code == 200 and closed.json()["outcome"] == "ambulance"
    again = client.post(f"{url}close/", {"outcome": "by_phone"}, content_type=JSON)
    assert again.status_code == 400
    assert client.get(CALLS, {"state": "open"}).json()["count"] == 0
    ended = client.post(f"{DEVICES}{button}/end/", {"ended_on": days_ago(1)}, content_type=JSON)
    assert ended.status_code == 200 and ended.json()["ended_on"] == days_ago(1).isoformat()
    # Outcome and times are not written directly.
    client.patch(url, {"outcome": "false_alarm", "closed_at": None}, content_type=JSON)
    assert CallEvent.objects.get().outcome == "ambulance"


def test_api_is_scoped(client, village_worker, station_staff, station, elder, other_elder):
    theirs_device = device(other_elder)
    theirs = call(other_elder)
    mine = call(elder)
    client.force_login(village_worker)
    assert [row["uuid"] for row in client.get(CALLS).json()["results"]] == [str(mine.uuid)]
    assert client.get(f"{CALLS}{theirs.uuid}/").status_code == 404
    assert client.post(f"{CALLS}{theirs.uuid}/respond/").status_code == 404
    assert client.get(f"{DEVICES}{theirs_device.uuid}/").status_code == 404
    refused = client.post(
        DEVICES,
        {"person": str(other_elder.uuid), "kind": "hotline", "enrolled_on": days_ago(1)},
        content_type=JSON,
    )
    assert refused.status_code == 400 and "person" in refused.json()
    assert CallDevice.objects.count() == 1
    # An institution sees the calls of the elders whose family care bed it serves, read-only.
    open_bed(elder, station)
    client.force_login(station_staff)
    assert [row["uuid"] for row in client.get(CALLS).json()["results"]] == [str(mine.uuid)]
    assert client.post(f"{CALLS}{mine.uuid}/respond/").status_code == 403
    assert client.get(DEVICES).status_code == 403
