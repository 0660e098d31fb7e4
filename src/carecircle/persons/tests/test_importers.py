import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.dates import years_before
from carecircle.core.imports import run_import
from carecircle.core.models import ImportJob
from carecircle.core.testing import xlsx
from carecircle.persons.filters import months_before
from carecircle.persons.importers import ChildImporter, DeathMoveOutImporter, ElderImporter
from carecircle.persons.models import Person
from carecircle.persons.tests.helpers import elder_birth, new_id

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ELDER_HEADERS = ["姓名", "身份证号", "村（社区）代码", "住址", "联系电话", "居住状况", "困难类型"]


def elder_rows():
    return [
        [
            "刘桂英",
            new_id(elder_birth(82), male=False),
            t.VILLAGE_A1,
            "1组",
            "13800001111",
            "独居",
            "低保",
        ],
        ["黄志明", new_id(elder_birth(65)), t.VILLAGE_A1, "", "", "", ""],
    ]


def test_import_then_reimport_is_idempotent(village_worker):
    data = xlsx(ELDER_HEADERS, elder_rows())
    first = run_import(ElderImporter(village_worker), data)
    assert first.ok, first.messages()
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    person = Person.objects.get(name="刘桂英")
    assert person.living_arrangement == "alone" and person.sex == "F"
    assert person.hardship_flags.get().kind == "minimum_living"
    assert person.residences.count() == 1
    again = run_import(ElderImporter(village_worker), data)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Person.objects.count() == 2


def test_changed_rows_update_and_a_new_village_is_a_move(town_officer):
    rows = elder_rows()
    run_import(ElderImporter(town_officer), xlsx(ELDER_HEADERS, rows))
    rows[0][4] = "13900002222"
    rows[1][2] = t.VILLAGE_A2
    outcome = run_import(ElderImporter(town_officer), xlsx(ELDER_HEADERS, rows))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 2, 0)
    assert Person.objects.get(name="刘桂英").phone == "13900002222"
    moved = Person.objects.get(name="黄志明")
    assert moved.area.code == t.VILLAGE_A2
    assert [r.area.code for r in moved.residences.order_by("valid_from", "pk")] == [
        t.VILLAGE_A1,
        t.VILLAGE_A2,
    ]


def test_bad_rows_give_a_cell_report_and_write_nothing(village_worker):
    good, young = elder_rows()[0], new_id(dt.date(1980, 1, 1))
    bad_digit = good[1][:-1] + ("1" if good[1][-1] != "1" else "2")
    rows = [
        good,
        ["甲", bad_digit, t.VILLAGE_A1, "", "", "", ""],
        ["乙", young, t.VILLAGE_A1, "", "", "", ""],
        ["丙", new_id(elder_birth()), t.VILLAGE_A2, "", "", "", ""],  # another village
        ["丁", new_id(elder_birth()), t.VILLAGE_A1, "", "123", "住别墅", "很穷"],
        ["", new_id(elder_birth()), t.VILLAGE_A1, "", "", "", ""],
    ]
    outcome = run_import(ElderImporter(village_worker), xlsx(ELDER_HEADERS, rows))
    assert not outcome.ok
    assert Person.objects.count() == 0
    text = "\n".join(outcome.messages())
    assert "第3行“身份证号”列：身份证号校验位错误" in text
    assert "第4行“身份证号”列" in text and "年满60周岁" in text
    assert "第5行“村（社区）代码”列" in text and "管辖范围" in text
    assert "第6行“联系电话”列" in text
    assert "第6行“居住状况”列" in text
    assert "第6行“困难类型”列" in text
    assert "第7行“姓名”列：不能为空" in text
    report = load_workbook(io.BytesIO(outcome.error_report)).active
    assert report.cell(row=3, column=2).comment.text == "身份证号校验位错误"
    assert report.cell(row=2, column=2).comment is None


def test_duplicate_rows_in_one_file_are_refused(village_worker):
    row = elder_rows()[0]
    outcome = run_import(ElderImporter(village_worker), xlsx(ELDER_HEADERS, [row, list(row)]))
    assert not outcome.ok and "与第2行重复" in outcome.messages()[0]


def test_person_registered_elsewhere_cannot_be_overwritten(village_worker, other_elder):
    rows = [["李桂兰", other_elder.id_number, t.VILLAGE_A1, "", "", "", ""]]
    outcome = run_import(ElderImporter(village_worker), xlsx(ELDER_HEADERS, rows))
    assert not outcome.ok and "其他辖区" in outcome.messages()[0]
    other_elder.refresh_from_db()
    assert other_elder.area.code == t.VILLAGE_A2


def test_child_import_checks_age_in_months(village_worker):
    headers = ["姓名", "身份证号", "村（社区）代码"]
    rows = [
        ["小明", new_id(months_before(TODAY, 20)), t.VILLAGE_A1],
        ["大明", new_id(years_before(TODAY, 3)), t.VILLAGE_A1],
    ]
    outcome = run_import(ChildImporter(village_worker), xlsx(headers, rows))
    assert not outcome.ok and "未满3周岁" in outcome.messages()[0]
    outcome = run_import(ChildImporter(village_worker), xlsx(headers, rows[:1]))
    assert outcome.ok and outcome.created == 1
    assert Person.objects.get().domain == "childcare"


def test_deaths_and_move_outs_batch(village_worker, elder, other_elder):
    leaver = t.make_person(t.VILLAGE_A1, name="出走")
    headers = ["身份证号", "类型", "日期"]
    day = TODAY - dt.timedelta(days=3)
    rows = [[elder.id_number, "死亡", day.isoformat()], [leaver.id_number, "迁出", day]]
    importer = DeathMoveOutImporter(village_worker)
    outcome = run_import(importer, xlsx(headers, rows))
    assert outcome.ok, outcome.messages()
    assert outcome.updated == 2
    elder.refresh_from_db()
    leaver.refresh_from_db()
    assert elder.death_date == day and leaver.moved_out_on == day
    assert elder.residences.get().valid_to == day
    audited = AuditEvent.objects.filter(action=AuditAction.BATCH_UPDATE, user=village_worker)
    assert sorted(audited.values_list("detail__kind", flat=True)) == ["death", "move_out"]
    again = run_import(DeathMoveOutImporter(village_worker), xlsx(headers, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # Errors: a person outside the scope, a conflicting date, a move-out after death.
    bad = [
        [other_elder.id_number, "死亡", day.isoformat()],
        [elder.id_number, "死亡", (day - dt.timedelta(days=1)).isoformat()],
        [new_id(elder_birth()), "失踪", day.isoformat()],
    ]
    outcome = run_import(DeathMoveOutImporter(village_worker), xlsx(headers, bad))
    text = "\n".join(outcome.messages())
    assert "第2行“身份证号”列：在您的管辖范围内未找到" in text
    assert "第3行“日期”列：已登记死亡日期" in text
    assert "第4行“类型”列" in text
    other_elder.refresh_from_db()
    assert other_elder.death_date is None


def test_import_through_the_upload_page(client, village_worker):
    client.force_login(village_worker)
    page = reverse("core:import", args=["elders"])
    assert client.get(page).status_code == 403  # village workers do not import persons
    town = t.make_user("town_officer", area_code=t.TOWN_A)
    client.force_login(town)
    template = client.get(page, {"template": "xlsx"})
    headers = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
    assert headers[:3] == ["姓名", "身份证号", "村（社区）代码"]
    upload = io.BytesIO(xlsx(ELDER_HEADERS, elder_rows()))
    upload.name = "elders.xlsx"
    response = client.post(page, {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.created == 2
    assert client.get(reverse("core:import", args=["deaths-moveouts"])).status_code == 200
