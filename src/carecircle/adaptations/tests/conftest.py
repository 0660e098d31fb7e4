import pytest

from carecircle.accounts.choices import Role
from carecircle.adaptations.tests.helpers import hardship_elder
from carecircle.core import testing as t
from carecircle.institutions.choices import ProviderKind


@pytest.fixture
def elder(db):
    """An elder in special hardship in village A1 (the village worker's village)."""
    return hardship_elder(t.VILLAGE_A1, name="王秀英", address="钟涵村3组12号")


@pytest.fixture
def other_elder(db):
    """An elder in special hardship in village A2 (another village of the same town)."""
    return hardship_elder(t.VILLAGE_A2, name="李桂兰", address="拥徐村5组8号")


@pytest.fixture
def station(db):
    """A home-care station of village A1 that serves family care beds."""
    return t.make_provider(t.VILLAGE_A1, kind=ProviderKind.HOME_CARE_STATION, name="钟涵居家站")


@pytest.fixture
def other_station(db):
    return t.make_provider(t.VILLAGE_A2, kind=ProviderKind.HOME_CARE_STATION, name="拥徐居家站")


@pytest.fixture
def station_staff(station):
    return t.make_user(Role.INSTITUTION_STAFF, institution=station, username="station-nurse")
