import pytest

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Hai'an's division codes are reference data every test may use: load them once."""
    from carecircle.areas.loaders import load_haian

    with django_db_blocker.unblock():
        load_haian()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request made in English by an earlier test
    leaves English active in the worker's thread (the middleware activates per request)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _fresh_indicator_receivers():
    """Live indicator recomputation keeps per-thread state; no test sees another's."""
    from carecircle.indicators import receivers

    receivers.reset()
    yield
    receivers.reset()


@pytest.fixture
def city_officer(db):
    return t.make_user(Role.CITY_OFFICER, area_code=t.CITY, username="city")


@pytest.fixture
def civil_affairs_officer(db):
    return t.make_user(
        Role.CIVIL_AFFAIRS_OFFICER, area_code=t.CITY, domain=ScopeDomain.ELDERLY, username="civil"
    )


@pytest.fixture
def health_officer(db):
    return t.make_user(
        Role.HEALTH_OFFICER, area_code=t.CITY, domain=ScopeDomain.CHILDCARE, username="health"
    )


@pytest.fixture
def town_officer(db):
    return t.make_user(Role.TOWN_OFFICER, area_code=t.TOWN_A, username="town")


@pytest.fixture
def village_worker(db):
    return t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A1, username="village")


@pytest.fixture
def other_village_worker(db):
    return t.make_user(Role.VILLAGE_WORKER, area_code=t.VILLAGE_A2, username="village2")


@pytest.fixture
def audit_admin(db):
    return t.make_user(Role.AUDIT_ADMIN, username="auditor")


@pytest.fixture
def system_admin(db):
    return t.make_user(Role.SYSTEM_ADMIN, area_code=t.CITY, username="sysadmin", is_staff=True)


@pytest.fixture
def outsider(db):
    """Authenticated, but with no role and no scope: sees nothing (R2)."""
    return t.make_user("", username="outsider")
