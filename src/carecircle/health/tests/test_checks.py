import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.idnumbers import make_credit_code
from carecircle.health.models import ElderHealthCheck, counting_q
from carecircle.health.tests.conftest import make_check
from carecircle.referrals.models import Hospital

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LIST = reverse("health:check-list")
CREATE = reverse("health:check-create")


def test_counting_needs_examination_assessment_and_guidance(elder):
    full = make_check(elder, dt.date(2025, 3, 1))
    no_guidance = make_check(elder, dt.date(2025, 4, 1), guidance_given=False)
    no_assessment = make_check(elder, dt.date(2025, 5, 1), health_assessment=False)
    no_exam = make_check(elder, dt.date(2025, 6, 1), physical_exam=False)
    assert full.counts_as_management
    assert not any(c.counts_as_management for c in (no_guidance, no_assessment, no_exam))
    assert list(ElderHealthCheck.objects.filter(counting_q())) == [full]
    assert full.examinations_done == ["体格检查", "血常规", "空腹血糖"]


def test_scope(client, village_worker, other_village_worker, elder, other_elder, outsider):
    mine, theirs = make_check(elder, TODAY), make_check(other_elder, TODAY)
    assert list(ElderHealthCheck.objects.for_user(village_worker)) == [mine]
    assert not ElderHealthCheck.objects.for_user(outsider).exists()
    client.force_login(village_worker)
    page = client.get(LIST).content.decode()
    assert "王*英" in page and "李*兰" not in page
    assert client.get(reverse("health:check-detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("health:check-detail", args=[theirs.uuid])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_RECORD).count() == 1
    client.force_login(other_village_worker)
    assert client.get(reverse("health:check-detail", args=[mine.uuid])).status_code == 404


def test_create_by_id_number(client, civil_affairs_officer, elder):
    hospital = Hospital.objects.create(
        name="海安镇卫生院",
        credit_code=make_credit_code("12320685466000003"),
        level="1",
        is_primary_care=True,
        area=t.area(t.TOWN_A),
    )
    client.force_login(civil_affairs_officer)
    data = {
        "id_number": elder.id_number,
        "checked_on": TODAY.isoformat(),
        "hospital": hospital.pk,
        "physical_exam": "on",
        "ecg": "on",
        "health_assessment": "on",
        "guidance_given": "on",
        "results_summary": "血压偏高",
    }
    response = client.post(CREATE, data)
    check = ElderHealthCheck.objects.get()
    assert response.status_code == 302
    assert check.person == elder and check.institution_name == "海安镇卫生院"
    assert check.counts_as_management and check.ecg and not check.blood_routine
    page = client.post(CREATE, data).content.decode()  # the same elder and day again
    assert "该老人该日期已有体检记录" in page
    future = {**data, "checked_on": (TODAY + dt.timedelta(days=1)).isoformat()}
    assert "体检日期不能晚于今天" in client.post(CREATE, future).content.decode()
    nameless = {**data, "hospital": "", "checked_on": "2025-01-02"}
    assert "请选择已登记机构或填写体检机构名称" in client.post(CREATE, nameless).content.decode()


def test_create_refuses_elders_outside_scope(client, village_worker, other_elder):
    client.force_login(village_worker)
    assert client.get(CREATE).status_code == 403  # village workers read health checks only
    client.force_login(t.make_user("health_officer", area_code=t.VILLAGE_A1, domain="both"))
    data = {"id_number": other_elder.id_number, "checked_on": "2025-02-02", "institution_name": "x"}
    page = client.post(CREATE, data).content.decode()
    assert "未在您的管辖范围内找到该身份证号的老人" in page
    assert not ElderHealthCheck.objects.exists()


def test_list_filters_and_summary(client, civil_affairs_officer, elder, other_elder):
    make_check(elder, dt.date(TODAY.year, 1, 1))
    make_check(other_elder, dt.date(TODAY.year, 1, 1), guidance_given=False)
    make_check(elder, dt.date(TODAY.year - 1, 5, 5))
    client.force_login(civil_affairs_officer)
    response = client.get(LIST)
    assert response.context["summary"] == {"checks": 2, "counting": 1, "persons": 1}
    assert "共 3 条" in response.content.decode()
    assert "共 2 条" in client.get(LIST, {"year": TODAY.year}).content.decode()
    assert "共 1 条" in client.get(LIST, {"year": TODAY.year, "counting": "false"}).content.decode()
    assert "共 1 条" in client.get(LIST, {"area": t.VILLAGE_A2}).content.decode()


def test_api(client, village_worker, civil_affairs_officer, elder, other_elder):
    mine = make_check(elder, dt.date(2025, 3, 1))
    make_check(other_elder, dt.date(2025, 3, 1))
    client.force_login(village_worker)
    body = client.get("/api/health-checks/").json()
    assert [r["uuid"] for r in body["results"]] == [str(mine.uuid)]
    assert (
        body["results"][0]["person_name"] == "王*英" and body["results"][0]["counts_as_management"]
    )
    client.force_login(civil_affairs_officer)
    data = {"person": str(elder.uuid), "checked_on": "2025-03-01", "institution_name": "卫生院"}
    response = client.post("/api/health-checks/", data, content_type="application/json")
    assert response.status_code == 400  # the same day again
    data["checked_on"] = "2025-04-01"
    response = client.post("/api/health-checks/", data, content_type="application/json")
    assert response.status_code == 201 and not response.json()["counts_as_management"]
