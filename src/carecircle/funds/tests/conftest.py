import datetime as dt
from decimal import Decimal

from carecircle.core import testing as t
from carecircle.funds.models import LotteryAllocation


def allocate(code, on, purpose, amount, project="居家养老服务中心运营补助", doc_no=None):
    return LotteryAllocation.objects.create(
        year=on.year,
        allocated_on=on,
        area=t.area(code),
        project=project,
        purpose=purpose,
        amount=Decimal(amount),
        doc_no=doc_no or f"海民〔{on.year}〕{LotteryAllocation.objects.count() + 1}号",
    )


D = dt.date
