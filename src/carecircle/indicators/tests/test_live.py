"""The live path: real saves, deletes and relation changes recompute through the receivers and
leave exactly what a full computation would."""

from __future__ import annotations

import pytest
import time_machine

from carecircle.core import testing as t
from carecircle.indicators.exchange import ExchangeError, read_document
from carecircle.indicators.models import IndicatorValue
from carecircle.indicators.services import compute
from carecircle.indicators.tests.definitions_support import TOWN_B, VB2, build_world
from carecircle.indicators.tests.test_engine import FIELDS, NOW

pytestmark = pytest.mark.django_db

CODES = ["E08", "E14", "E16", "E24", "X09"]


def stored() -> dict:
    rows = IndicatorValue.objects.filter(indicator__code__in=CODES).select_related("indicator")
    return {
        (v.indicator.code, v.area_id, v.period): tuple(getattr(v, f) for f in FIELDS) for v in rows
    }


@pytest.fixture
def live(settings, django_capture_on_commit_callbacks):
    """Run ``change`` as a user's save would, let its commit callbacks run, and compare with a
    full computation."""
    settings.CARECIRCLE_LIVE_INDICATORS = True

    def run(change):
        with time_machine.travel(NOW, tick=False):
            compute(CODES)
            before = stored()
            with django_capture_on_commit_callbacks(execute=True):
                change()
            after = stored()
            compute(CODES)
            return before, after, stored()

    return run


def test_moving_a_provider_to_another_town(live):
    world = build_world()

    def move():
        world.p1.area = t.area(VB2)
        world.p1.save()

    before, after, full = live(move)
    assert after == full
    assert after != before


def test_deleting_a_grade_and_clearing_service_areas(live):
    world = build_world()

    def change():
        world.p1.grades.all().delete()
        world.f1.service_areas.add(t.area(VB2))
        world.f1.service_areas.clear()

    before, after, full = live(change)
    assert after == full


def test_a_person_moving_towns_through_a_plain_save(live):
    world = build_world()

    def move():
        residence = world.e1.residences.get(valid_to__isnull=True)
        residence.area = t.area(VB2)
        residence.save()

    before, after, full = live(move)
    assert after == full
    assert any(key[1] == t.area(TOWN_B).pk for key in set(after) if after[key] != before.get(key))


def test_adx_with_a_doctype_is_refused_in_any_encoding():
    bomb = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE adx [<!ENTITY x "xxxxxxxxxx">]>'
        '<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&x;" period="2025-01-01/P1Y">'
        '<dataValue dataElement="E01" value="1"/></group></adx>'
    )
    for data in (
        bomb.encode("utf-16-le"),
        bomb.encode("utf-16"),
        bomb.replace("UTF-16", "UTF-8").encode(),
    ):
        with pytest.raises(ExchangeError):
            read_document(data)
