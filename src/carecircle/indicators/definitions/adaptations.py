"""Indicators computed from the adaptations records."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.adaptations.choices import OPEN_STATUSES, ProjectStatus
from carecircle.adaptations.models import AdaptationProject
from carecircle.indicators.definitions.common import between
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.persons.groups import special_hardship_q
from carecircle.persons.models import Person

# E11 特殊困难老年人家庭居家适老化改造户数 ---------------------------------------------------------
#
# A household is its elder (one project per address, see ``adaptations.models``). Counted: projects
# completed from 2021-01-01 to the snapshot day whose elder was in the special-hardship group on
# the completion day; ``services.complete`` records that membership with the project from the
# registry of that day (``persons.groups``), so later changes (a flag ending, the elder's death or
# admission to an institution) never take a completed household out of the cumulative count.
# Like E21/E22 (events counted where their provider is now), a project counts in the elder's
# current village.
#
# The worklist is the pipeline: open projects (申请/已评估/施工中) of elders in the group on the
# snapshot day, the households whose completion would add to the count.


def _pipeline(w: Window, _target) -> Q:
    return (
        Q(status__in=OPEN_STATUSES)
        & Q(applied_on__lte=w.on)
        & special_hardship_q(w.on, prefix="person")
    )


E11 = Computation(
    code="E11",
    numerator=Measure(
        model=AdaptationProject,
        area="person__area",
        base=Q(status=ProjectStatus.COMPLETED, target_group=True),
        when=lambda w: between(w, "completed_on"),
        label=_("完成居家适老化改造的特殊困难老年人家庭"),
    ),
    gap=GapRule(
        model=AdaptationProject,
        area="person__area",
        when=_pipeline,
        label=_("尚未完工的特殊困难老年人家庭适老化改造项目"),
        order_by=("applied_on", "pk"),
    ),
    depends={Person: ("area",)},
)

register(E11)
