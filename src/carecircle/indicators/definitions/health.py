"""Indicators computed from the health records: E06 老年人健康管理率."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.core.dates import years_before
from carecircle.health.choices import MANAGED_AGE
from carecircle.health.models import ElderHealthCheck, counting_q
from carecircle.indicators.definitions.common import in_force
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.persons.models import Person, Residence


def _managed_residents(w: Window) -> Q:
    """Residence records valid on the snapshot day of persons aged 65+ and present then (the
    65+ counterpart of ``elderly._elders_resident``): each resident counts where they live."""
    return (
        in_force(w, "valid_from", "valid_to")
        & Q(person__birth_date__lte=years_before(w.on, MANAGED_AGE))
        & (Q(person__death_date__isnull=True) | Q(person__death_date__gt=w.on))
        & (Q(person__moved_out_on__isnull=True) | Q(person__moved_out_on__gt=w.on))
        & Q(person__merged_into__isnull=True)
    )


def _managed_this_year(w: Window) -> Q:
    """The resident has a check that counts (体检 + 评估 + 指导) from 1 January to the day."""
    checks = ElderHealthCheck.objects.filter(
        counting_q(),
        person=OuterRef("person"),
        checked_on__gte=dt.date(w.on.year, 1, 1),
        checked_on__lte=w.on,
    )
    return Q(Exists(checks))


E06 = Computation(
    code="E06",
    numerator=Measure(
        model=Residence,
        area="area",
        when=lambda w: _managed_residents(w) & _managed_this_year(w),
        label=_("年内接受健康管理的65周岁及以上老年人"),
    ),
    denominator=Measure(
        model=Residence,
        area="area",
        when=_managed_residents,
        label=_("65周岁及以上老年人"),
    ),
    # The worklist of the health centres: residents 65+ without a counting check this year.
    gap=GapRule(
        model=Residence,
        area="area",
        when=lambda w, _target: _managed_residents(w) & ~_managed_this_year(w),
        label=_("本年度尚未接受健康管理的65周岁及以上老年人"),
        order_by=("area__code", "person__birth_date"),
    ),
    depends={Person: ("area",), ElderHealthCheck: ("person__area",)},
)

register(E06)
