"""Wishes for concentrated care: who may register, one open wish, placed or waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind
from carecircle.visits import services
from carecircle.visits.models import CareWish
from carecircle.visits.tests.conftest import elder

pytestmark = pytest.mark.django_db
POOR = HardshipKind.EXTREME_POVERTY


def today():
    return timezone.localdate()


def wish(person, on=None, **extra):
    return services.save_wish(CareWish(person=person, registered_on=on or today(), **extra))


def test_only_extreme_poverty_elders_register(poor):
    with pytest.raises(ValidationError, match="特困"):
        wish(poor)  # 低保
    late = elder(flag=POOR, since=today() - dt.timedelta(days=10))
    with pytest.raises(ValidationError, match="特困"):
        wish(late, today() - dt.timedelta(days=20))
    assert wish(late).pk


def test_one_open_wish_and_withdrawal(db):
    person = elder(flag=POOR)
    first = wish(person, today() - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="未撤回"):
        wish(person)
    first.withdrawn_on = first.registered_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="撤回日期不能早于登记日期"):
        services.save_wish(first)
    first.withdrawn_on = today()
    services.save_wish(first)
    assert wish(person).pk
    provider = t.make_provider(t.VILLAGE_A1, kind="daycare_centre")
    with pytest.raises(ValidationError, match="须为养老机构"):
        services.check_wish(CareWish(person=elder(flag=POOR), registered_on=today(),
                                     preferred_provider=provider))  # fmt: skip


def test_placed_or_waiting(client, village_worker):
    placed = elder(flag=POOR, name="已入住")
    waiting = elder(flag=POOR, name="等待中")
    home = t.make_provider(t.VILLAGE_A1, kind="rural_home", name="钟涵敬老院")
    wish(placed, today() - dt.timedelta(days=100))
    Residency.objects.create(
        provider=home, person=placed, admitted_on=today() - dt.timedelta(days=20)
    )
    wish(waiting, today() - dt.timedelta(days=40))
    client.force_login(village_worker)
    page = client.get(reverse("visits:wish-list")).content.decode()
    assert "已集中供养：钟涵敬老院" in page
    assert "等待入住，已等 40 天" in page
    waiting_only = client.get(reverse("visits:wish-list"), {"status": "waiting"}).content.decode()
    assert waiting.masked_name in waiting_only and placed.masked_name not in waiting_only


def test_register_through_the_page(client, village_worker, other_poor):
    person = elder(flag=POOR, name="孤寡老人")
    client.force_login(village_worker)
    candidates = client.get(reverse("visits:wish-candidates")).content.decode()
    assert reverse("visits:wish-create", args=[person.uuid]) in candidates
    url = reverse("visits:wish-create", args=[person.uuid])
    response = client.post(url, {"registered_on": today().isoformat(), "note": "想去敬老院"})
    assert response.status_code == 302
    created = CareWish.objects.get(person=person)
    assert created.note == "想去敬老院"
    candidates = client.get(reverse("visits:wish-candidates")).content.decode()
    assert reverse("visits:wish-create", args=[person.uuid]) not in candidates
    again = client.post(url, {"registered_on": today().isoformat()})
    assert "未撤回" in again.content.decode()
    update = reverse("visits:wish-update", args=[created.uuid])
    response = client.post(
        update, {"registered_on": today().isoformat(), "withdrawn_on": today().isoformat()}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.withdrawn_on == today()
    other = CareWish.objects.create(person=other_poor, registered_on=today())
    assert client.get(reverse("visits:wish-update", args=[other.uuid])).status_code == 404
