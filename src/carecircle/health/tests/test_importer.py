import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carecircle.core import testing as t
from carecircle.core.idnumbers import make_credit_code
from carecircle.core.imports import run_import
from carecircle.core.models import ImportJob
from carecircle.health.importers import ElderHealthCheckImporter
from carecircle.health.models import ElderHealthCheck
from carecircle.referrals.models import Hospital

pytestmark = pytest.mark.django_db
HEADERS = [
    "身份证号",
    "体检日期",
    "体检机构",
    "体格检查",
    "血常规",
    "心电图",
    "健康状况评估",
    "健康指导",
    "体检结果摘要",
]


def rows(elder, other):
    return [
        [elder.id_number, "2025-04-12", "海安镇卫生院", "是", "是", "否", "是", "是", "未见异常"],
        [other.id_number, dt.date(2025, 5, 3), "钟涵村卫生室", "是", "", "是", "是", "否", ""],
    ]


def test_import_is_idempotent_and_updates_changes(civil_affairs_officer, elder, other_elder):
    hospital = Hospital.objects.create(
        name="海安镇卫生院",
        credit_code=make_credit_code("12320685466000004"),
        level="1",
        area=t.area(t.TOWN_A),
    )
    data = t.xlsx(HEADERS, rows(elder, other_elder))
    first = run_import(ElderHealthCheckImporter(civil_affairs_officer), data)
    assert first.ok, first.messages()
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    mine = ElderHealthCheck.objects.get(person=elder)
    assert mine.hospital == hospital and mine.counts_as_management and not mine.ecg
    theirs = ElderHealthCheck.objects.get(person=other_elder)
    assert theirs.hospital is None and theirs.institution_name == "钟涵村卫生室"
    assert not theirs.counts_as_management  # no guidance
    again = run_import(ElderHealthCheckImporter(civil_affairs_officer), data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = rows(elder, other_elder)
    changed[1][7] = "是"
    third = run_import(ElderHealthCheckImporter(civil_affairs_officer), t.xlsx(HEADERS, changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert ElderHealthCheck.objects.get(person=other_elder).counts_as_management


def test_any_bad_row_writes_nothing(village_worker, elder, other_elder):
    bad = rows(elder, other_elder)  # the other elder lives outside the worker's village
    bad[0][3] = "也许"
    outcome = run_import(ElderHealthCheckImporter(village_worker), t.xlsx(HEADERS, bad))
    assert not outcome.ok and not ElderHealthCheck.objects.exists()
    messages = outcome.messages()
    assert "第2行“体格检查”列：应填“是”或“否”" in messages
    assert "第3行“身份证号”列：未在您的管辖范围内找到该身份证号的老人" in messages
    assert outcome.error_report


def test_duplicate_rows_and_dates(civil_affairs_officer, elder, other_elder):
    data = rows(elder, other_elder)
    data.append(list(data[0]))
    data[1][1] = "2099-01-01"
    outcome = run_import(ElderHealthCheckImporter(civil_affairs_officer), t.xlsx(HEADERS, data))
    assert "第4行：与第2行重复" in outcome.messages()
    assert "第3行“体检日期”列：体检日期不能晚于今天" in outcome.messages()


def test_import_page(client, civil_affairs_officer, village_worker, elder, other_elder):
    url = reverse("core:import", args=["health-checks"])
    client.force_login(village_worker)
    assert client.get(url).status_code == 403
    client.force_login(civil_affairs_officer)
    assert client.get(url, {"template": "xlsx"}).status_code == 200
    file = SimpleUploadedFile("checks.xlsx", t.xlsx(HEADERS, rows(elder, other_elder)))
    client.post(url, {"file": file})
    job = ImportJob.objects.get()
    assert (job.status, job.created) == ("done", 2)
