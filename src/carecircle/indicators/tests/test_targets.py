"""Targets as first-class objects: own, inherited from the parent, milestones."""

from decimal import Decimal as D

import pytest

from carecircle.core import testing as t
from carecircle.indicators.models import Indicator, Target
from carecircle.indicators.targets import TargetBook, milestones

pytestmark = pytest.mark.django_db


def chain(*codes):
    return tuple(t.area(code).pk for code in codes)


def test_catalogue_is_loaded_with_units_and_departments():
    assert Indicator.objects.count() == 49
    e14 = Indicator.objects.get(code="E14")
    assert (e14.unit, e14.target_op, e14.target_value, e14.attribute) == (
        "percent",
        ">=",
        D(75),
        "binding",
    )
    assert Indicator.objects.get(code="C06").unit == "per_1000"
    assert Indicator.objects.get(code="E05").unit == "measure"
    assert Indicator.objects.get(code="E21").unit == "count"
    assert Indicator.objects.get(code="E07").owner_departments == ["civil_affairs", "finance"]
    assert Indicator.objects.get(code="C12").target_op == ">"


def test_ratio_targets_inherit_from_the_parent_and_counts_do_not():
    e14 = Indicator.objects.get(code="E14")
    e21 = Indicator.objects.get(code="E21")
    city = t.area(t.CITY)
    book = TargetBook({"E14": e14, "E21": e21}, city.pk)
    town_chain = chain(t.TOWN_A, t.CITY)
    assert book.target(e14, town_chain) == D(75)  # the catalogue's, via the city
    assert book.target(e21, town_chain) is None  # 2,000 trainings are the city's
    assert book.target(e21, chain(t.CITY)) == D(2000)
    Target.objects.create(indicator=e14, area=city, year=2025, value=D(80))
    Target.objects.create(indicator=e14, area=t.area(t.TOWN_A), year=2025, value=D(70))
    Target.objects.create(indicator=e21, area=t.area(t.TOWN_A), year=2025, value=D(150))
    book = TargetBook({"E14": e14, "E21": e21}, city.pk)
    assert book.target(e14, town_chain) == D(70)
    assert book.target(e14, chain(t.TOWN_B, t.CITY)) == D(80)
    assert book.target(e21, town_chain) == D(150)


def test_milestones_are_linear_from_the_baseline_unless_set():
    e14 = Indicator.objects.get(code="E14")
    city = t.area(t.CITY)
    book = TargetBook({"E14": e14}, city.pk)
    steps = milestones(e14, (city.pk,), D(55), book)
    assert [steps[y][0] for y in range(2021, 2026)] == [D(55), D(60), D(65), D(70), D(75)]
    Target.objects.create(indicator=e14, area=city, year=2023, value=D(68))
    book = TargetBook({"E14": e14}, city.pk)
    steps = milestones(e14, (city.pk,), D(55), book)
    assert steps[2023] == (D(68), True)
    assert steps[2022] == (D(60), False)
    assert milestones(e14, (city.pk,), None, book)[2022] == (None, False)
