"""Indicators computed from the assessments records."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.assessments.models import Assessment, has_valid_assessment
from carecircle.core.choices import Domain
from carecircle.indicators.definitions.common import in_force
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.persons.groups import OLD_AGE, elder_q
from carecircle.persons.models import Person, Residence

# E13 80周岁及以上老年人能力评估覆盖率 ------------------------------------------------------


def _aged_80_resident(w: Window) -> Q:
    """Residence records valid on the snapshot day of persons present then and aged 80+."""
    return in_force(w, "valid_from", "valid_to") & elder_q(w.on, "person", age=OLD_AGE)


def _assessed(w: Window) -> Q:
    """The resident holds an assessment valid on the snapshot day (not expired, not replaced)."""
    return _aged_80_resident(w) & Q(has_valid_assessment(w.on, "person"))


def _unassessed(w: Window, _target) -> Q:
    """Elders 80+ living in a unit on the day, without a valid assessment: the worklist."""
    resident = Residence.objects.filter(person=OuterRef("pk")).filter(
        in_force(w, "valid_from", "valid_to")
    )
    return elder_q(w.on, age=OLD_AGE) & Q(Exists(resident)) & ~Q(has_valid_assessment(w.on))


E13 = Computation(
    code="E13",
    numerator=Measure(
        model=Residence,
        area="area",
        when=_assessed,
        label=_("有有效能力评估的80周岁及以上老年人"),
    ),
    denominator=Measure(
        model=Residence, area="area", when=_aged_80_resident, label=_("80周岁及以上老年人")
    ),
    gap=GapRule(
        model=Person,
        area="area",
        base=Q(domain=Domain.ELDERLY),
        when=_unassessed,
        label=_("没有有效能力评估的80周岁及以上老年人"),
        order_by=("area__code", "name", "pk"),
    ),
    depends={Assessment: ("person__area",), Person: ("area",)},
)

register(E13)
