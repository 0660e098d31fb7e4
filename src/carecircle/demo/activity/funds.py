"""Demo activity: welfare-lottery fund allocations (福彩公益金) from 2021 to today.

Each year the city level and every town and street receive allocations by document: in total
about 28–40 million yuan a year, of which the share for elderly services grows from a little
over half in 2021 to the policy's 55–60 %. This year's allocations stop at today. Every row is
labelled as demo data in its note. Demo allocations of an earlier load are removed first (they
point at no person or provider, so clearing the demo leaves them).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.demo.bulk import BulkWriter, demo_rows, demo_uuid, purge
from carecircle.funds.choices import Purpose
from carecircle.funds.models import LotteryAllocation

FIRST_YEAR = 2021
CITY_CODE = "320685"
FIELDS = (
    "uuid", "created_at", "updated_at", "year", "allocated_on", "area_id", "project",
    "purpose", "amount", "doc_no", "note",
)  # fmt: skip
YEAR_TOTAL = (28_000_000, 40_000_000)  # yuan
# The elderly-services share by year (later years: around the policy's expectation).
ELDERLY_SHARE = {2021: 0.52, 2022: 0.55, 2023: 0.57, 2024: 0.58}
LATER_SHARE = (0.56, 0.60)
OTHER_SPLIT = {  # how the rest divides among the other purposes
    Purpose.CHILD_WELFARE: 0.25,
    Purpose.DISABILITY_WELFARE: 0.25,
    Purpose.SOCIAL_ASSISTANCE: 0.35,
    Purpose.OTHER: 0.15,
}
CITY_SHARE = 0.45  # allocated to the city level; the rest to the towns and streets
PROJECTS = {
    Purpose.ELDERLY_SERVICES: (
        "居家养老服务中心运营补助",
        "农村区域性养老服务中心建设补助",
        "养老机构护理型床位改造补助",
        "老年助餐点建设运营补助",
        "特殊困难老年人家庭适老化改造",
        "养老护理员培训补贴",
        "认知症照护专区建设补助",
        "老年大学分校建设补助",
    ),
    Purpose.CHILD_WELFARE: ("困境儿童关爱服务", "未成年人保护工作站建设", "儿童之家运营补助"),
    Purpose.DISABILITY_WELFARE: ("残疾人之家运营补助", "残疾人康复服务补助", "辅助器具适配补贴"),
    Purpose.SOCIAL_ASSISTANCE: ("临时救助资金补充", "特困人员供养服务设施改造", "低保家庭救助补充"),
    Purpose.OTHER: ("社区综合服务设施建设", "慈善超市运营补助", "社会工作服务站建设"),
}  # fmt: skip
NOTE = "演示数据"


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` yuan in ``parts`` uneven amounts, each rounded to 1,000 yuan."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    whole = sum(weights)
    amounts = [max(1000, round(total * w / whole, -3)) for w in weights]
    return [int(a) for a in amounts]


def _day(rng: random.Random, year: int, today: dt.date) -> dt.date | None:
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(31, 350))
    return day if day <= today else None


def generate(seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}:funds")
    purge(demo_rows(LotteryAllocation))
    city = Area.objects.filter(code=CITY_CODE).values_list("pk", flat=True).first()
    if city is None:
        return {"lottery_allocations": 0}
    towns = list(
        Area.objects.filter(level="township", code__startswith=CITY_CODE)
        .current()
        .order_by("code")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    writer = BulkWriter(LotteryAllocation, FIELDS)
    for year in range(FIRST_YEAR, today.year + 1):
        total = rng.randrange(*YEAR_TOTAL)
        elderly = ELDERLY_SHARE.get(year) or rng.uniform(*LATER_SHARE)
        budget = {Purpose.ELDERLY_SERVICES: int(total * elderly)}
        for purpose, share in OTHER_SPLIT.items():
            budget[purpose] = int(total * (1 - elderly) * share)
        number = 0
        for purpose, amount in budget.items():
            projects = PROJECTS[purpose]
            city_part = int(round(amount * CITY_SHARE, -3))
            receivers = [(city, city_part)] + list(
                zip(
                    rng.sample(towns, k=min(len(towns), 4 + len(projects))),
                    _split(rng, amount - city_part, min(len(towns), 4 + len(projects))),
                    strict=True,
                )
            )
            for index, (area, share) in enumerate(receivers):
                day = _day(rng, year, today)
                number += 1
                if day is None:
                    continue
                project = projects[index % len(projects)]
                office = "海财社" if index % 3 == 0 else "海民"
                writer.add((
                    demo_uuid(rng), now, now, year, day, area, project, purpose,
                    Decimal(share).quantize(Decimal("0.01")), f"{office}〔{year}〕{number}号", NOTE,
                ))  # fmt: skip
    writer.flush()
    return {"lottery_allocations": writer.written}
