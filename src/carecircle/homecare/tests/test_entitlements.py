"""Entitlements derived from dated rules: who qualifies, how much, which provider, and how a
later derivation keeps, changes and ends them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carecircle.core import testing as t
from carecircle.homecare import services
from carecircle.homecare.choices import ServiceCategory
from carecircle.homecare.models import Entitlement, EntitlementRule, ProviderContract
from carecircle.homecare.models.entitlements import ANY_ECONOMIC_HARDSHIP
from carecircle.homecare.tests.conftest import entitle
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.models import HardshipFlag

pytestmark = pytest.mark.django_db
C = ServiceCategory
D = dt.date
JUNE, JULY = D(2025, 6, 1), D(2025, 7, 1)
RULES_FROM, FLAGGED_FROM, ASSESSED_ON = D(2025, 1, 1), D(2020, 1, 1), D(2025, 1, 10)


def rule(name, category, *, hours=None, amount=None, start=RULES_FROM, end=None, **who):
    return EntitlementRule.objects.create(
        name=name,
        category=category,
        monthly_hours=None if hours is None else Decimal(hours),
        monthly_amount=None if amount is None else Decimal(amount),
        valid_from=start,
        valid_to=end,
        **who,
    )


def flag(person, kind, since=FLAGGED_FROM):
    HardshipFlag.objects.create(person=person, kind=kind, valid_from=since)


def assess(person, level_total: int, on=ASSESSED_ON):
    from carecircle.assessments.tests.helpers import make_assessment

    return make_assessment(person, total=level_total, on=on)


def held(on) -> dict:
    """(person name, category) → (provider name, hours, amount) in force on ``on``."""
    rows = Entitlement.objects.filter(valid_from__lte=on).exclude(valid_to__lt=on)
    return {
        (e.person.name, e.category): (e.provider.name, e.monthly_hours, e.monthly_amount)
        for e in rows.select_related("person", "provider")
    }


@pytest.fixture
def world(station, contract, items):
    """Two stations: 钟涵's (covering A1 and A2) and one located in 拥徐 (A2) covering A2."""
    neighbour = t.make_provider(t.VILLAGE_A2, kind=ProviderKind.HOME_CARE_STATION, name="拥徐站")
    theirs = ProviderContract.objects.create(
        provider=neighbour, number="HA-2025-002", signed_on=D(2025, 1, 1), valid_from=D(2025, 1, 1)
    )
    theirs.areas.set([t.area(t.VILLAGE_A2)])
    theirs.items.set(items.values())
    rule("特困老人生活照料", C.DAILY_CARE, hours="20", hardship_kind=HardshipKind.EXTREME_POVERTY)
    rule("八十岁以上助餐", C.MEAL, amount="150", min_age=80)
    rule(
        "经济困难中度以上失能助洁",
        C.CLEANING,
        hours="8",
        hardship_kind=ANY_ECONOMIC_HARDSHIP,
        min_ability_level=2,
    )
    rule("高龄独居助洁", C.CLEANING, hours="4", min_age=80, living_alone=True)
    rule("已废止的助浴规则", C.BATHING, amount="100", start=D(2024, 1, 1), end=D(2024, 12, 31))
    p = {
        "poor_alone_85": t.make_person(
            t.VILLAGE_A1, birth=D(1940, 3, 3), name="特困独居", living_arrangement="alone"
        ),
        "low_income_disabled_75": t.make_person(t.VILLAGE_A2, birth=D(1950, 1, 1), name="低保失能"),
        "turns_80_in_june": t.make_person(t.VILLAGE_A1, birth=D(1945, 6, 15), name="六月满八十"),
        "in_home_85": t.make_person(t.VILLAGE_A1, birth=D(1940, 1, 1), name="入住机构"),
        "died_85": t.make_person(
            t.VILLAGE_A1, birth=D(1940, 1, 1), name="已故", death_date=D(2025, 5, 1)
        ),
        "uncovered_85": t.make_person(t.TOWN_B + "208", birth=D(1940, 1, 1), name="无服务机构"),
        "disabled_not_poor": t.make_person(t.VILLAGE_A2, birth=D(1950, 1, 1), name="失能非困难"),
    }  # fmt: skip
    flag(p["poor_alone_85"], HardshipKind.EXTREME_POVERTY)
    flag(p["low_income_disabled_75"], HardshipKind.MINIMUM_LIVING)
    assess(p["low_income_disabled_75"], 50)  # 46–65: level 2
    assess(p["disabled_not_poor"], 40)  # level 3, but no hardship
    home = t.make_provider(t.VILLAGE_A1, kind=ProviderKind.PRIVATE_INSTITUTION, name="颐养院")
    Residency.objects.create(provider=home, person=p["in_home_85"], admitted_on=D(2024, 1, 1))
    return p


def test_rules_in_force_give_each_qualifying_elder_the_most_generous_entitlement(world, station):
    counts = services.grant_entitlements(JUNE)
    assert held(JUNE) == {
        ("特困独居", C.DAILY_CARE): ("钟涵村居家养老服务站", Decimal("20.0"), None),
        ("特困独居", C.MEAL): ("钟涵村居家养老服务站", None, Decimal("150.00")),
        ("特困独居", C.CLEANING): ("钟涵村居家养老服务站", Decimal("4.0"), None),
        # Lives in 拥徐: the station located there serves her; 8 h beats nothing else.
        ("低保失能", C.CLEANING): ("拥徐站", Decimal("8.0"), None),
    }
    assert counts == {
        "created": 4, "ended": 0, "unchanged": 0, "corrected": 0, "uncovered": 1,
    }  # fmt: skip
    rule_of = Entitlement.objects.get(person=world["low_income_disabled_75"]).rule
    assert rule_of.name == "经济困难中度以上失能助洁"
    assert Entitlement.objects.filter(valid_from=JUNE, valid_to__isnull=True).count() == 4


def test_a_later_derivation_keeps_changes_and_ends(world):
    services.grant_entitlements(JUNE)
    EntitlementRule.objects.filter(name="八十岁以上助餐").update(monthly_amount=Decimal("180"))
    HardshipFlag.objects.filter(person=world["low_income_disabled_75"]).update(
        valid_to=D(2025, 6, 20)
    )
    counts = services.grant_entitlements(JULY)
    assert counts == {
        "created": 2, "ended": 2, "unchanged": 2, "corrected": 0, "uncovered": 1,
    }  # fmt: skip
    july = held(JULY)
    assert july[("特困独居", C.MEAL)][2] == Decimal("180.00")
    assert july[("六月满八十", C.MEAL)] == ("钟涵村居家养老服务站", None, Decimal("180.00"))
    assert ("低保失能", C.CLEANING) not in july
    ended = Entitlement.objects.get(person=world["low_income_disabled_75"])
    assert ended.valid_to == D(2025, 6, 30)
    # The June meal entitlement ends the day before the new one starts.
    meals = Entitlement.objects.filter(person=world["poor_alone_85"], category=C.MEAL)
    assert sorted((e.valid_from, e.valid_to) for e in meals) == [
        (JUNE, D(2025, 6, 30)),
        (JULY, None),
    ]
    # Running again the same day changes nothing.
    again = services.grant_entitlements(JULY)
    assert (again["created"], again["ended"], again["unchanged"]) == (0, 0, 4)


def test_entitlements_entered_by_hand_are_left_alone(world, station):
    manual = entitle(world["poor_alone_85"], station, C.MEAL, amount="300", start=D(2025, 5, 1))
    services.grant_entitlements(JUNE)
    manual.refresh_from_db()
    assert manual.valid_to is None
    meals = Entitlement.objects.filter(person=world["poor_alone_85"], category=C.MEAL)
    assert list(meals) == [manual]


def test_the_serving_provider_is_kept_while_its_contract_covers_the_village(world, station):
    services.grant_entitlements(JUNE)
    moved = Entitlement.objects.get(person=world["low_income_disabled_75"])
    moved.provider = station  # 钟涵's station also covers 拥徐
    moved.save()
    counts = services.grant_entitlements(JULY)
    assert counts["unchanged"] == 4
    assert Entitlement.objects.get(person=world["low_income_disabled_75"]).provider == station


def test_rules_of_one_category_measure_alike():
    rule("助洁按小时", C.CLEANING, hours="4")
    with pytest.raises(ValidationError, match="统一按小时或按金额"):
        services.check_rule(
            EntitlementRule(category=C.CLEANING, monthly_amount=Decimal(100), valid_from=JUNE)
        )
    # A rule ending before the other begins may measure differently.
    services.check_rule(
        EntitlementRule(
            category=C.CLEANING,
            monthly_amount=Decimal(100),
            valid_from=D(2024, 1, 1),
            valid_to=D(2024, 12, 31),
        )
    )


def test_contract_items_must_suit_the_provider_kind(items):
    items["bath"].provider_kinds = [ProviderKind.COMPREHENSIVE_CENTRE]
    items["bath"].save()
    station = t.make_provider(t.VILLAGE_A1, kind=ProviderKind.HOME_CARE_STATION)
    with pytest.raises(ValidationError, match="上门助浴"):
        services.check_contract(station, items.values())
    services.check_contract(station, [items["meal"], items["cleaning"]])


def test_living_alone_rule_needs_living_alone(world):
    services.grant_entitlements(JUNE)
    person = world["turns_80_in_june"]
    person.living_arrangement = LivingArrangement.ALONE
    person.save()
    services.grant_entitlements(JULY)
    assert held(JULY)[("六月满八十", C.CLEANING)][1] == Decimal("4.0")
