"""The demo's home care on a small set of demo persons and providers: menu, contracts, rules and
entitlements, a year of orders, settlements that match a recomputation, determinism, and removal
with the demo persons and providers."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count

from carecircle.core import testing as t
from carecircle.demo.activity import homecare as demo
from carecircle.demo.bulk import demo_rows, demo_uuid, purge
from carecircle.homecare import settlement
from carecircle.homecare.choices import OrderStatus, SettlementStatus
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
    Settlement,
)
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Provider
from carecircle.persons.choices import HardshipKind
from carecircle.persons.models import HardshipFlag, Person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 12)
D = dt.date


@pytest.fixture
def demo_city(db):
    rng = random.Random(11)
    station = t.make_provider(
        t.VILLAGE_A1, kind=ProviderKind.HOME_CARE_STATION, uuid=demo_uuid(rng)
    )
    centre = t.make_provider(
        t.TOWN_B + "208", kind=ProviderKind.DAYCARE_CENTRE, uuid=demo_uuid(rng)
    )
    for n in range(30):
        area = (t.VILLAGE_A1, t.VILLAGE_A2, t.TOWN_B + "208")[n % 3]
        person = t.make_person(area, birth=D(1935 + n % 20, 1 + n % 12, 1 + n % 27))
        Person.objects.filter(pk=person.pk).update(uuid=demo_uuid(rng))
        kind = (HardshipKind.MINIMUM_LIVING, HardshipKind.EXTREME_POVERTY, HardshipKind.DISABLED)
        if n % 2 == 0:
            HardshipFlag.objects.create(person=person, kind=kind[n % 3], valid_from=D(2018, 1, 1))
    return station, centre


def test_a_year_of_home_care(demo_city):
    station, centre = demo_city
    counts = demo.generate(seed=5, today=TODAY)
    assert counts["homecare_items"] == len(demo.MENU) == ServiceItem.objects.count()
    assert EntitlementRule.objects.filter(is_demo_assumption=True).count() == len(demo.RULES)
    # A contract per provider and calendar year (2024 and 2025), covering every village.
    assert counts["homecare_contracts"] == 4
    covered = set(ProviderContract.areas.through.objects.values_list("area__code", flat=True))
    assert {t.VILLAGE_A1, t.VILLAGE_A2, t.TOWN_B + "208"} <= covered
    # Every elder at home qualifying under a rule is entitled, with a provider serving the village.
    assert counts["homecare_entitled_elders"] > 0
    for e in Entitlement.objects.select_related("person__area", "provider"):
        assert ProviderContract.objects.filter(provider=e.provider, areas=e.person.area_id).exists()
    orders = ServiceOrder.objects.all()
    assert counts["homecare_orders"] == orders.count() > 100
    assert not orders.values("provider", "external_ref").annotate(n=Count("pk")).filter(n__gt=1)
    done = orders.filter(scheduled_start__date__lte=TODAY)
    assert done.filter(status=OrderStatus.COMPLETED).count() > done.count() * 0.9
    # Nothing is done after the load day; the rest of its month is booked.
    later = orders.filter(scheduled_start__date__gt=TODAY)
    assert later.exists() and set(later.values_list("status", flat=True)) == {"scheduled"}
    # Settlements for the 11 months that have ended, each as a recomputation gives it.
    settled = Settlement.objects.all()
    assert counts["homecare_settlements"] == settled.count()
    assert set(settled.values_list("status", flat=True)) == {SettlementStatus.DRAFT}
    assert {s.month for s in settled} == {D(2024, m, 1) for m in range(4, 13)} | {
        D(2025, 1, 1),
        D(2025, 2, 1),
    }
    for s in settled:
        again = settlement.compute([s.provider_id], s.month)[s.provider_id]
        assert (again.government_amount, len(again.exceptions)) == (
            s.government_amount,
            s.exceptions_count,
        )
        assert s.government_amount + s.withheld_amount == s.delivered_amount


def test_removed_with_the_demo_persons_and_providers(demo_city):
    demo.generate(seed=5, today=TODAY)
    # As ``loader.clear_demo`` removes them; the menu and rules are replaced by the next load.
    purge(demo_rows(Person))
    purge(demo_rows(Provider))
    assert not ServiceOrder.objects.exists() and not Settlement.objects.exists()
    assert not Entitlement.objects.exists() and not ProviderContract.objects.exists()


def test_generation_is_repeatable(demo_city):
    demo.generate(seed=5, today=TODAY)
    first = list(ServiceOrder.objects.order_by("uuid").values_list("uuid", "external_ref", "cost"))
    purge(demo_rows(ServiceOrder))
    purge(demo_rows(Settlement))
    purge(demo_rows(Entitlement))
    purge(demo_rows(ProviderContract))
    demo.generate(seed=5, today=TODAY)
    again = list(ServiceOrder.objects.order_by("uuid").values_list("uuid", "external_ref", "cost"))
    assert again == first
