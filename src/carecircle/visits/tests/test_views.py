"""Pages: the due list and its htmx visit form, visits, follow-ups, the elder's page; access and
scope (404 for another village's records in page, export and form)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.core.testing import xlsx_text
from carecircle.visits.models import Visit

pytestmark = pytest.mark.django_db

DUE = reverse("visits:due")
VISITS = reverse("visits:visit-list")
FOLLOW_UPS = reverse("visits:follow-up-list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def today():
    return timezone.localdate()


def make_visit(person, **extra):
    return Visit.objects.create(person=person, visited_on=today(), visitor_name="张村干", **extra)


def test_anonymous_goes_to_login_and_no_role_is_refused(client, outsider, poor):
    for url in (DUE, VISITS, FOLLOW_UPS, reverse("visits:elder", args=[poor.uuid])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    client.force_login(outsider)
    assert client.get(DUE).status_code == 403
    assert client.post(reverse("visits:visit-create", args=[poor.uuid])).status_code == 403


def test_due_list_shows_own_village_masked(client, village_worker, poor, other_poor, comfortable):
    client.force_login(village_worker)
    page = client.get(DUE).content.decode()
    assert "本月待探访" in page
    assert poor.masked_name in page
    assert poor.name not in page  # names are masked
    assert other_poor.masked_name not in page
    assert comfortable.masked_name not in page


def test_record_a_visit_from_the_row_and_it_leaves_the_list(client, village_worker, poor):
    client.force_login(village_worker)
    url = reverse("visits:visit-create", args=[poor.uuid])
    form = client.get(url, {"columns": 8}, **HTMX)
    assert form.status_code == 200
    assert f'id="due-{poor.uuid}"' in form.content.decode()
    saved = client.post(
        url,
        {
            "columns": 8,
            "visited_on": today().isoformat(),
            "mode": "home",
            "visitor_name": "张村干",
            "findings": ["normal"],
        },
        **HTMX,
    )
    assert saved.status_code == 200
    assert "已移出待探访名单" in saved.content.decode()
    visit = Visit.objects.get(person=poor)
    assert visit.recorded_by == village_worker
    assert visit.findings == ["normal"]
    assert poor.masked_name not in client.get(DUE).content.decode()


def test_invalid_visit_stays_in_the_row_with_chinese_errors(client, village_worker, poor):
    client.force_login(village_worker)
    url = reverse("visits:visit-create", args=[poor.uuid])
    response = client.post(
        url,
        {
            "visited_on": (today() + dt.timedelta(days=1)).isoformat(),
            "mode": "home",
            "visitor_name": "张村干",
            "findings": ["normal", "unwell"],
        },
        **HTMX,
    )
    page = response.content.decode()
    assert "探访日期不能晚于今天" in page
    assert not Visit.objects.exists()
    response = client.post(
        url,
        {
            "visited_on": today().isoformat(),
            "mode": "home",
            "visitor_name": "张村干",
            "findings": ["normal", "unwell"],
        },
        **HTMX,
    )
    assert "“正常”不能与其他情况同时选择" in response.content.decode()


def test_full_page_form_returns_to_next(client, village_worker, poor):
    client.force_login(village_worker)
    url = reverse("visits:visit-create", args=[poor.uuid])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "next": DUE,
            "visited_on": today().isoformat(),
            "mode": "phone",
            "visitor_name": "张村干",
            "findings": ["unwell"],
            "follow_up_needed": "on",
            "follow_up_note": "联系家庭医生",
        },
    )
    assert response.status_code == 302 and response["Location"] == DUE
    response = client.post(
        url, {"next": "https://evil.example/", "visited_on": today().isoformat(),
              "mode": "home", "visitor_name": "李", "findings": ["normal"]},
    )  # fmt: skip
    assert response["Location"] == reverse("visits:elder", args=[poor.uuid])


def test_another_villages_visit_is_404_everywhere(client, village_worker, poor, other_poor):
    mine = make_visit(poor)
    theirs = make_visit(other_poor, follow_up_needed=True, follow_up_note="修电线")
    client.force_login(village_worker)
    for name in ("visits:visit-detail", "visits:visit-update"):
        assert client.get(reverse(name, args=[mine.uuid])).status_code == 200
        assert client.get(reverse(name, args=[theirs.uuid])).status_code == 404
    done = reverse("visits:follow-up-done", args=[theirs.uuid])
    assert client.post(done, {"done_on": today().isoformat()}).status_code == 404
    for name in ("visits:visit-create", "visits:elder", "visits:suggest", "visits:wish-create"):
        assert client.get(reverse(name, args=[other_poor.uuid])).status_code == 404
    export = client.get(VISITS, {"export": "xlsx"})
    text = xlsx_text(export.content)
    assert poor.masked_name in text and other_poor.masked_name not in text
    assert poor.name not in text
    due = xlsx_text(client.get(DUE, {"export": "xlsx"}).content)
    assert due.count("\n") == 0  # visited today: only the header row
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_due_export_lists_the_unvisited(client, village_worker, poor, other_poor):
    client.force_login(village_worker)
    response = client.get(DUE, {"export": "xlsx"})
    text = xlsx_text(response.content)
    assert poor.masked_name in text and other_poor.masked_name not in text
    assert "低保" in text  # why the elder is in the group


def test_town_sees_villages_and_filters_by_one(client, town_officer, poor, other_poor):
    client.force_login(town_officer)
    page = client.get(DUE).content.decode()
    assert "各村（社区）探访进度" in page
    assert poor.masked_name in page and other_poor.masked_name in page
    page = client.get(DUE, {"area": poor.area.code}).content.decode()
    assert poor.masked_name in page and other_poor.masked_name not in page


def test_city_officer_reads_but_cannot_record(client, city_officer, poor):
    client.force_login(city_officer)
    assert client.get(DUE).status_code == 200
    url = reverse("visits:visit-create", args=[poor.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_follow_up_list_and_done(client, village_worker, poor):
    visit = make_visit(poor, findings=["unwell"], follow_up_needed=True, follow_up_note="就医")
    make_visit(poor, findings=["normal"])
    client.force_login(village_worker)
    page = client.get(FOLLOW_UPS).content.decode()
    assert "就医" in page and page.count('id="fu-') == 1
    response = client.post(
        reverse("visits:follow-up-done", args=[visit.uuid]),
        {"done_on": today().isoformat()},
        **HTMX,
    )
    assert "完成跟进" in response.content.decode()
    visit.refresh_from_db()
    assert visit.follow_up_done_on == today()
    assert 'id="fu-' not in client.get(FOLLOW_UPS).content.decode()


def test_visit_detail_and_elder_page_are_audited(client, village_worker, poor):
    visit = make_visit(poor, note="血压偏高")
    client.force_login(village_worker)
    assert (
        "血压偏高" in client.get(reverse("visits:visit-detail", args=[visit.uuid])).content.decode()
    )
    page = client.get(reverse("visits:elder", args=[poor.uuid])).content.decode()
    assert poor.masked_name in page and poor.name not in page
    events = AuditEvent.objects.filter(action=AuditAction.VIEW_RECORD)
    assert {e.object_type for e in events} == {"visits.Visit", "persons.Person"}


def test_due_list_of_a_past_month_records_on_its_last_day(client, village_worker, poor):
    client.force_login(village_worker)
    last_month = today().replace(day=1) - dt.timedelta(days=1)
    page = client.get(DUE, {"month": last_month.strftime("%Y-%m")}).content.decode()
    assert f"date={last_month.isoformat()}" in page
    assert "本月待探访" not in page.split("<h1>")[1].split("</h1>")[0]
