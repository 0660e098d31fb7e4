"""API: scope (404 outside), permissions (403), the shared FilterSets and the population roll-up."""

import pytest
from rest_framework.test import APIClient

from carecircle.areas.models import Area, PopulationFact, ResidentialArea
from carecircle.areas.tests.conftest import estate
from carecircle.core import testing as t


@pytest.fixture
def api():
    return APIClient()


def login(api, user):
    api.force_authenticate(user)
    return api


def fact_payload(code=t.VILLAGE_A1, year=2025, total=1000, **extra):
    payload = {
        "area": code,
        "year": year,
        "total": total,
        "male": total // 2,
        "female": total - total // 2,
        "urban": 0,
        "rural": total,
        "aged_60_plus": 300,
        "aged_65_plus": 200,
        "aged_80_plus": 40,
    }
    payload.update(extra)
    return payload


def test_anonymous_and_outsider_are_refused(api, outsider):
    assert api.get("/api/areas/").status_code in (401, 403)
    assert login(api, outsider).get("/api/areas/").status_code == 403


def test_area_list_filters_and_lookup_by_code(api, village_worker):
    login(api, village_worker)
    body = api.get("/api/areas/", {"ancestor": t.TOWN_A, "level": "village"}).json()
    assert body["count"] == 58
    body = api.get("/api/areas/", {"parent": t.TOWN_A, "urban": "rural", "q": "钟涵"}).json()
    assert [a["code"] for a in body["results"]] == [t.VILLAGE_A1]
    area = api.get(f"/api/areas/{t.VILLAGE_A1}/").json()
    assert (area["name"], area["parent"], area["level"]) == ("钟涵村委会", t.TOWN_A, "village")
    assert api.get("/api/areas/999999999999/").status_code == 404


def test_abolished_area_is_found_by_code_but_not_listed_by_default(api, city_officer):
    Area.objects.filter(code=t.VILLAGE_A2).update(valid_from="2000-01-01", valid_to="2020-01-01")
    login(api, city_officer)
    assert api.get("/api/areas/", {"q": t.VILLAGE_A2}).json()["count"] == 0
    assert api.get("/api/areas/", {"q": t.VILLAGE_A2, "historical": "true"}).json()["count"] == 1
    assert api.get(f"/api/areas/{t.VILLAGE_A2}/").status_code == 200


def test_population_endpoint_rolls_up(api, city_officer, facts):
    login(api, city_officer)
    rows = api.get(f"/api/areas/{t.CITY}/population/").json()
    assert [(r["year"], r["units"], r["total"]) for r in rows] == [(2024, 2, 3200), (2023, 3, 7000)]
    rows = api.get(f"/api/areas/{t.TOWN_A}/population/", {"year": 2023}).json()
    assert [(r["year"], r["total"], r["aged_60_plus"]) for r in rows] == [(2023, 3000, 900)]
    assert api.get(f"/api/areas/{t.TOWN_A}/population/", {"year": "x"}).status_code == 400


def test_area_descriptive_fields_only_for_admins_inside_their_subtree(
    api, system_admin, city_officer
):
    login(api, city_officer)
    url = f"/api/areas/{t.VILLAGE_A1}/"
    assert api.patch(url, {"latitude": "32.5"}, format="json").status_code == 403
    login(api, system_admin)
    response = api.patch(url, {"latitude": "32.500000", "name": "改名"}, format="json")
    assert response.status_code == 200
    area = t.area(t.VILLAGE_A1)
    assert (str(area.latitude), area.name) == ("32.500000", "钟涵村委会")  # name is read-only
    assert api.patch("/api/areas/3206/", {"latitude": "32.0"}, format="json").status_code == 404


def test_population_facts_read_and_filter(api, village_worker, facts):
    login(api, village_worker)
    body = api.get("/api/population-facts/", {"area": t.TOWN_A, "year": 2024}).json()
    assert sorted(f["area"] for f in body["results"]) == [t.VILLAGE_A1, t.VILLAGE_A2]
    assert body["results"][0]["area_name"]


def test_population_fact_writes_are_scoped_to_lowest_units(api, town_officer, facts):
    login(api, town_officer)
    response = api.post("/api/population-facts/", fact_payload(), format="json")
    assert response.status_code == 201, response.json()
    assert PopulationFact.objects.filter(area__code=t.VILLAGE_A1, year=2025).exists()

    response = api.post("/api/population-facts/", fact_payload("320685101001"), format="json")
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["area"][0]
    response = api.post("/api/population-facts/", fact_payload(t.TOWN_A), format="json")
    assert response.status_code == 400

    response = api.post("/api/population-facts/", fact_payload(year=2026, male=1), format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"male", "female"}
    response = api.post("/api/population-facts/", fact_payload(year=2023), format="json")
    assert response.status_code == 400
    assert "该区划该年份的人口数据已存在" in str(response.json())

    town_b_fact = facts[2]
    url = f"/api/population-facts/{town_b_fact.pk}/"
    assert api.get(url).status_code == 200  # population figures are readable
    assert api.patch(url, {"births": 1}, format="json").status_code == 404
    own = f"/api/population-facts/{facts[0].pk}/"
    assert api.patch(own, {"births": 12}, format="json").status_code == 200
    assert api.patch(own, {"male": 1}, format="json").status_code == 400


def test_village_worker_cannot_write_facts(api, village_worker):
    login(api, village_worker)
    assert api.post("/api/population-facts/", fact_payload(), format="json").status_code == 403


def test_estates_scope_filters_and_compliance(api, village_worker, other_village_worker):
    mine = estate(t.VILLAGE_A1)  # childcare 15 per 100 households: below the norm of 20
    estate(t.VILLAGE_A2, name="拥徐家园", childcare_room_m2=100)
    login(api, village_worker)
    body = api.get("/api/estates/").json()
    assert [e["name"] for e in body["results"]] == ["钟涵花园"]
    row = body["results"][0]
    assert (row["elderly_room_per_100"], row["childcare_room_per_100"], row["below_norm"]) == (
        "37.5",
        "15.0",
        True,
    )
    assert api.get(f"/api/estates/{mine.uuid}/").status_code == 200
    login(api, other_village_worker)
    assert api.get(f"/api/estates/{mine.uuid}/").status_code == 404
    assert api.get("/api/estates/", {"compliance": "below"}).json()["count"] == 0
    assert api.get("/api/estates/", {"compliance": "meets"}).json()["count"] == 1


def test_estate_writes(api, town_officer, village_worker):
    payload = {
        "name": "海安新苑",
        "area": t.VILLAGE_A1,
        "kind": "existing",
        "households": 100,
        "elderly_room_m2": "25.0",
        "childcare_room_m2": "15.0",
    }
    login(api, village_worker)
    assert api.post("/api/estates/", payload, format="json").status_code == 403
    login(api, town_officer)
    response = api.post("/api/estates/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["below_norm"] is False
    assert "该村（社区）已有同名小区" in str(
        api.post("/api/estates/", payload, format="json").json()
    )
    elsewhere = estate("320685101001", name="东城小区")
    url = f"/api/estates/{elsewhere.uuid}/"
    assert api.patch(url, {"households": 5}, format="json").status_code == 404
    created = ResidentialArea.objects.get(name="海安新苑")
    response = api.patch(f"/api/estates/{created.uuid}/", {"area": "320685101001"}, format="json")
    assert response.status_code == 400
