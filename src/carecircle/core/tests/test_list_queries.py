"""List pages and API lists run a fixed number of queries, however many rows they show (no N+1).

Each case counts the queries of a page with a few rows, adds rows up to a full page of 50 and
checks the full page needs no more queries than the short one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carecircle.areas.models import ResidentialArea
from carecircle.core import testing as t
from carecircle.core.choices import Domain
from carecircle.institutions.models import CapacityRecord, Staff
from carecircle.persons.choices import HardshipKind
from carecircle.persons.models import HardshipFlag

ROWS = 50
VILLAGES = [t.VILLAGE_A1, t.VILLAGE_A2]


def _elder(n: int):
    person = t.make_person(VILLAGES[n % 2], name=f"老人{n}")
    HardshipFlag.objects.create(
        person=person, kind=HardshipKind.EXTREME_POVERTY, valid_from=dt.date(2024, 1, 1)
    )
    return person


def _child(n: int):
    birth = timezone.localdate() - dt.timedelta(days=200 + n)
    return t.make_person(VILLAGES[n % 2], name=f"幼儿{n}", domain=Domain.CHILDCARE, birth=birth)


def _provider(n: int):
    provider = t.make_provider(VILLAGES[n % 2], name=f"机构{n:02d}")
    provider.service_areas.set([t.area(VILLAGES[0])])
    CapacityRecord.objects.create(provider=provider, valid_from=dt.date(2024, 1, 1), beds_total=40)
    return provider


def _staff(n: int):
    provider = t.make_provider(VILLAGES[n % 2], name=f"用人机构{n:02d}")
    staff = Staff(
        provider=provider, name=f"护理员{n}", role="caregiver", hired_on=dt.date(2021, 3, 1)
    )
    staff.set_id_number(t.resident_id(birth=dt.date(1975, 4, 2)))
    staff.save()
    return staff


def _estate(n: int):
    return ResidentialArea.objects.create(
        name=f"小区{n:02d}",
        area=t.area(VILLAGES[n % 2]),
        kind="new",
        households=100 + n,
        elderly_room_m2=Decimal("30"),
        childcare_room_m2=Decimal("20"),
    )


def _nothing(n: int):
    """Areas are loaded once per test database; there are more than 50 in the city."""


def _rows(response) -> int:
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return len(response.context["table_rows"])


CASES = [
    ("persons:elder-list", _elder),
    ("persons:child-list", _child),
    ("institutions:provider-list", _provider),
    ("institutions:staff-list", _staff),
    ("areas:area-list", _nothing),
    ("areas:estate-list", _estate),
    ("person-list", _elder),
    ("provider-list", _provider),
    ("staff-list", _staff),
    ("area-list", _nothing),
    ("residentialarea-list", _estate),
]


@pytest.mark.parametrize(("url_name", "make_row"), CASES, ids=[name for name, _ in CASES])
def test_list_queries_do_not_grow_with_rows(
    client, city_officer, url_name, make_row, django_assert_max_num_queries
):
    client.force_login(city_officer)
    url = reverse(url_name)
    params = {"page_size": ROWS}
    for n in range(3):
        make_row(n)
    assert client.get(url, params).status_code == 200  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    for n in range(3, ROWS):
        make_row(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200
    assert _rows(response) == ROWS
