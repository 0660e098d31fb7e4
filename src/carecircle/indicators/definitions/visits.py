"""Indicators computed from the visits records: E04 (monthly visits of elders in special hardship)
and X02 (concentrated care of 特困 elders who asked for it).

Both count persons by the residence record valid on the snapshot day (as E24 does), so an elder
who moved counts in the village they lived in then, and each elder once.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.core.choices import Domain
from carecircle.indicators.definitions.common import in_force
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind
from carecircle.persons.groups import (
    elder_q,
    flagged_q,
    special_hardship_q,
)
from carecircle.persons.models import HardshipFlag, Person, Residence
from carecircle.visits.models import CareWish, Visit
from carecircle.visits.services import may_be_in_group_q

BY_VILLAGE = ("area__code", "person__name", "person__pk")
_WATCH_PERSON = {
    Person: ("area",),
    HardshipFlag: ("person__area",),
    Residency: ("person__area",),
}


def _resident(w: Window) -> Q:
    """Residence records valid on the snapshot day."""
    return in_force(w, "valid_from", "valid_to")


# E04 特殊困难老年人月探访率（购买服务） -------------------------------------------------------
#
# A monthly indicator: the month is the one holding the snapshot day, so a quarter or a year shows
# its last month (this month while it runs). Every visit mode (上门, 电话, 视频) counts.


def _in_group(w: Window) -> Q:
    return _resident(w) & special_hardship_q(w.on, "person")


# Only these persons can ever be in the group (a window-free filter the database applies once per
# row, before the per-period conditions).
MAY_BE_IN_GROUP = Q(person__domain=Domain.ELDERLY) & may_be_in_group_q("person")


def _visited_in_month(w: Window) -> Exists:
    visits = Visit.objects.filter(
        person=OuterRef("person"), visited_on__gte=w.on.replace(day=1), visited_on__lte=w.on
    )
    return Exists(visits)


E04 = Computation(
    code="E04",
    numerator=Measure(
        model=Residence,
        area="area",
        base=MAY_BE_IN_GROUP,
        # The visit first: most rows of most periods have none, and the group is not evaluated.
        when=lambda w: Q(_visited_in_month(w)) & _in_group(w),
        label=_("当月已探访的特殊困难老年人"),
    ),
    denominator=Measure(
        model=Residence,
        area="area",
        base=MAY_BE_IN_GROUP,
        when=_in_group,
        label=_("特殊困难老年人（在家居住）"),
    ),
    gap=GapRule(
        model=Residence,
        area="area",
        base=MAY_BE_IN_GROUP,
        when=lambda w, _target: _in_group(w) & ~Q(_visited_in_month(w)),
        label=_("本月尚未探访的特殊困难老年人"),
        order_by=BY_VILLAGE,
    ),
    depends={Visit: ("person__area",), **_WATCH_PERSON},
)


# X02 有集中供养意愿的特困老年人集中供养率 -------------------------------------------------------


# Only persons who ever registered a wish.
EVER_WISHED = Q(Exists(CareWish.objects.filter(person=OuterRef("person"))))


def _wishing(w: Window) -> Q:
    """A 特困 elder (active flag) with a wish registered by the day and not withdrawn by then."""
    wishes = CareWish.objects.filter(person=OuterRef("person"), registered_on__lte=w.on).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=w.on)
    )
    extreme_poor = flagged_q(w.on, "person", kinds=[HardshipKind.EXTREME_POVERTY])
    return _resident(w) & elder_q(w.on, "person") & extreme_poor & Q(Exists(wishes))


def _placed(w: Window) -> Exists:
    """The elder lives in an elderly-care institution on the day (an open residency)."""
    stays = Residency.objects.filter(
        person=OuterRef("person"),
        provider__kind__in=ELDERLY_INSTITUTION_KINDS,
        admitted_on__lte=w.on,
    ).filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=w.on))
    return Exists(stays)


X02 = Computation(
    code="X02",
    numerator=Measure(
        model=Residence,
        area="area",
        base=EVER_WISHED,
        when=lambda w: _wishing(w) & Q(_placed(w)),
        label=_("已集中供养的有意愿特困老年人"),
    ),
    denominator=Measure(
        model=Residence,
        area="area",
        base=EVER_WISHED,
        when=_wishing,
        label=_("有集中供养意愿的特困老年人"),
    ),
    gap=GapRule(
        model=Residence,
        area="area",
        base=EVER_WISHED,
        when=lambda w, _target: _wishing(w) & ~Q(_placed(w)),
        label=_("有集中供养意愿、尚未入住养老机构的特困老年人"),
        order_by=BY_VILLAGE,
    ),
    depends={CareWish: ("person__area",), **_WATCH_PERSON},
)

register(E04, X02)
