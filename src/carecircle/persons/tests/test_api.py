import datetime as dt

import pytest
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.persons.models import Contact, HardshipFlag, Person
from carecircle.persons.tests.helpers import elder_birth, new_id

pytestmark = pytest.mark.django_db

PERSONS = "/api/persons/"


def url(person, suffix=""):
    return f"{PERSONS}{person.uuid}/{suffix}"


def test_anonymous_and_roleless_users_are_refused(client, outsider, elder):
    assert client.get(PERSONS).status_code in (401, 403)
    client.force_login(outsider)
    assert client.get(PERSONS).status_code == 403
    assert client.get(url(elder)).status_code == 403


def test_list_and_detail_are_masked_and_detail_is_audited(client, town_officer, elder):
    elder.phone = "13812345678"
    elder.save()
    client.force_login(town_officer)
    listing = client.get(PERSONS)
    assert elder.id_number not in listing.content.decode()
    row = listing.json()["results"][0]
    assert row["id_number_masked"] == elder.id_number_masked
    assert "id_number" not in row and "phone" not in row
    assert row["phone_masked"] == "138****5678"
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_RECORD).exists()
    single = client.get(url(elder))
    assert single.status_code == 200
    assert elder.id_number not in single.content.decode()
    assert "13812345678" not in single.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.VIEW_RECORD)
    assert event.object_id == str(elder.uuid)


def test_filters_shared_with_the_ui(client, town_officer, elder, child):
    HardshipFlag.objects.create(
        person=elder, kind="extreme_poverty", valid_from=dt.date(2024, 1, 1)
    )
    client.force_login(town_officer)
    names = lambda **q: [r["name"] for r in client.get(PERSONS, q).json()["results"]]  # noqa: E731
    assert names(domain="childcare") == [child.name]
    assert names(hardship="extreme_poverty") == [elder.name]
    assert names(area=t.VILLAGE_A2) == []
    assert sorted(names(area=t.TOWN_A)) == sorted([elder.name, child.name])
    assert names(q="秀英") == [elder.name]


def test_create_takes_a_write_only_number(client, village_worker):
    number = new_id(elder_birth(80), male=False)
    client.force_login(village_worker)
    response = client.post(
        PERSONS,
        {"domain": "elderly", "name": "马奶奶", "id_number": number, "area": t.VILLAGE_A1},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.content.decode()
    assert number not in body
    person = Person.objects.get(uuid=response.json()["uuid"])
    assert person.sex == "F" and person.birth_date == elder_birth(80)
    assert person.residences.count() == 1


def test_create_validates_age_scope_and_uniqueness(client, village_worker, elder):
    client.force_login(village_worker)
    young = new_id(dt.date(1990, 1, 1))
    response = client.post(
        PERSONS,
        {"domain": "elderly", "name": "青年", "id_number": young, "area": t.VILLAGE_A1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "年满60周岁" in response.json()["id_number"][0]
    response = client.post(
        PERSONS,
        {
            "domain": "elderly",
            "name": "外村",
            "id_number": new_id(elder_birth()),
            "area": t.VILLAGE_A2,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "area" in response.json()
    response = client.post(
        PERSONS,
        {"domain": "elderly", "name": "重复", "id_number": elder.id_number, "area": t.VILLAGE_A1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert elder.id_number not in response.content.decode()


def test_area_and_domain_are_not_mass_assignable(client, village_worker, elder):
    client.force_login(village_worker)
    response = client.patch(
        url(elder),
        {"area": t.VILLAGE_A2, "domain": "childcare", "address": "改址"},
        content_type="application/json",
    )
    assert response.status_code == 200
    elder.refresh_from_db()
    assert elder.area.code == t.VILLAGE_A1 and elder.domain == "elderly"
    assert elder.address == "改址"


def test_move_action_keeps_history(client, town_officer, village_worker, elder):
    body = {"area": t.VILLAGE_A2, "on": timezone.localdate().isoformat(), "address": "5组"}
    client.force_login(town_officer)
    response = client.post(url(elder, "move/"), body, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["area"] == t.VILLAGE_A2
    assert elder.residences.count() == 2
    residences = client.get("/api/residences/", {"person": str(elder.uuid)}).json()["results"]
    assert [r["area"] for r in residences] == [t.VILLAGE_A1, t.VILLAGE_A2]
    # The village worker of A1 no longer sees the person.
    client.force_login(village_worker)
    assert (
        client.post(url(elder, "move/"), body, content_type="application/json").status_code == 404
    )


def test_delete_is_not_offered(client, town_officer, elder):
    client.force_login(town_officer)
    assert client.delete(url(elder)).status_code in (403, 405)
    assert Person.objects.filter(pk=elder.pk).exists()


def test_flags_and_contacts_endpoints(client, village_worker, elder, other_elder):
    client.force_login(village_worker)
    response = client.post(
        "/api/hardship-flags/",
        {"person": str(elder.uuid), "kind": "minimum_living", "valid_from": "2024-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        "/api/hardship-flags/",
        {"person": str(other_elder.uuid), "kind": "minimum_living", "valid_from": "2024-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 400  # a person outside the scope does not exist here
    response = client.post(
        "/api/contacts/",
        {
            "person": str(elder.uuid),
            "relation": "guardian",
            "relationship": "儿子",
            "name": "王大力",
            "phone": "13600001234",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert "13600001234" not in response.content.decode()
    assert response.json()["phone_masked"] == "136****1234"
    assert Contact.objects.get().full_name == "王大力"
    other = Contact(person=other_elder, relation="guardian", relationship="女儿")
    other.set_details("李梅", "13500000000")
    other.save()
    listed = client.get("/api/contacts/").json()["results"]
    assert [c["name_masked"] for c in listed] == ["王*力"]
    assert client.get(f"/api/contacts/{other.uuid}/").status_code == 404
