"""Indicators computed from the homecare records: X01 (basic elderly-care service guaranteed to
elders who are very old or disabled and in economic hardship).

X01 counts persons by the residence record valid on the snapshot day (as E24 does), so an elder
who moved counts in the village they lived in then, and each elder once.

* Eligible on the day: an elder present then, holding an economic-hardship flag (特困, 低保,
  低保边缘, 经济困难), who is 80 or older, or disabled (a 失能 flag, or a valid ability
  assessment of level 2 中度失能 or worse).
* Guaranteed: a completed, government-funded home-care order in the 30 days up to the day, or
  living in an institution on the day (an open residency).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.assessments.models import Assessment
from carecircle.core.choices import Domain
from carecircle.core.dates import years_before
from carecircle.homecare.choices import Funding, OrderStatus
from carecircle.homecare.models import ServiceOrder
from carecircle.homecare.models.entitlements import ECONOMIC_HARDSHIP_KINDS
from carecircle.homecare.services import assessed_at_least
from carecircle.homecare.settlement import local_midnight
from carecircle.indicators.definitions.common import in_force
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind
from carecircle.persons.groups import OLD_AGE, elder_q, flagged_q, in_institution_q
from carecircle.persons.models import HardshipFlag, Person, Residence

BY_VILLAGE = ("area__code", "person__name", "person__pk")
SERVICE_DAYS = 30
DISABLED_LEVEL = 2  # 能力中度受损（中度失能）

# Only persons who ever held an economic-hardship flag can be eligible (a window-free filter the
# database applies once per row, before the per-period conditions).
EVER_IN_HARDSHIP = Q(person__domain=Domain.ELDERLY) & Q(
    Exists(HardshipFlag.objects.filter(person=OuterRef("person"), kind__in=ECONOMIC_HARDSHIP_KINDS))
)


def _eligible(w: Window) -> Q:
    on = w.on
    old = Q(person__birth_date__lte=years_before(on, OLD_AGE))
    disabled = flagged_q(on, "person", kinds=[HardshipKind.DISABLED]) | Q(
        assessed_at_least(DISABLED_LEVEL, on, "person")
    )
    return (
        in_force(w, "valid_from", "valid_to")
        & elder_q(on, "person")
        & flagged_q(on, "person", kinds=ECONOMIC_HARDSHIP_KINDS)
        & (old | disabled)
    )


def _served(w: Window) -> Q:
    """A completed government-funded order in the 30 days up to the day (local days)."""
    first = w.on - dt.timedelta(days=SERVICE_DAYS - 1)
    orders = ServiceOrder.objects.filter(
        person=OuterRef("person"),
        status=OrderStatus.COMPLETED,
        funding=Funding.GOVERNMENT,
        scheduled_start__gte=local_midnight(first),
        scheduled_start__lt=local_midnight(w.on + dt.timedelta(days=1)),
    )
    return Q(Exists(orders)) | in_institution_q(w.on, "person")


X01 = Computation(
    code="X01",
    numerator=Measure(
        model=Residence,
        area="area",
        base=EVER_IN_HARDSHIP,
        when=lambda w: _eligible(w) & _served(w),
        label=_("享受基本养老服务保障的高龄、经济困难失能老年人"),
    ),
    denominator=Measure(
        model=Residence,
        area="area",
        base=EVER_IN_HARDSHIP,
        when=_eligible,
        label=_("高龄、经济困难失能老年人"),
    ),
    gap=GapRule(
        model=Residence,
        area="area",
        base=EVER_IN_HARDSHIP,
        when=lambda w, _target: _eligible(w) & ~_served(w),
        label=_("近30天未享受居家上门服务且未入住机构的高龄、经济困难失能老年人"),
        order_by=BY_VILLAGE,
    ),
    depends={
        ServiceOrder: ("person__area",),
        Person: ("area",),
        HardshipFlag: ("person__area",),
        Residency: ("person__area",),
        Assessment: ("person__area",),
    },
)

register(X01)
