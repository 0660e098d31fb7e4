"""一助一: suggestions by distance and capacity, one active pairing per elder, pages and help."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.visits import services
from carecircle.visits.models import HelpLog, Pairing
from carecircle.visits.tests.conftest import elder, helper

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
URBAN = "320685100001"  # 中坝社区 (a community of 海安镇)
LAT, LON = Decimal("32.540000"), Decimal("120.460000")


def north(metres: int) -> Decimal:
    """The latitude ``metres`` north of LAT (a degree of latitude is ~111.2 km)."""
    return (LAT + Decimal(metres) / Decimal("111195")).quantize(Decimal("0.000001"))


def today():
    return timezone.localdate()


@pytest.fixture
def located(db):
    return elder(name="坐标老人", latitude=LAT, longitude=LON)


def test_haversine():
    assert round(services.haversine_m(0, 0, 1, 0)) == 111195
    assert round(services.haversine_m(LAT, LON, north(500), LON)) == 500
    assert services.distance_label(850) == "850 米"
    assert services.distance_label(1234) == "1.23 千米"


def test_suggestions_nearest_first_with_free_capacity(village_worker, located):
    far = helper(name="远邻", lat=north(900), lon=LON)
    near = helper(name="近邻", lat=north(120), lon=LON)
    middle = helper(name="中邻", lat=north(400), lon=LON)
    unlocated = helper(name="无坐标")
    helper(name="停用", lat=north(50), lon=LON, active=False)
    helper(t.VILLAGE_A2, name="外村", lat=north(10), lon=LON)
    full = helper(name="满员", lat=north(60), lon=LON)
    for n in range(services.helper_max_elders()):
        Pairing.objects.create(person=elder(name=f"已结对{n}"), helper=full, started_on=today())
    suggestions = services.suggest_helpers(located, village_worker)
    assert [s.helper for s in suggestions] == [near, middle, far, unlocated]
    assert [s.distance_m for s in suggestions] == [120, 400, 900, None]


def test_capacity_is_a_setting(settings, village_worker, located):
    settings.CARECIRCLE_HELPER_MAX_ELDERS = 1
    busy = helper(name="一位", lat=north(100), lon=LON)
    free = helper(name="空闲", lat=north(800), lon=LON)
    Pairing.objects.create(person=elder(), helper=busy, started_on=today())
    assert [s.helper for s in services.suggest_helpers(located, village_worker)] == [free]
    with pytest.raises(ValidationError) as error:
        services.pair(located, busy, today())
    assert "达到上限" in str(error.value)


def test_one_active_pairing_per_elder(located):
    first = helper(name="甲")
    second = helper(name="乙")
    pairing = services.pair(located, first, today())
    with pytest.raises(ValidationError) as error:
        services.pair(located, second, today())
    assert "已有在结对的帮扶人" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(person=located, helper=second, started_on=today())
    services.end_pairing(pairing, today())
    assert services.pair(located, second, today()).helper == second
    assert services.with_load(type(first).objects.filter(pk=first.pk)).get().load == 0


def test_pairing_rules(located):
    inactive = helper(name="停", active=False)
    with pytest.raises(ValidationError, match="已停用"):
        services.pair(located, inactive, today())
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.pair(located, helper(), today() + dt.timedelta(days=1))
    dead = elder(death_date=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="去世"):
        services.pair(dead, helper(name="丙"), today())


def test_unpaired_list_is_rural_and_scoped(client, village_worker, located, other_poor):
    urban = elder(URBAN, name="社区老人")
    paired = elder(name="已结对老人")
    Pairing.objects.create(person=paired, helper=helper(), started_on=today())
    assert set(services.unpaired_elders(village_worker)) == {located}
    client.force_login(village_worker)
    page = client.get(reverse("visits:unpaired")).content.decode()
    assert located.masked_name in page
    assert reverse("visits:suggest", args=[located.uuid]) in page
    for other in (urban, paired, other_poor):
        assert reverse("visits:suggest", args=[other.uuid]) not in page


def test_pair_with_one_click_log_help_and_end(client, village_worker, located):
    near = helper(name="近邻", lat=north(150), lon=LON)
    client.force_login(village_worker)
    url = reverse("visits:suggest", args=[located.uuid])
    page = client.get(url).content.decode()
    assert "近邻" in page and "150 米" in page
    response = client.post(url, {"helper": str(near.uuid), "started_on": today().isoformat()})
    pairing = Pairing.objects.get(person=located)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:pairing-detail", args=[pairing.uuid])
    help_url = reverse("visits:helplog-create", args=[pairing.uuid])
    logged = client.post(
        help_url,
        {"helped_on": today().isoformat(), "kind": "shopping", "minutes": 45, "note": "买米"},
        **HTMX,
    )
    assert "买米" in logged.content.decode()
    assert HelpLog.objects.get(pairing=pairing).minutes == 45
    early = client.post(
        help_url,
        {"helped_on": (today() - dt.timedelta(days=3)).isoformat(), "kind": "housework",
         "minutes": 30},
        **HTMX,
    )  # fmt: skip
    assert "帮扶日期不能早于结对日期" in early.content.decode()
    assert HelpLog.objects.count() == 1
    ended = client.post(
        reverse("visits:pairing-end", args=[pairing.uuid]), {"ended_on": today().isoformat()}
    )
    assert ended.status_code == 302
    pairing.refresh_from_db()
    assert pairing.ended_on == today()
    assert client.post(help_url, {"helped_on": today().isoformat(), "kind": "other",
                                  "minutes": 10}).status_code == 302  # fmt: skip
    assert HelpLog.objects.count() == 1


def test_another_villages_helper_and_pairing_are_404(client, village_worker, other_poor):
    theirs = helper(t.VILLAGE_A2, name="外村帮扶人")
    pairing = Pairing.objects.create(person=other_poor, helper=theirs, started_on=today())
    client.force_login(village_worker)
    for name, obj in (
        ("visits:helper-detail", theirs),
        ("visits:helper-update", theirs),
        ("visits:pairing-detail", pairing),
        ("visits:pairing-end", pairing),
    ):
        assert client.get(reverse(name, args=[obj.uuid])).status_code == 404
    help_url = reverse("visits:helplog-create", args=[pairing.uuid])
    assert client.post(help_url, {}).status_code == 404
    assert "外村帮扶人" not in client.get(reverse("visits:helper-list")).content.decode()


def test_helper_form_encrypts_the_phone(client, village_worker):
    client.force_login(village_worker)
    response = client.post(
        reverse("visits:helper-create"),
        {"name": "周志愿", "kind": "volunteer", "area": t.area(t.VILLAGE_A1).pk,
         "phone": "13800001234", "latitude": "32.5", "longitude": "120.4", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    created = type(helper()).objects.get(name="周志愿")
    assert created.phone_masked == "138****1234"
    assert "13800001234" not in created.phone_encrypted
    assert created.full_phone == "13800001234"
    page = client.get(reverse("visits:helper-detail", args=[created.uuid])).content.decode()
    assert "138****1234" in page and "13800001234" not in page
    bad = client.post(
        reverse("visits:helper-create"),
        {"name": "半坐标", "kind": "neighbour", "area": t.area(t.VILLAGE_A1).pk,
         "phone": "13800001234", "latitude": "32.5"},
    )  # fmt: skip
    assert "经纬度须同时填写" in bad.content.decode()
