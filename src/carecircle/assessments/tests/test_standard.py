"""The GB/T 42195-2022 tables: whole, and refused when they are not."""

import copy
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from carecircle.assessments.standard import DATA_FILE, parse, standard


@pytest.fixture
def raw():
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def test_four_domains_twenty_six_items_ninety_points():
    tables = standard()
    assert [(d.code, d.name, d.max_points, len(d.items)) for d in tables.domains] == [
        ("B.1", "自理能力", 32, 8),
        ("B.2", "基础运动能力", 15, 4),
        ("B.3", "精神状态", 28, 9),
        ("B.4", "感知觉与社会参与", 15, 5),
    ]
    assert len(tables.items) == 26
    assert sum(item.max_points for item in tables.items) == tables.max_score == 90
    three_point = {i.code for i in tables.items if i.max_points == 3}
    assert three_point == {"B.2.4", "B.4.4"}
    assert {i.code: i.max_points for i in tables.items if i.max_points < 3} == {
        "B.3.7": 1,
        "B.3.8": 1,
        "B.3.9": 2,
        "B.4.1": 2,
        "B.4.2": 2,
    }
    assert tables.item("B.1.2").options[0].text == "独立完成，不需要协助"


def test_levels_reasons_events_diseases():
    tables = standard()
    assert [
        (b.level, b.name, b.low, b.high) for b in sorted(tables.levels, key=lambda b: b.level)
    ] == [
        (0, "能力完好", 90, 90),
        (1, "能力轻度受损（轻度失能）", 66, 89),
        (2, "能力中度受损（中度失能）", 46, 65),
        (3, "能力重度受损（重度失能）", 30, 45),
        (4, "能力完全丧失（完全失能）", 0, 29),
    ]
    assert [r.name for r in tables.reasons] == [
        "首次评估", "常规评估", "即时评估", "复评（对评估结果有疑问）", "其他"
    ]  # fmt: skip
    assert {r.code for r in tables.reasons if r.invalidates_previous} == {"immediate", "review"}
    assert [k.name for k in tables.risk_kinds] == ["跌倒", "走失", "噎食", "自杀、自伤", "其他"]
    raising = {d.code: d.name for d in tables.diseases if d.raises_level}
    assert set(raising) == {"F00-F03", "F04-F99"}
    assert tables.disease("I10-I15").label == "高血压病（I10–I15）"
    assert tables.rules["risk_events"].min_events == 2
    assert tables.rules["risk_events"].window_days == 30


def test_a_domain_not_adding_up_is_refused(raw):
    broken = copy.deepcopy(raw)
    broken["domains"][0]["max"] = 31
    with pytest.raises(ImproperlyConfigured, match="B.1"):
        parse(broken)


def test_an_item_without_options_is_refused(raw):
    broken = copy.deepcopy(raw)
    broken["domains"][1]["items"][3]["options"] = []
    with pytest.raises(ImproperlyConfigured, match="B.2.4 has no options"):
        parse(broken)


def test_level_bands_with_a_gap_or_overlap_are_refused(raw):
    gap = copy.deepcopy(raw)
    gap["levels"][1]["min"] = 67  # 66 belongs to no level
    with pytest.raises(ImproperlyConfigured, match="gap or overlap"):
        parse(gap)
    overlap = copy.deepcopy(raw)
    overlap["levels"][2]["max"] = 66
    with pytest.raises(ImproperlyConfigured, match="gap or overlap"):
        parse(overlap)
    short = copy.deepcopy(raw)
    short["levels"][0]["max"] = 89
    short["levels"][0]["min"] = 89
    short["levels"][1]["max"] = 88
    with pytest.raises(ImproperlyConfigured, match="do not reach 90"):
        parse(short)


def test_total_not_ninety_is_refused(raw):
    broken = copy.deepcopy(raw)
    broken["max_score"] = 100
    with pytest.raises(ImproperlyConfigured, match="add up to 100"):
        parse(broken)
