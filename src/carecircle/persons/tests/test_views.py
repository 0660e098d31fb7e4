import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.testing import xlsx_text
from carecircle.institutions.models import Residency
from carecircle.persons.models import Contact, HardshipFlag, Person, Residence
from carecircle.persons.tests.helpers import elder_birth, new_id

pytestmark = pytest.mark.django_db

ELDERS = reverse("persons:elder-list")
CHILDREN = reverse("persons:child-list")


def detail(person):
    return reverse("persons:person-detail", args=[person.uuid])


def events(action):
    return AuditEvent.objects.filter(action=action)


# Access: anonymous, no permission, out of scope ---------------------------------------------


def test_anonymous_is_sent_to_login(client, elder):
    for url in (ELDERS, detail(elder), reverse("persons:person-search")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_user_without_role_gets_403(client, outsider, elder):
    client.force_login(outsider)
    assert client.get(ELDERS).status_code == 403
    assert client.get(detail(elder)).status_code == 403
    assert client.post(reverse("persons:person-reveal-id", args=[elder.uuid])).status_code == 403


def test_village_worker_cannot_read_another_village(client, village_worker, elder, other_elder):
    client.force_login(village_worker)
    page = client.get(ELDERS).content.decode()
    assert elder.name in page
    assert other_elder.name not in page
    assert client.get(detail(elder)).status_code == 200
    assert client.get(detail(other_elder)).status_code == 404
    assert client.get(reverse("persons:person-update", args=[other_elder.uuid])).status_code == 404
    assert client.get(reverse("persons:person-move", args=[other_elder.uuid])).status_code == 404
    export = client.get(ELDERS, {"export": "xlsx"})
    assert export.status_code == 200
    text = xlsx_text(export.content)
    assert elder.name in text
    assert other_elder.name not in text
    assert client.get(f"/api/persons/{other_elder.uuid}/").status_code == 404
    api_names = [row["name"] for row in client.get("/api/persons/").json()["results"]]
    assert api_names == [elder.name]


def test_institution_employee_sees_only_their_residents(client, institution_staff, provider):
    resident = t.make_person(t.VILLAGE_A1, name="住院老人")
    neighbour = t.make_person(t.VILLAGE_A1, name="居家老人")
    Residency.objects.create(provider=provider, person=resident, admitted_on=dt.date(2024, 1, 1))
    client.force_login(institution_staff)
    page = client.get(ELDERS).content.decode()
    assert resident.name in page
    assert neighbour.name not in page
    assert client.get(detail(resident)).status_code == 200
    assert client.get(detail(neighbour)).status_code == 404


def test_domain_scope_hides_children_from_elderly_officer(client, civil_affairs_officer, child):
    client.force_login(civil_affairs_officer)
    assert child.name not in client.get(CHILDREN).content.decode()
    assert client.get(detail(child)).status_code == 404
    assert client.get(reverse("persons:child-create")).status_code == 403


# Masking and the audited reveal --------------------------------------------------------------


def test_list_detail_and_export_show_only_the_masked_number(client, town_officer, elder):
    elder.phone = "13812345678"
    elder.save()
    full = elder.id_number
    client.force_login(town_officer)
    for response in (client.get(ELDERS), client.get(detail(elder))):
        body = response.content.decode()
        assert full not in body
        assert elder.id_number_masked in body
        assert "13812345678" not in body
        assert "138****5678" in body
    export = client.get(ELDERS, {"export": "xlsx"})
    assert full.encode() not in export.content
    text = xlsx_text(export.content)
    assert full not in text
    assert elder.id_number_masked in text


def test_reveal_needs_the_permission(client, village_worker, elder):
    client.force_login(village_worker)
    url = reverse("persons:person-reveal-id", args=[elder.uuid])
    assert client.post(url).status_code == 403
    assert not events(AuditAction.VIEW_FULL_ID).exists()


def test_reveal_by_post_shows_the_number_and_is_audited(client, town_officer, elder):
    client.force_login(town_officer)
    url = reverse("persons:person-reveal-id", args=[elder.uuid])
    assert client.get(url).status_code == 405
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert elder.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = events(AuditAction.VIEW_FULL_ID).get()
    assert event.object_id == str(elder.uuid)
    assert event.user == town_officer
    assert elder.id_number not in str(event.detail) + event.object_label


def test_reveal_out_of_scope_is_404(client, town_officer):
    far = t.make_person(t.TOWN_B)
    client.force_login(town_officer)
    url = reverse("persons:person-reveal-id", args=[far.uuid])
    assert client.post(url).status_code == 404


def test_contacts_masked_until_revealed(client, town_officer, elder):
    contact = Contact(person=elder, relation="emergency", relationship="女儿")
    contact.set_details("王小红", "13900001111")
    contact.save()
    client.force_login(town_officer)
    page = client.get(detail(elder)).content.decode()
    assert "13900001111" not in page
    assert "王*红" in page
    response = client.post(reverse("persons:person-reveal-contacts", args=[elder.uuid]))
    assert "13900001111" in response.content.decode()
    assert events(AuditAction.VIEW_FULL_ID).get().detail["field"] == "contacts"


def test_every_detail_view_writes_exactly_one_view_record(client, village_worker, elder):
    client.force_login(village_worker)
    client.get(detail(elder))
    assert events(AuditAction.VIEW_RECORD).count() == 1
    client.get(detail(elder))
    assert events(AuditAction.VIEW_RECORD).filter(object_id=str(elder.uuid)).count() == 2
    client.get(ELDERS)
    assert events(AuditAction.VIEW_RECORD).count() == 2


def test_detail_shows_history_flags_residences_and_stays(client, town_officer, elder, provider):
    HardshipFlag.objects.create(person=elder, kind="minimum_living", valid_from=dt.date(2023, 1, 1))
    Residency.objects.create(provider=provider, person=elder, admitted_on=dt.date(2024, 2, 1))
    elder.address = "新地址"
    elder.save()
    client.force_login(town_officer)
    page = client.get(detail(elder)).content.decode()
    assert "低保" in page
    assert provider.name in page
    assert "钟涵" in page  # residence history: the village
    assert "变更记录" in page and "住址" in page


# ID search -----------------------------------------------------------------------------------


def test_id_search_by_post_finds_and_audits(client, village_worker, elder, other_elder):
    client.force_login(village_worker)
    url = reverse("persons:person-search")
    response = client.post(url, {"id_number": elder.id_number.lower()})
    body = response.content.decode()
    assert elder.name in body and elder.id_number_masked in body
    assert elder.id_number not in body
    event = events(AuditAction.SEARCH_PERSON).get()
    assert event.detail["results"] == "1"
    assert elder.id_number not in event.object_label
    # Another village's person is not found.
    body = client.post(url, {"id_number": other_elder.id_number}).content.decode()
    assert other_elder.name not in body


def test_id_search_by_get_does_not_search(client, village_worker, elder):
    client.force_login(village_worker)
    response = client.get(reverse("persons:person-search"), {"id_number": elder.id_number})
    assert response.status_code == 200
    assert elder.name not in response.content.decode()
    assert not events(AuditAction.SEARCH_PERSON).exists()


def test_list_filters_never_take_an_id_number(client, village_worker, elder):
    client.force_login(village_worker)
    body = t.filtered_list(client, ELDERS, {"q": elder.id_number}).content.decode()
    assert elder.name not in body.split("<table")[1]


# Registration and changes --------------------------------------------------------------------


def test_village_worker_registers_an_elder(client, village_worker):
    number = new_id(elder_birth(70))
    client.force_login(village_worker)
    response = client.post(
        reverse("persons:elder-create"),
        {
            "name": "赵大爷",
            "id_number": number,
            "area": t.area(t.VILLAGE_A1).pk,
            "address": "1组",
            "phone": "13800001111",
            "living_arrangement": "alone",
            "disability_kind": "",
        },
    )
    person = Person.objects.get(name="赵大爷")
    assert response.status_code == 302
    assert response["Location"] == detail(person)
    assert number not in response["Location"]
    assert person.domain == "elderly" and person.birth_date == elder_birth(70)
    assert person.residences.get().area.code == t.VILLAGE_A1


def test_registration_errors_are_shown_in_chinese(client, village_worker):
    client.force_login(village_worker)
    young = new_id(timezone.localdate().replace(year=timezone.localdate().year - 50))
    response = client.post(
        reverse("persons:elder-create"),
        {"name": "年轻人", "id_number": young, "area": t.area(t.VILLAGE_A1).pk},
    )
    assert response.status_code == 200
    assert "年满60周岁" in response.content.decode()
    assert not Person.objects.exists()


def test_move_view_keeps_history(client, town_officer, elder):
    client.force_login(town_officer)
    response = client.post(
        reverse("persons:person-move", args=[elder.uuid]),
        {"area": t.area(t.VILLAGE_A2).pk, "on": timezone.localdate().isoformat(), "address": "2组"},
    )
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.area.code == t.VILLAGE_A2
    assert Residence.objects.filter(person=elder).count() == 2


def test_status_flag_and_contact_views(client, village_worker, elder):
    client.force_login(village_worker)
    base = {"uuid": elder.uuid}
    response = client.post(
        reverse("persons:flag-create", kwargs=base),
        {"kind": "extreme_poverty", "valid_from": "2024-01-01"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("persons:contact-create", kwargs=base),
        {
            "relation": "guardian",
            "relationship": "儿子",
            "contact_name": "王强",
            "contact_phone": "13911112222",
        },
    )
    assert response.status_code == 302
    contact = elder.contacts.get()
    assert contact.full_phone == "13911112222" and contact.phone_masked == "139****2222"
    response = client.post(
        reverse("persons:person-status", kwargs=base),
        {"kind": "death", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.death_date == timezone.localdate()
    assert elder.hardship_flags.get().kind == "extreme_poverty"


def test_update_does_not_change_area_by_mass_assignment(client, village_worker, elder):
    client.force_login(village_worker)
    response = client.post(
        reverse("persons:person-update", args=[elder.uuid]),
        {"name": "王秀英", "area": t.area(t.VILLAGE_A2).pk, "address": "新址"},
    )
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.area.code == t.VILLAGE_A1 and elder.address == "新址"


# Duplicates and merge ------------------------------------------------------------------------


def test_duplicates_listed_and_merged_with_audit_trail(client, town_officer, village_worker):
    first = t.make_person(t.VILLAGE_A1, name="周文华", birth=dt.date(1944, 4, 4))
    second = t.make_person(t.VILLAGE_A1, name="周文华", birth=dt.date(1944, 4, 4))
    client.force_login(village_worker)
    page = client.get(reverse("persons:duplicate-list")).content.decode()
    assert first.id_number_masked in page and second.id_number_masked in page
    data = {"kept": first.uuid, "merged": second.uuid, "reason": "同一人重复登记"}
    assert client.post(reverse("persons:person-merge"), data).status_code == 403
    client.force_login(town_officer)
    assert client.get(reverse("persons:person-merge")).status_code == 405
    response = client.post(reverse("persons:person-merge"), data)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first
    assert events(AuditAction.MERGE).get().object_id == str(first.uuid)
    assert "周文华" not in client.get(reverse("persons:duplicate-list")).content.decode()


def test_merge_of_out_of_scope_record_is_404(client, town_officer, other_elder):
    mine = t.make_person(t.VILLAGE_A1, name=other_elder.name, birth=other_elder.birth_date)
    client.force_login(town_officer)
    town_officer.scope_area = t.area(t.VILLAGE_A1)
    town_officer.save()
    data = {"kept": mine.uuid, "merged": other_elder.uuid, "reason": "重复"}
    assert client.post(reverse("persons:person-merge"), data).status_code == 404
    other_elder.refresh_from_db()
    assert other_elder.merged_into is None


# Storage --------------------------------------------------------------------------------------


def test_database_holds_only_ciphertext(elder):
    number = elder.id_number
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, id_number_masked FROM persons_person")
        rows = cursor.fetchall()
        cursor.execute("SELECT id_number_encrypted FROM persons_historicalperson")
        rows += cursor.fetchall()
    assert rows
    assert all(number not in " ".join(str(v) for v in row) for row in rows)
