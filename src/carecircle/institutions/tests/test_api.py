import datetime as dt

import pytest

from carecircle.core import testing as t
from carecircle.institutions.choices import ListKind
from carecircle.institutions.models import CapacityRecord, CreditListing, Provider, Staff
from carecircle.institutions.tests.conftest import make_listing, make_staff

pytestmark = pytest.mark.django_db

API = "/api"


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_provider_list_and_detail(client, town_officer, provider_a, provider_b):
    client.force_login(town_officer)
    [row] = results(client.get(f"{API}/providers/"))
    assert row["uuid"] == str(provider_a.uuid)
    assert row["area"] == t.VILLAGE_A1
    assert row["domain"] == "elderly"
    assert row["capacity"]["beds_total"] == 100
    assert row["capacity"]["valid_from"] == "2023-01-01"
    detail = client.get(f"{API}/providers/{provider_a.uuid}/")
    assert detail.json()["name"] == "钟涵颐养院"


def test_provider_filters_are_shared(client, city_officer, provider_a, provider_b):
    client.force_login(city_officer)
    assert [r["name"] for r in results(client.get(f"{API}/providers/", {"area": t.TOWN_B}))] == [
        "城东宝贝托育中心"
    ]
    assert [r["name"] for r in results(client.get(f"{API}/providers/", {"domain": "elderly"}))] == [
        "钟涵颐养院"
    ]


def test_provider_create_sets_domain_and_ignores_mass_assignment(client, town_officer):
    client.force_login(town_officer)
    response = client.post(
        f"{API}/providers/",
        {
            "name": "API托育点",
            "kind": "family_point",
            "ownership": "private",
            "area": t.VILLAGE_A2,
            "domain": "elderly",
            "credit_code": t.credit_code(88).lower(),
            "service_modes": ["hourly"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    provider = Provider.objects.get(uuid=response.json()["uuid"])
    assert provider.domain == "childcare"
    assert provider.credit_code == t.credit_code(88)
    assert response.json()["capacity"] is None


def test_provider_create_out_of_scope_or_blacklisted(client, town_officer):
    client.force_login(town_officer)
    body = {"name": "越界", "kind": "private_institution", "ownership": "private", "area": t.TOWN_B}
    response = client.post(f"{API}/providers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["area"] == ["所在区划不在您的管辖范围内"]
    code = t.credit_code(89)
    make_listing(credit_code=code, kind=ListKind.BLACK)
    body.update(area=t.VILLAGE_A1, credit_code=code)
    response = client.post(f"{API}/providers/", body, content_type="application/json")
    assert response.status_code == 400
    assert "不能登记" in response.json()["credit_code"][0]
    assert not Provider.objects.exists()


def test_institution_user_api_scope(client, institution_user, provider_a, provider_b):
    client.force_login(institution_user)
    assert [r["uuid"] for r in results(client.get(f"{API}/providers/"))] == [str(provider_a.uuid)]
    assert client.get(f"{API}/providers/{provider_b.uuid}/").status_code == 404
    response = client.patch(
        f"{API}/providers/{provider_a.uuid}/", {"phone": "0513-1"}, content_type="application/json"
    )
    assert response.status_code == 200
    response = client.patch(
        f"{API}/providers/{provider_a.uuid}/", {"status": "closed"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert (
        client.patch(
            f"{API}/providers/{provider_b.uuid}/", {"phone": "1"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"{API}/providers/{provider_a.uuid}/").status_code in (403, 405)


def test_institution_user_cannot_set_service_areas_through_the_api(
    client, institution_user, provider_a
):
    """Like the form, the API keeps an institution's service areas for its regulators to set:
    an institution employee cannot attach its provider to areas outside anyone's grant to it."""
    provider_a.service_areas.set([t.area(t.VILLAGE_A1)])
    client.force_login(institution_user)
    url = f"{API}/providers/{provider_a.uuid}/"
    response = client.patch(url, {"service_areas": [t.VILLAGE_A1]}, content_type="application/json")
    assert response.status_code == 200  # unchanged: allowed
    response = client.patch(
        url, {"service_areas": [t.VILLAGE_A1, t.TOWN_B]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "service_areas" in response.json()
    assert [a.code for a in provider_a.service_areas.all()] == [t.VILLAGE_A1]


def test_other_town_gets_404_and_outsider_403(client, town_b_officer, outsider, provider_a):
    client.force_login(town_b_officer)
    assert client.get(f"{API}/providers/{provider_a.uuid}/").status_code == 404
    assert results(client.get(f"{API}/capacity-records/")) == []
    client.force_login(outsider)
    for path in ("providers", "staff", "credit-listings", "capacity-records", "grades"):
        assert client.get(f"{API}/{path}/").status_code == 403
    client.logout()
    assert client.get(f"{API}/providers/").status_code in (401, 403)


def test_capacity_record_api_validates_constraints_and_scope(
    client, town_officer, provider_a, provider_b
):
    client.force_login(town_officer)
    url = f"{API}/capacity-records/"
    body = {
        "provider": str(provider_a.uuid),
        "valid_from": "2025-01-01",
        "beds_total": 10,
        "beds_nursing": 20,
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "护理型、认知症床位不能超过床位总数" in str(response.json())
    body.update(beds_nursing=5)
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert client.post(url, body, content_type="application/json").status_code == 400
    body.update(provider=str(provider_b.uuid), valid_from="2025-02-01")
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400 and "provider" in response.json()
    rows = results(client.get(url, {"provider__uuid": str(provider_a.uuid)}))
    assert len(rows) == CapacityRecord.objects.filter(provider=provider_a).count() == 3


def test_designation_and_grade_api(client, town_officer, provider_a):
    client.force_login(town_officer)
    response = client.post(
        f"{API}/designations/",
        {
            "provider": str(provider_a.uuid),
            "kind": "elderly_model",
            "issuing_level": "county",
            "granted_on": "2024-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = client.post(
        f"{API}/grades/",
        {"provider": str(provider_a.uuid), "grade": 7, "valid_from": "2024-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        f"{API}/grades/",
        {"provider": str(provider_a.uuid), "grade": 4, "valid_from": "2024-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert [r["grade"] for r in results(client.get(f"{API}/grades/"))] == [4]


def test_staff_api_masks_and_writes_id_number(client, town_officer, provider_a):
    client.force_login(town_officer)
    number = t.resident_id(birth=dt.date(1979, 9, 9))
    response = client.post(
        f"{API}/staff/",
        {
            "provider": str(provider_a.uuid),
            "name": "API员工",
            "id_number": number,
            "role": "caregiver",
            "hired_on": "2024-01-01",
            "credit_status": "good",
            "birth_date": "2000-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "id_number" not in body
    assert body["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert body["birth_date"] == "1979-09-09"
    staff = Staff.objects.get()
    assert staff.id_number == number
    listing = client.get(f"{API}/staff/").content.decode()
    assert number not in listing and body["id_number_masked"] in listing
    assert (
        client.post(
            f"{API}/staff/",
            {
                "provider": str(provider_a.uuid),
                "name": "无证",
                "role": "caregiver",
                "hired_on": "2024-01-01",
            },
            content_type="application/json",
        ).status_code
        == 400
    )


def test_staff_api_refuses_banned_person(client, town_officer, provider_a):
    number = t.resident_id()
    make_listing(id_number=number, kind=ListKind.LIFETIME_BAN)
    client.force_login(town_officer)
    response = client.post(
        f"{API}/staff/",
        {
            "provider": str(provider_a.uuid),
            "name": "禁入",
            "id_number": number,
            "role": "caregiver",
            "hired_on": "2024-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "终身禁入" in response.json()["id_number"][0]


def test_staff_api_filters_and_scope(client, institution_user, provider_a, provider_b):
    make_staff(provider_a, name="甲")
    make_staff(provider_b, name="乙", left_on=dt.date(2022, 1, 1))
    client.force_login(institution_user)
    assert [r["name"] for r in results(client.get(f"{API}/staff/"))] == ["甲"]
    other = Staff.objects.get(name="乙")
    assert client.get(f"{API}/staff/{other.uuid}/").status_code == 404


def test_credit_listing_api(client, civil_affairs_officer, village_worker):
    client.force_login(civil_affairs_officer)
    number = t.resident_id()
    response = client.post(
        f"{API}/credit-listings/",
        {
            "subject_kind": "person",
            "subject_name": "某人",
            "id_number": number,
            "list_kind": "black",
            "listed_on": "2025-01-01",
            "authority": "海安市民政局",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert number not in response.content.decode()
    listing = CreditListing.objects.get()
    assert listing.id_number_masked and listing.id_number_index
    response = client.post(
        f"{API}/credit-listings/",
        {
            "subject_kind": "organisation",
            "subject_name": "某公司",
            "list_kind": "black",
            "listed_on": "2025-01-01",
            "authority": "海安市民政局",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    client.force_login(village_worker)
    assert len(results(client.get(f"{API}/credit-listings/", {"in_force": "true"}))) == 1
    assert (
        client.post(f"{API}/credit-listings/", {}, content_type="application/json").status_code
        == 403
    )
