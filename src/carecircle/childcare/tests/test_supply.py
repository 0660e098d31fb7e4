"""Supply and demand on a small fixture, every figure worked out by hand.

Town A: village A1 has the centre (20 places, 10 普惠) and three children under 3; village A2 the
family point (5 places) and one child. Town B has a centre registered at town level (30 places,
none 普惠) and two children in one of its villages. Residents: A1 2,000 (2020), A2 1,000 (2020)
then 1,500 (2023, the latest counts).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.areas.models import Area, PopulationFact
from carecircle.childcare.supply import supply_demand
from carecircle.core import testing as t
from carecircle.core.choices import Domain

pytestmark = pytest.mark.django_db

SUPPLY = reverse("childcare:supply")


def fact(code, year, total):
    PopulationFact.objects.create(
        area=t.area(code), year=year, total=total, male=total, urban=total
    )


def child(code, days_old, name="陈小宝"):
    today = timezone.localdate()
    return t.make_person(
        code, birth=today - dt.timedelta(days=days_old), domain=Domain.CHILDCARE, name=name
    )


@pytest.fixture
def village_b():
    return Area.objects.filter(parent__code=t.TOWN_B).order_by("code").first()


@pytest.fixture
def city(centre, family_point, town_b_centre, village_b):
    today = timezone.localdate()
    a1 = [child(t.VILLAGE_A1, days) for days in (100, 400, 900)]
    child(t.VILLAGE_A2, 30)
    child(t.VILLAGE_A1, 3 * 366 + 10)  # past 3: not counted
    t.make_person(t.VILLAGE_A1)  # an elder
    for days in (50, 60):
        child(village_b.code, days)
    closed = t.make_provider(
        t.VILLAGE_A1,
        kind="childcare_standalone",
        name="已关闭托育园",
        opened_on=dt.date(2018, 1, 1),
        closed_on=today - dt.timedelta(days=10),
    )
    closed.capacity_records.create(valid_from=dt.date(2018, 1, 1), places_total=50)
    fact(t.VILLAGE_A1, 2020, 2000)
    fact(t.VILLAGE_A2, 2020, 1000)
    fact(t.VILLAGE_A2, 2023, 1500)
    return a1


def row(table, code):
    return next(r for r in table.rows if r.code == code)


def test_town_a_by_village(city, health_officer):
    table = supply_demand(health_officer, t.area(t.TOWN_A), timezone.localdate())
    a1, a2 = row(table, t.VILLAGE_A1), row(table, t.VILLAGE_A2)
    assert (a1.children, a1.providers, a1.places, a1.affordable, a1.residents) == (
        3,
        1,
        20,
        10,
        2000,
    )
    assert a1.places_per_1000 == Decimal("10.00")
    assert a1.places_per_100_children == Decimal("666.67")
    assert (a2.children, a2.places, a2.affordable, a2.residents) == (1, 5, 0, 1500)
    assert a2.places_per_1000 == Decimal("3.33")
    total = table.total
    assert (total.children, total.places, total.affordable, total.residents) == (4, 25, 10, 3500)
    assert total.places_per_1000 == Decimal("7.14")  # 25 × 1000 / 3500
    assert total.has_affordable_institution is True
    assert table.towns_without_affordable == []
    # Every village of the town is a row, the empty ones with zeros.
    assert len(table.rows) == Area.objects.current().filter(parent__code=t.TOWN_A).count()


def test_city_by_town_and_towns_without_affordable(city, health_officer):
    table = supply_demand(health_officer, t.area(t.CITY), timezone.localdate())
    town_a, town_b = row(table, t.TOWN_A), row(table, t.TOWN_B)
    assert (town_a.children, town_a.places, town_a.has_affordable_institution) == (4, 25, True)
    assert (town_b.children, town_b.places, town_b.has_affordable_institution) == (2, 30, False)
    without = {a.code for a in table.towns_without_affordable}
    assert t.TOWN_B in without and t.TOWN_A not in without
    assert table.total.children == 6 and table.total.places == 55


def test_town_level_provider_has_its_own_row(city, health_officer):
    table = supply_demand(health_officer, t.area(t.TOWN_B), timezone.localdate())
    own = row(table, t.TOWN_B)
    assert own.label.endswith("（本级）") and own.places == 30 and own.children == 0
    assert [a.code for a in table.towns_without_affordable] == [t.TOWN_B]
    assert table.total.has_affordable_institution is False


def test_a_family_point_is_not_a_affordable_institution(centre, family_point, health_officer):
    """As in indicator X09: only institutions count, and only with 普惠 places in force."""
    family_point.capacity_records.update(places_affordable=5)
    centre.capacity_records.update(places_affordable=0)
    table = supply_demand(health_officer, t.area(t.TOWN_A), timezone.localdate())
    assert [a.code for a in table.towns_without_affordable] == [t.TOWN_A]


def test_scope_limits_the_figures(city, town_b_officer, elderly_officer):
    table = supply_demand(town_b_officer, t.area(t.TOWN_B), timezone.localdate())
    assert table.total.children == 2
    # An elderly-care officer sees neither children nor childcare places.
    table = supply_demand(elderly_officer, t.area(t.TOWN_A), timezone.localdate())
    assert (table.total.children, table.total.places) == (0, 0)


def test_vacancies_applications_and_waiting_time(city, centre, family_point, health_officer):
    from carecircle.enrolment.choices import ApplicationStatus
    from carecircle.enrolment.models import Enrolment, Offer
    from carecircle.enrolment.tests.helpers import at, make_application, make_class

    today = timezone.localdate()
    days = dt.timedelta
    toddlers = make_class(centre, "older_toddler", opened_on=dt.date(2020, 1, 1))
    a1_children = city
    Enrolment.objects.create(  # current
        provider=centre,
        child=a1_children[0],
        childcare_class=toddlers,
        started_on=today - days(300),
    )
    enrolled = make_application(
        toddlers,
        birth=a1_children[1].birth_date,
        submitted_at=at(today - days(100)),
        status=ApplicationStatus.ENROLLED,
    )
    Enrolment.objects.create(  # current, 60 days after applying
        provider=centre,
        child=a1_children[1],
        childcare_class=toddlers,
        started_on=today - days(40),
        application=enrolled,
    )
    Enrolment.objects.create(  # ended yesterday
        provider=centre,
        child=a1_children[2],
        childcare_class=toddlers,
        started_on=today - days(200),
        ended_on=today - days(1),
        end_reason="withdrawn",
    )
    offered = make_application(
        toddlers,
        birth=today - days(500),
        submitted_at=at(today - days(10)),
        status=ApplicationStatus.OFFERED,
    )
    Offer.objects.create(  # 6 days after applying
        application=offered,
        childcare_class=toddlers,
        start_on=today + days(7),
        made_at=at(today - days(4)),
        expires_at=at(today + days(3)),
    )
    make_application(  # waiting for over a year: open, but not among the last 12 months
        toddlers,
        birth=today - days(600),
        submitted_at=at(today - days(400)),
        status=ApplicationStatus.WAITING,
    )
    table = supply_demand(health_officer, t.area(t.TOWN_A), timezone.localdate())
    a1 = row(table, t.VILLAGE_A1)
    assert (a1.enrolled, a1.vacancies) == (2, 18)
    assert (a1.applications, a1.waiting) == (2, 2)
    assert a1.median_wait_days == Decimal("33.0")  # median of 60 and 6
    a2 = row(table, t.VILLAGE_A2)
    assert (a2.enrolled, a2.vacancies, a2.applications) == (0, 5, 0)
    assert (table.total.enrolled, table.total.vacancies) == (2, 23)


# The page, its export and the API ---------------------------------------------------------------


def test_page_with_chart_and_map(client, city, health_officer):
    client.force_login(health_officer)
    response = client.get(SUPPLY, {"area": t.TOWN_A})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="fig-supply"' in page and "plotly.min.js" in page
    assert response.context["total_cells"][2] == 4


def test_page_scope_and_permissions(client, city, town_b_officer, centre_staff, village_worker):
    client.force_login(town_b_officer)
    assert client.get(SUPPLY, {"area": t.TOWN_A}).status_code == 404
    assert client.get(SUPPLY).status_code == 200
    client.force_login(centre_staff)
    assert client.get(SUPPLY).status_code == 403
    client.force_login(village_worker)
    assert client.get(SUPPLY).status_code == 403


def test_export(client, city, health_officer):
    client.force_login(health_officer)
    response = client.get(SUPPLY, {"area": t.TOWN_A, "export": "xlsx"})
    text = t.xlsx_text(response.content)
    assert "钟涵村委会" in text and "3岁以下婴幼儿" in text


def test_api(client, city, health_officer, town_b_officer):
    client.force_login(health_officer)
    data = client.get("/api/childcare-supply-demand/", {"area": t.TOWN_A}).json()
    assert data["total"]["children_under_3"] == 4
    assert data["total"]["places_per_1000_residents"] == "7.14"
    assert data["towns_without_affordable"] == []
    client.force_login(town_b_officer)
    assert client.get("/api/childcare-supply-demand/", {"area": t.TOWN_A}).status_code == 404
