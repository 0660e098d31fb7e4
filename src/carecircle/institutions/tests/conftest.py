import datetime as dt

import pytest

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.institutions.choices import ListKind, SubjectKind
from carecircle.institutions.models import CapacityRecord, CreditListing, Staff


@pytest.fixture
def provider_a(db):
    """A private elderly-care institution in village A1 (town A) with 100 beds."""
    provider = t.make_provider(t.VILLAGE_A1, name="钟涵颐养院", credit_code=t.credit_code(101))
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2020, 1, 1), beds_total=80, beds_nursing=40
    )
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2023, 1, 1), beds_total=100, beds_nursing=60
    )
    return provider


@pytest.fixture
def provider_b(db):
    """A childcare provider in town B."""
    provider = t.make_provider(t.TOWN_B, kind="childcare_standalone", name="城东宝贝托育中心")
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2022, 9, 1), places_total=60, places_affordable=40
    )
    return provider


@pytest.fixture
def institution_user(provider_a):
    return t.make_user(Role.INSTITUTION_STAFF, institution=provider_a, username="inst")


@pytest.fixture
def town_b_officer(db):
    return t.make_user(Role.TOWN_OFFICER, area_code=t.TOWN_B, username="townb")


def make_staff(provider, name="李护理", **extra) -> Staff:
    id_number = extra.pop("id_number", None) or t.resident_id(birth=dt.date(1975, 4, 2))
    staff = Staff(
        provider=provider,
        name=name,
        role=extra.pop("role", "caregiver"),
        hired_on=extra.pop("hired_on", dt.date(2021, 3, 1)),
        **extra,
    )
    staff.set_id_number(id_number)
    staff.save()
    return staff


def make_listing(*, id_number=None, credit_code="", kind=ListKind.LIFETIME_BAN, **extra):
    from carecircle.institutions.services import listing_index

    listing = CreditListing(
        subject_kind=SubjectKind.PERSON if id_number else SubjectKind.ORGANISATION,
        subject_name=extra.pop("subject_name", "失信对象"),
        credit_code=credit_code,
        list_kind=kind,
        listed_on=extra.pop("listed_on", dt.date(2024, 5, 6)),
        authority=extra.pop("authority", "海安市民政局"),
        document_no=extra.pop("document_no", "海民〔2024〕12号"),
        **extra,
    )
    if id_number:
        listing.id_number_index, listing.id_number_masked = listing_index(id_number)
    listing.save()
    return listing
