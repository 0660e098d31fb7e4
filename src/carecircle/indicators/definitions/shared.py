"""Indicators about elderly care and childcare together (老幼融合, 结对)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.indicators.definitions.common import designated, in_force, operating
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS, DesignationKind
from carecircle.institutions.models import Designation, InstitutionPair, Provider

INTEGRATION = DesignationKind.ELDERLY_CHILDCARE_INTEGRATION
BY_NAME = ("area__code", "name")


def _pair_active(w: Window) -> Q:
    return in_force(w, "started_on", "ended_on")


def _paired(w: Window) -> Exists:
    """The provider is one side of a pair active on the snapshot day."""
    pairs = InstitutionPair.objects.filter(
        Q(elderly_provider=OuterRef("pk")) | Q(childcare_provider=OuterRef("pk"))
    ).filter(_pair_active(w))
    return Exists(pairs)


# X07 老幼融合示范点 ------------------------------------------------------------------------------

X07 = Computation(
    code="X07",
    numerator=Measure(
        model=Provider,
        area="area",
        when=lambda w: operating(w) & Q(designated(INTEGRATION, w)),
        label=_("老幼融合示范点"),
    ),
    # Paired institutions are the candidates for a demonstration site.
    gap=GapRule(
        model=Provider,
        area="area",
        when=lambda w, _target: operating(w) & Q(_paired(w)) & ~Q(designated(INTEGRATION, w)),
        label=_("已结对但尚未认定为老幼融合示范点的机构"),
        order_by=BY_NAME,
    ),
    depends={Designation: ("provider__area",)},
)


# X08 养老和托育机构结对数 ------------------------------------------------------------------------

X08 = Computation(
    code="X08",
    numerator=Measure(
        model=InstitutionPair,
        area="elderly_provider__area",
        when=_pair_active,
        label=_("在结对期内的养老和托育机构结对"),
    ),
    gap=GapRule(
        model=Provider,
        area="area",
        base=Q(kind__in=ELDERLY_INSTITUTION_KINDS),
        when=lambda w, _target: operating(w) & ~Q(_paired(w)),
        label=_("尚未与托育机构结对的养老机构"),
        order_by=BY_NAME,
    ),
    depends={Provider: ("area",)},
)

register(X07, X08)
