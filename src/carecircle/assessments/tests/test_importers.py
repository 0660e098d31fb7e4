"""Excel import: per-cell Chinese errors, all-or-nothing, idempotent, scoped."""

import datetime as dt

import pytest
from django.urls import reverse

from carecircle.assessments.importers import AssessmentImporter
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import standard
from carecircle.assessments.tests.helpers import make_assessment, scores_for
from carecircle.core.imports import run_import
from carecircle.core.testing import xlsx

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in AssessmentImporter.columns]


def row(person, *, on="2025-03-01", reason="常规评估", total=90, **cells):
    values = {
        "身份证号": person.id_number,
        "评估日期": on,
        "评估原因": reason,
        "评估员": "张医生",
        "评估员医学背景": "是",
        "第二评估员": "李社工",
        "第二评估员医学背景": "否",
    }
    scores = scores_for(total)
    for item in standard().items:
        values[f"{item.code} {item.name}"] = scores[item.code]
    values.update(cells)
    return [values.get(header, "") for header in HEADERS]


def run(user, rows):
    return run_import(AssessmentImporter(user), xlsx(HEADERS, rows))


def test_template_has_a_column_per_item(client, assessor):
    headers = [c.header for c in AssessmentImporter.columns]
    assert "B.1.1 进食" in headers and "B.4.5 社会交往能力" in headers
    assert len([h for h in headers if h.startswith("B.")]) == 26
    client.force_login(assessor)
    response = client.get(reverse("core:import", args=["assessments"]), {"template": "xlsx"})
    assert response.status_code == 200


def test_import_scores_and_upgrades(assessor, elder):
    outcome = run(
        assessor,
        [row(elder, total=50, **{"疾病诊断": "痴呆、高血压病", "近30天照护风险事件次数": 2})],
    )
    assert outcome.ok, outcome.messages()
    assessment = Assessment.objects.get(person=elder)
    assert (assessment.initial_score, assessment.initial_level, assessment.final_level) == (
        50,
        2,
        3,
    )
    assert assessment.diseases == ["I10-I15", "F00-F03"]
    assert assessment.adjustments == ["mental_disorder", "risk_events", "upgrades_once"]
    assert len(assessment.risk_events) == 2
    assert assessment.assessor == assessor
    assert assessment.valid_until == dt.date(2026, 2, 28)


def test_reimport_changes_nothing_and_a_change_updates(assessor, elder):
    rows = [row(elder, total=70), row(elder, on="2025-06-01", reason="即时评估", total=40)]
    first = run(assessor, rows)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = run(assessor, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Assessment.objects.count() == 2
    routine = Assessment.objects.get(reason="routine")
    assert routine.invalidated_on == dt.date(2025, 6, 1)  # replaced by the immediate one
    changed = run(assessor, [row(elder, total=71), rows[1]])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    routine.refresh_from_db()
    assert routine.initial_score == 71 and routine.invalidated_on == dt.date(2025, 6, 1)


def test_any_bad_cell_writes_nothing(assessor, elder, other_elder):
    good = row(elder, total=80)
    bad_option = row(elder, on="2025-04-01", **{"B.3.9 意识水平": 3})
    bad_reason = row(elder, on="2025-05-01", reason="随便")
    one_assessor = row(elder, on="2025-05-02", **{"第二评估员": ""})
    no_medical = row(elder, on="2025-05-03", **{"评估员医学背景": "否"})
    outside = row(other_elder)  # village A2: outside the assessor's area
    missing_item = row(elder, on="2025-05-04", **{"B.1.1 进食": ""})
    outcome = run(
        assessor, [good, bad_option, bad_reason, one_assessor, no_medical, outside, missing_item]
    )
    assert not outcome.ok
    assert Assessment.objects.count() == 0
    messages = outcome.messages()
    assert "第3行“B.3.9 意识水平”列：B.3.9 意识水平 的得分应为：2、1、0" in messages
    assert any(m.startswith("第4行“评估原因”列：取值应为：首次评估") for m in messages)
    assert "第5行“第二评估员”列：不能为空" in messages
    assert "第6行“评估员医学背景”列：两名评估员中至少一名须具有医学背景" in messages
    assert "第7行“身份证号”列：在您的管辖范围内未找到该身份证号的老年人" in messages
    assert "第8行“B.1.1 进食”列：不能为空" in messages
    assert outcome.error_report


def test_duplicate_rows_in_one_file(assessor, elder):
    outcome = run(assessor, [row(elder), row(elder, total=60)])
    assert outcome.messages() == ["第3行：与第2行重复"]


def test_import_needs_the_permission(client, village_worker):
    client.force_login(village_worker)
    assert client.get(reverse("core:import", args=["assessments"])).status_code == 403


def test_existing_dated_events_survive_a_reimport_with_the_same_count(assessor, elder):
    on = dt.date(2025, 3, 1)
    make_assessment(
        elder,
        on=on,
        total=70,
        risk_events=[{"kind": "fall", "date": on}, {"kind": "choke", "date": on}],
    )
    outcome = run(assessor, [row(elder, total=70, **{"近30天照护风险事件次数": 2})])
    assert outcome.unchanged == 1
    assert Assessment.objects.get().risk_events[0] == {"kind": "fall", "date": "2025-03-01"}
