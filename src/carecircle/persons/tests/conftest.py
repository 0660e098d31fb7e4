import datetime as dt

import pytest
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t


@pytest.fixture
def elder(db):
    """An elder in village A1 (the village worker's village)."""
    return t.make_person(t.VILLAGE_A1, name="王秀英", birth=dt.date(1948, 3, 2))


@pytest.fixture
def other_elder(db):
    """An elder in village A2 (the other village worker's village)."""
    return t.make_person(t.VILLAGE_A2, name="李桂兰", birth=dt.date(1946, 7, 9))


@pytest.fixture
def child(db):
    today = timezone.localdate()
    return t.make_person(
        t.VILLAGE_A1,
        name="陈小宝",
        birth=today - dt.timedelta(days=400),
        domain="childcare",
    )


@pytest.fixture
def provider(db):
    return t.make_provider(t.VILLAGE_A1)


@pytest.fixture
def institution_staff(provider):
    return t.make_user(Role.INSTITUTION_STAFF, institution=provider, username="nurse")
