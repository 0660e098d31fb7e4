import datetime as dt

from django.urls import reverse
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.dashboard.views import scope_counts
from carecircle.institutions.models import CapacityRecord, Residency

TODAY = timezone.localdate()


def _elders():
    return [
        t.make_person(t.VILLAGE_A1, name="王秀英", birth=dt.date(1940, 3, 2)),  # 80+
        t.make_person(t.VILLAGE_A1, name="李建国", birth=dt.date(1955, 6, 1)),
        t.make_person(t.VILLAGE_A2, name="张桂兰", birth=dt.date(1950, 1, 9)),
    ]


def test_counts_follow_the_users_scope(db, village_worker, town_officer):
    _elders()
    t.make_person(t.VILLAGE_A1, name="陈小宝", birth=TODAY - dt.timedelta(days=300),
                  domain="childcare")  # fmt: skip
    village = scope_counts(village_worker, TODAY)
    town = scope_counts(town_officer, TODAY)
    assert (village["elders"], village["elders_80_plus"], village["children_under_3"]) == (2, 1, 1)
    assert (town["elders"], town["children_under_3"]) == (3, 1)


def test_institution_counts_beds_in_use_and_vacant(db):
    elders = _elders()
    provider = t.make_provider(t.VILLAGE_A1)
    CapacityRecord.objects.create(provider=provider, valid_from=dt.date(2020, 1, 1), beds_total=10)
    Residency.objects.create(provider=provider, person=elders[0], admitted_on=dt.date(2023, 1, 1))
    employee = t.make_user(Role.INSTITUTION_STAFF, institution=provider)
    counts = scope_counts(employee, TODAY)
    assert counts["elders"] == 1  # only the institution's resident
    assert (counts["beds"], counts["occupied_beds"], counts["vacant_beds"]) == (10, 1, 9)


def test_home_page_shows_scoped_cards(client, village_worker):
    _elders()
    client.force_login(village_worker)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "钟涵村委会" in page
    assert "老年人（60岁及以上）" in page
    assert "3岁以下婴幼儿" in page


def test_domain_limited_user_sees_only_its_domain(client, civil_affairs_officer):
    client.force_login(civil_affairs_officer)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "老年人（60岁及以上）" in page
    assert "3岁以下婴幼儿" not in page


def test_user_without_scope_sees_no_figures(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "没有数据范围" in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_error_pages_are_in_chinese(client, village_worker):
    client.force_login(village_worker)
    response = client.get("/persons/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_navigation_follows_domain_and_permissions(client, civil_affairs_officer, system_admin):
    client.force_login(civil_affairs_officer)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("persons:elder-list") in page
    assert reverse("persons:child-list") not in page
    client.force_login(system_admin)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("institutions:staff-list") not in page  # no permission on staff
    assert reverse("persons:elder-list") not in page


def test_child_list_offers_no_registration_to_an_elderly_only_officer(
    client, civil_affairs_officer
):
    client.force_login(civil_affairs_officer)
    page = client.get(reverse("persons:child-list")).content.decode()
    assert reverse("persons:child-create") not in page
    page = client.get(reverse("persons:elder-list")).content.decode()
    assert reverse("persons:elder-create") in page
