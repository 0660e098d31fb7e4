"""Applying on the portal and looking the application up: validation, spam and rate limits,
CSRF, and who sees the personal data entered (the chosen institution and the health
commission only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from carecircle.core import testing as t
from carecircle.enrolment import services
from carecircle.enrolment.choices import ApplicationSource, ApplicationStatus
from carecircle.enrolment.models import Application, PriorityGroup
from carecircle.enrolment.tests.helpers import MONDAY, birth_for, child_id, make_child
from carecircle.portal.tests.conftest import child_birth

pytestmark = pytest.mark.django_db


def form_data(toddler_class, **changes) -> dict:
    data = {
        "childcare_class": toddler_class.pk,
        "wanted_start": MONDAY.isoformat(),
        "child_name": "顾小雨",
        "id_number": child_id(child_birth(18)),
        "area": t.VILLAGE_A1,
        "guardian_name": "顾春燕",
        "guardian_relationship": "母亲",
        "guardian_phone": "13912345678",
        "priority_groups": [PriorityGroup.objects.get(code="multi_child").pk],
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def apply(client, toddler_class, **changes):
    url = reverse("portal:apply", args=[toddler_class.provider.uuid])
    return client.post(url, form_data(toddler_class, **changes))


def test_a_family_applies_and_gets_a_reference_code(client, toddler_class):
    page = client.get(reverse("portal:apply", args=[toddler_class.provider.uuid]))
    assert page.status_code == 200 and "托小班（1）" in page.content.decode()
    response = apply(client, toddler_class)
    assert response.status_code == 200
    application = Application.objects.get()
    assert application.reference_code in response.content.decode()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.source == ApplicationSource.PORTAL
    assert application.child is None  # a new child enters the registry when enrolled
    assert application.guardian_phone == "13912345678"
    assert application.guardian_phone_encrypted != "13912345678"
    assert application.consent_at is not None
    assert [g.code for g in application.priority_groups.all()] == ["multi_child"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_registered_child_is_linked(client, toddler_class):
    child = make_child(child_birth(18), name="顾小雨")
    apply(client, toddler_class, id_number=child.id_number)
    assert Application.objects.get().child == child


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id_number": "32068520230101123"}, "身份证号应为18位"),
        ({"id_number": "320685202301011230"}, "身份证号校验位错误"),
        ({"id_number": "320685202302301230"}, "出生日期不存在"),
        ({"id_number": None}, "此项为必填项"),
        ({"consent": None}, "须由监护人勾选同意"),
        ({"guardian_phone": "12345"}, "电话号码格式不正确"),
        ({"area": "320685100"}, "请选择有效的选项"),
        ({"wanted_start": "2025-05-01"}, "希望入托日期不能早于今天"),
    ],
)
def test_clear_chinese_errors(client, toddler_class, changes, message):
    response = apply(client, toddler_class, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_age_rules(client, toddler_class):
    too_old = apply(client, toddler_class, id_number=child_id(birth_for(37, MONDAY)))
    assert "已满3周岁" in too_old.content.decode()
    too_young = apply(client, toddler_class, id_number=child_id(birth_for(8, MONDAY)))
    assert "托小班收托12–24个月" in too_young.content.decode()
    assert not Application.objects.exists()


def test_one_open_application_per_child_and_provider(client, toddler_class):
    number = child_id(child_birth(18))
    apply(client, toddler_class, id_number=number)
    again = apply(client, toddler_class, id_number=number)
    assert "已向该机构提交申请" in again.content.decode()
    assert Application.objects.count() == 1


def test_a_provider_not_filed_takes_no_online_application(client, toddler_class):
    provider = toddler_class.provider
    provider.filing_status = "not_filed"
    provider.save()
    response = apply(client, toddler_class)
    assert "尚未完成备案" in response.content.decode()
    assert not Application.objects.exists()


def test_robots_filling_the_hidden_field_are_refused(client, toddler_class):
    response = apply(client, toddler_class, website="http://spam.example")
    assert "提交未通过校验" in response.content.decode()
    assert not Application.objects.exists()


def test_rate_limit_per_address(client, toddler_class, settings):
    settings.CARECIRCLE_PORTAL_APPLY_LIMIT = 2
    for _ in range(2):
        assert apply(client, toddler_class, id_number=child_id(child_birth(18))).status_code == 200
    third = apply(client, toddler_class, id_number=child_id(child_birth(18)))
    assert third.status_code == 429
    assert "提交过于频繁" in third.content.decode()
    assert Application.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    url = reverse("portal:apply", args=[toddler_class.provider.uuid])
    data = form_data(toddler_class, id_number=child_id(child_birth(18)))
    assert other.post(url, data).status_code == 200
    assert Application.objects.count() == 3


def test_corrections_do_not_use_up_the_limit(client, toddler_class, settings):
    settings.CARECIRCLE_PORTAL_APPLY_LIMIT = 2
    for _ in range(3):
        assert apply(client, toddler_class, id_number="123").status_code == 200
    for _ in range(2):
        assert apply(client, toddler_class, id_number=child_id(child_birth(18))).status_code == 200
    assert Application.objects.count() == 2
    assert apply(client, toddler_class, id_number=child_id(child_birth(18))).status_code == 429


def test_attempts_are_limited_too(client, toddler_class, settings):
    settings.CARECIRCLE_PORTAL_APPLY_LIMIT = 1
    for _ in range(6):  # six attempts an hour per application allowed
        assert apply(client, toddler_class, id_number="123").status_code == 200
    assert apply(client, toddler_class).status_code == 429
    assert not Application.objects.exists()


def test_csrf_is_required(toddler_class):
    strict = Client(enforce_csrf_checks=True)
    url = reverse("portal:apply", args=[toddler_class.provider.uuid])
    assert strict.post(url, form_data(toddler_class)).status_code == 403
    page = strict.get(url)
    token = page.cookies["csrftoken"].value
    data = {**form_data(toddler_class), "csrfmiddlewaretoken": token}
    assert strict.post(url, data).status_code == 200
    assert Application.objects.count() == 1


def test_only_the_chosen_institution_and_the_health_commission_see_it(
    client,
    toddler_class,
    nursery_staff,
    other_nursery_staff,
    health_officer,
    village_worker,
    town_officer,
):
    apply(client, toddler_class)
    application = Application.objects.get()
    detail = reverse("enrolment:application-detail", args=[application.uuid])
    api = reverse("childcareapplication-detail", args=[application.uuid])
    for user in (nursery_staff, health_officer):
        client.force_login(user)
        assert "顾小雨" in client.get(detail).content.decode()
        assert client.get(api).status_code == 200
    client.force_login(other_nursery_staff)
    assert client.get(detail).status_code == 404
    assert client.get(api).status_code == 404
    listing = client.get(reverse("enrolment:application-list")).content.decode()
    assert application.reference_code not in listing
    for user in (village_worker, town_officer):
        client.force_login(user)
        assert client.get(detail).status_code == 403
        assert client.get(api).status_code == 403
        for name in ("enrolment:class-list", "enrolment:class-detail"):
            args = [toddler_class.uuid] if name.endswith("detail") else []
            body = client.get(reverse(name, args=args)).content.decode()
            assert "顾小雨" not in body and "顾*雨" not in body
            assert application.reference_code not in body


def lookup(client, code, last4, **extra):
    return client.post(
        reverse("portal:status"), {"reference_code": code, "id_last4": last4, **extra}
    )


def test_status_by_reference_code_and_last_four(client, toddler_class, nursery_staff):
    number = child_id(child_birth(18))
    apply(client, toddler_class, id_number=number)
    application = Application.objects.get()
    found = lookup(client, application.reference_code, number[-4:])
    body = found.content.decode()
    assert "已提交" in body and "托小班（1）" in body
    # Nothing the family did not type: no child's or guardian's name, no phone, no full ID.
    for secret in ("顾小雨", "顾*雨", "顾春燕", "13912345678", "139****5678", number):
        assert secret not in body
    services.put_on_waiting_list(application)
    compact = application.reference_code.replace("-", "").lower()
    waiting = lookup(client, compact, number[-4:]).content.decode()
    assert "候补中" in waiting and "第 1 位（共 1 人候补）" in waiting


def test_wrong_details_get_one_answer(client, toddler_class):
    number = child_id(child_birth(18))
    apply(client, toddler_class, id_number=number)
    code = Application.objects.get().reference_code
    wrong_id = lookup(client, code, "0000" if number[-4:] != "0000" else "1111")
    wrong_code = lookup(client, "TY-0000-0000-0000", number[-4:])
    for response in (wrong_id, wrong_code):
        assert "未找到申请，请核对申请编号和身份证号后四位" in response.content.decode()
        assert "托小班（1）" not in response.content.decode()


def test_status_lookups_are_rate_limited(client, toddler_class, settings):
    settings.CARECIRCLE_PORTAL_LOOKUP_LIMIT = 3
    for _ in range(3):
        assert lookup(client, "TY-0000-0000-0000", "1234").status_code == 200
    assert lookup(client, "TY-0000-0000-0000", "1234").status_code == 429


def test_the_family_withdraws_on_the_portal(client, toddler_class):
    number = child_id(child_birth(18))
    apply(client, toddler_class, id_number=number)
    application = Application.objects.get()
    response = lookup(client, application.reference_code, number[-4:], action="withdraw")
    assert "申请已撤回" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_an_offer_is_shown_with_its_deadline(client, toddler_class, monday):
    number = child_id(child_birth(18))
    apply(client, toddler_class, id_number=number)
    application = Application.objects.get()
    offer = services.make_offer(application, toddler_class, MONDAY + dt.timedelta(days=1))
    body = lookup(client, application.reference_code, number[-4:]).content.decode()
    assert "已发录取通知" in body
    assert f"{offer.start_on} 起入托" in body
