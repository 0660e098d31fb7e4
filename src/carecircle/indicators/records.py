"""How the records behind an indicator are listed: columns per model, detail links, scoping.

Drill-down pages, gap lists and their exports all read their columns here, so one model shows
the same way everywhere. People and staff show masked names only, never ID numbers (R24).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carecircle.core.idnumbers import mask_name
from carecircle.core.xlsx import Column


def area_label(area) -> str:
    """Village with its town (``城东镇 某村``); a town or the city alone."""
    if area is None:
        return ""
    parent = getattr(area, "parent", None)
    if parent is not None and area.level == "village":
        return f"{parent.name} {area.name}"
    return area.name


def _date(value) -> str:
    return value.isoformat() if value else ""


def _display(name: str) -> Callable:
    def read(obj):
        return getattr(obj, f"get_{name}_display")()

    return read


def _provider_url(provider) -> str | None:
    return reverse("institutions:provider-detail", args=[provider.uuid]) if provider else None


def _person_url(person) -> str | None:
    return reverse("persons:person-detail", args=[person.uuid]) if person else None


def _staff_url(staff) -> str | None:
    return reverse("institutions:staff-detail", args=[staff.uuid]) if staff else None


@dataclass(frozen=True)
class RecordSpec:
    """Columns (given the snapshot day), related rows to fetch, and the detail page of a row."""

    columns: Callable[[dt.date], Sequence[Column]]
    related: tuple[str, ...] = ()
    url: Callable[[models.Model], str | None] = field(default=lambda obj: None)
    prepare: Callable[[models.QuerySet, dt.date], models.QuerySet] | None = None


def _capacity(obj) -> str:
    if obj.domain == "childcare":
        places = getattr(obj, "cap_places_total", None)
        if places is None:
            return ""
        affordable = getattr(obj, "cap_places_affordable", None) or 0
        return _("托位 %(n)s（普惠 %(a)s）") % {"n": places, "a": affordable}
    beds = getattr(obj, "cap_beds_total", None)
    if beds is None:
        return ""
    nursing = getattr(obj, "cap_beds_nursing", None) or 0
    return _("床位 %(n)s（护理型 %(a)s）") % {"n": beds, "a": nursing}


def _provider_columns(on):
    return [
        Column(_("机构名称"), lambda o: o.name, 30),
        Column(_("机构类型"), _display("kind"), 20),
        Column(_("所在区划"), lambda o: area_label(o.area), 22),
        Column(_("现有床位/托位"), _capacity, 20),
        Column(_("统一社会信用代码"), lambda o: o.credit_code, 22),
        Column(_("开业日期"), lambda o: _date(o.opened_on), 12),
        Column(_("状态"), _display("status"), 10),
    ]


def _capacity_columns(on):
    return [
        Column(_("机构"), lambda o: o.provider.name, 30),
        Column(_("所在区划"), lambda o: area_label(o.provider.area), 22),
        Column(_("生效日期"), lambda o: _date(o.valid_from), 12),
        Column(_("床位总数"), lambda o: o.beds_total, 10),
        Column(_("护理型床位"), lambda o: o.beds_nursing, 10),
        Column(_("认知症照护床位"), lambda o: o.beds_dementia, 12),
        Column(_("托位总数"), lambda o: o.places_total, 10),
        Column(_("普惠托位"), lambda o: o.places_affordable, 10),
    ]


def _staff_columns(on):
    return [
        Column(_("姓名"), lambda o: mask_name(o.name), 10),
        Column(_("岗位"), _display("role"), 14),
        Column(_("技能等级"), lambda o: o.get_skill_level_display() if o.skill_level else "", 10),
        Column(_("所在机构"), lambda o: o.provider.name, 30),
        Column(_("所在区划"), lambda o: area_label(o.provider.area), 22),
        Column(_("入职日期"), lambda o: _date(o.hired_on), 12),
    ]


def _staff_child_columns(detail_header, detail, date_header, date_field):
    def build(on):
        return [
            Column(_("姓名"), lambda o: mask_name(o.staff.name), 10),
            Column(detail_header, detail, 30),
            Column(date_header, lambda o: _date(getattr(o, date_field)), 12),
            Column(_("所在机构"), lambda o: o.staff.provider.name, 30),
        ]

    return build


def _person_columns(on):
    return [
        Column(_("姓名"), lambda o: o.masked_name, 10),
        Column(_("性别"), _display("sex"), 6),
        Column(_("年龄"), lambda o: o.age_on(on), 6),
        Column(_("居住村（社区）"), lambda o: area_label(o.area), 24),
        Column(_("类别"), _display("domain"), 8),
    ]


def _person_child_columns(extra: Sequence[Column]):
    def build(on):
        return [
            Column(_("姓名"), lambda o: o.person.masked_name, 10),
            Column(_("年龄"), lambda o: o.person.age_on(on), 6),
            Column(
                _("村（社区）"),
                lambda o: area_label(o.area if hasattr(o, "area") else o.person.area),
                24,
            ),
            *extra,
        ]

    return build


def _area_columns(on):
    return [
        Column(_("区划代码"), lambda o: o.code, 14),
        Column(_("名称"), lambda o: o.name, 20),
        Column(_("上级区划"), lambda o: o.parent.name if o.parent_id else "", 16),
        Column(_("类型"), _display("kind"), 12),
    ]


def _provider_child_columns(extra: Sequence[Column]):
    def build(on):
        return [
            Column(_("机构"), lambda o: o.provider.name, 30),
            Column(_("所在区划"), lambda o: area_label(o.provider.area), 22),
            *extra,
        ]

    return build


def _with_capacity(qs, on):
    """The capacity in force on ``on`` (as ``ProviderQuerySet.with_capacity``; the drill-down's
    rows come from the base manager, which lacks it)."""
    from carecircle.institutions.models import CapacityRecord

    latest = CapacityRecord.objects.filter(provider=OuterRef("pk"), valid_from__lte=on).order_by(
        "-valid_from", "-pk"
    )
    names = ("beds_total", "beds_nursing", "places_total", "places_affordable")
    return qs.annotate(**{f"cap_{n}": Subquery(latest.values(n)[:1]) for n in names})


SPECS: dict[str, RecordSpec] = {
    "institutions.Provider": RecordSpec(
        _provider_columns, ("area__parent",), _provider_url, _with_capacity
    ),
    "institutions.CapacityRecord": RecordSpec(
        _capacity_columns, ("provider__area__parent",), lambda o: _provider_url(o.provider)
    ),
    "institutions.Designation": RecordSpec(
        _provider_child_columns(
            [
                Column(_("称号"), _display("kind"), 24),
                Column(_("授予层级"), _display("issuing_level"), 10),
                Column(_("授予日期"), lambda o: _date(o.granted_on), 12),
                Column(_("撤销日期"), lambda o: _date(o.revoked_on), 12),
            ]
        ),
        ("provider__area__parent",),
        lambda o: _provider_url(o.provider),
    ),
    "institutions.Grade": RecordSpec(
        _provider_child_columns(
            [
                Column(_("等级"), lambda o: o.grade, 6),
                Column(_("有效期起"), lambda o: _date(o.valid_from), 12),
                Column(_("有效期止"), lambda o: _date(o.valid_to), 12),
            ]
        ),
        ("provider__area__parent",),
        lambda o: _provider_url(o.provider),
    ),
    "institutions.Residency": RecordSpec(
        _provider_child_columns(
            [
                Column(_("入住人员"), lambda o: o.person.masked_name, 10),
                Column(_("床位类型"), _display("bed_kind"), 12),
                Column(_("入住日期"), lambda o: _date(o.admitted_on), 12),
                Column(_("离院日期"), lambda o: _date(o.discharged_on), 12),
            ]
        ),
        ("provider__area__parent", "person"),
        lambda o: _provider_url(o.provider),
    ),
    "institutions.InstitutionPair": RecordSpec(
        lambda on: [
            Column(_("养老机构"), lambda o: o.elderly_provider.name, 30),
            Column(_("托育机构"), lambda o: o.childcare_provider.name, 30),
            Column(_("所在区划"), lambda o: area_label(o.elderly_provider.area), 22),
            Column(_("结对日期"), lambda o: _date(o.started_on), 12),
            Column(_("结束日期"), lambda o: _date(o.ended_on), 12),
        ],
        ("elderly_provider__area__parent", "childcare_provider"),
        lambda o: _provider_url(o.elderly_provider),
    ),
    "institutions.Staff": RecordSpec(_staff_columns, ("provider__area__parent",), _staff_url),
    "institutions.StaffCertificate": RecordSpec(
        _staff_child_columns(_("证书名称"), lambda o: o.kind, _("发证日期"), "issued_on"),
        ("staff__provider",),
        lambda o: _staff_url(o.staff),
    ),
    "institutions.Training": RecordSpec(
        _staff_child_columns(_("培训名称"), lambda o: o.course, _("培训日期"), "attended_on"),
        ("staff__provider",),
        lambda o: _staff_url(o.staff),
    ),
    "persons.Person": RecordSpec(_person_columns, ("area__parent",), _person_url),
    "persons.Residence": RecordSpec(
        _person_child_columns(
            [
                Column(_("起始日期"), lambda o: _date(o.valid_from), 12),
                Column(_("截止日期"), lambda o: _date(o.valid_to), 12),
            ]
        ),
        ("person", "area__parent"),
        lambda o: _person_url(o.person),
    ),
    "persons.HardshipFlag": RecordSpec(
        _person_child_columns(
            [
                Column(_("困难类型"), _display("kind"), 16),
                Column(_("认定日期"), lambda o: _date(o.valid_from), 12),
            ]
        ),
        ("person__area__parent",),
        lambda o: _person_url(o.person),
    ),
    "adaptations.AdaptationProject": RecordSpec(
        _person_child_columns(
            [
                Column(_("状态"), _display("status"), 10),
                Column(_("申请日期"), lambda o: _date(o.applied_on), 12),
                Column(_("完工日期"), lambda o: _date(o.completed_on), 12),
                Column(_("总费用（元）"), lambda o: o.total_cost, 12),
                Column(_("补贴（元）"), lambda o: o.subsidy, 12),
            ]
        ),
        ("person__area__parent",),
        lambda o: reverse("adaptations:project-detail", args=[o.uuid]),
    ),
    "funds.LotteryAllocation": RecordSpec(
        lambda on: [
            Column(_("资金年度"), lambda o: o.year, 8),
            Column(_("下达日期"), lambda o: _date(o.allocated_on), 12),
            Column(_("区划"), lambda o: area_label(o.area), 24),
            Column(_("项目名称"), lambda o: o.project, 30),
            Column(_("用途"), _display("purpose"), 12),
            Column(_("金额（元）"), lambda o: o.amount, 14),
            Column(_("文号"), lambda o: o.doc_no, 20),
        ],
        ("area__parent",),
        lambda o: reverse("funds:allocation-detail", args=[o.uuid]),
    ),
    "areas.Area": RecordSpec(
        _area_columns, ("parent",), lambda o: reverse("areas:area-detail", args=[o.code])
    ),
    "areas.ResidentialArea": RecordSpec(
        lambda on: [
            Column(_("小区名称"), lambda o: o.name, 24),
            Column(_("所在村（社区）"), lambda o: area_label(o.area), 24),
            Column(_("类型"), _display("kind"), 10),
            Column(_("户数"), lambda o: o.households, 8),
            Column(_("养老服务用房（㎡）"), lambda o: o.elderly_room_m2, 14),
            Column(_("托育服务用房（㎡）"), lambda o: o.childcare_room_m2, 14),
            Column(_("交付日期"), lambda o: _date(o.delivered_on), 12),
        ],
        ("area__parent",),
        lambda o: reverse("areas:estate-detail", args=[o.uuid]),
    ),
    "areas.PopulationFact": RecordSpec(
        lambda on: [
            Column(_("区划"), lambda o: area_label(o.area), 24),
            Column(_("年份"), lambda o: o.year, 8),
            Column(_("常住人口"), lambda o: o.total, 10),
            Column(_("60岁及以上"), lambda o: o.aged_60_plus, 10),
            Column(_("80岁及以上"), lambda o: o.aged_80_plus, 10),
            Column(_("3岁以下"), lambda o: o.under_3, 10),
        ],
        ("area__parent",),
        lambda o: reverse("areas:area-detail", args=[o.area.code]),
    ),
}


def _generic(model) -> RecordSpec:
    """A model without its own rules: its label, and its area when it has one."""

    def columns(on):
        out = [Column(model._meta.verbose_name, str, 30)]
        if any(f.name == "area" for f in model._meta.get_fields()):
            out.append(Column(_("区划"), lambda o: area_label(o.area), 24))
        return out

    return RecordSpec(columns)


def spec_for(model) -> RecordSpec:
    return SPECS.get(model._meta.label) or _generic(model)


def view_permission(model) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def for_user(qs: models.QuerySet, user) -> models.QuerySet:
    """Only the rows the user may see: the model's scoped manager when it has one."""
    manager_qs = qs.model._default_manager.all()
    if hasattr(manager_qs, "for_user"):
        return qs.filter(pk__in=manager_qs.for_user(user).values("pk"))
    return qs


def prepared(qs: models.QuerySet, on: dt.date) -> tuple[models.QuerySet, RecordSpec]:
    spec = spec_for(qs.model)
    if spec.related:
        qs = qs.select_related(*spec.related)
    if spec.prepare:
        qs = spec.prepare(qs, on)
    if not qs.ordered:
        qs = qs.order_by("pk")
    return qs, spec


def table(objects, spec: RecordSpec, on: dt.date) -> tuple[list[str], list[tuple]]:
    """Headers and (cells, url) rows of a page of records."""
    columns = spec.columns(on)
    rows = [([column.value(obj) for column in columns], spec.url(obj)) for obj in objects]
    return [str(c.header) for c in columns], rows
