"""Portal search: filters by age band, mode, 普惠, price and vacancy; results by distance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from carecircle.core import testing as t
from carecircle.enrolment.tests.helpers import (
    MONDAY,
    birth_for,
    childcare_provider,
    enrol,
    make_class,
    on_duty,
)
from carecircle.institutions.models import CapacityRecord, Residency

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(mapped, monday):
    """Three childcare providers and an elderly-care home, at known points."""
    near = childcare_provider(t.VILLAGE_A1, name="近处托育园", places=40, affordable=20)
    near.latitude, near.longitude = Decimal("32.541"), Decimal("120.460")
    near.save()
    toddlers = make_class(near, "toddler", monthly_fee=2000, affordable_fee=1400)
    on_duty(toddlers, 3, MONDAY)
    middle = childcare_provider(t.VILLAGE_A2, name="中间托育园", places=20, affordable=0)
    infants = make_class(middle, "infant", capacity=2, monthly_fee=2400)
    on_duty(infants, 1, MONDAY)
    for _ in range(2):
        enrol(infants, birth_for(8, MONDAY), MONDAY - dt.timedelta(days=7))  # full
    far = childcare_provider(t.TOWN_B, name="远处托育园", places=40, affordable=0)
    make_class(far, "older_toddler", monthly_fee=3000)
    make_class(far, "toddler", name="半日班", mode="half_day", capacity=10, monthly_fee=1800)
    home = t.make_provider(t.VILLAGE_A2, name="拥徐颐养院")
    CapacityRecord.objects.create(provider=home, valid_from=dt.date(2020, 1, 1), beds_total=2)
    elder = t.make_person(t.VILLAGE_A2)
    Residency.objects.create(provider=home, person=elder, admitted_on=dt.date(2024, 1, 1))
    return {"near": near, "middle": middle, "far": far, "home": home}


def names(response) -> list[str]:
    return [place.provider.name for place in response.context["page"]]


def search(client, **query):
    return client.get(reverse("portal:search"), {"kind": "childcare", **query})


def test_results_by_distance_from_a_village(client, city):
    response = search(client, area=t.VILLAGE_A1)
    assert response.status_code == 200
    assert names(response) == ["近处托育园", "中间托育园", "远处托育园"]
    distances = [place.distance for place in response.context["page"]]
    assert distances == sorted(distances)
    assert distances[1] == pytest.approx(1.11, abs=0.05)  # 0.01° of latitude


def test_from_another_village_the_order_changes(client, city):
    assert names(search(client, area=t.TOWN_B))[0] == "远处托育园"


def test_a_point_on_the_map(client, city):
    response = search(client, lat="32.548", lon="120.544")
    assert names(response)[0] == "远处托育园"
    far_away = search(client, lat="39.9", lon="116.4")  # outside the city: ignored
    assert far_away.context["origin"] is None


def test_filters(client, city):
    from carecircle.enrolment.models import ClassRule

    rules = {rule.code: rule.pk for rule in ClassRule.objects.all()}
    assert names(search(client, area=t.VILLAGE_A1, rule=rules["infant"])) == ["中间托育园"]
    assert names(search(client, area=t.VILLAGE_A1, rule=rules["infant"], vacancy="on")) == []
    assert names(search(client, area=t.VILLAGE_A1, affordable="on")) == ["近处托育园"]
    assert names(search(client, area=t.VILLAGE_A1, mode="half_day")) == ["远处托育园"]
    assert names(search(client, area=t.VILLAGE_A1, max_price="1900")) == [
        "近处托育园",  # its 普惠 price is 1400
        "远处托育园",  # its half-day class costs 1800
    ]
    assert names(search(client, area=t.VILLAGE_A1, max_price="1500", affordable="on")) == [
        "近处托育园"
    ]


def test_counts_on_the_results(client, city):
    response = search(client, area=t.VILLAGE_A1)
    by_name = {place.provider.name: place for place in response.context["page"]}
    assert by_name["近处托育园"].vacancies == 15
    assert by_name["中间托育园"].vacancies == 0
    assert by_name["近处托育园"].price_from == Decimal("1400")
    body = response.content.decode()
    assert "近处托育园" in body and "普惠托位 20" in body


def test_elderly_services(client, city):
    response = client.get(reverse("portal:search"), {"kind": "elderly", "area": t.VILLAGE_A2})
    assert names(response) == ["拥徐颐养院"]
    assert response.context["page"][0].vacancies == 1
    full = client.get(
        reverse("portal:search"), {"kind": "elderly", "area": t.VILLAGE_A2, "vacancy": "on"}
    )
    assert names(full) == ["拥徐颐养院"]


def test_provider_page_shows_no_personal_data(client, city):
    page = client.get(reverse("portal:provider", args=[city["middle"].uuid]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "乳儿班" in body and "已满，可候补" in body
    assert "陈小宝" not in body  # the enrolled children's name
    home = client.get(reverse("portal:provider", args=[city["home"].uuid])).content.decode()
    assert "空余床位" in home and "张三丰" not in home


def test_closed_providers_are_not_shown(client, city):
    far = city["far"]
    far.closed_on = MONDAY - dt.timedelta(days=1)
    far.status = "closed"
    far.save()
    assert "远处托育园" not in names(search(client, area=t.VILLAGE_A1))
    assert client.get(reverse("portal:provider", args=[far.uuid])).status_code == 404


def test_pages_are_public_and_phone_friendly(client, city):
    response = client.get(reverse("portal:search"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="viewport"' in body and "portal/portal.css" in body
    assert "mainnav" not in body  # not the staff layout
    assert "style=" not in body and "<script>" not in body
