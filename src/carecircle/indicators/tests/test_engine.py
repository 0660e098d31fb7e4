"""Engine behaviour: n/a on empty denominators, additive measures, and the incremental path.

The incremental tests change records of the hand-built city (``definitions_support``), recompute
the units the live path's receivers would note (``recompute_affected``) and check that the stored
rows are exactly those a full computation then gives. Time is frozen in February 2024 so that the
open periods (2021–2024, 2024Q1, January and February 2024) span the merge of 拥徐村 and the
street's takeover of two villages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.indicators import engine
from carecircle.indicators.engine import Measure, divide, evaluate
from carecircle.indicators.models import IndicatorValue
from carecircle.indicators.periods import window
from carecircle.indicators.receivers import area_ids_of
from carecircle.indicators.services import codes_watching, compute, recompute_affected
from carecircle.indicators.tests.definitions_support import (
    A1,
    CITY,
    TOWN_A,
    TOWN_B,
    UA,
    VB2,
    build_world,
)
from carecircle.institutions.models import CapacityRecord, StaffCertificate
from carecircle.persons.services import move_person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 2, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FIELDS = (
    "source",
    "numerator",
    "denominator",
    "value",
    "na_reason",
    "target",
    "baseline",
    "status",
    "growth_ratio",
    "definition_version",
)


# Engine ----------------------------------------------------------------------------------------


def test_empty_denominator_gives_no_value_and_names_what_is_missing():
    figure = divide(Decimal(3), Decimal(0), 100, "养老机构床位")
    assert figure.value is None
    assert figure.denominator == 0
    assert figure.na_reason == "分母为0：本区划没有养老机构床位"
    assert divide(Decimal(3), None, None).value == 3  # a count: the numerator itself
    assert divide(Decimal(1), Decimal(3), 1000).value == Decimal("333.3333")


def test_measures_are_one_grouped_query_per_unit(django_assert_num_queries):
    world = build_world()
    comp = engine.computation("E22")
    windows = [window(p, dt.date(2025, 6, 30)) for p in ("2022", "2023")]
    with django_assert_num_queries(1):
        result = evaluate(comp.numerator, windows)
    # The caregiver working at two institutions counts once, at the first certificate's unit.
    p1_area = world.p1.area_id
    assert result[0] == {p1_area: 1}
    assert sum(result[1].values()) == 2
    rows = comp.numerator.rows(windows[1], [p1_area])
    assert [c.staff_id for c in rows] == [world.c1.pk]


def test_rows_follow_the_hierarchy_of_the_period():
    build_world()
    measure: Measure = engine.computation("E14").denominator
    units = {a.pk: a.code for a in Area.objects.filter(code__startswith="320685")}
    w2023 = window("2023", dt.date(2025, 6, 30))
    own = evaluate(measure, [w2023])[0]
    # The merged village's rural home still has its own rows in 2023.
    assert {units[pk] for pk in own} == {A1, "320685100201", VB2}


# Incremental path ------------------------------------------------------------------------------


@pytest.fixture
def incremental(settings, monkeypatch):
    """Compute ``codes`` fully, apply ``change`` (which returns the ids of the units whose records
    it touched, as the live path's receivers collect them) and recompute incrementally; returns
    the stored rows before, after the incremental update and after a full recomputation."""
    settings.CARECIRCLE_LIVE_INDICATORS = False

    def run(codes, change):
        with time_machine.travel(NOW, tick=False):
            compute(codes)
            before = stored(codes)
            recompute_affected(codes, change())
            after = stored(codes)
            compute(codes)
            again = stored(codes)
        return before, after, again

    return run


def touched(instance, model=None) -> set[int]:
    """The unit ids the receivers note for a saved or deleted ``instance``."""
    ids: set[int] = set()
    for lookups in codes_watching(model or type(instance)).values():
        for lookup in lookups:
            ids |= area_ids_of(instance, lookup)
    return ids


def stored(codes) -> dict:
    rows = IndicatorValue.objects.filter(indicator__code__in=codes).select_related("indicator")
    return {
        (v.indicator.code, v.area_id, v.period): tuple(getattr(v, f) for f in FIELDS) for v in rows
    }


def changed(before: dict, after: dict) -> set:
    return {key for key in after if before.get(key) != after[key]}


def area_id(code: str) -> int:
    return Area.objects.values_list("pk", flat=True).get(code=code)


def test_person_moved_between_villages(incremental):
    world = build_world()

    def move():
        before = touched(world.e1) | {r.area_id for r in world.e1.residences.all()}
        move_person(world.e1, t.area(VB2), dt.date(2024, 2, 1))
        world.e1.refresh_from_db()
        return before | touched(world.e1)

    before, after, again = incremental(["E24"], move)
    assert after == again
    moved = changed(before, after)
    assert ("E24", area_id(TOWN_A), "2024") in moved
    assert ("E24", area_id(TOWN_B), "202402") in moved
    assert ("E24", area_id(TOWN_A), "2023") not in moved  # history is not rewritten


def test_capacity_record_added(incremental):
    world = build_world()
    codes = ["E14", "E17", "C07"]

    def add():
        places = CapacityRecord.objects.create(
            provider=world.k1,
            valid_from=dt.date(2024, 1, 20),
            places_total=80,
            places_affordable=80,
        )
        beds = CapacityRecord.objects.create(
            provider=world.p3, valid_from=dt.date(2024, 2, 1), beds_total=60, beds_nursing=50,
            beds_dementia=30,
        )  # fmt: skip
        return touched(places) | touched(beds)

    before, after, again = incremental(codes, add)
    assert after == again
    moved = changed(before, after)
    assert ("C07", area_id(CITY), "2024") in moved
    assert ("E17", area_id(TOWN_B), "2024Q1") in moved
    assert ("E14", area_id(CITY), "2023") not in moved


def test_unit_starts_counting_when_a_record_below_it_changes(incremental):
    """An area unit (a town for X09, the county for E15) counts when a facility anywhere below it
    qualifies: a record of a village changes the rows of the units above it."""
    world = build_world()

    def add():
        affordable = CapacityRecord.objects.create(
            provider=world.k1, valid_from=dt.date(2022, 6, 1), places_total=60, places_affordable=10
        )
        world.p3.closed_on = dt.date(2023, 6, 30)  # the county's only 护理院
        world.p3.save()
        return touched(affordable) | touched(world.p3)

    before, after, again = incremental(["X09", "E15"], add)
    assert after == again
    assert after[("X09", area_id(TOWN_A), "2022")][1] == 1
    assert after[("E15", area_id(CITY), "2023")][3] == Decimal(0)


def test_service_area_added(incremental):
    world = build_world()
    codes = ["E08", "C08"]

    def add():
        world.f1.service_areas.add(t.area(TOWN_A))
        return touched(world.f1) | {area_id(TOWN_A)}

    before, after, again = incremental(codes, add)
    assert after == again
    # 海安镇's villages are all served now (the day-care centre lists the town).
    assert ("E08", area_id(TOWN_A), "2022") in changed(before, after)
    assert after[("E08", area_id(TOWN_A), "2022")][1] == Decimal(58)


def test_deleted_records(incremental):
    world = build_world()
    codes = ["E14", "C10"]

    def delete():
        ids = touched(world.p1_bed_record)
        world.p1_bed_record.delete()
        for certificate in StaffCertificate.objects.filter(staff=world.k1_staff):
            ids |= touched(certificate, StaffCertificate)
            certificate.delete()
        return ids

    before, after, again = incremental(codes, delete)
    assert after == again
    moved = changed(before, after)
    assert ("E14", area_id(CITY), "2023") in moved
    assert ("C10", area_id(UA), "2022") in moved


def test_recompute_affected_without_stored_values_computes_everything():
    build_world()
    with time_machine.travel(NOW, tick=False):
        recompute_affected(["E20"], [area_id(A1)])
        assert IndicatorValue.objects.filter(indicator__code="E20", period="2024").count() == (
            Area.objects.filter(path__startswith=t.area(CITY).path).current().count()
        )
