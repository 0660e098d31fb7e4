"""Totals of fund allocations by purpose (the list page's summary and the E07 share)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from carecircle.funds.choices import Purpose
from carecircle.funds.models import LotteryAllocation

ZERO = Decimal("0.00")


def totals_by_purpose(allocations: QuerySet[LotteryAllocation]) -> dict:
    """Per purpose (in the choices' order) the amount and its share of the whole, and the
    whole; one grouped query."""
    sums = dict(
        allocations.order_by()
        .values_list("purpose")
        .annotate(total=Sum("amount"))
        .values_list("purpose", "total")
    )
    whole = sum((Decimal(v or 0) for v in sums.values()), ZERO)
    rows = []
    for purpose in Purpose:
        amount = Decimal(sums.get(purpose.value) or 0).quantize(Decimal("0.01"))
        share = (amount / whole * 100).quantize(Decimal("0.1")) if whole else None
        rows.append({"purpose": purpose, "amount": amount, "share": share})
    return {"rows": rows, "total": whole.quantize(Decimal("0.01"))}
