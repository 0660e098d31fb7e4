"""A small world for the bulk-import tests, and service-order files (CSV and xlsx) built from it.

The home-care fixtures (``station``, ``other_station``, ``elder``, ``elder_a2``, ``items``) come
from this package's ``conftest``; here the providers get credit codes and the station a worker.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

from carecircle.core import testing as t
from carecircle.homecare.bulk_columns import COLUMNS
from carecircle.institutions.models import Staff

HEADERS = [column.header for column in COLUMNS]


def make_worker(provider, *, hired=dt.date(2021, 3, 1), left=None) -> tuple[Staff, str]:
    number = t.resident_id(birth=dt.date(1978, 4, 2))
    staff = Staff(provider=provider, name="刘护理", role="caregiver", hired_on=hired, left_on=left)
    staff.set_id_number(number)
    staff.save()
    return staff, number


def build_world(station, other_station, elder, elder_a2, items) -> SimpleNamespace:
    """The ``world`` fixture of the bulk tests (each module declares it with ``pytest.fixture``
    from this function; the arguments are this package's fixtures)."""
    for provider in (station, other_station):
        provider.credit_code = t.credit_code()
        provider.save()
    worker, worker_id = make_worker(station)
    return SimpleNamespace(
        station=station,
        other=other_station,
        elder=elder,
        elder_a2=elder_a2,
        items=items,
        worker=worker,
        worker_id=worker_id,
    )


def row(provider, person, item, ref: str, **cells) -> dict[str, object]:
    """One valid completed order on 2025-03-03 09:00–10:00 (one unit at the item's price);
    ``cells`` override columns by header."""
    values: dict[str, object] = {
        "服务机构统一社会信用代码": provider.credit_code,
        "工单编号": ref,
        "老人身份证号": person.id_number,
        "服务项目编码": item.code,
        "服务人员身份证号": "",
        "状态": "已完成",
        "预约开始时间": "2025-03-03 09:00",
        "预约结束时间": "2025-03-03 10:00",
        "签到时间": "2025-03-03 09:02",
        "签退时间": "2025-03-03 10:01",
        "服务数量": "1",
        "资金来源": "政府购买",
        "单价": f"{item.price:.2f}",
        "金额": f"{item.price:.2f}",
        "评分": "5",
        "投诉内容": "",
    }
    values.update(cells)
    return values


def orders(world, count: int, prefix: str = "GD") -> list[dict[str, object]]:
    """``count`` valid orders of the station spread over March 2025: both elders, all items,
    the worker on every other one, a few cancelled or missed, some with two units."""
    items = list(world.items.values())
    out = []
    for n in range(count):
        item = items[n % len(items)]
        day = dt.date(2025, 3, 1) + dt.timedelta(days=n % 28)
        start = dt.datetime.combine(day, dt.time(8 + n % 9, 30 * (n % 2)))
        quantity = 2 if n % 5 == 0 else 1
        cells = {
            "预约开始时间": f"{start:%Y-%m-%d %H:%M}",
            "预约结束时间": f"{start + dt.timedelta(hours=quantity):%Y-%m-%d %H:%M}",
            "签到时间": f"{start + dt.timedelta(minutes=3):%Y-%m-%d %H:%M}",
            "签退时间": f"{start + dt.timedelta(minutes=60 * quantity + 4):%Y-%m-%d %H:%M}",
            "服务数量": str(quantity),
            "金额": f"{item.price * quantity:.2f}",
            "服务人员身份证号": world.worker_id if n % 2 else "",
            "评分": str(1 + n % 5) if n % 3 else "",
        }
        if n % 17 == 0:
            cells.update({"状态": "已取消", "签到时间": "", "签退时间": "", "评分": ""})
        elif n % 19 == 0:
            cells.update({"状态": "未上门", "签到时间": "", "签退时间": "", "评分": ""})
        person = world.elder if n % 3 else world.elder_a2
        out.append(row(world.station, person, item, f"{prefix}{n:05d}", **cells))
    return out


def as_csv(rows: list[dict[str, object]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for values in rows:
        writer.writerow([values.get(header, "") for header in HEADERS])
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows: list[dict[str, object]]) -> bytes:
    """The rows typed as a spreadsheet holds them: times as dates, numbers as numbers."""

    def typed(header: str, value: object) -> object:
        if isinstance(value, str) and value and header.endswith("时间"):
            return dt.datetime.strptime(value, "%Y-%m-%d %H:%M")
        if isinstance(value, str) and value and header in ("服务数量", "单价", "金额", "评分"):
            return float(value)
        return value

    return t.xlsx(HEADERS, [[typed(h, values.get(h, "")) for h in HEADERS] for values in rows])
