import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.core.dates import years_before
from carecircle.persons.filters import ChildFilter, ElderFilter, PersonFilter, months_before
from carecircle.persons.models import HardshipFlag, Person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def run(filter_class, user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    filterset = filter_class(request.GET, queryset=Person.objects.for_user(user), request=request)
    assert filterset.is_valid(), filterset.errors
    return sorted(p.name for p in filterset.qs)


def test_months_before_clamps_to_month_end():
    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2025, 1, 15), 13) == dt.date(2023, 12, 15)


def test_elder_age_bands(town_officer):
    for name, years in (("六十", 60), ("六十九", 69), ("七十", 70), ("九十五", 95)):
        t.make_person(t.VILLAGE_A1, name=name, birth=years_before(TODAY, years))
    assert run(ElderFilter, town_officer, age_band="60-69") == ["六十", "六十九"]
    assert run(ElderFilter, town_officer, age_band="70-79") == ["七十"]
    assert run(ElderFilter, town_officer, age_band="90+") == ["九十五"]


def test_child_age_bands_in_months(town_officer):
    for name, months in (("新生", 0), ("五月", 5), ("六月", 6), ("两岁", 24)):
        t.make_person(
            t.VILLAGE_A1, name=name, birth=months_before(TODAY, months), domain="childcare"
        )
    assert run(ChildFilter, town_officer, age_band="0-5m") == ["五月", "新生"]
    assert run(ChildFilter, town_officer, age_band="6-11m") == ["六月"]
    assert run(ChildFilter, town_officer, age_band="24-35m") == ["两岁"]


def test_area_subtree_flag_status_disability_living_sex(town_officer):
    a = t.make_person(t.VILLAGE_A1, name="甲", living_arrangement="alone", disability_kind="visual")
    b = t.make_person(t.VILLAGE_A2, name="乙", birth=dt.date(1950, 5, 17))
    c = t.make_person(t.VILLAGE_A2, name="丙")
    HardshipFlag.objects.create(person=a, kind="extreme_poverty", valid_from=dt.date(2020, 1, 1))
    HardshipFlag.objects.create(
        person=b, kind="extreme_poverty", valid_from=dt.date(2020, 1, 1), valid_to=TODAY
    )
    Person.objects.filter(pk=c.pk).update(death_date=TODAY)
    assert run(PersonFilter, town_officer, area=t.VILLAGE_A2) == ["丙", "乙"]
    assert run(PersonFilter, town_officer, area=t.TOWN_A) == ["丙", "乙", "甲"]
    assert run(PersonFilter, town_officer, area="999999999999") == []
    assert run(PersonFilter, town_officer, hardship="extreme_poverty") == ["甲"]
    assert run(PersonFilter, town_officer, status="present") == ["乙", "甲"]
    assert run(PersonFilter, town_officer, status="deceased") == ["丙"]
    assert run(PersonFilter, town_officer, disability="any") == ["甲"]
    assert run(PersonFilter, town_officer, disability="visual") == ["甲"]
    assert run(PersonFilter, town_officer, living_arrangement="alone") == ["甲"]
    assert run(PersonFilter, town_officer, living_arrangement="unknown") == ["丙", "乙"]
    assert run(PersonFilter, town_officer, sex="M", q="乙") == ["乙"]


def test_list_page_queries_do_not_grow_with_rows(
    client, town_officer, django_assert_max_num_queries
):
    for index in range(12):
        person = t.make_person(t.VILLAGE_A1, name=f"老人{index}")
        HardshipFlag.objects.create(person=person, kind="dementia", valid_from=dt.date(2024, 1, 1))
    client.force_login(town_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("persons:elder-list"))
    assert response.content.decode().split("<table")[1].count("失智") == 12
