import datetime as dt

import pytest

from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
)
from carecircle.childhealth.tests.conftest import make_child
from carecircle.core import testing as t
from carecircle.demo.activity import childhealth as demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)
MODELS = (NewbornVisit, NewbornScreening, Vaccination, ChildHealthCheck, DevelopmentGuidance)


def snapshot():
    return {
        model.__name__: sorted(
            (str(r.uuid), r.child_id, str(getattr(r, "dose_id", ""))) for r in model.objects.all()
        )
        for model in MODELS
    }


def test_demo_records_are_reproducible_and_never_after_the_end():
    children = [
        make_child(
            t.VILLAGE_A1 if i % 2 else t.VILLAGE_A2,
            birth=dt.date(2022, 7, 1) + dt.timedelta(days=33 * i),
        )
        for i in range(33)
    ]
    gone = make_child(t.VILLAGE_A1, birth=dt.date(2024, 1, 1), death_date=dt.date(2024, 3, 1))
    counts = demo.generate(seed=7, today=TODAY)
    assert counts["childhealth_visits"] >= 30 and counts["childhealth_vaccinations"] > 300
    assert counts["childhealth_checks"] > 100 and counts["childhealth_guidance"] > 30
    for model, field in ((Vaccination, "given_on"), (ChildHealthCheck, "checked_on")):
        assert not model.objects.filter(**{f"{field}__gt": TODAY}).exists()
        assert not model.objects.filter(child=gone, **{f"{field}__gt": gone.death_date}).exists()
    first = snapshot()
    for model in MODELS:
        model.objects.all().delete()
    assert demo.generate(seed=7, today=TODAY) == counts
    assert snapshot() == first
    assert len(children) == 33
