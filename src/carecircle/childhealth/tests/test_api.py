import datetime as dt

import pytest
import time_machine

from carecircle.childhealth.models import VaccineDose
from carecircle.childhealth.tests.conftest import check, dose, vaccinate, visit

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_scoped_reads(client, village_health_worker, village_worker, child, other_child, outsider):
    mine = visit(child, dt.date(2025, 1, 15))
    theirs = visit(other_child, dt.date(2025, 3, 5))
    client.force_login(village_health_worker)
    body = client.get("/api/newborn-visits/").json()
    assert [r["uuid"] for r in body["results"]] == [str(mine.uuid)]
    assert body["results"][0]["child_name"] == "王*明" and body["results"][0]["age_days"] == 5
    assert client.get(f"/api/newborn-visits/{theirs.uuid}/").status_code == 404
    client.force_login(village_worker)
    assert client.get(f"/api/newborn-visits/{mine.uuid}/").status_code == 200
    response = client.post(
        "/api/newborn-visits/",
        {"child": str(child.uuid), "visited_on": "2025-01-16", "visitor": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(outsider)
    assert client.get("/api/newborn-visits/").status_code == 403
    client.logout()
    assert client.get("/api/vaccine-doses/").status_code in (401, 403)


def test_schedule_is_read_only(client, village_worker):
    client.force_login(village_worker)
    doses = client.get("/api/vaccine-doses/").json()
    assert len(doses) == VaccineDose.objects.count() == 18
    assert doses[0]["code"] == "HepB" and doses[0]["due_months"] == 0
    response = client.post("/api/vaccine-doses/", {}, content_type="application/json")
    assert response.status_code in (403, 405)


@time_machine.travel(FROZEN, tick=False)
def test_writes_are_validated(client, health_worker, child):
    client.force_login(health_worker)
    data = {
        "child": str(child.uuid),
        "dose": str(dose("HepB", 1).uuid),
        "given_on": "2025-01-10",
        "batch": "A1",
    }
    response = client.post("/api/vaccinations/", data, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["dose_label"] == "乙肝疫苗第1剂（HepB）"
    again = client.post("/api/vaccinations/", data, content_type="application/json")
    assert again.status_code == 400
    late = {**data, "dose": str(dose("BCG", 1).uuid), "given_on": "2025-07-02"}
    assert (
        client.post("/api/vaccinations/", late, content_type="application/json").status_code == 400
    )
    vaccinate(child, "BCG", 1, dt.date(2025, 1, 11))
    record = check(child, 3, dt.date(2025, 4, 10))
    url = f"/api/child-health-checks/{record.uuid}/"
    wrong = client.patch(url, {"checkpoint": "12"}, content_type="application/json")
    assert wrong.status_code == 400 and "checked_on" in wrong.json()
    fine = client.patch(url, {"weight_kg": "6.20"}, content_type="application/json")
    assert fine.status_code == 200, fine.json()
    assert fine.json()["weight_kg"] == "6.20"
