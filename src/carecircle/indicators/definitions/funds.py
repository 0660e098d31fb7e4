"""Indicators computed from the funds records: E07 福彩公益金投入占比."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.funds.choices import Purpose
from carecircle.funds.models import LotteryAllocation
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window


def _allocated_this_year(w: Window) -> Q:
    """Allocated from 1 January of the snapshot day's year up to the day (the allocation's
    date always lies in its fund year)."""
    return Q(allocated_on__gte=dt.date(w.on.year, 1, 1), allocated_on__lte=w.on)


_allocations = {"model": LotteryAllocation, "area": "area", "total": "amount"}
E07 = Computation(
    code="E07",
    numerator=Measure(
        **_allocations,
        base=Q(purpose=Purpose.ELDERLY_SERVICES),
        when=_allocated_this_year,
        label=_("用于养老服务的福彩公益金（元）"),
    ),
    denominator=Measure(
        **_allocations, when=_allocated_this_year, label=_("福彩公益金分配总额（元）")
    ),
    # What could be directed to elderly services: the year's other allocations, largest first.
    gap=GapRule(
        model=LotteryAllocation,
        area="area",
        base=~Q(purpose=Purpose.ELDERLY_SERVICES),
        when=lambda w, _target: _allocated_this_year(w),
        label=_("本年度用于养老服务以外的福彩公益金分配"),
        order_by=("-amount", "project"),
    ),
)

register(E07)
