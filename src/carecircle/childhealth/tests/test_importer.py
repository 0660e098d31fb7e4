import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carecircle.childhealth.importers import ChildHealthImporter
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
)
from carecircle.core import testing as t
from carecircle.core.imports import run_import
from carecircle.core.models import ImportJob

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HEADERS = [
    "身份证号",
    "服务类型",
    "服务日期",
    "项目",
    "单位",
    "人员",
    "批号",
    "结果",
    "指导方式",
    "体重(kg)",
    "身长(cm)",
    "头围(cm)",
    "说明",
]
MODELS = (NewbornVisit, NewbornScreening, Vaccination, ChildHealthCheck, DevelopmentGuidance)


def rows(child, other):
    n, m = child.id_number, other.id_number
    return [
        [
            n,
            "新生儿访视",
            "2025-01-15",
            "",
            "海安镇卫生院",
            "李医生",
            "",
            "",
            "",
            "",
            "",
            "",
            "脐带未脱",
        ],
        [
            n,
            "新生儿筛查",
            "2025-01-13",
            "",
            "海安市妇幼保健院",
            "",
            "",
            "未见异常",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            n,
            "预防接种",
            "2025-01-10",
            "HepB-1",
            "海安镇预防接种门诊",
            "",
            "2024A1",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            n,
            "预防接种",
            dt.date(2025, 1, 10),
            "卡介苗第1剂",
            "海安镇预防接种门诊",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            n,
            "健康检查",
            "2025-04-11",
            "3月龄",
            "海安镇卫生院",
            "",
            "",
            "",
            "",
            6.3,
            61,
            40.5,
            "发育正常",
        ],
        [
            m,
            "早期发展指导",
            "2025-04-01",
            "语言与认知",
            "",
            "张医生",
            "",
            "",
            "家长课堂",
            "",
            "",
            "",
            "",
        ],
        [m, "新生儿筛查", "2025-03-05", "PKU、CH", "", "", "", "", "", "", "", "", ""],
    ]


def counts():
    return tuple(model.objects.count() for model in MODELS)


@time_machine.travel(FROZEN, tick=False)
def test_import_is_idempotent_and_updates_changes(health_worker, child, other_child):
    data = t.xlsx(HEADERS, rows(child, other_child))
    first = run_import(ChildHealthImporter(health_worker), data)
    assert first.ok, first.messages()
    assert (first.created, first.updated, first.unchanged) == (7, 0, 0)
    assert counts() == (1, 2, 2, 1, 1)
    assert NewbornScreening.objects.get(child=child).complete
    partial = NewbornScreening.objects.get(child=other_child)
    assert not partial.complete and partial.result == "pending"
    check = ChildHealthCheck.objects.get()
    assert (check.checkpoint, str(check.weight_kg), str(check.head_cm)) == ("3", "6.30", "40.5")
    again = run_import(ChildHealthImporter(health_worker), data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    changed = rows(child, other_child)
    changed[6][3] = ""  # all four diseases now
    changed[2][6] = "2024A2"
    third = run_import(ChildHealthImporter(health_worker), t.xlsx(HEADERS, changed))
    assert (third.created, third.updated, third.unchanged) == (0, 2, 5)
    assert NewbornScreening.objects.get(child=other_child).complete
    assert Vaccination.objects.get(dose__code="HepB").batch == "2024A2"


@time_machine.travel(FROZEN, tick=False)
def test_any_bad_row_writes_nothing(village_health_worker, child, other_child):
    bad = rows(child, other_child)  # other_child lives outside the worker's village
    bad[2][3] = "HepB-9"
    bad[4][3] = "6月龄"  # a 6-month check on 2025-04-11 (3 months old)
    bad[0][5] = ""
    bad[1][1] = "体检"
    bad[4][9] = 45
    outcome = run_import(ChildHealthImporter(village_health_worker), t.xlsx(HEADERS, bad))
    assert not outcome.ok and counts() == (0, 0, 0, 0, 0)
    messages = outcome.messages()
    assert "第2行“人员”列：新生儿访视须填写访视人员" in messages
    assert any(m.startswith("第3行“服务类型”列：取值应为") for m in messages)
    assert "第4行“项目”列：未找到该疫苗剂次，应填如 HepB-1 或“乙肝疫苗第1剂”" in messages
    assert any(m.startswith("第6行“服务日期”列：检查日期与所选月龄不符") for m in messages)
    assert "第7行“身份证号”列：未在您的管辖范围内找到该身份证号的儿童" in messages
    assert outcome.error_report


@time_machine.travel(FROZEN, tick=False)
def test_measurement_limits_and_duplicates(health_worker, child, other_child):
    data = rows(child, other_child)
    data[4][9] = 45
    data.append(list(data[2]))
    outcome = run_import(ChildHealthImporter(health_worker), t.xlsx(HEADERS, data))
    messages = outcome.messages()
    assert any(m.startswith("第6行“体重(kg)”列") for m in messages), messages
    assert "第9行：与第4行重复" in messages


@time_machine.travel(FROZEN, tick=False)
def test_import_page(client, settings, health_worker, village_worker, child, other_child):
    settings.CARECIRCLE_IMPORTERS = [
        *settings.CARECIRCLE_IMPORTERS,
        "carecircle.childhealth.importers.ChildHealthImporter",
    ]
    url = reverse("core:import", args=["child-health"])
    client.force_login(village_worker)
    assert client.get(url).status_code == 403
    client.force_login(health_worker)
    assert client.get(url, {"template": "xlsx"}).status_code == 200
    assert "Excel导入" in client.get(reverse("childhealth:vaccination-list")).content.decode()
    file = SimpleUploadedFile("services.xlsx", t.xlsx(HEADERS, rows(child, other_child)))
    client.post(url, {"file": file})
    job = ImportJob.objects.get()
    assert (job.status, job.created) == ("done", 7)
