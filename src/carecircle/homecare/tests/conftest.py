"""A small home-care world: a menu, a station in 钟涵村 (A1) with a contract covering A1 and A2,
an elder in each village, and builders for entitlements and orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.homecare.choices import Funding, OrderStatus, ServiceCategory, ServiceUnit
from carecircle.homecare.models import Entitlement, ProviderContract, ServiceItem, ServiceOrder
from carecircle.institutions.choices import ProviderKind

HOME_KINDS = [
    ProviderKind.HOME_CARE_STATION,
    ProviderKind.COMPREHENSIVE_CENTRE,
    ProviderKind.DAYCARE_CENTRE,
    ProviderKind.RURAL_REGIONAL_CENTRE,
]
MONTH = dt.date(2025, 3, 1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_item(code, name, category, unit, price, **extra) -> ServiceItem:
    return ServiceItem.objects.create(
        code=code,
        name=name,
        category=category,
        unit=unit,
        price=Decimal(price),
        provider_kinds=extra.pop("provider_kinds", HOME_KINDS),
        **extra,
    )


@pytest.fixture
def items(db):
    return {
        "cleaning": make_item("ZJ01", "居室清洁", ServiceCategory.CLEANING, ServiceUnit.HOUR, "30"),
        "care": make_item("SH01", "生活照料", ServiceCategory.DAILY_CARE, ServiceUnit.HOUR, "35"),
        "meal": make_item("ZC01", "送餐上门", ServiceCategory.MEAL, ServiceUnit.MEAL, "12"),
        "bath": make_item("ZY01", "上门助浴", ServiceCategory.BATHING, ServiceUnit.TIME, "80"),
    }


@pytest.fixture
def station(db):
    return t.make_provider(
        t.VILLAGE_A1, kind=ProviderKind.HOME_CARE_STATION, name="钟涵村居家养老服务站"
    )


@pytest.fixture
def other_station(db):
    return t.make_provider(t.TOWN_B, kind=ProviderKind.HOME_CARE_STATION, name="城东居家养老服务站")


@pytest.fixture
def contract(station, items):
    contract = ProviderContract.objects.create(
        provider=station,
        number="HA-2025-001",
        signed_on=dt.date(2024, 12, 20),
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    contract.areas.set([t.area(t.VILLAGE_A1), t.area(t.VILLAGE_A2)])
    contract.items.set(items.values())
    return contract


@pytest.fixture
def elder(db):
    return t.make_person(t.VILLAGE_A1, birth=dt.date(1940, 3, 3), name="王秀英")


@pytest.fixture
def elder_a2(db):
    return t.make_person(t.VILLAGE_A2, birth=dt.date(1942, 6, 6), name="李桂兰")


@pytest.fixture
def station_staff(station):
    return t.make_user(Role.INSTITUTION_STAFF, institution=station, username="station")


@pytest.fixture
def other_staff(other_station):
    return t.make_user(Role.INSTITUTION_STAFF, institution=other_station, username="other")


def entitle(person, provider, category, *, hours=None, amount=None, start=None, end=None):
    return Entitlement.objects.create(
        person=person,
        provider=provider,
        category=category,
        monthly_hours=None if hours is None else Decimal(hours),
        monthly_amount=None if amount is None else Decimal(amount),
        valid_from=start or dt.date(2025, 1, 1),
        valid_to=end,
    )


_refs = iter(range(1, 10**6))


def order(
    person,
    provider,
    item,
    start: dt.datetime,
    *,
    quantity="1",
    status=OrderStatus.COMPLETED,
    funding=Funding.GOVERNMENT,
    minutes: int | None = None,
    checked_in=True,
    checked_out=True,
    end: dt.datetime | None = None,
    **extra,
) -> ServiceOrder:
    """A visit as the provider records it: checked in at the start and out ``minutes`` later
    (by default the booked time: quantity hours for hourly items, else one hour)."""
    quantity = Decimal(quantity)
    if minutes is None:
        minutes = int(quantity * 60) if item.unit == ServiceUnit.HOUR else 60
    checked_in_at = start if checked_in else None
    checked_out_at = start + dt.timedelta(minutes=minutes) if checked_out else None
    duration = minutes if checked_in and checked_out else None
    return ServiceOrder.objects.create(
        provider=provider,
        person=person,
        item=item,
        external_ref=extra.pop("external_ref", f"T{next(_refs):06d}"),
        status=status,
        scheduled_start=start,
        scheduled_end=end,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        duration_minutes=extra.pop("duration_minutes", duration),
        quantity=quantity,
        funding=funding,
        unit_price=item.price,
        cost=(quantity * item.price).quantize(Decimal("0.01")),
        **extra,
    )
