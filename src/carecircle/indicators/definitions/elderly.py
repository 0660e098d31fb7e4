"""Elderly-care indicators computed from the registries (附表1 and the policy text)."""

from __future__ import annotations

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaKind, AreaLevel, EstateKind
from carecircle.areas.models import Area, ResidentialArea
from carecircle.areas.services import estate_norms
from carecircle.core.dates import years_before
from carecircle.indicators.definitions.common import (
    between,
    capacity_in_force,
    capacity_on,
    capacity_share_gap,
    designated,
    employed,
    in_force,
    in_root,
    operating,
    scaled,
    served,
    unit_valid,
)
from carecircle.indicators.engine import Computation, GapRule, Measure, day_before, register
from carecircle.indicators.periods import CUMULATIVE_START, Window
from carecircle.institutions.choices import (
    ELDERLY_INSTITUTION_KINDS,
    DesignationKind,
    IssuingLevel,
    ProviderKind,
    StaffRole,
)
from carecircle.institutions.models import (
    CapacityRecord,
    Designation,
    Grade,
    Provider,
    Staff,
    StaffCertificate,
    Training,
)
from carecircle.persons.models import ELDER_AGE, Person, Residence

K = ProviderKind
# Home and community elderly-service facilities (the university for the elderly is not one).
HOME_COMMUNITY_KINDS = (
    K.COMPREHENSIVE_CENTRE,
    K.DAYCARE_CENTRE,
    K.HOME_CARE_STATION,
    K.RURAL_REGIONAL_CENTRE,
)
ELDERLY = "elderly"
BY_NAME = ("area__code", "name")


def _kinds(*kinds):
    """A ``served`` facility condition: operating providers of these kinds."""

    def facility(w: Window, prefix: str, _pk_ref: str) -> Q:
        p = f"{prefix}__" if prefix else ""
        return Q(**{f"{p}kind__in": kinds}) & operating(w, prefix)

    return facility


def _units(*, level: str, **extra) -> dict:
    return {"model": Area, "area": "pk", "base": in_root() & Q(level=level, **extra)}


def _operating(w: Window) -> Q:
    return operating(w)


def _institutions(**extra) -> dict:
    return {
        "model": Provider,
        "area": "area",
        "base": Q(kind__in=ELDERLY_INSTITUTION_KINDS, **extra),
    }


def _without(kind: str, base: Q, label, **extra) -> GapRule:
    """Operating providers of ``base`` not holding designation ``kind``: the candidates."""
    return GapRule(
        model=Provider,
        area="area",
        base=base,
        when=lambda w, _target: operating(w) & ~Q(designated(kind, w, **extra)),
        label=label,
        order_by=BY_NAME,
    )


# E08 居家社区养老机构服务覆盖率 ---------------------------------------------------------------

_villages = _units(level=AreaLevel.VILLAGE)
E08 = Computation(
    code="E08",
    numerator=Measure(
        **_villages,
        when=lambda w: unit_valid(w) & served(w, AreaLevel.VILLAGE, _kinds(*HOME_COMMUNITY_KINDS)),
        label=_("有居家社区养老服务机构服务的村（社区）"),
    ),
    denominator=Measure(**_villages, when=unit_valid, label=_("村（社区）")),
    area_units=True,
    depends={Provider: ("area", "service_areas")},
)


# E09, E10 居住区配套养老服务用房达标率 ----------------------------------------------------------


def _delivered(w: Window) -> Q:
    return Q(delivered_on__isnull=True) | Q(delivered_on__lte=w.on)


def _room_compliant(kind: str):
    def when(w: Window) -> Q:
        norm = estate_norms()[kind]["elderly"]
        enough = GreaterThanOrEqual(scaled("elderly_room_m2", 100), scaled("households", norm))
        return _delivered(w) & Q(enough)

    return when


def _estates(kind: str, label_all, label_ok) -> Computation:
    common = {"model": ResidentialArea, "area": "area", "base": Q(kind=kind)}
    return Computation(
        code="E09" if kind == EstateKind.NEW else "E10",
        numerator=Measure(**common, when=_room_compliant(kind), label=label_ok),
        denominator=Measure(**common, when=_delivered, label=label_all),
    )


E09 = _estates(EstateKind.NEW, _("新建居住区"), _("养老服务用房达标的新建居住区"))
E10 = _estates(EstateKind.EXISTING, _("已建成居住（小）区"), _("养老服务用房达标的已建成居住区"))


# E12 城市街道综合性养老服务中心建成率 -----------------------------------------------------------

_streets = _units(level=AreaLevel.TOWNSHIP, kind=AreaKind.STREET)
E12 = Computation(
    code="E12",
    numerator=Measure(
        **_streets,
        when=lambda w: (
            unit_valid(w) & served(w, AreaLevel.TOWNSHIP, _kinds(K.COMPREHENSIVE_CENTRE))
        ),
        label=_("有综合性养老服务中心的街道"),
    ),
    denominator=Measure(**_streets, when=unit_valid, label=_("街道")),
    area_units=True,
    depends={Provider: ("area", "service_areas")},
)


# E14 护理型床位数占养老机构床位比例 -------------------------------------------------------------

_institution_beds = dict(
    model=CapacityRecord,
    area="provider__area",
    when=lambda w: capacity_in_force(w) & operating(w, "provider"),
    base=Q(provider__kind__in=ELDERLY_INSTITUTION_KINDS),
)

E14 = Computation(
    code="E14",
    numerator=Measure(**_institution_beds, total="beds_nursing", label=_("护理型床位")),
    denominator=Measure(**_institution_beds, total="beds_total", label=_("养老机构床位")),
    gap=capacity_share_gap(
        ELDERLY_INSTITUTION_KINDS,
        "beds_nursing",
        "beds_total",
        _("护理型床位占比低于目标的养老机构"),
    ),
    depends={Provider: ("area",)},
)


# E15 县（市、区）护理院建成率 -----------------------------------------------------------------

_counties = _units(level=AreaLevel.COUNTY)
E15 = Computation(
    code="E15",
    numerator=Measure(
        **_counties,
        when=lambda w: unit_valid(w) & served(w, AreaLevel.COUNTY, _kinds(K.NURSING_HOME)),
        label=_("有护理院的县（市、区）"),
    ),
    denominator=Measure(**_counties, when=unit_valid, label=_("县（市、区）")),
    area_units=True,
    depends={Provider: ("area", "service_areas")},
)


# E16 等级养老机构占比 ----------------------------------------------------------------------------


def _graded(w: Window) -> Q:
    valid = Grade.objects.filter(provider=OuterRef("pk")).filter(
        in_force(w, "valid_from", "valid_to")
    )
    return operating(w) & Q(Exists(valid))


E16 = Computation(
    code="E16",
    numerator=Measure(**_institutions(), when=_graded, label=_("持有效等级的养老机构")),
    denominator=Measure(**_institutions(), when=_operating, label=_("养老机构")),
    depends={Grade: ("provider__area",)},
)


# E17 新建或改建认知症照护床位 -------------------------------------------------------------------

# Per institution: dementia-care beds in force on the snapshot day beyond those in force the day
# before cumulative counting starts (never negative). Rows are the capacity records in force.
_BEFORE = day_before(CUMULATIVE_START)
_dementia_before = Subquery(
    CapacityRecord.objects.filter(provider=OuterRef("provider"))
    .filter(capacity_on(_BEFORE))
    .values("beds_dementia")[:1]
)
DEMENTIA_ADDED = Greatest(
    F("beds_dementia") - Coalesce(_dementia_before, Value(0)),
    Value(0),
    output_field=IntegerField(),
)
E17 = Computation(
    code="E17",
    numerator=Measure(
        **_institution_beds, total=DEMENTIA_ADDED, label=_("2021年以来新增认知症照护床位")
    ),
    depends={Provider: ("area",)},
)


# E18 农村特困人员供养服务机构护理型床位占比 -----------------------------------------------------

_rural_beds = {**_institution_beds, "base": Q(provider__kind=K.RURAL_HOME)}
E18 = Computation(
    code="E18",
    numerator=Measure(**_rural_beds, total="beds_nursing", label=_("农村敬老院护理型床位")),
    denominator=Measure(**_rural_beds, total="beds_total", label=_("农村敬老院床位")),
    gap=capacity_share_gap(
        (K.RURAL_HOME,), "beds_nursing", "beds_total", _("护理型床位占比低于目标的农村敬老院")
    ),
    depends={Provider: ("area",)},
)


# E19 标准化农村区域性养老服务中心建成数 ---------------------------------------------------------

_rural_centres = Q(kind=K.RURAL_REGIONAL_CENTRE)
E19 = Computation(
    code="E19",
    numerator=Measure(
        model=Provider,
        area="area",
        base=_rural_centres,
        when=lambda w: operating(w) & Q(designated(DesignationKind.STANDARD_RURAL_CENTRE, w)),
        label=_("达到省标准的农村区域性养老服务中心"),
    ),
    gap=_without(
        DesignationKind.STANDARD_RURAL_CENTRE,
        _rural_centres,
        _("尚未达到省标准的农村区域性养老服务中心"),
    ),
    depends={Designation: ("provider__area",)},
)


# E20 具备失能（失智）特困人员集中供养服务功能的机构建成数 ---------------------------------------

E20 = Computation(
    code="E20",
    numerator=Measure(
        **_institutions(houses_disabled_extreme_poor=True),
        when=_operating,
        label=_("具备失能（失智）特困人员集中供养功能的养老机构"),
    ),
)


# E21 养老服务人员培训人次数 ----------------------------------------------------------------------

E21 = Computation(
    code="E21",
    numerator=Measure(
        model=Training,
        area="staff__provider__area",
        base=Q(staff__provider__domain=ELDERLY),
        when=lambda w: between(w, "attended_on"),
        label=_("养老服务人员培训人次"),
    ),
    depends={Staff: ("provider__area",), Provider: ("area",)},
)


# E22 新增通过职业技能等级认定的养老护理员数 -----------------------------------------------------

_leveled = Q(staff__role=StaffRole.CAREGIVER) & ~Q(level="")
# Each caregiver counts once, on their first certificate with a skill level (by ID number across
# employers; a staff record without an ID number stands for itself).
_same_person = Q(staff=OuterRef("staff")) | (
    Q(staff__id_number_index=OuterRef("staff__id_number_index")) & ~Q(staff__id_number_index="")
)
_issued_before = Q(issued_on__lt=OuterRef("issued_on")) | Q(
    issued_on=OuterRef("issued_on"), pk__lt=OuterRef("pk")
)
_earlier = StaffCertificate.objects.filter(_leveled & _same_person & _issued_before)
E22 = Computation(
    code="E22",
    numerator=Measure(
        model=StaffCertificate,
        area="staff__provider__area",
        base=_leveled & ~Q(Exists(_earlier)),
        when=lambda w: between(w, "issued_on"),
        label=_("首次取得职业技能等级证书的养老护理员"),
    ),
    depends={Staff: ("provider__area",), Provider: ("area",)},
    # A certificate elsewhere can take the count from another area.
    local=False,
)


# E23 老年大学数量 -----------------------------------------------------------------------------

_towns_and_streets = (AreaKind.TOWN, AreaKind.STREET, AreaKind.TOWNSHIP, AreaKind.FUNCTIONAL_ZONE)
E23 = Computation(
    code="E23",
    numerator=Measure(
        model=Provider,
        area="area",
        base=Q(kind=K.ELDERLY_UNIVERSITY),
        when=_operating,
        label=_("老年大学（含分校）"),
    ),
    # The policy's three tiers: a branch for every town and street is what could be added.
    gap=GapRule(
        model=Area,
        area="pk",
        base=in_root() & Q(level=AreaLevel.TOWNSHIP, kind__in=_towns_and_streets),
        when=lambda w, _target: (
            unit_valid(w) & ~served(w, AreaLevel.TOWNSHIP, _kinds(K.ELDERLY_UNIVERSITY))
        ),
        label=_("尚无老年大学（分校）的镇（街道、区）"),
        order_by=("code",),
    ),
)


# E24 每千名老人配套社会工作者人数 ----------------------------------------------------------------


def _elders_resident(w: Window) -> Q:
    """Residence records valid on the day of persons aged 60+ and present then."""
    return (
        in_force(w, "valid_from", "valid_to")
        & Q(person__birth_date__lte=years_before(w.on, ELDER_AGE))
        & (Q(person__death_date__isnull=True) | Q(person__death_date__gt=w.on))
        & (Q(person__moved_out_on__isnull=True) | Q(person__moved_out_on__gt=w.on))
        & Q(person__merged_into__isnull=True)
    )


E24 = Computation(
    code="E24",
    numerator=Measure(
        model=Staff,
        area="provider__area",
        base=Q(role=StaffRole.SOCIAL_WORKER, provider__domain=ELDERLY),
        when=lambda w: employed(w) & operating(w, "provider"),
        label=_("养老服务机构在岗社会工作者"),
    ),
    denominator=Measure(
        model=Residence, area="area", when=_elders_resident, label=_("60周岁及以上老年人")
    ),
    # Where a social worker could be placed: facilities without one on duty.
    gap=GapRule(
        model=Provider,
        area="area",
        base=Q(kind__in=(*ELDERLY_INSTITUTION_KINDS, K.COMPREHENSIVE_CENTRE)),
        when=lambda w, _target: (
            operating(w)
            & ~Q(
                Exists(
                    Staff.objects.filter(
                        provider=OuterRef("pk"), role=StaffRole.SOCIAL_WORKER
                    ).filter(employed(w))
                )
            )
        ),
        label=_("没有在岗社会工作者的养老机构和综合性养老服务中心"),
        order_by=BY_NAME,
    ),
    depends={Provider: ("area",), Person: ("area",)},
)


# E25 养老服务领域吸纳新增就业人数 ----------------------------------------------------------------

E25 = Computation(
    code="E25",
    numerator=Measure(
        model=Staff,
        area="provider__area",
        base=Q(provider__domain=ELDERLY),
        when=lambda w: between(w, "hired_on"),
        label=_("养老服务机构新入职人员"),
    ),
    depends={Provider: ("area",)},
)


# E26 江苏省养老服务高质量发展示范企业 -----------------------------------------------------------

_provincial = {"issuing_level": IssuingLevel.PROVINCIAL}
E26 = Computation(
    code="E26",
    numerator=Measure(
        model=Provider,
        area="area",
        base=Q(domain=ELDERLY),
        when=lambda w: (
            operating(w)
            & Q(designated(DesignationKind.ELDERLY_MODEL_INSTITUTION, w, **_provincial))
        ),
        label=_("省级养老服务高质量发展示范企业"),
    ),
    gap=_without(
        DesignationKind.ELDERLY_MODEL_INSTITUTION,
        Q(kind__in=ELDERLY_INSTITUTION_KINDS),
        _("尚未获评省级示范的养老机构"),
        **_provincial,
    ),
    depends={Designation: ("provider__area",)},
)

# X05 养老机构安全生产管理系统覆盖率 -------------------------------------------------------------

X05 = Computation(
    code="X05",
    numerator=Measure(
        **_institutions(has_safety_system=True),
        when=_operating,
        label=_("已接入安全生产管理系统的养老机构"),
    ),
    denominator=Measure(**_institutions(), when=_operating, label=_("养老机构")),
)

register(E08, E09, E10, E12, E14, E15, E16, E17, E18, E19, E20, E21, E22, E23, E24, E25, E26, X05)
