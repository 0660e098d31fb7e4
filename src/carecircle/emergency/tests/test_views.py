import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.adaptations.tests.helpers import days_ago, open_bed
from carecircle.core.testing import xlsx_text
from carecircle.emergency.choices import CallOutcome, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.emergency.tests.helpers import call, device

pytestmark = pytest.mark.django_db

QUEUE = reverse("emergency:queue")
CALLS = reverse("emergency:call-list")
DEVICES = reverse("emergency:device-list")
STATS = reverse("emergency:stats")
HTMX = {"HTTP_HX_REQUEST": "true"}


def action(event, name):
    return reverse(f"emergency:call-{name}", args=[event.uuid])


def test_anonymous_and_roleless_users_are_refused(client, outsider, elder):
    event = call(elder)
    for url in (QUEUE, CALLS, DEVICES, STATS, reverse("emergency:call-detail", args=[event.uuid])):
        assert reverse("accounts:login") in client.get(url)["Location"]
    client.force_login(outsider)
    for url in (QUEUE, CALLS, DEVICES, STATS):
        assert client.get(url).status_code == 403
    assert client.post(action(event, "respond")).status_code == 403


def test_queue_lists_open_calls_oldest_first_with_waiting_time(client, village_worker, elder):
    newer = call(elder, minutes_ago=5)
    older = call(elder, minutes_ago=70, answer_after=None)
    closed = call(elder, minutes_ago=90)
    CallEvent.objects.filter(pk=closed.pk).update(
        responded_at=closed.called_at,
        response_seconds=0,
        closed_at=timezone.now(),
        outcome="family",
    )
    client.force_login(village_worker)
    page = client.get(QUEUE).content.decode()
    assert page.index(str(older.uuid)) < page.index(str(newer.uuid))
    assert str(closed.uuid) not in page
    assert "1小时10分" in page  # the older call has waited 70 minutes
    assert "超时未响应" in page  # and is past the 15-minute target
    assert "共 2 个未办结呼叫" in page


def test_respond_and_close_through_htmx(client, village_worker, elder):
    event = call(elder, minutes_ago=4)
    client.force_login(village_worker)
    row = client.post(action(event, "respond"), **HTMX)
    assert row.status_code == 200
    body = row.content.decode()
    assert f'id="call-{event.uuid}"' in body and "顾" not in body
    event.refresh_from_db()
    assert event.responder == village_worker and 230 <= event.response_seconds <= 260
    again = client.post(action(event, "respond"), **HTMX)
    assert "已有人响应" in again.content.decode()
    missing = client.post(action(event, "close"), {"outcome": ""}, **HTMX)
    assert "请选择处置结果" in missing.content.decode()
    closed = client.post(
        action(event, "close"),
        {"outcome": CallOutcome.FAMILY_CONTACTED, "note": "女儿已到"},
        **HTMX,
    )
    assert closed.status_code == 200
    assert str(event.uuid) not in closed.content.decode()
    assert "没有未办结的呼叫" in closed.content.decode()  # the queue comes back, now empty
    event.refresh_from_db()
    assert event.outcome == CallOutcome.FAMILY_CONTACTED and event.note == "女儿已到"
    assert str(event.uuid) not in client.get(QUEUE).content.decode()


def test_plain_posts_return_to_a_safe_page(client, village_worker, elder):
    event = call(elder, minutes_ago=4)
    client.force_login(village_worker)
    response = client.post(action(event, "respond"), {"next": "https://evil.example/"})
    assert response["Location"] == QUEUE
    detail = reverse("emergency:call-detail", args=[event.uuid])
    response = client.post(action(event, "close"), {"outcome": "by_phone", "next": detail})
    assert response["Location"] == detail


def test_calls_are_scoped(client, village_worker, elder, other_elder):
    mine = call(elder)
    theirs = call(other_elder)
    client.force_login(village_worker)
    queue = client.get(QUEUE).content.decode()
    assert str(mine.uuid) in queue and str(theirs.uuid) not in queue
    assert client.get(reverse("emergency:call-detail", args=[theirs.uuid])).status_code == 404
    assert client.post(action(theirs, "respond"), **HTMX).status_code == 404
    assert client.post(action(theirs, "close"), {"outcome": "by_phone"}).status_code == 404
    text = xlsx_text(client.get(CALLS, {"export": "xlsx"}).content)
    assert "王*英" in text and "李*兰" not in text
    assert CallEvent.objects.get(pk=theirs.pk).responded_at is None


def test_institution_staff_see_calls_of_their_beds_read_only(
    client, station_staff, station, elder, other_elder
):
    open_bed(elder, station)
    mine = call(elder)
    theirs = call(other_elder)
    client.force_login(station_staff)
    queue = client.get(QUEUE).content.decode()
    assert str(mine.uuid) in queue and str(theirs.uuid) not in queue
    assert "响应</button>" not in queue
    assert client.post(action(mine, "respond")).status_code == 403
    assert client.get(DEVICES).status_code == 403


def test_call_log_filters(client, town_officer, elder):
    old = call(elder, at=timezone.now() - dt.timedelta(days=40))
    new = call(elder, minutes_ago=10)
    client.force_login(town_officer)
    since = days_ago(5).isoformat()
    page = client.get(CALLS, {"since": since}).content.decode()
    assert str(new.uuid) in page and str(old.uuid) not in page
    page = client.get(CALLS, {"state": "open", "until": days_ago(30).isoformat()}).content.decode()
    assert str(old.uuid) in page and str(new.uuid) not in page


def test_register_a_call_from_the_elder_page(client, village_worker, elder):
    button = device(elder, serial="HJ9")
    client.force_login(village_worker)
    url = f"{reverse('emergency:call-create')}?person={elder.uuid}"
    form = client.get(url).content.decode()
    assert "HJ9" in form
    called = timezone.localtime() - dt.timedelta(minutes=3)
    response = client.post(
        url,
        {"called_at": called.strftime("%Y-%m-%dT%H:%M"), "kind": "fall", "device": button.pk},
    )
    assert response.status_code == 302, response.content.decode()
    assert CallEvent.objects.get().device == button


def test_devices_per_elder(client, village_worker, elder, other_elder):
    device(other_elder)
    client.force_login(village_worker)
    url = f"{reverse('emergency:device-create')}?person={elder.uuid}"
    response = client.post(
        url, {"kind": DeviceKind.HOTLINE, "serial": "", "enrolled_on": days_ago(10)}
    )
    assert response.status_code == 302, response.content.decode()
    coverage = reverse("emergency:elder-coverage", args=[elder.uuid])
    assert response["Location"] == coverage
    page = client.get(coverage).content.decode()
    assert "已覆盖" in page and "固定电话热线登记" in page
    hotline = CallDevice.objects.get(person=elder)
    ended = client.post(
        reverse("emergency:device-end", args=[hotline.uuid]), {"ended_on": days_ago(1)}
    )
    assert ended.status_code == 302
    assert "未覆盖" in client.get(coverage).content.decode()
    assert (
        client.get(reverse("emergency:elder-coverage", args=[other_elder.uuid])).status_code == 404
    )
    listing = client.get(DEVICES).content.decode()
    assert "王*英" in listing and "李*兰" not in listing


def test_statistics_page_has_the_table_and_the_chart(client, town_officer, elder, other_elder):
    call(elder, minutes_ago=60 * 24 * 3, answer_after=120)
    call(other_elder, minutes_ago=60 * 24 * 2, answer_after=1800)
    client.force_login(town_officer)
    page = client.get(STATS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "plotly.min.js" in html and 'data-plot="fig-response"' in html
    start = html.index('id="fig-response"')
    figure = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert {trace["type"] for trace in figure["data"]} == {"bar", "scatter"}
    assert "钟涵村委会" in html and "拥徐村委会" in html  # by village of the town
    assert "50.0%" in html  # one of two answered within 15 minutes
    village = client.get(STATS, {"area": "320685100200"}).content.decode()
    assert "100.0%" in village
    assert client.get(STATS, {"area": "320685101"}).status_code == 404  # another town


def test_institution_statistics_cover_their_beds_only(
    client, station_staff, station, elder, other_elder
):
    open_bed(elder, station)
    call(elder, minutes_ago=60 * 24, answer_after=60)
    call(other_elder, minutes_ago=60 * 24, answer_after=60)
    client.force_login(station_staff)
    html = client.get(STATS).content.decode()
    assert "钟涵居家站" in html and 'name="area"' not in html
    assert '<div class="value">1</div>' in html  # one call: the bed elder's
