import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.institutions.models import Residency
from carecircle.persons import services
from carecircle.persons.models import Contact, HardshipFlag, Person, PersonMerge
from carecircle.persons.tests.helpers import elder_birth, new_id

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_register_person_opens_a_residence():
    person = Person(domain="elderly", name="钱大爷", area=t.area(t.VILLAGE_A1), address="3组")
    services.register_person(person, id_number=new_id(elder_birth()))
    residence = person.residences.get()
    assert residence.valid_to is None and residence.address == "3组"


def test_register_refuses_a_living_duplicate(elder):
    again = Person(domain="elderly", name="王秀英", area=t.area(t.VILLAGE_A1))
    with pytest.raises(ValidationError, match="已登记"):
        services.register_person(again, id_number=elder.id_number)


def test_move_keeps_history(elder):
    start = elder.residences.get()
    moved_on = TODAY - dt.timedelta(days=5)
    services.move_person(elder, t.area(t.VILLAGE_A2), moved_on, "拥徐村5组")
    elder.refresh_from_db()
    assert elder.area.code == t.VILLAGE_A2 and elder.address == "拥徐村5组"
    history = list(elder.residences.order_by("valid_from"))
    assert [r.area.code for r in history] == [t.VILLAGE_A1, t.VILLAGE_A2]
    assert history[0].pk == start.pk and history[0].valid_to == moved_on
    assert history[1].valid_to is None
    assert elder.history.count() >= 2


def test_move_before_current_residence_or_into_the_future_is_refused(elder):
    with pytest.raises(ValidationError, match="起始日期"):
        services.move_person(elder, t.area(t.VILLAGE_A2), dt.date(2019, 1, 1))
    with pytest.raises(ValidationError, match="晚于今天"):
        services.move_person(elder, t.area(t.VILLAGE_A2), TODAY + dt.timedelta(days=1))


def test_death_closes_residence_and_institution_stay(elder, provider):
    Residency.objects.create(provider=provider, person=elder, admitted_on=dt.date(2024, 1, 1))
    assert services.record_death(elder, TODAY) is True
    assert services.record_death(elder, TODAY) is False  # idempotent
    assert elder.residences.get().valid_to == TODAY
    assert Residency.objects.get(person=elder).discharged_on == TODAY
    with pytest.raises(ValidationError):
        services.record_death(elder, TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="已登记死亡"):
        services.record_move_out(elder, TODAY)


def test_find_duplicates_is_set_based_and_scoped(village_worker, django_assert_num_queries):
    birth = dt.date(1941, 1, 1)
    a = t.make_person(t.VILLAGE_A1, name="吴建国", birth=birth)
    b = t.make_person(t.VILLAGE_A1, name="吴建国", birth=birth)
    t.make_person(t.VILLAGE_A1, name="吴建国", birth=dt.date(1941, 1, 2))  # other birth date
    dead = t.make_person(t.VILLAGE_A1, name="吴建国", birth=birth)
    Person.objects.filter(pk=dead.pk).update(death_date=TODAY)
    far = t.make_person(t.VILLAGE_A2, name="冯兰", birth=birth)
    t.make_person(t.VILLAGE_A1, name="冯兰", birth=birth)
    with django_assert_num_queries(1):
        found = list(services.find_duplicates(Person.objects.for_user(village_worker)))
    assert {p.pk for p in found} == {a.pk, b.pk}
    assert far.pk in {p.pk for p in services.find_duplicates(Person.objects.all())}


def test_merge_moves_flags_contacts_and_stays(town_officer, provider):
    birth = dt.date(1939, 9, 9)
    kept = t.make_person(t.VILLAGE_A1, name="郑秀兰", birth=birth)
    merged = t.make_person(t.VILLAGE_A1, name="郑秀兰", birth=birth)
    HardshipFlag.objects.create(person=kept, kind="minimum_living", valid_from=dt.date(2022, 1, 1))
    HardshipFlag.objects.create(
        person=merged, kind="minimum_living", valid_from=dt.date(2022, 1, 1)
    )
    HardshipFlag.objects.create(person=merged, kind="disabled", valid_from=dt.date(2023, 1, 1))
    for person, phone in ((kept, "13800000001"), (merged, "13800000001"), (merged, "13800000002")):
        contact = Contact(person=person, relation="emergency", relationship="儿子")
        contact.set_details("郑强", phone)
        contact.save()
    Residency.objects.create(provider=provider, person=merged, admitted_on=dt.date(2024, 5, 1))

    merge = services.merge_persons(kept, merged, town_officer, "重复登记")

    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert sorted(kept.hardship_flags.values_list("kind", flat=True)) == [
        "disabled",
        "minimum_living",
    ]
    assert merged.hardship_flags.count() == 1  # the duplicate stays with the merged record
    assert sorted(c.full_phone for c in kept.contacts.all()) == ["13800000001", "13800000002"]
    assert Residency.objects.get().person == kept
    assert PersonMerge.objects.get() == merge and merge.merged_by == town_officer
    event = AuditEvent.objects.get(action=AuditAction.MERGE)
    assert event.object_id == str(kept.uuid) and event.detail["merged"] == str(merged.uuid)
    assert not services.find_duplicates(Person.objects.all()).exists()
    # Both the merged and the kept record are now settled.
    with pytest.raises(ValidationError):
        services.merge_persons(kept, merged, town_officer, "再次")


def test_merge_needs_a_reason_and_distinct_records(town_officer, elder):
    with pytest.raises(ValidationError):
        services.merge_persons(elder, elder, town_officer, "同一条")
    other = t.make_person(t.VILLAGE_A1, name=elder.name, birth=elder.birth_date)
    with pytest.raises(ValidationError, match="原因"):
        services.merge_persons(elder, other, town_officer, "  ")
    assert not PersonMerge.objects.exists()
