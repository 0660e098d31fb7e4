import datetime as dt

import pytest
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.core.dates import years_before


def born(years: int) -> dt.date:
    """A birth date making the person ``years`` old today (and for the next few months)."""
    return years_before(timezone.localdate(), years) - dt.timedelta(days=40)


@pytest.fixture
def elder(db):
    """An 85-year-old in village A1 (the village worker's village)."""
    return t.make_person(t.VILLAGE_A1, name="王秀英", birth=born(85))


@pytest.fixture
def other_elder(db):
    """An 82-year-old in village A2 (another village of the same town)."""
    return t.make_person(t.VILLAGE_A2, name="李桂兰", birth=born(82))


@pytest.fixture
def assessor(db):
    """An assessor commissioned for village A1, elders only."""
    return t.make_user(
        Role.ASSESSOR,
        area_code=t.VILLAGE_A1,
        domain=ScopeDomain.ELDERLY,
        username="assessor",
        first_name="钱文博",
    )
