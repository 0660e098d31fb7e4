"""API: scope (another provider's or village's records are absent), dispatch and the order
actions, masked names, settlements and their lines, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from carecircle.homecare.choices import OrderStatus, ServiceCategory, SettlementStatus
from carecircle.homecare.models import ServiceOrder, Settlement
from carecircle.homecare.tests.conftest import MONTH, at, entitle, order

pytestmark = pytest.mark.django_db
C = ServiceCategory
D = dt.date


@pytest.fixture
def march(station, other_station, contract, items, elder, elder_a2):
    entitle(elder, station, C.CLEANING, hours="2")
    return {
        "a1": order(elder, station, items["cleaning"], at(D(2025, 3, 3), 9), quantity="3"),
        "a2": order(elder_a2, station, items["cleaning"], at(D(2025, 3, 4), 9)),
        "other": order(elder, other_station, items["cleaning"], at(D(2025, 3, 5), 9)),
    }


def test_orders_are_scoped_and_masked(client, station_staff, village_worker, march, elder):
    client.force_login(station_staff)
    rows = client.get(reverse("serviceorder-list")).json()["results"]
    assert {r["uuid"] for r in rows} == {str(march["a1"].uuid), str(march["a2"].uuid)}
    assert elder.name not in str(rows) and "王*英" in str(rows)
    client.force_login(village_worker)
    rows = client.get(reverse("serviceorder-list"), {"month": "2025-03"}).json()["results"]
    assert {r["uuid"] for r in rows} == {str(march["a1"].uuid), str(march["other"].uuid)}
    assert client.get(reverse("serviceorder-detail", args=[march["a2"].uuid])).status_code == 404


def test_provider_dispatches_and_works_an_order_through_the_api(
    client, station_staff, contract, items, elder
):
    entitle(elder, contract.provider, C.CLEANING, hours="10")
    client.force_login(station_staff)
    created = client.post(
        reverse("serviceorder-list"),
        {
            "person": str(elder.uuid),
            "item": "ZJ01",
            "scheduled_start": "2025-03-10T09:00:00+08:00",
            "quantity": "1.5",
            "external_ref": "WX-0001",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["cost"], body["status"], body["external_ref"]) == ("45.00", "scheduled", "WX-0001")
    uuid = body["uuid"]

    def act(name, data=None):
        url = reverse(f"serviceorder-{name}", args=[uuid])
        return client.post(url, data or {}, content_type="application/json")

    assert act("complete").status_code == 400
    assert act("check-in", {"at": "2025-03-10T09:05:00+08:00"}).status_code == 200
    out = act("check-out", {"at": "2025-03-10T10:35:00+08:00"})
    assert out.json()["duration_minutes"] == 90
    assert act("complete").json()["status"] == OrderStatus.COMPLETED
    rated = act("rate", {"rating": 3, "complaint": "迟到"})
    assert (rated.json()["rating"], rated.json()["complaint"]) == (3, "迟到")
    again = client.post(
        reverse("serviceorder-list"),
        {"person": str(elder.uuid), "item": "ZJ01", "scheduled_start": "2025-03-11T09:00:00+08:00",
         "quantity": "1", "external_ref": "WX-0001"},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 400 and "external_ref" in again.json()


def test_provider_cannot_act_on_another_providers_order(client, other_staff, march):
    client.force_login(other_staff)
    url = reverse("serviceorder-cancel", args=[march["a1"].uuid])
    assert client.post(url).status_code == 404
    assert ServiceOrder.objects.get(pk=march["a1"].pk).status == OrderStatus.COMPLETED


def test_village_worker_cannot_dispatch(client, village_worker, march, elder):
    client.force_login(village_worker)
    response = client.post(
        reverse("serviceorder-list"),
        {"person": str(elder.uuid), "item": "ZJ01", "scheduled_start": "2025-03-10T09:00:00+08:00",
         "quantity": "1"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403


def test_settlements_through_the_api(client, civil_affairs_officer, station_staff, march):
    client.force_login(civil_affairs_officer)
    settled = client.post(
        reverse("settlement-settle"), {"month": "2025-03-15"}, content_type="application/json"
    )
    assert settled.status_code == 200
    assert len(settled.json()) == 2
    mine = Settlement.objects.get(provider=march["a1"].provider, month=MONTH)
    # 3 h delivered, 2 h entitled: 60 paid of 90; A2's order has no entitlement.
    assert (mine.government_amount, mine.withheld_amount) == (60, 60)
    lines = client.get(reverse("settlement-lines", args=[mine.uuid])).json()["results"]
    assert [(r["person_name"], r["government_amount"]) for r in lines] == [("王*英", "60.00")]
    kinds = {
        r["kind"]
        for r in client.get(reverse("settlement-exceptions", args=[mine.uuid])).json()["results"]
    }
    assert kinds == {"over_entitlement", "no_entitlement"}
    approved = client.post(reverse("settlement-approve", args=[mine.uuid]))
    assert approved.json()["status"] == SettlementStatus.APPROVED
    locked = client.post(
        reverse("settlement-settle"),
        {"month": "2025-03-01", "provider": str(mine.provider.uuid)},
        content_type="application/json",
    )
    assert locked.status_code == 400 and "已审核" in str(locked.json())

    client.force_login(station_staff)
    rows = client.get(reverse("settlement-list")).json()["results"]
    assert [r["uuid"] for r in rows] == [str(mine.uuid)]
    assert client.post(reverse("settlement-approve", args=[mine.uuid])).status_code == 403
    assert (
        client.post(
            reverse("settlement-settle"), {"month": "2025-03-01"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_menu_and_contracts_read_by_providers_written_by_civil_affairs(
    client, station_staff, civil_affairs_officer, contract, station
):
    client.force_login(station_staff)
    items = client.get(reverse("serviceitem-list")).json()["results"]
    assert {i["code"] for i in items} == {"ZJ01", "SH01", "ZC01", "ZY01"}
    contracts = client.get(reverse("providercontract-list")).json()["results"]
    assert [c["number"] for c in contracts] == ["HA-2025-001"]
    assert (
        client.post(
            reverse("serviceitem-list"), {"code": "X1"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(civil_affairs_officer)
    created = client.post(
        reverse("providercontract-list"),
        {"provider": str(station.uuid), "number": "HA-2026-001", "signed_on": "2025-12-20",
         "valid_from": "2026-01-01", "areas": ["320685100200"], "items": ["ZJ01", "ZC01"]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert sorted(created.json()["items"]) == ["ZC01", "ZJ01"]
