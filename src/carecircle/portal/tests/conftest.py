import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from carecircle.core import testing as t
from carecircle.enrolment.tests.conftest import (  # noqa: F401 - shared fixtures
    monday,
    nursery,
    nursery_staff,
    other_nursery,
    other_nursery_staff,
)
from carecircle.enrolment.tests.helpers import MONDAY, make_class, on_duty


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts from none."""
    cache.clear()
    yield
    cache.clear()


def place(code: str, lat: str, lon: str):
    area = t.area(code)
    area.latitude, area.longitude = Decimal(lat), Decimal(lon)
    area.save(update_fields=["latitude", "longitude"])
    return area


@pytest.fixture
def mapped(db):
    """Points for the two villages of town A and for town B (about 1.1 km and 8 km apart)."""
    return {
        "a1": place(t.VILLAGE_A1, "32.540000", "120.460000"),
        "a2": place(t.VILLAGE_A2, "32.550000", "120.460000"),
        "b": place(t.TOWN_B, "32.548000", "120.545000"),
        "town_a": place(t.TOWN_A, "32.545000", "120.462000"),
    }


@pytest.fixture
def toddler_class(nursery, monday):  # noqa: F811 - the imported fixtures
    cls = make_class(nursery, "toddler", name="托小班（1）", monthly_fee=2000, affordable_fee=1400)
    on_duty(cls, 3, MONDAY)
    return cls


def child_birth(months: int) -> dt.date:
    from carecircle.enrolment.tests.helpers import birth_for

    return birth_for(months, MONDAY)
