from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCategory(models.TextChoices):
    MEAL = "meal", _("助餐")
    CLEANING = "cleaning", _("助洁")
    BATHING = "bathing", _("助浴")
    MEDICAL = "medical", _("助医")
    MOBILITY = "mobility", _("助行")
    ERRANDS = "errands", _("代办")
    VISITING = "visiting", _("探视")
    COMPANIONSHIP = "companionship", _("精神慰藉")
    REHABILITATION = "rehabilitation", _("康复护理")
    DAILY_CARE = "daily_care", _("生活照料")


class ServiceUnit(models.TextChoices):
    HOUR = "hour", _("小时")
    TIME = "time", _("次")
    MEAL = "meal", _("餐")


class OrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已派单")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    MISSED = "missed", _("未上门")


class Funding(models.TextChoices):
    GOVERNMENT = "government", _("政府购买")
    SELF_PAID = "self_paid", _("自费")


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审核")


class ExceptionKind(models.TextChoices):
    """Why (part of) a government-funded order is not paid in a settlement."""

    NO_ENTITLEMENT = "no_entitlement", _("当月无该类别服务待遇")
    UNIT_MISMATCH = "unit_mismatch", _("待遇按小时计，该服务项目不按小时计价")
    OVER_ENTITLEMENT = "over_entitlement", _("超出待遇，超出部分不予结算")
    MISSING_CHECK = "missing_check", _("缺少签到或签退记录")
    CHECKOUT_BEFORE_CHECKIN = "checkout_before_checkin", _("签退时间早于签到时间")
    SHORT_DURATION = "short_duration", _("服务时长明显短于预约时长")
    NOT_IN_CONTRACT = "not_in_contract", _("服务项目不在机构服务合同内")
    AREA_NOT_COVERED = "area_not_covered", _("服务对象不在合同服务区域内")
    NO_CONTRACT = "no_contract", _("服务日期无有效服务合同")
    PERSON_ABSENT = "person_absent", _("服务日期服务对象已死亡或迁出")
    DUPLICATE = "duplicate", _("重复工单（同一对象、项目、开始时间）")
