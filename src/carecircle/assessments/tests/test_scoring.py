"""C.2–C.5: the score of every option of every item, every level boundary, each C.4 rule, the cap
and the ``CARECIRCLE_ASSESSMENT_UPGRADES`` setting."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings

from carecircle.assessments import services
from carecircle.assessments.standard import standard
from carecircle.assessments.tests.helpers import scores_for

ON = dt.date(2025, 6, 30)
ALL_OPTIONS = [(item.code, option.points) for item in standard().items for option in item.options]


def full() -> dict[str, int]:
    return {item.code: item.max_points for item in standard().items}


@pytest.mark.parametrize(("code", "points"), ALL_OPTIONS)
def test_every_option_of_every_item_counts_its_points(code, points):
    scores = full()
    scores[code] = points
    item = standard().item(code)
    result = services.evaluate(scores, assessed_on=ON)
    assert result.score == 90 - item.max_points + points
    subtotal = dict((d.code, s) for d, s in result.domains)[item.domain]
    domain = next(d for d in standard().domains if d.code == item.domain)
    assert subtotal == domain.max_points - item.max_points + points


def test_option_counts_match_the_standard():
    counts = {item.code: len(item.options) for item in standard().items}
    assert counts["B.2.4"] == counts["B.4.4"] == 4
    assert counts["B.3.9"] == counts["B.4.1"] == counts["B.4.2"] == 3
    assert counts["B.3.7"] == counts["B.3.8"] == 2
    assert sum(counts.values()) == 19 * 5 + 2 * 4 + 3 * 3 + 2 * 2
    assert len(ALL_OPTIONS) == sum(counts.values())


@pytest.mark.parametrize(
    ("score", "level"),
    [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)],
)
def test_level_boundaries(score, level):
    result = services.evaluate(scores_for(score), assessed_on=ON)
    assert result.score == score
    assert result.initial_level == result.final_level == level
    assert result.adjustments == []


def test_a_missing_item_is_named():
    scores = full()
    del scores["B.3.4"]
    with pytest.raises(ValidationError) as caught:
        services.evaluate(scores, assessed_on=ON)
    assert caught.value.message_dict == {"B.3.4": ["B.3.4 记忆：未评分，每一项都必须评分"]}


@pytest.mark.parametrize("value", [5, -1, 3, "x", True, 1.5])
def test_only_listed_options(value):
    scores = full()
    scores["B.3.9"] = value  # 意识水平: 2, 1 or 0
    with pytest.raises(ValidationError) as caught:
        services.evaluate(scores, assessed_on=ON)
    assert "B.3.9 意识水平" in caught.value.message_dict["B.3.9"][0]
    assert "可选：2、1、0" in caught.value.message_dict["B.3.9"][0]


def test_unknown_item_is_refused():
    scores = {**full(), "B.5.1": 1}
    with pytest.raises(ValidationError) as caught:
        services.evaluate(scores, assessed_on=ON)
    assert "B.5.1" in caught.value.message_dict


def test_partial_form_gives_a_running_total_without_level():
    scores = {"B.1.1": 3, "B.1.2": 2, "B.3.7": 0}
    result = services.evaluate(scores, assessed_on=ON, partial=True)
    assert result.score == 5
    assert len(result.missing) == 23
    assert result.initial_level is None and result.final_level is None


def test_coma_grades_complete_loss_directly():
    result = services.evaluate(full(), coma=True, assessed_on=ON)
    assert (result.score, result.initial_level, result.final_level) == (90, 0, 4)
    assert result.adjustments == ["coma"]
    assert services.explain(result.adjustments) == [
        "处于昏迷状态者，直接评定为能力完全丧失（完全失能）"
    ]
    # Before all items are filled in, a coma already decides the level.
    partial = services.evaluate({}, coma=True, assessed_on=ON, partial=True)
    assert partial.final_level == 4


@pytest.mark.parametrize("code", ["F00-F03", "F04-F99"])
def test_dementia_or_mental_disorder_raises_one_level(code):
    result = services.evaluate(scores_for(70), diseases=[code], assessed_on=ON)
    assert (result.initial_level, result.final_level) == (1, 2)
    assert result.adjustments == ["mental_disorder"]


def test_other_diseases_do_not_raise():
    result = services.evaluate(scores_for(70), diseases=["I10-I15", "E10-E14"], assessed_on=ON)
    assert result.final_level == 1 and result.adjustments == []


def events(*days_before):
    return [{"kind": "fall", "date": ON - dt.timedelta(days=d)} for d in days_before]


def test_two_risk_events_in_thirty_days_raise_one_level():
    assert (
        services.evaluate(scores_for(50), risk_events=events(0, 29), assessed_on=ON).final_level
        == 3
    )
    # One event, or the second one 30 days before (outside the 30 days ending on the day): none.
    assert services.evaluate(scores_for(50), risk_events=events(3), assessed_on=ON).final_level == 2
    outside = services.evaluate(scores_for(50), risk_events=events(3, 30), assessed_on=ON)
    assert (outside.final_level, outside.risk_events) == (2, 1)
    # Undated events (the Excel import gives a count) were declared as within the 30 days.
    undated = [{"kind": "", "date": None}] * 2
    assert services.evaluate(scores_for(50), risk_events=undated, assessed_on=ON).final_level == 3


def test_both_raises_count_once_by_default():
    result = services.evaluate(
        scores_for(70), diseases=["F00-F03"], risk_events=events(1, 2), assessed_on=ON
    )
    assert (result.initial_level, result.final_level) == (1, 2)
    assert result.adjustments == ["mental_disorder", "risk_events", "upgrades_once"]


@override_settings(CARECIRCLE_ASSESSMENT_UPGRADES="add")
def test_both_raises_add_up_when_configured():
    result = services.evaluate(
        scores_for(70), diseases=["F04-F99"], risk_events=events(1, 2), assessed_on=ON
    )
    assert (result.initial_level, result.final_level) == (1, 3)
    assert result.adjustments == ["mental_disorder", "risk_events"]


@override_settings(CARECIRCLE_ASSESSMENT_UPGRADES="add")
def test_never_beyond_complete_loss():
    result = services.evaluate(
        scores_for(40), diseases=["F00-F03"], risk_events=events(1, 2), assessed_on=ON
    )
    assert (result.initial_level, result.final_level) == (3, 4)
    assert result.adjustments == ["mental_disorder", "risk_events", "cap"]
    already = services.evaluate(scores_for(10), diseases=["F00-F03"], assessed_on=ON)
    assert (already.initial_level, already.final_level) == (4, 4)
    assert already.adjustments == ["mental_disorder", "cap"]


@override_settings(CARECIRCLE_ASSESSMENT_UPGRADES="twice")
def test_a_wrong_setting_is_refused():
    with pytest.raises(ImproperlyConfigured):
        services.evaluate(scores_for(70), assessed_on=ON)


def test_coma_wins_over_everything():
    result = services.evaluate(
        scores_for(80), coma=True, diseases=["F00-F03"], risk_events=events(1, 2), assessed_on=ON
    )
    assert result.final_level == 4 and result.adjustments == ["coma"]
