import pytest
import time_machine

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.enrolment.tests.helpers import MONDAY, at, childcare_provider


@pytest.fixture
def monday():
    """Frozen at 9:00 on a Monday, so rosters, offers and ages are on fixed dates."""
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def nursery(db):
    """A filed childcare provider in village A1 with 100 places (40 普惠)."""
    return childcare_provider(t.VILLAGE_A1, name="钟涵托育园")


@pytest.fixture
def other_nursery(db):
    return childcare_provider(t.VILLAGE_A2, name="拥徐托育园")


@pytest.fixture
def nursery_staff(nursery):
    return t.make_user(Role.INSTITUTION_STAFF, institution=nursery, username="nursery")


@pytest.fixture
def other_nursery_staff(other_nursery):
    return t.make_user(Role.INSTITUTION_STAFF, institution=other_nursery, username="other")
