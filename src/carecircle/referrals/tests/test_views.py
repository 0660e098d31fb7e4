import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.referrals import fhir
from carecircle.referrals.choices import ReferralStatus
from carecircle.referrals.models import Hospital, Referral

pytestmark = pytest.mark.django_db
S = ReferralStatus
LIST = reverse("referrals:referral-list")
CREATE = reverse("referrals:referral-create")


def detail(referral):
    return reverse("referrals:referral-detail", args=[referral.uuid])


def action(name, referral):
    return reverse(f"referrals:referral-{name}", args=[referral.uuid])


def form_data(person, hospital, direction="up", **extra):
    return {
        "direction": direction,
        "id_number": person.id_number,
        "hospital": hospital.pk,
        "referred_on": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "urgency": "routine",
        "diagnosis_code": "j18.9",
        "diagnosis_text": "肺炎",
        "reason": "发热咳嗽三日",
        **extra,
    }


def test_institution_sees_only_its_own_referrals(client, staff, referral, other_referral):
    client.force_login(staff)
    page = client.get(LIST).content.decode()
    assert "王*英" in page and "李*兰" not in page
    assert "王秀英" not in page  # names are masked in the list
    assert client.get(detail(referral)).status_code == 200
    assert client.get(detail(other_referral)).status_code == 404
    assert client.post(action("accept", other_referral)).status_code == 404
    assert Referral.objects.get(pk=other_referral.pk).status == S.INITIATED


def test_village_worker_sees_only_their_village(client, village_worker, referral, other_referral):
    client.force_login(village_worker)
    assert client.get(detail(referral)).status_code == 200
    assert client.get(detail(other_referral)).status_code == 404
    # Village workers read referrals; they do not act on them.
    assert client.post(action("accept", referral)).status_code == 403


def test_detail_is_audited_and_masked(client, staff, referral):
    client.force_login(staff)
    page = client.get(detail(referral)).content.decode()
    assert "王*英" in page and referral.person.id_number not in page
    assert "确认接收" in page and "拒绝转诊" in page
    event = AuditEvent.objects.get(action=AuditAction.VIEW_RECORD)
    assert event.object_id == str(referral.uuid) and event.user == staff


def test_institution_refers_a_resident_up(client, staff, resident, institution, hospital):
    client.force_login(staff)
    response = client.post(CREATE, form_data(resident, hospital))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(referral)
    assert (referral.from_provider, referral.to_hospital) == (institution, hospital)
    assert referral.diagnosis_code == "J18.9"
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH_PERSON).exists()


def test_up_referral_only_of_own_residents(client, staff, other_resident, hospital):
    client.force_login(staff)
    response = client.post(CREATE, form_data(other_resident, hospital))
    assert response.status_code == 200
    assert "未在您的管辖范围内找到该身份证号的在册老人" in response.content.decode()
    assert not Referral.objects.exists()


def test_institution_records_a_down_referral_of_a_new_resident(
    client, staff, institution, hospital
):
    newcomer = t.make_person(t.VILLAGE_A2, name="赵德顺", birth=t.dt.date(1939, 1, 1))
    client.force_login(staff)
    response = client.post(CREATE, form_data(newcomer, hospital, direction="down"))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.from_hospital, referral.to_provider) == (hospital, institution)


def test_form_errors_are_chinese(client, staff, resident, hospital):
    client.force_login(staff)
    data = form_data(resident, hospital, diagnosis_code="肺炎", id_number="123")
    page = client.post(CREATE, data).content.decode()
    assert "不符合ICD-10格式" in page and "身份证号应为18位" in page


def test_officer_chooses_the_institution(
    client, civil_affairs_officer, resident, institution, hospital
):
    client.force_login(civil_affairs_officer)
    response = client.post(CREATE, form_data(resident, hospital, provider=institution.pk))
    assert response.status_code == 302
    assert Referral.objects.get().from_provider == institution


def test_accept_complete_and_reject(client, staff, referral, resident, institution, hospital):
    client.force_login(staff)
    assert client.get(action("accept", referral)).status_code == 405
    client.post(action("accept", referral))
    client.post(action("complete", referral))
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED and referral.completed_at is not None
    response = client.post(action("cancel", referral), follow=True)
    assert "不能改为“已取消”" in response.content.decode()
    other = Referral.objects.create(
        person=resident, direction="up", from_provider=institution, to_hospital=hospital,
        referred_on=timezone.now(), reason="x", diagnosis_code="I10", diagnosis_text="高血压",
    )  # fmt: skip
    page = client.post(action("reject", other), {"reject_reason": ""}, follow=True)
    assert "请填写拒绝原因" in page.content.decode()
    client.post(action("reject", other), {"reject_reason": "床位已满"})
    other.refresh_from_db()
    assert (other.status, other.reject_reason) == (S.REJECTED, "床位已满")


def test_xlsx_export_masks_the_id(client, staff, referral):
    client.force_login(staff)
    response = client.get(LIST, {"export": "xlsx"})
    text = t.xlsx_text(response.content)
    assert referral.person.id_number_masked in text and referral.person.id_number not in text


def test_filters(client, civil_affairs_officer, referral, other_referral, hospital):
    client.force_login(civil_affairs_officer)
    page = client.get(LIST, {"area": t.VILLAGE_A2}).content.decode()
    assert "李*兰" in page and "王*英" not in page
    page = client.get(LIST, {"institution": str(referral.from_provider.uuid)}).content.decode()
    assert "王*英" in page and "李*兰" not in page
    assert "共 2 条" in client.get(LIST, {"hospital": str(hospital.uuid)}).content.decode()
    assert "共 0 条" in client.get(LIST, {"status": "completed"}).content.decode()


def test_fhir_export_needs_the_rights_and_is_audited(client, staff, weijian, referral):
    client.force_login(staff)  # no exchange right
    assert client.get(reverse("referrals:fhir")).status_code == 403
    assert client.get(reverse("referrals:fhir-export")).status_code == 403
    client.force_login(weijian)
    assert client.get(reverse("referrals:fhir")).status_code == 200
    response = client.get(reverse("referrals:fhir-export"), {"direction": "up"})
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    assert fhir.count_requests(bundle) == 1
    assert referral.person.id_number in response.content.decode()  # unmasked in the file
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["rows"] == "1" and "direction=up" in event.detail["filters"]


def test_fhir_upload_reports_errors_and_imports(client, weijian, referral):
    client.force_login(weijian)
    bundle = fhir.build_bundle(Referral.objects.all())
    url = reverse("referrals:fhir")
    upload = SimpleUploadedFile("b.json", json.dumps(bundle).encode(), "application/json")
    page = client.post(url, {"file": upload}).content.decode()
    assert "未变 1 条" in page
    bundle["entry"][-1]["resource"]["intent"] = "proposal"
    upload = SimpleUploadedFile("b.json", json.dumps(bundle).encode(), "application/json")
    page = client.post(url, {"file": upload}).content.decode()
    index = len(bundle["entry"]) - 1
    assert f"第{index + 1}条（entry[{index}]）resource.intent：intent 应为 order" in page
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 2


def test_hospital_pages(client, weijian, staff, hospital):
    client.force_login(weijian)
    assert "海安市人民医院" in client.get(reverse("referrals:hospital-list")).content.decode()
    page = client.get(reverse("referrals:hospital-detail", args=[hospital.uuid])).content.decode()
    assert "三级乙等" in page
    data = {
        "name": "海安市中医院",
        "credit_code": t.make_credit_code("12320685466000007"),
        "level": "2",
        "grade": "a",
        "area": t.TOWN_B,
    }
    response = client.post(reverse("referrals:hospital-create"), data)
    assert response.status_code == 302
    assert Hospital.objects.get(name="海安市中医院").level_label == "二级甲等"
    bad = {**data, "name": "另一家", "credit_code": "12320685466000009"}
    page = client.post(reverse("referrals:hospital-create"), bad).content.decode()
    assert "统一社会信用代码无效" in page
    client.force_login(staff)  # reads hospitals, does not edit them
    assert client.get(reverse("referrals:hospital-create")).status_code == 403


def test_staff_of_a_day_centre_cannot_refer(client, resident, hospital):
    centre = t.make_provider(t.VILLAGE_A1, kind="daycare_centre", name="日间照料中心")
    client.force_login(t.make_user("institution_staff", institution=centre))
    page = client.get(CREATE).content.decode()
    assert 'name="provider"' not in page  # their own institution is the side
    page = client.post(CREATE, form_data(resident, hospital)).content.decode()
    assert "您所在机构不是养老机构，不能办理双向转诊" in page
    assert not Referral.objects.exists()
