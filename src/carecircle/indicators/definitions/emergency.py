"""Indicators computed from the emergency records."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.emergency.models import CallDevice
from carecircle.indicators.definitions.common import in_force
from carecircle.indicators.engine import Computation, Measure, register
from carecircle.indicators.periods import Window
from carecircle.institutions.models import Residency
from carecircle.persons.choices import LivingArrangement
from carecircle.persons.groups import SEVERE_DISABILITY_GRADES, special_hardship_q
from carecircle.persons.models import HardshipFlag, Person, Residence

# X11 老年人信息呼叫及应急服务覆盖率 ---------------------------------------------------------------
#
# Denominator: the target group, elders in special hardship (``persons.groups``) on the snapshot
# day, each counted in the village of their residence then (their residence record valid that
# day, as E24 counts elders). Numerator: those of them with a call device or a hotline
# registration in force that day (enrolled on or before it, not ended). The gap list (the default
# rule) is the target-group elders without coverage: who to enrol next.


# Rows that can be in the group on some day: a hardship flag at any time, a grade 1–2 disability
# or living alone (the group's non-dated criteria, ``persons.groups``). A prefilter applied once
# per query, so the dated conditions run for a fifth of the elders; it never changes a count.
_CANDIDATES = (
    Q(Exists(HardshipFlag.objects.filter(person=OuterRef("person"))))
    | Q(person__disability_grade__in=SEVERE_DISABILITY_GRADES)
    | Q(person__living_arrangement=LivingArrangement.ALONE)
)


def _target_group(w: Window) -> Q:
    return in_force(w, "valid_from", "valid_to") & special_hardship_q(w.on, prefix="person")


def _covered(w: Window) -> Q:
    devices = CallDevice.objects.filter(person=OuterRef("person")).filter(
        in_force(w, "enrolled_on", "ended_on")
    )
    return _target_group(w) & Q(Exists(devices))


_residences = {
    "model": Residence,
    "area": "area",
    "base": Q(person__domain="elderly") & _CANDIDATES,
}
X11 = Computation(
    code="X11",
    numerator=Measure(
        **_residences, when=_covered, label=_("有呼叫设备或热线登记的特殊困难老年人")
    ),
    denominator=Measure(**_residences, when=_target_group, label=_("特殊困难老年人")),
    depends={
        CallDevice: ("person__area",),
        HardshipFlag: ("person__area",),
        Residency: ("person__area",),
        Person: ("area",),
    },
)

register(X11)
