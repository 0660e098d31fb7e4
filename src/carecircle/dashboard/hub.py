"""The service hubs: one page per domain listing the service modules a user may open, each with
its worklist figure for the user's own scope (who is due, what is open).

A section is shown when the user holds its permission; a link when the user holds the link's.
Figures come from the apps' scoped querysets and services, never from cached numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class Figure:
    """A worklist count, shown to holders of ``permission`` (that of the page it links to)."""

    label: str
    count: Callable[[object, dt.date], int]
    url_name: str | None = None
    permission: str | None = None


@dataclass(frozen=True)
class Section:
    """Shown to a user holding any of ``permissions``."""

    title: str
    permissions: tuple[str, ...]
    description: str
    links: tuple[Link, ...]
    figures: tuple[Figure, ...] = field(default_factory=tuple)


def _count(path: str) -> Callable[[object, dt.date], int]:
    """A figure computed by ``module:function(user, today)`` (imported when the hub is shown)."""
    module_name, function_name = path.split(":")

    def count(user, today: dt.date) -> int:
        from importlib import import_module

        return getattr(import_module(module_name), function_name)(user, today)

    return count


ELDERLY = (
    Section(
        _("老年人能力评估"),
        ("assessments.view_assessment",),
        _("按GB/T 42195-2022评估，结果有效期内享受相应服务"),
        (
            Link(_("待评估清单"), "assessments:due-list"),
            Link(_("评估记录"), "assessments:assessment-list"),
            Link(_("新增评估"), "assessments:assessment-create", "assessments.add_assessment"),
        ),
        (
            Figure(
                _("待评估（80岁以上无有效评估或即将到期）"),
                _count("carecircle.dashboard.figures:assessments_due"),
                "assessments:due-list",
            ),
        ),
    ),
    Section(
        _("居家上门服务（政府购买）"),
        ("homecare.view_serviceorder",),
        _("服务项目、服务协议、月度服务额度、工单与月末结算"),
        (
            Link(_("服务工单"), "homecare:order-list"),
            Link(_("月度结算"), "homecare:settlement-list", "homecare.view_settlement"),
            Link(_("服务额度"), "homecare:entitlement-list", "homecare.view_entitlement"),
            Link(_("服务协议"), "homecare:contract-list", "homecare.view_providercontract"),
            Link(_("服务项目"), "homecare:item-list", "homecare.view_serviceitem"),
            Link(_("额度规则"), "homecare:rule-list", "homecare.view_entitlementrule"),
        ),
        (
            Figure(
                _("本月待完成工单"),
                _count("carecircle.dashboard.figures:orders_open"),
                "homecare:order-list",
            ),
        ),
    ),
    Section(
        _("特殊困难老年人探访"),
        ("visits.view_visit",),
        _("每月至少探访一次，发现问题及时跟进"),
        (
            Link(_("本月待探访"), "visits:due"),
            Link(_("探访记录"), "visits:visit-list"),
            Link(_("待跟进事项"), "visits:follow-up-list"),
        ),
        (
            Figure(
                _("本月尚未探访"), _count("carecircle.dashboard.figures:visits_due"), "visits:due"
            ),
        ),
    ),
    Section(
        _("一助一结对帮扶"),
        ("visits.view_pairing",),
        _("农村特殊困难老年人与邻里、志愿者结对"),
        (
            Link(_("未结对老人"), "visits:unpaired"),
            Link(_("结对记录"), "visits:pairing-list"),
            Link(_("帮扶人"), "visits:helper-list", "visits.view_helper"),
        ),
    ),
    Section(
        _("集中供养意愿"),
        ("visits.view_carewish",),
        _("有集中供养意愿的特困老年人及其安置情况"),
        (Link(_("意愿登记"), "visits:wish-list"),),
    ),
    Section(
        _("居家适老化改造与家庭照护床位"),
        ("adaptations.view_adaptationproject", "adaptations.view_familycarebed"),
        _("改造项目的评估、施工、验收与补贴；家庭照护床位及服务机构"),
        (
            Link(_("改造项目"), "adaptations:project-list", "adaptations.view_adaptationproject"),
            Link(_("家庭照护床位"), "adaptations:bed-list", "adaptations.view_familycarebed"),
        ),
    ),
    Section(
        _("紧急呼叫与应急服务"),
        ("emergency.view_callevent",),
        _("呼叫设备与热线登记、呼叫处置与响应时间"),
        (
            Link(_("待处置呼叫"), "emergency:queue"),
            Link(_("呼叫记录"), "emergency:call-list"),
            Link(_("响应统计"), "emergency:stats"),
            Link(_("设备与热线"), "emergency:device-list", "emergency.view_calldevice"),
        ),
        (
            Figure(
                _("待处置呼叫"),
                _count("carecircle.dashboard.figures:calls_open"),
                "emergency:queue",
            ),
        ),
    ),
    Section(
        _("双向转诊"),
        ("referrals.view_referral",),
        _("养老机构与医院之间的上转、下转（HL7 FHIR R4交换）"),
        (
            Link(_("转诊记录"), "referrals:referral-list"),
            Link(_("FHIR导入导出"), "referrals:fhir", "referrals.exchange_referral"),
            Link(_("医院"), "referrals:hospital-list", "referrals.view_hospital"),
        ),
    ),
    Section(
        _("老年人健康管理"),
        ("health.view_elderhealthcheck",),
        _("65岁及以上常住老年人年度健康体检与指导"),
        (Link(_("健康管理记录"), "health:check-list"),),
    ),
    Section(
        _("福彩公益金"),
        ("funds.view_lotteryallocation",),
        _("福利彩票公益金分配与用于养老服务的占比"),
        (Link(_("分配记录"), "funds:allocation-list"),),
    ),
)


CHILDCARE = (
    Section(
        _("托育机构备案"),
        ("childcare.view_filing",),
        _("托育机构和家庭托育点的备案申请、材料、审核（5个工作日）与公示"),
        (
            Link(_("备案审核"), "childcare:filing-queue", "childcare.review_filing"),
            Link(_("备案申请"), "childcare:filing-list"),
            Link(_("新建备案"), "childcare:filing-create", "childcare.add_filing"),
            Link(_("已备案机构公示"), "childcare:public-filed"),
        ),
        (
            Figure(
                _("待审核备案"),
                _count("carecircle.dashboard.figures:filings_pending"),
                "childcare:filing-queue",
                "childcare.review_filing",
            ),
        ),
    ),
    Section(
        _("班级与入托"),
        ("enrolment.view_childcareclass", "enrolment.view_application"),
        _("按月龄分班、师生比与班额核验、入托申请与候补、录取通知、入托与退托"),
        (
            Link(_("班级"), "enrolment:class-list", "enrolment.view_childcareclass"),
            Link(_("入托申请与候补"), "enrolment:application-list", "enrolment.view_application"),
            Link(_("录取通知"), "enrolment:offer-list", "enrolment.view_offer"),
            Link(_("在托婴幼儿"), "enrolment:enrolment-list", "enrolment.view_enrolment"),
            Link(_("即将满3周岁"), "enrolment:age-out-list", "enrolment.view_enrolment"),
            Link(_("班级规则"), "enrolment:rule-list", "enrolment.view_classrule"),
        ),
        (
            Figure(
                _("待处理入托申请"),
                _count("carecircle.dashboard.figures:applications_open"),
                "enrolment:application-list",
                "enrolment.view_application",
            ),
        ),
    ),
    Section(
        _("托育服务网络"),
        ("childcare.view_carenetwork", "childcare.view_brandchain"),
        _("“1+N”托育服务网络、品牌连锁与用人单位办托"),
        (
            Link(_("1+N服务网络"), "childcare:network-list", "childcare.view_carenetwork"),
            Link(_("品牌连锁"), "childcare:chain-list", "childcare.view_brandchain"),
            Link(_("用人单位办托"), "childcare:employer-run-list", "institutions.view_provider"),
        ),
    ),
    Section(
        _("婴幼儿健康服务"),
        ("childhealth.view_vaccination",),
        _("新生儿访视、新生儿筛查、预防接种、定期健康检查与早期发展指导；逾期未做的按村列出"),
        (
            Link(_("逾期工作清单"), "childhealth:overdue"),
            Link(_("预防接种"), "childhealth:vaccination-list"),
            Link(_("儿童健康检查"), "childhealth:check-list"),
            Link(_("新生儿访视"), "childhealth:visit-list"),
            Link(_("新生儿疾病筛查"), "childhealth:screening-list"),
            Link(_("早期发展指导"), "childhealth:guidance-list"),
            Link(_("免疫程序"), "childhealth:schedule"),
        ),
        (
            Figure(
                _("服务逾期的3岁以下儿童"),
                _count("carecircle.childhealth.services:overdue_count"),
                "childhealth:overdue",
            ),
        ),
    ),
    Section(
        _("托育供需"),
        ("childcare.view_supply_demand",),
        _("各镇村3岁以下婴幼儿、托位、空位、申请与候补时长；无普惠机构的街道和镇"),
        (Link(_("供需分析"), "childcare:supply"),),
    ),
    Section(
        _("家长服务门户"),
        ("enrolment.view_application",),
        _("公众可查询托位和养老服务、在线申请托位并凭编号查询进度（无需登录）"),
        (Link(_("打开门户"), "portal:search"),),
    ),
)


HUBS = {"elderly": ELDERLY, "childcare": CHILDCARE}


def open_hubs(user) -> set[str]:
    """The domains whose hub the user may open: a domain the user works in (their scope's or
    their institution's) with a section whose permission they hold."""
    from carecircle.core.models import user_domains

    return {
        domain
        for domain in user_domains(user)
        if any(user.has_perm(name) for section in HUBS[domain] for name in section.permissions)
    }


def visible_sections(user, sections, today: dt.date) -> list[dict]:
    """The sections ``user`` may open, with links resolved and figures computed."""
    shown = []
    for section in sections:
        if not any(user.has_perm(name) for name in section.permissions):
            continue
        links = []
        for link in section.links:
            if link.permission and not user.has_perm(link.permission):
                continue
            links.append({"label": link.label, "url": reverse(link.url_name)})
        figures = [
            {
                "label": figure.label,
                "value": figure.count(user, today),
                "url": reverse(figure.url_name) if figure.url_name else None,
            }
            for figure in section.figures
            if not figure.permission or user.has_perm(figure.permission)
        ]
        shown.append(
            {
                "title": section.title,
                "description": section.description,
                "links": links,
                "figures": figures,
            }
        )
    return shown
