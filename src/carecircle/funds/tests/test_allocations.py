import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.core.imports import run_import
from carecircle.funds.importers import LotteryAllocationImporter
from carecircle.funds.models import LotteryAllocation
from carecircle.funds.services import totals_by_purpose
from carecircle.funds.tests.conftest import allocate

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
LIST = reverse("funds:allocation-list")
HEADERS = ["资金年度", "下达日期", "接收区划代码", "项目名称", "用途", "金额（元）", "文号", "备注"]


def rows():
    return [
        [
            YEAR,
            f"{YEAR}-01-15",
            t.CITY,
            "居家养老服务中心运营补助",
            "养老服务",
            "1200000",
            "海民〔X〕1号",
            "",
        ],
        [
            YEAR,
            f"{YEAR}-01-20",
            t.TOWN_A,
            "困境儿童关爱服务",
            "儿童福利",
            300000.5,
            "海民〔X〕2号",
            "首批",
        ],
    ]


def test_allocation_date_must_lie_in_its_year(db):
    allocation = LotteryAllocation(
        year=2024,
        allocated_on=dt.date(2025, 1, 3),
        area=t.area(t.CITY),
        project="p",
        purpose="elderly",
        amount=Decimal("1"),
        doc_no="d",
    )
    with pytest.raises(ValidationError, match="下达日期须在资金年度内"):
        allocation.full_clean()


def test_scope_is_the_area_subtree(client, town_officer, civil_affairs_officer, outsider):
    city = allocate(t.CITY, dt.date(YEAR, 1, 2), "elderly", "100")
    town = allocate(t.TOWN_A, dt.date(YEAR, 1, 2), "elderly", "200")
    other = allocate(t.TOWN_B, dt.date(YEAR, 1, 2), "other", "300")
    assert list(LotteryAllocation.objects.for_user(town_officer)) == [town]
    assert LotteryAllocation.objects.for_user(civil_affairs_officer).count() == 3
    assert not LotteryAllocation.objects.for_user(outsider).exists()
    client.force_login(town_officer)
    assert client.get(reverse("funds:allocation-detail", args=[town.uuid])).status_code == 200
    for hidden in (city, other):
        assert client.get(reverse("funds:allocation-detail", args=[hidden.uuid])).status_code == 404
        assert client.get(f"/api/lottery-allocations/{hidden.uuid}/").status_code == 404


def test_list_shows_totals_by_purpose_for_the_year(client, civil_affairs_officer):
    allocate(t.CITY, dt.date(YEAR, 1, 2), "elderly", "600000")
    allocate(t.TOWN_A, dt.date(YEAR, 1, 3), "elderly", "150000.50")
    allocate(t.TOWN_B, dt.date(YEAR, 1, 4), "children", "249999.50")
    allocate(t.CITY, dt.date(YEAR - 1, 5, 5), "other", "999")
    client.force_login(civil_affairs_officer)
    response = client.get(LIST)  # opens on this year
    totals = response.context["totals"]
    assert totals["total"] == Decimal("1000000.00")
    by_purpose = {row["purpose"].value: (row["amount"], row["share"]) for row in totals["rows"]}
    assert by_purpose["elderly"] == (Decimal("750000.50"), Decimal("75.0"))
    assert by_purpose["children"] == (Decimal("249999.50"), Decimal("25.0"))
    assert by_purpose["other"] == (Decimal("0.00"), Decimal("0.0"))
    page = response.content.decode()
    assert "共 3 条" in page and "750,000.50" in page
    everything = client.get(LIST, {"year": ""})
    assert everything.context["totals"]["total"] == Decimal("1000999.00")


def test_totals_of_nothing(db):
    totals = totals_by_purpose(LotteryAllocation.objects.none())
    assert totals["total"] == 0 and all(row["share"] is None for row in totals["rows"])


def test_create_and_edit(client, civil_affairs_officer, town_officer):
    client.force_login(civil_affairs_officer)
    data = {
        "year": YEAR,
        "allocated_on": f"{YEAR}-01-10",
        "area": t.TOWN_B,
        "project": "老年助餐点建设运营补助",
        "purpose": "elderly",
        "amount": "80000",
        "doc_no": "海民〔2026〕8号",
    }
    response = client.post(reverse("funds:allocation-create"), data)
    allocation = LotteryAllocation.objects.get()
    assert response.status_code == 302 and allocation.area.code == t.TOWN_B
    wrong = {**data, "project": "另一项目", "allocated_on": f"{YEAR - 1}-12-30", "amount": "0"}
    page = client.post(reverse("funds:allocation-create"), wrong).content.decode()
    assert "下达日期须在资金年度内" in page and "金额须大于0" in page
    duplicate = client.post(reverse("funds:allocation-create"), data).content.decode()
    assert "同一年度、文号下已有该项目" in duplicate
    update = reverse("funds:allocation-update", args=[allocation.uuid])
    client.post(update, {**data, "amount": "90000"})
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("90000") and allocation.history.count() == 2
    client.force_login(town_officer)  # reads allocations only
    assert client.get(reverse("funds:allocation-create")).status_code == 403


def test_import_idempotent_and_updates(civil_affairs_officer):
    data = t.xlsx(HEADERS, rows())
    first = run_import(LotteryAllocationImporter(civil_affairs_officer), data)
    assert first.ok, first.messages()
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert LotteryAllocation.objects.get(purpose="children").amount == Decimal("300000.50")
    again = run_import(LotteryAllocationImporter(civil_affairs_officer), data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = rows()
    changed[0][5] = "1300000"
    third = run_import(LotteryAllocationImporter(civil_affairs_officer), t.xlsx(HEADERS, changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert LotteryAllocation.objects.get(purpose="elderly").amount == Decimal("1300000")


def test_import_all_or_nothing(town_officer):
    civil = t.make_user("civil_affairs_officer", area_code=t.TOWN_A, username="civil-town")
    bad = rows()  # the city level lies outside a town's officer
    bad[1][1] = f"{YEAR - 1}-12-01"
    bad[1][5] = "-5"
    bad.append(list(rows()[1]))
    outcome = run_import(LotteryAllocationImporter(civil), t.xlsx(HEADERS, bad))
    assert not outcome.ok and not LotteryAllocation.objects.exists()
    messages = outcome.messages()
    assert "第2行“接收区划代码”列：区划代码320685不是您管辖范围内的市本级或镇（街道）" in messages
    assert "第3行“金额（元）”列：不能为负数" in messages
    assert "第4行“用途”列：取值应为：养老服务、儿童福利、残疾人福利、社会救助、其他" not in messages
    assert LotteryAllocationImporter(town_officer).permission == "funds.add_lotteryallocation"
    assert not town_officer.has_perm("funds.add_lotteryallocation")


def test_api(client, civil_affairs_officer):
    client.force_login(civil_affairs_officer)
    data = {
        "year": YEAR,
        "allocated_on": f"{YEAR}-02-01",
        "area": t.TOWN_A,
        "project": "残疾人之家运营补助",
        "purpose": "disability",
        "amount": "50000.00",
        "doc_no": "海民〔X〕9号",
    }
    response = client.post("/api/lottery-allocations/", data, content_type="application/json")
    assert response.status_code == 201, response.json()
    response = client.post("/api/lottery-allocations/", data, content_type="application/json")
    assert response.status_code == 400
    wrong_year = {**data, "project": "x", "allocated_on": f"{YEAR - 1}-02-01"}
    response = client.post("/api/lottery-allocations/", wrong_year, content_type="application/json")
    assert "下达日期须在资金年度内" in str(response.json())
    assert client.get("/api/lottery-allocations/", {"purpose": "disability"}).json()["count"] == 1
