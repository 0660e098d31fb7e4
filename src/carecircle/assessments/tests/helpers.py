"""Builders shared by the assessments tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carecircle.assessments import services
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import standard


def scores_for(total: int) -> dict[str, int]:
    """Item scores adding up to ``total``: all items at their maximum, then lowered in order."""
    scores = {item.code: item.max_points for item in standard().items}
    excess = sum(scores.values()) - total
    for item in standard().items:
        cut = min(excess, item.max_points)
        scores[item.code] -= cut
        excess -= cut
    assert excess == 0 and sum(scores.values()) == total
    return scores


def form_data(person=None, total: int = 90, **extra) -> dict:
    """A complete POST of the assessment form."""
    data = {
        "assessed_on": extra.pop("assessed_on", timezone.localdate()).isoformat(),
        "reason": extra.pop("reason", "routine"),
        "assessor_name": "张医生",
        "assessor_medical": "on",
        "second_assessor_name": "李社工",
    }
    if person is not None:
        data["person"] = str(person.uuid)
    for item in standard().items:
        data[item.field_name] = str(scores_for(total)[item.code])
    data.update(extra)
    return data


def make_assessment(person, *, total: int = 90, on: dt.date | None = None, **fields) -> Assessment:
    assessment = Assessment(
        person=person,
        assessed_on=on or timezone.localdate(),
        reason=fields.pop("reason", "routine"),
        assessor_name=fields.pop("assessor_name", "张医生"),
        assessor_medical=fields.pop("assessor_medical", True),
        second_assessor_name=fields.pop("second_assessor_name", "李社工"),
        item_scores=fields.pop("item_scores", None) or scores_for(total),
        **fields,
    )
    return services.record_assessment(assessment)
