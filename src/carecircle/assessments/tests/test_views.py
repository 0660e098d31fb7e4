"""Pages: access and scope (404 outside), the assessor's form with its live score, the result page,
an elder's history and the due worklist."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.assessments.models import Assessment
from carecircle.assessments.tests.conftest import born
from carecircle.assessments.tests.helpers import form_data, make_assessment
from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.core.testing import xlsx_text
from carecircle.institutions.models import Residency

pytestmark = pytest.mark.django_db

LIST = reverse("assessments:assessment-list")
NEW = reverse("assessments:assessment-create")
PREVIEW = reverse("assessments:assessment-preview")
DUE = reverse("assessments:due-list")
TODAY = timezone.localdate


def detail(assessment):
    return reverse("assessments:assessment-detail", args=[assessment.uuid])


def history(person):
    return reverse("assessments:person-history", args=[person.uuid])


# Access and scope ----------------------------------------------------------------------------


def test_anonymous_and_roleless(client, outsider, elder):
    assessment = make_assessment(elder)
    for url in (LIST, NEW, DUE, detail(assessment), history(elder)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(outsider)
    for url in (LIST, NEW, DUE, detail(assessment), history(elder)):
        assert client.get(url).status_code == 403
    assert client.post(PREVIEW, {}).status_code == 403
    assert client.get("/api/assessments/").status_code == 403


def test_village_worker_sees_only_their_village(client, village_worker, elder, other_elder):
    mine = make_assessment(elder, total=70)
    theirs = make_assessment(other_elder, total=40)
    client.force_login(village_worker)
    page = client.get(LIST).content.decode()
    assert elder.name in page and other_elder.name not in page
    assert client.get(detail(mine)).status_code == 200
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(history(other_elder)).status_code == 404
    export = client.get(LIST, {"export": "xlsx"})
    text = xlsx_text(export.content)
    assert elder.name in text and other_elder.name not in text
    assert elder.id_number not in text  # masked
    assert client.get(f"/api/assessments/{theirs.uuid}/").status_code == 404
    rows = client.get("/api/assessments/").json()["results"]
    assert [row["uuid"] for row in rows] == [str(mine.uuid)]
    # A village worker reads assessments but does not record them.
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("assessments:assessment-update", args=[mine.uuid])).status_code == 403


def test_assessor_outside_their_area_gets_404(client, assessor, elder, other_elder):
    theirs = make_assessment(other_elder, total=40)
    client.force_login(assessor)
    assert client.get(detail(theirs)).status_code == 404
    assert (
        client.get(reverse("assessments:assessment-update", args=[theirs.uuid])).status_code == 404
    )
    assert client.get(NEW, {"person": other_elder.uuid}).status_code == 404
    assert client.get(history(other_elder)).status_code == 404
    response = client.post(NEW, form_data(other_elder))
    assert response.status_code == 200
    assert "所选人员不在您的管辖范围内" in response.content.decode()
    assert not Assessment.objects.filter(person=other_elder, reason="routine").exclude(pk=theirs.pk)
    api = client.post(
        "/api/assessments/", {"person": str(other_elder.uuid)}, content_type="application/json"
    )
    assert api.status_code == 400 and "person" in api.json()


def test_childcare_only_officer_sees_no_assessment(client, elder):
    make_assessment(elder)
    officer = t.make_user(Role.TOWN_OFFICER, area_code=t.TOWN_A, domain=ScopeDomain.CHILDCARE)
    client.force_login(officer)
    assert elder.name not in client.get(LIST).content.decode()


def test_institution_staff_see_their_current_residents_only(client, elder, other_elder):
    provider = t.make_provider(t.VILLAGE_A1)
    Residency.objects.create(provider=provider, person=elder, admitted_on=dt.date(2024, 1, 1))
    resident = make_assessment(elder, total=70)
    neighbour = make_assessment(other_elder, total=70)
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=provider)
    client.force_login(staff)
    assert client.get(detail(resident)).status_code == 200
    assert client.get(detail(neighbour)).status_code == 404
    assert client.get(NEW).status_code == 403  # read only
    Residency.objects.filter(person=elder).update(discharged_on=TODAY())
    assert client.get(detail(resident)).status_code == 404


# The assessor's flow -------------------------------------------------------------------------


def test_form_preselects_the_person_from_the_person_page(client, assessor, elder):
    client.force_login(assessor)
    page = client.get(NEW, {"person": elder.uuid}).content.decode()
    assert elder.name in page and elder.id_number_masked in page
    assert f'value="{elder.uuid}"' in page
    assert "B.1.1 进食" in page and "B.4.5 社会交往能力" in page
    assert "4分　独立使用器具将食物送进口中并咽下，没有呛咳" in page
    assert "钱文博" in page  # the recording assessor as first assessor


def test_person_search_by_name_and_id_within_scope(client, assessor, elder, other_elder):
    client.force_login(assessor)
    url = reverse("assessments:person-search")
    found = client.post(url, {"person_q": "秀英"}).content.decode()
    assert elder.name in found and str(elder.uuid) in found
    assert other_elder.name not in client.post(url, {"person_q": "桂兰"}).content.decode()
    by_id = client.post(url, {"person_q": elder.id_number}).content.decode()
    assert str(elder.uuid) in by_id and elder.id_number not in by_id
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH_PERSON).count() == 1
    assert client.get(url).status_code == 405  # names never travel in a URL


def test_live_score_as_the_form_is_filled(client, assessor):
    client.force_login(assessor)
    partial = client.post(
        PREVIEW, {"item_B_1_1": "3", "item_B_3_9": "1", "assessed_on": "2025-06-30"}
    )
    text = partial.content.decode()
    assert 'id="score-total">4<' in text
    assert "尚有 24 项未评分" in text and "能力等级：" not in text
    data = form_data(total=50, assessed_on=dt.date(2025, 6, 30), diseases=["F00-F03"])
    data.update(
        risk_kind_1="fall", risk_date_1="2025-06-20", risk_kind_2="wander", risk_date_2="2025-06-29"
    )
    text = client.post(PREVIEW, data).content.decode()
    assert 'id="score-total">50<' in text
    assert "初步等级：2级 能力中度受损（中度失能）" in text
    assert "近30天照护风险事件 2 次" in text
    assert "两项同时满足" in text
    assert "能力等级：3级 能力重度受损（重度失能）" in text
    assert "保存后有效期至 2026-06-29" in text
    invalid = client.post(PREVIEW, {"item_B_1_1": "7"}).content.decode()
    assert "B.1.1 进食" in invalid and "可选：4、3、2、1、0" in invalid


def test_saving_shows_the_result_with_its_explanation(client, assessor, elder):
    client.force_login(assessor)
    data = form_data(elder, total=64, diseases=["F00-F03", "I10-I15"], assessed_on=TODAY())
    response = client.post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = Assessment.objects.get(person=elder)
    assert response["Location"] == detail(assessment)
    assert assessment.assessor == assessor
    assert (assessment.initial_score, assessment.initial_level, assessment.final_level) == (
        64,
        2,
        3,
    )
    page = client.get(response["Location"]).content.decode()
    assert "64 / 90" in page
    assert "确诊为痴呆（F00–F03）" in page
    assert "初步等级“能力中度受损（中度失能）”变更为能力等级“能力重度受损（重度失能）”" in page
    assert assessment.valid_until.strftime("%Y-%m-%d") in page
    assert elder.id_number not in page
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_RECORD, object_id=str(assessment.uuid)
    ).exists()


def test_form_errors_name_the_problem(client, assessor, elder):
    client.force_login(assessor)
    data = form_data(elder, total=80)
    del data["item_B_2_3"]
    data["item_B_3_7"] = "3"
    data["second_assessor_name"] = ""
    data["assessor_medical"] = ""
    data["risk_kind_1"] = "fall"
    page = client.post(NEW, data).content.decode()
    assert "B.2.3 平地行走：未评分，每一项都必须评分" in page
    assert "B.3.7 攻击行为：所选不是本项的选项" in page
    assert "请填写事件发生日期" in page
    assert not Assessment.objects.exists()
    data = form_data(elder, total=80, assessor_medical="", second_assessor_name="李社工")
    page = client.post(NEW, data).content.decode()
    assert "两名评估员中至少一名须具有医学背景" in page
    data = form_data(elder, total=80, second_assessor_name="张医生")
    assert "两名评估员不能是同一人" in client.post(NEW, data).content.decode()
    assert not Assessment.objects.exists()


def test_edit_recomputes(client, assessor, elder):
    assessment = make_assessment(elder, total=90, on=dt.date(2025, 1, 5))
    client.force_login(assessor)
    url = reverse("assessments:assessment-update", args=[assessment.uuid])
    page = client.get(url).content.decode()
    assert 'id="score-total">90<' in page
    response = client.post(url, form_data(total=40, assessed_on=dt.date(2025, 1, 5), coma="on"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.initial_score, assessment.final_level, assessment.adjustments) == (
        40,
        4,
        ["coma"],
    )


def test_history_page(client, village_worker, elder):
    old = make_assessment(elder, total=80, on=dt.date(2023, 3, 1), reason="first")
    new = make_assessment(elder, total=60, on=TODAY() - dt.timedelta(days=10))
    client.force_login(village_worker)
    page = client.get(history(elder)).content.decode()
    assert page.index(detail(new)) < page.index(detail(old))
    assert "已过期" in page and "能力中度受损（中度失能）" in page


# Worklist --------------------------------------------------------------------------------------


def test_due_worklist(client, village_worker, elder):
    today = TODAY()
    never = elder  # 85, never assessed
    lapsed = t.make_person(t.VILLAGE_A1, name="过期老人", birth=born(88))
    make_assessment(lapsed, on=today - dt.timedelta(days=400), reason="first")
    expiring = t.make_person(t.VILLAGE_A1, name="将到期人", birth=born(70))
    make_assessment(expiring, on=today - dt.timedelta(days=350))
    fresh = t.make_person(t.VILLAGE_A1, name="已评估人", birth=born(90))
    make_assessment(fresh, on=today - dt.timedelta(days=10))
    young = t.make_person(t.VILLAGE_A1, name="年轻老人", birth=born(72))
    elsewhere = t.make_person(t.VILLAGE_A2, name="外村老人", birth=born(90))
    client.force_login(village_worker)
    page = client.get(DUE).content.decode()
    for person in (never, lapsed, expiring):
        assert person.name in page
    for person in (fresh, young, elsewhere):
        assert person.name not in page
    assert "80岁及以上，从未评估" in page and "评估即将到期" in page
    only = client.get(DUE, {"due": "expiring"}).content.decode()
    assert expiring.name in only and never.name not in only
    # Fewer days ahead: the expiry (in about 15 days) no longer counts.
    assert expiring.name not in client.get(DUE, {"days": "7"}).content.decode()
    export = xlsx_text(client.get(DUE, {"export": "xlsx"}).content)
    assert lapsed.name in export and "钟涵村" in export and fresh.name not in export


def test_due_worklist_by_village(client, town_officer, elder, other_elder):
    client.force_login(town_officer)
    page = client.get(DUE).content.decode()
    assert elder.name in page and other_elder.name in page
    page = client.get(DUE, {"area": t.VILLAGE_A2}).content.decode()
    assert other_elder.name in page and elder.name not in page
