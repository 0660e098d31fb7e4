"""Pages and API: who sees what. Applications' personal data only for the chosen institution
and the health commission; counts for town and village workers; 404 outside the scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from carecircle.accounts.choices import Role
from carecircle.audit.models import AuditEvent
from carecircle.enrolment.choices import ApplicationStatus
from carecircle.enrolment.models import ChildcareClass, ClassRule, Enrolment
from carecircle.enrolment.tests.helpers import (
    MONDAY,
    birth_for,
    enrol,
    make_application,
    make_class,
    on_duty,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def toddlers(nursery):
    cls = make_class(nursery, "toddler", name="托小班（1）")
    on_duty(cls, 3, MONDAY)
    return cls


@pytest.fixture
def application(toddlers):
    return make_application(toddlers, birth=birth_for(18, MONDAY), name="周小满")


def test_institution_handles_its_own_application(client, nursery_staff, application, monday):
    client.force_login(nursery_staff)
    listing = client.get(reverse("enrolment:application-list"))
    assert listing.status_code == 200
    assert application.reference_code in listing.content.decode()
    assert "周小满" not in listing.content.decode()  # names masked in lists
    url = reverse("enrolment:application-detail", args=[application.uuid])
    page = client.get(url).content.decode()
    assert "周小满" in page and "139****5678" in page and "13912345678" not in page
    assert AuditEvent.objects.filter(action="view_record", object_id=str(application.uuid)).exists()
    revealed = client.post(reverse("enrolment:application-contact", args=[application.uuid]))
    assert "13912345678" in revealed.content.decode() and "李春燕" in revealed.content.decode()
    assert (
        AuditEvent.objects.filter(action="view_record", object_id=str(application.uuid)).count()
        == 2
    )


def test_the_accept_flow_through_the_pages(client, nursery_staff, toddlers, monday):
    application = make_application(
        toddlers, birth=birth_for(18, MONDAY), status=ApplicationStatus.SUBMITTED
    )
    client.force_login(nursery_staff)
    review = reverse("enrolment:application-action", args=[application.uuid, "review"])
    assert client.post(review, {"priority_groups": []}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITING
    offer_url = reverse("enrolment:offer-create", args=[application.uuid])
    response = client.post(
        offer_url, {"childcare_class": toddlers.pk, "start_on": MONDAY.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()
    offer = application.offers.get()
    accept = reverse("enrolment:offer-answer", args=[offer.uuid, "accept"])
    assert client.post(accept, {"start_on": MONDAY.isoformat()}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ENROLLED
    assert Enrolment.objects.get(application=application).started_on == MONDAY


def test_refused_enrolment_is_explained_on_the_page(client, nursery_staff, nursery, monday):
    cls = make_class(nursery, "infant", name="乳儿班（1）")  # nobody on duty
    application = make_application(cls, birth=birth_for(8, MONDAY))
    client.force_login(nursery_staff)
    client.post(
        reverse("enrolment:offer-create", args=[application.uuid]),
        {"childcare_class": cls.pk, "start_on": MONDAY.isoformat()},
    )
    offer = application.offers.get()
    response = client.post(
        reverse("enrolment:offer-answer", args=[offer.uuid, "accept"]),
        {"start_on": MONDAY.isoformat()},
        follow=True,
    )
    assert "该班没有在岗保育人员记录" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_health_officer_sees_every_application(client, health_officer, application):
    client.force_login(health_officer)
    url = reverse("enrolment:application-detail", args=[application.uuid])
    assert client.get(url).status_code == 200
    api = client.get(reverse("childcareapplication-detail", args=[application.uuid]))
    assert api.status_code == 200
    data = api.json()
    assert data["child_name_masked"] == "周*满" and data["guardian_phone_masked"] == "139****5678"
    assert "13912345678" not in api.content.decode()


def test_another_institution_gets_404(client, other_nursery_staff, application):
    client.force_login(other_nursery_staff)
    for name in ("enrolment:application-detail", "enrolment:offer-create"):
        assert client.get(reverse(name, args=[application.uuid])).status_code == 404
    assert (
        application.reference_code
        not in client.get(reverse("enrolment:application-list")).content.decode()
    )
    api = client.get(reverse("childcareapplication-detail", args=[application.uuid]))
    assert api.status_code == 404
    assert client.get(reverse("childcareapplication-list")).json()["count"] == 0


@pytest.mark.parametrize("fixture", ["village_worker", "town_officer", "city_officer"])
def test_area_workers_see_counts_only(request, client, fixture, toddlers, application):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    detail = reverse("enrolment:application-detail", args=[application.uuid])
    assert client.get(detail).status_code == 403
    assert client.get(reverse("enrolment:application-list")).status_code == 403
    assert client.get(reverse("childcareapplication-list")).status_code == 403
    page = client.get(reverse("enrolment:class-detail", args=[toddlers.uuid]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "托小班（1）" in body and application.reference_code not in body
    assert application.child_name not in body and application.masked_child_name not in body


def test_class_list_counts_and_ratio(client, village_worker, toddlers, monday):
    birth = birth_for(18, MONDAY)
    for _ in range(3):
        enrol(toddlers, birth, MONDAY - dt.timedelta(days=5))
    client.force_login(village_worker)
    body = client.get(reverse("enrolment:class-list")).content.decode()
    assert "托小班（1）" in body and "达标" in body


def test_other_institution_class_is_404(client, other_nursery_staff, toddlers):
    client.force_login(other_nursery_staff)
    assert client.get(reverse("enrolment:class-detail", args=[toddlers.uuid])).status_code == 404
    duty = reverse("enrolment:duty-create", args=[toddlers.uuid])
    assert client.get(duty).status_code == 404


def test_anonymous_and_outsider(client, outsider, toddlers):
    url = reverse("enrolment:class-detail", args=[toddlers.uuid])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_roster_entry_page(client, nursery_staff, nursery, monday):
    cls = make_class(nursery, "older_toddler", name="托大班（1）")
    from carecircle.enrolment.tests.helpers import make_carer

    carer = make_carer(nursery, name="周老师")
    client.force_login(nursery_staff)
    url = reverse("enrolment:duty-create", args=[cls.uuid])
    response = client.post(
        url,
        {
            "staff": [carer.pk],
            "date_from": MONDAY.isoformat(),
            "date_to": (MONDAY + dt.timedelta(days=6)).isoformat(),
            "weekdays": ["0", "1", "2", "3", "4"],
            "shift": "full_day",
        },
    )
    assert response.status_code == 302
    assert cls.duties.count() == 5
    page = client.get(reverse("enrolment:class-detail", args=[cls.uuid])).content.decode()
    assert "周老师" in page


def test_class_create_checks_the_rule(client, nursery_staff, nursery):
    client.force_login(nursery_staff)
    response = client.post(
        reverse("enrolment:class-create"),
        {
            "provider": nursery.pk,
            "name": "乳儿班（9）",
            "rule": ClassRule.objects.get(code="infant").pk,
            "mode": "full_day",
            "capacity": 12,
            "monthly_fee": "2200",
            "opened_on": "2025-01-06",
        },
    )
    assert response.status_code == 200
    assert "核定人数 12 超过乳儿班的最大人数 10" in response.content.decode()
    assert not ChildcareClass.objects.filter(name="乳儿班（9）").exists()


def test_health_officer_edits_rules_and_others_cannot(client, health_officer, nursery_staff):
    infant = ClassRule.objects.get(code="infant")
    url = reverse("enrolment:rule-update", args=[infant.pk])
    client.force_login(nursery_staff)
    assert client.get(url).status_code == 403
    client.force_login(health_officer)
    data = {
        "name": "乳儿班",
        "min_months": 6,
        "max_months": 12,
        "max_children": 9,
        "children_per_carer": 3,
        "source": "测试",
        "sort_order": 1,
        "active": "on",
    }
    assert client.post(url, data).status_code == 302
    infant.refresh_from_db()
    assert infant.max_children == 9
    assert AuditEvent.objects.filter(action="config_change").exists()


def test_rule_cannot_shrink_below_a_class(client, health_officer, nursery):
    make_class(nursery, "infant", capacity=10)
    infant = ClassRule.objects.get(code="infant")
    client.force_login(health_officer)
    response = client.post(
        reverse("enrolment:rule-update", args=[infant.pk]),
        {
            "name": "乳儿班",
            "min_months": 6,
            "max_months": 12,
            "max_children": 8,
            "children_per_carer": 3,
            "sort_order": 1,
            "active": "on",
        },
    )
    assert "有 1 个在用班级的核定人数超过 8" in response.content.decode()


def test_api_classes_are_scoped(client, nursery_staff, other_nursery_staff, toddlers):
    client.force_login(nursery_staff)
    rows = client.get(reverse("childcareclass-list")).json()["results"]
    assert [row["uuid"] for row in rows] == [str(toddlers.uuid)]
    assert rows[0]["vacancies"] == 15
    client.force_login(other_nursery_staff)
    assert client.get(reverse("childcareclass-list")).json()["count"] == 0


def test_role_grants():
    from carecircle.accounts.roles import permissions_for

    roles = (Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.CITY_OFFICER, Role.CIVIL_AFFAIRS_OFFICER)
    for role in roles:
        granted = {p for p in permissions_for(role) if p.startswith("enrolment.")}
        assert granted == {"enrolment.view_classrule", "enrolment.view_childcareclass"}
    assert "enrolment.view_applicant_contact" in permissions_for(Role.HEALTH_OFFICER)
    assert "enrolment.add_offer" in permissions_for(Role.INSTITUTION_STAFF)
