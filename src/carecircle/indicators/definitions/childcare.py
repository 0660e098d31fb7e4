"""Childcare indicators computed from the registries (附表2 and the policy text)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaKind, AreaLevel
from carecircle.areas.models import Area, PopulationFact
from carecircle.dashboard.stats import CHILDCARE_INSTITUTION_KINDS
from carecircle.indicators.definitions.common import (
    capacity_in_force,
    capacity_share_gap,
    designated,
    employed,
    in_force,
    in_root,
    latest_fact_year,
    operating,
    served,
    unit_valid,
)
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.institutions.choices import CHILDCARE_KINDS, DesignationKind, FilingStatus
from carecircle.institutions.models import (
    CapacityRecord,
    Designation,
    Provider,
    Staff,
    StaffCertificate,
)

BY_NAME = ("area__code", "name")
_DECIMAL = DecimalField(max_digits=24, decimal_places=4)
# Target used for a gap list when no target applies (the catalogue's 2025 target of C06).
PLACES_PER_1000_FALLBACK = Decimal("4.5")


def _institutions() -> dict:
    return {"model": Provider, "area": "area", "base": Q(kind__in=CHILDCARE_INSTITUTION_KINDS)}


def _operating(w: Window) -> Q:
    return operating(w)


def _places_in_force(w: Window) -> Q:
    return capacity_in_force(w) & operating(w, "provider")


_places = {
    "model": CapacityRecord,
    "area": "provider__area",
    "base": Q(provider__kind__in=CHILDCARE_INSTITUTION_KINDS),
    "when": _places_in_force,
}


def _designated_count(code: str, kind: str, label, gap_label) -> Computation:
    """Operating childcare institutions holding ``kind``; the gap lists those without it."""
    return Computation(
        code=code,
        numerator=Measure(
            **_institutions(),
            when=lambda w: operating(w) & Q(designated(kind, w)),
            label=label,
        ),
        gap=GapRule(
            **_institutions(),
            when=lambda w, _target: operating(w) & ~Q(designated(kind, w)),
            label=gap_label,
            order_by=BY_NAME,
        ),
        depends={Designation: ("provider__area",)},
    )


# C06 每千人口托位数 ------------------------------------------------------------------------------


def _population(w: Window) -> Q:
    return Q(year=latest_fact_year(w))


def _places_below_target(w: Window, target) -> Q:
    """Villages and communities whose own places per 1000 residents are below the target."""
    target = PLACES_PER_1000_FALLBACK if target is None else Decimal(target)
    places = (
        CapacityRecord.objects.filter(provider__area=OuterRef("pk"))
        .filter(_places_in_force(w), provider__kind__in=CHILDCARE_INSTITUTION_KINDS)
        .order_by()
        .values("provider__area")
        .annotate(places=Sum("places_total"))
        .values("places")
    )
    facts = PopulationFact.objects.filter(area=OuterRef("pk"), year=latest_fact_year(w))
    have = ExpressionWrapper(
        Coalesce(Subquery(places), Value(0)) * Value(Decimal(1000)), output_field=_DECIMAL
    )
    need = ExpressionWrapper(
        Subquery(facts.values("total")[:1]) * Value(target), output_field=_DECIMAL
    )
    return unit_valid(w) & Q(Exists(facts.filter(total__gt=0))) & Q(LessThan(have, need))


C06 = Computation(
    code="C06",
    numerator=Measure(**_places, total="places_total", label=_("托育机构托位")),
    denominator=Measure(
        model=PopulationFact,
        area="area",
        base=Q(area__level=AreaLevel.VILLAGE),
        when=_population,
        total="total",
        label=_("常住人口"),
    ),
    gap=GapRule(
        model=Area,
        area="pk",
        base=in_root() & Q(level=AreaLevel.VILLAGE),
        when=_places_below_target,
        label=_("每千人口托位数低于目标的村（社区）"),
        order_by=("code",),
    ),
    depends={Provider: ("area",)},
)


# C07 普惠性托位占比 ------------------------------------------------------------------------------

C07 = Computation(
    code="C07",
    numerator=Measure(**_places, total="places_affordable", label=_("普惠性托位")),
    denominator=Measure(**_places, total="places_total", label=_("托育机构托位")),
    gap=capacity_share_gap(
        CHILDCARE_INSTITUTION_KINDS,
        "places_affordable",
        "places_total",
        _("普惠性托位占比低于目标的托育机构"),
    ),
    depends={Provider: ("area",)},
)


# C08 社区托育服务覆盖率 --------------------------------------------------------------------------


def _childcare_facility(w: Window, prefix: str, _pk_ref: str) -> Q:
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}kind__in": CHILDCARE_KINDS}) & operating(w, prefix)


_communities = {
    "model": Area,
    "area": "pk",
    "base": in_root() & Q(level=AreaLevel.VILLAGE, is_urban=True),
}
C08 = Computation(
    code="C08",
    numerator=Measure(
        **_communities,
        when=lambda w: unit_valid(w) & served(w, AreaLevel.VILLAGE, _childcare_facility),
        label=_("有托育服务设施服务的城镇社区"),
    ),
    denominator=Measure(**_communities, when=unit_valid, label=_("城镇社区")),
    area_units=True,
    depends={Provider: ("area", "service_areas")},
)


# C09, C11 省级普惠性、示范性婴幼儿照护服务机构 --------------------------------------------------

C09 = _designated_count(
    "C09",
    DesignationKind.PROVINCIAL_AFFORDABLE_CHILDCARE,
    _("省级普惠性婴幼儿照护服务机构"),
    _("尚未获评省级普惠的托育机构"),
)
C11 = _designated_count(
    "C11",
    DesignationKind.PROVINCIAL_MODEL_CHILDCARE,
    _("省级示范性婴幼儿照护服务机构"),
    _("尚未获评省级示范的托育机构"),
)


# C10 托育机构从业人员持证上岗率 ------------------------------------------------------------------


def _staff_on_duty(w: Window) -> Q:
    return employed(w) & operating(w, "provider")


def _certified(w: Window) -> Q:
    valid = StaffCertificate.objects.filter(staff=OuterRef("pk")).filter(
        in_force(w, "issued_on", "expires_on")
    )
    return _staff_on_duty(w) & Q(Exists(valid))


_childcare_staff = {
    "model": Staff,
    "area": "provider__area",
    "base": Q(provider__kind__in=CHILDCARE_INSTITUTION_KINDS),
}
C10 = Computation(
    code="C10",
    numerator=Measure(**_childcare_staff, when=_certified, label=_("持有效证书的托育机构从业人员")),
    denominator=Measure(**_childcare_staff, when=_staff_on_duty, label=_("托育机构从业人员")),
    depends={StaffCertificate: ("staff__provider__area",), Provider: ("area",)},
)


# C12 托育机构登记备案率 --------------------------------------------------------------------------


def _filed(w: Window) -> Q:
    return (
        operating(w)
        & Q(filing_status=FilingStatus.FILED)
        & (Q(filed_on__isnull=True) | Q(filed_on__lte=w.on))
    )


C12 = Computation(
    code="C12",
    numerator=Measure(**_institutions(), when=_filed, label=_("已备案的托育机构")),
    denominator=Measure(**_institutions(), when=_operating, label=_("托育机构")),
)


# X03 品牌连锁托育机构, X04 示范性托育服务机构（“1+N”带动） --------------------------------------

X03 = _designated_count(
    "X03",
    DesignationKind.BRAND_CHAIN,
    _("品牌连锁托育机构"),
    _("尚未认定为品牌连锁的托育机构"),
)
X04 = _designated_count(
    "X04",
    DesignationKind.HUB_1N,
    _("“1+N”示范性托育服务机构"),
    _("尚未认定为“1+N”枢纽的托育机构"),
)


# X09 一街道一区镇一普惠 --------------------------------------------------------------------------


def _affordable_institution(w: Window, prefix: str, pk_ref: str) -> Q:
    """An operating childcare institution with 普惠 places in its capacity in force."""
    p = f"{prefix}__" if prefix else ""
    affordable = CapacityRecord.objects.filter(provider=OuterRef(pk_ref)).filter(
        capacity_in_force(w), places_affordable__gt=0
    )
    return (
        Q(**{f"{p}kind__in": CHILDCARE_INSTITUTION_KINDS})
        & operating(w, prefix)
        & Q(Exists(affordable))
    )


_TOWNS = (AreaKind.TOWN, AreaKind.STREET, AreaKind.TOWNSHIP, AreaKind.FUNCTIONAL_ZONE)
_towns = {
    "model": Area,
    "area": "pk",
    "base": in_root() & Q(level=AreaLevel.TOWNSHIP, kind__in=_TOWNS),
}
X09 = Computation(
    code="X09",
    numerator=Measure(
        **_towns,
        when=lambda w: unit_valid(w) & served(w, AreaLevel.TOWNSHIP, _affordable_institution),
        label=_("有普惠性托育机构的镇（街道、区）"),
    ),
    denominator=Measure(**_towns, when=unit_valid, label=_("镇（街道、区）")),
    area_units=True,
    depends={Provider: ("area", "service_areas"), CapacityRecord: ("provider__area",)},
)

register(C06, C07, C08, C09, C10, C11, C12, X03, X04, X09)
