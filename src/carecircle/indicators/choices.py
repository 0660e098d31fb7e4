from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


class IndicatorDomain(models.TextChoices):
    ELDERLY = "elderly", _("养老")
    CHILDCARE = "childcare", _("托育")
    BOTH = "both", _("一老一小")


class UnitKind(models.TextChoices):
    """How a value is scaled from numerator and denominator."""

    PERCENT = "percent", _("百分比")
    PER_1000 = "per_1000", _("每千人")
    COUNT = "count", _("数量")
    MEASURE = "measure", _("数值")  # reported quantities such as life expectancy in years


UNIT_FACTORS = {UnitKind.PERCENT: 100, UnitKind.PER_1000: 1000}


class TargetOp(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"


class Attribute(models.TextChoices):
    BINDING = "binding", _("约束性")
    EXPECTED = "expected", _("预期性")


class Source(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    REPORTED = "reported", _("部门填报")


class PeriodScope(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    ANNUAL = "annual", _("年度")
    SNAPSHOT = "snapshot", _("时点")
    CUMULATIVE = "cumulative", _("累计（2021—2025）")


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("已达标")
    ON_TRACK = "on_track", _("进度正常")
    NEEDS_ACCELERATION = "needs_acceleration", _("需加快")
    OFF_TRACK = "off_track", _("进度滞后")
    DETERIORATING = "deteriorating", _("逆向变化")
    BASELINE = "baseline", _("基期")
    NO_BASELINE = "no_baseline", _("无基期值")
    NO_TARGET = "no_target", _("无目标")
    NOT_AVAILABLE = "not_available", _("无法计算")


# Statuses that raise an alert for a binding indicator.
ALERT_STATUSES = (Status.NEEDS_ACCELERATION, Status.OFF_TRACK, Status.DETERIORATING)


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")


# The catalogue's units (English in indicators.csv) as shown in the Chinese UI.
UNIT_LABELS = {
    "%": "%",
    "years": gettext_lazy("岁"),
    "households": gettext_lazy("户"),
    "beds": gettext_lazy("张"),
    "centres": gettext_lazy("个"),
    "institutions": gettext_lazy("家"),
    "person-times": gettext_lazy("人次"),
    "persons": gettext_lazy("人"),
    "schools": gettext_lazy("所"),
    "per 1000 elders": gettext_lazy("人/千名老人"),
    "places per 1000 population": gettext_lazy("个/千人"),
    "enterprises": gettext_lazy("家"),
    "chains": gettext_lazy("家"),
    "sites": gettext_lazy("个"),
    "pairs": gettext_lazy("对"),
}
CATEGORY_LABELS = {"text": gettext_lazy("政策正文其他指标")}
