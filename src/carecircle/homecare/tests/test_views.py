"""Pages: the provider's order flow, scope (another provider's or village's order is 404),
the menu and contracts for civil affairs, and the settlement pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.homecare.choices import OrderStatus, ServiceCategory, SettlementStatus
from carecircle.homecare.models import ProviderContract, ServiceItem, ServiceOrder, Settlement
from carecircle.homecare.tests.conftest import MONTH, at, entitle, order
from carecircle.institutions.choices import ProviderKind

pytestmark = pytest.mark.django_db
C = ServiceCategory
D = dt.date


@pytest.fixture
def orders(station, other_station, contract, items, elder, elder_a2):
    """An order of the station for an elder of A1 and one for A2; one of the other station."""
    entitle(elder, station, C.CLEANING, hours="10")
    return {
        "a1": order(elder, station, items["cleaning"], at(D(2025, 3, 3), 9), rating=5),
        "a2": order(elder_a2, station, items["cleaning"], at(D(2025, 3, 4), 9)),
        "other": order(elder, other_station, items["cleaning"], at(D(2025, 3, 5), 9)),
    }


def detail(o):
    return reverse("homecare:order-detail", args=[o.uuid])


def test_provider_staff_see_only_their_orders(client, station_staff, orders):
    client.force_login(station_staff)
    page = client.get(reverse("homecare:order-list"))
    assert page.status_code == 200
    refs = {o.external_ref for o in orders.values()}
    shown = {ref for ref in refs if ref in page.content.decode()}
    assert shown == {orders["a1"].external_ref, orders["a2"].external_ref}
    assert client.get(detail(orders["a1"])).status_code == 200
    assert client.get(detail(orders["other"])).status_code == 404
    complete = reverse("homecare:order-cancel", args=[orders["other"].uuid])
    assert client.post(complete).status_code == 404
    api = client.get(reverse("serviceorder-detail", args=[orders["other"].uuid]))
    assert api.status_code == 404
    listed = client.get(reverse("serviceorder-list")).json()["results"]
    assert {row["external_ref"] for row in listed} == shown


def test_village_worker_sees_only_their_villages_orders(client, village_worker, orders):
    client.force_login(village_worker)
    page = client.get(reverse("homecare:order-list")).content.decode()
    assert orders["a1"].external_ref in page and orders["other"].external_ref in page
    assert orders["a2"].external_ref not in page
    assert client.get(detail(orders["a2"])).status_code == 404
    assert client.get(reverse("serviceorder-detail", args=[orders["a2"].uuid])).status_code == 404
    assert client.get(detail(orders["a1"])).status_code == 200
    # A village worker reads orders but does not act on them.
    assert (
        client.post(reverse("homecare:order-cancel", args=[orders["a1"].uuid])).status_code == 403
    )


def test_order_list_filters_and_export_mask_names(client, civil_affairs_officer, orders, elder):
    client.force_login(civil_affairs_officer)
    url = reverse("homecare:order-list")
    page = client.get(url, {"village": t.VILLAGE_A2, "month": "2025-03"}).content.decode()
    assert orders["a2"].external_ref in page and orders["a1"].external_ref not in page
    export = client.get(url, {"category": C.CLEANING, "export": "xlsx"})
    text = t.xlsx_text(export.content)
    assert orders["a1"].external_ref in text and "王*英" in text
    assert elder.name not in text


def test_provider_dispatches_and_completes_an_order(client, station_staff, contract, items, elder):
    entitle(elder, contract.provider, C.CLEANING, hours="10")
    client.force_login(station_staff)
    start = timezone.localtime(at(D(2025, 3, 3), 9))  # within the contract
    response = client.post(
        reverse("homecare:order-create"),
        {
            "id_number": elder.id_number,
            "item": items["cleaning"].pk,
            "scheduled_start": start.strftime("%Y-%m-%dT%H:%M"),
            "quantity": "2",
            "funding": "government",
        },
    )
    assert response.status_code == 302, response.content.decode()
    created = ServiceOrder.objects.get(person=elder)
    assert created.provider == contract.provider and created.cost == Decimal("60.00")
    for name, at_time in (
        ("order-check-in", start),
        ("order-check-out", start + dt.timedelta(minutes=110)),
    ):  # noqa: E501
        client.post(
            reverse(f"homecare:{name}", args=[created.uuid]),
            {"at": at_time.strftime("%Y-%m-%dT%H:%M")},
        )  # noqa: E501
    client.post(reverse("homecare:order-complete", args=[created.uuid]))
    client.post(
        reverse("homecare:order-rate", args=[created.uuid]), {"rating": "4", "complaint": ""}
    )
    created.refresh_from_db()
    assert (created.status, created.duration_minutes, created.rating) == (
        OrderStatus.COMPLETED,
        110,
        4,
    )


def test_dispatch_refuses_an_elder_the_provider_does_not_serve(
    client, station_staff, contract, items
):
    stranger = t.make_person(t.TOWN_B + "208", birth=D(1940, 2, 2), name="陌生人")
    client.force_login(station_staff)
    response = client.post(
        reverse("homecare:order-create"),
        {
            "id_number": stranger.id_number,
            "item": items["cleaning"].pk,
            "scheduled_start": "2025-03-03T09:00",
            "quantity": "1",
            "funding": "government",
        },
    )
    assert response.status_code == 200
    assert "未找到该身份证号的服务对象" in response.content.decode()
    assert not ServiceOrder.objects.exists()


def test_civil_affairs_edits_the_menu(client, civil_affairs_officer, village_worker):
    client.force_login(civil_affairs_officer)
    response = client.post(
        reverse("homecare:item-create"),
        {
            "code": "zx01",
            "name": "代购代缴",
            "category": C.ERRANDS,
            "unit": "time",
            "price": "15",
            "provider_kinds": [ProviderKind.HOME_CARE_STATION],
            "min_duration_percent": "50",
            "active": "on",
        },
    )
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="ZX01")
    assert item.price == Decimal("15") and item.provider_kinds == ["home_care_station"]
    client.force_login(village_worker)
    assert client.get(reverse("homecare:item-list")).status_code == 200
    assert client.get(reverse("homecare:item-update", args=[item.uuid])).status_code == 403


def test_contract_form_refuses_items_the_kind_may_not_deliver(
    client, civil_affairs_officer, station, items
):
    items["bath"].provider_kinds = [ProviderKind.COMPREHENSIVE_CENTRE]
    items["bath"].save()
    client.force_login(civil_affairs_officer)
    data = {
        "provider": station.pk,
        "number": "HA-9",
        "signed_on": "2025-01-01",
        "valid_from": "2025-01-01",
        "areas": [t.area(t.VILLAGE_A1).pk],
        "items": [items["bath"].pk, items["meal"].pk],
    }
    response = client.post(reverse("homecare:contract-create"), data)
    assert "不能承接以下服务项目：上门助浴" in response.content.decode()
    data["items"] = [items["meal"].pk]
    assert client.post(reverse("homecare:contract-create"), data).status_code == 302
    assert ProviderContract.objects.get(number="HA-9").items.count() == 1


def test_settlement_pages(client, civil_affairs_officer, station_staff, orders, other_staff):
    client.force_login(civil_affairs_officer)
    run = client.post(reverse("homecare:settlement-run"), {"month": "2025-03"})
    assert run.status_code == 302
    mine = Settlement.objects.get(provider=orders["a1"].provider)
    theirs = Settlement.objects.get(provider=orders["other"].provider)
    assert mine.government_amount == 30 and mine.exceptions_count == 1  # A2 has no entitlement
    page = client.get(reverse("homecare:settlement-detail", args=[mine.uuid])).content.decode()
    assert "当月无该类别服务待遇" in page and "王*英" in page
    lines = client.get(reverse("homecare:settlement-detail", args=[mine.uuid]), {"export": "lines"})
    assert "王*英" in t.xlsx_text(lines.content)
    listing = client.get(reverse("homecare:settlement-list"), {"month": "2025-03"})
    assert orders["other"].provider.name in listing.content.decode()

    approve = reverse("homecare:settlement-approve", args=[mine.uuid])
    assert client.post(approve).status_code == 302
    mine.refresh_from_db()
    assert mine.status == SettlementStatus.APPROVED and mine.approved_by == civil_affairs_officer
    client.post(reverse("homecare:settlement-rerun", args=[mine.uuid]))
    mine.refresh_from_db()
    assert mine.status == SettlementStatus.APPROVED

    client.force_login(station_staff)
    assert client.get(reverse("homecare:settlement-detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("homecare:settlement-detail", args=[theirs.uuid])).status_code == 404
    assert (
        client.post(reverse("homecare:settlement-approve", args=[theirs.uuid])).status_code == 403
    )
    assert client.get(reverse("homecare:settlement-run")).status_code == 403


def test_town_officer_reads_but_does_not_settle(client, orders):
    officer = t.make_user(Role.TOWN_OFFICER, area_code=t.TOWN_A)
    client.force_login(officer)
    assert client.get(reverse("homecare:settlement-list")).status_code == 200
    assert client.post(reverse("homecare:settlement-run"), {"month": "2025-03"}).status_code == 403
    assert not Settlement.objects.exists()


def test_rule_list_and_grant(client, civil_affairs_officer, contract, elder):
    from carecircle.homecare.models import Entitlement, EntitlementRule

    contract.valid_to = None  # in force today, when the derivation runs
    contract.save()
    EntitlementRule.objects.create(
        name="八十岁以上助餐", category=C.MEAL, monthly_amount=Decimal(150), min_age=80,
        valid_from=D(2025, 1, 1),
    )  # fmt: skip
    client.force_login(civil_affairs_officer)
    page = client.get(reverse("homecare:rule-list")).content.decode()
    assert "八十岁以上助餐" in page and "核定服务待遇" in page
    response = client.post(reverse("homecare:grant"))
    assert response.status_code == 302
    assert Entitlement.objects.get().person == elder
    entitlements = client.get(reverse("homecare:entitlement-list")).content.decode()
    assert "王*英" in entitlements and "150" in entitlements


def test_month_filter_uses_local_days(
    client, civil_affairs_officer, station, contract, items, elder
):
    late = order(elder, station, items["cleaning"], at(D(2025, 3, 31), 23, 30))
    client.force_login(civil_affairs_officer)
    march = client.get(reverse("homecare:order-list"), {"month": "2025-03"}).content.decode()
    april = client.get(reverse("homecare:order-list"), {"month": "2025-04"}).content.decode()
    assert late.external_ref in march and late.external_ref not in april
    assert D(2025, 3, 1) == MONTH
