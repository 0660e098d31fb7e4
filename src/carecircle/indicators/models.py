"""Indicator definitions, targets, values (computed and reported), notes, deadlines and periods."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.models import ScopedQuerySet
from carecircle.indicators.choices import (
    UNIT_FACTORS,
    UNIT_LABELS,
    Attribute,
    IndicatorDomain,
    PeriodScope,
    ReportState,
    Source,
    Status,
    TargetOp,
    UnitKind,
)

FIRST_YEAR = 2021
TARGET_YEAR = 2025
VALUE_DIGITS = {"max_digits": 18, "decimal_places": 4}


def _area_subtree_q(user, lookup: str = "area") -> Q | None:
    """Values of the user's area subtree; an institution's staff see nothing (indicators are about
    areas, not institutions)."""
    area = user.scope_area
    if area is None:
        return None
    return Q(**{f"{lookup}__path__startswith": area.path})


class Indicator(models.Model):
    """One of the policy's indicators, loaded from ``indicators.csv`` and editable with history."""

    code = models.CharField(_("指标代码"), max_length=10, unique=True)
    domain = models.CharField(_("领域"), max_length=10, choices=IndicatorDomain.choices)
    category = models.CharField(_("类别"), max_length=50, blank=True)
    name_zh = models.CharField(_("中文名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200)
    unit = models.CharField(_("单位类型"), max_length=10, choices=UnitKind.choices)
    unit_label = models.CharField(
        _("计量单位"), max_length=50, help_text=_("如 %、每千人口托位数、张、户")
    )
    target_op = models.CharField(_("目标方向"), max_length=2, choices=TargetOp.choices)
    target_value = models.DecimalField(_("2025年目标值"), **VALUE_DIGITS)
    attribute = models.CharField(_("属性"), max_length=10, choices=Attribute.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    period_scope = models.CharField(_("统计口径"), max_length=12, choices=PeriodScope.choices)
    owner_departments = models.JSONField(
        _("责任部门"), default=list, blank=True, help_text=_("部门类型代码列表")
    )
    owner_hint = models.CharField(_("责任部门（原文）"), max_length=100, blank=True)
    policy_clause = models.CharField(_("政策条款"), max_length=200, blank=True)
    formula_zh = models.TextField(_("计算方法"), blank=True)
    how_to_compute = models.TextField(_("计算方法（英文）"), blank=True)
    min_value = models.DecimalField(_("合理下限"), null=True, blank=True, **VALUE_DIGITS)
    max_value = models.DecimalField(_("合理上限"), null=True, blank=True, **VALUE_DIGITS)
    targets_inherit = models.BooleanField(
        _("下级沿用上级目标"),
        default=True,
        help_text=_("比率类指标下级区划无目标时沿用上级目标；总量类指标不沿用"),
    )
    version = models.PositiveIntegerField(_("定义版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        """The name in the language of the page."""
        return self.name_en if get_language().startswith("en") and self.name_en else self.name_zh

    @property
    def unit_text(self) -> str:
        """The unit as shown: the catalogue's English unit in English, its Chinese label else."""
        if get_language().startswith("en"):
            return self.unit_label
        return str(UNIT_LABELS.get(self.unit_label, self.unit_label))

    @property
    def factor(self) -> int | None:
        """Multiplier of numerator ÷ denominator; ``None`` for counts (value = numerator)."""
        return UNIT_FACTORS.get(self.unit)

    @property
    def is_ratio(self) -> bool:
        return self.unit in UNIT_FACTORS

    @property
    def is_binding(self) -> bool:
        return self.attribute == Attribute.BINDING

    def meets(self, value: Decimal, target: Decimal) -> bool:
        return {
            TargetOp.GTE: value >= target,
            TargetOp.GT: value > target,
            TargetOp.LTE: value <= target,
            TargetOp.LT: value < target,
        }[self.target_op]


class Target(models.Model):
    """The value an area should reach by the end of a year (2025 target and yearly milestones)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="targets"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("年份"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(TARGET_YEAR)],
    )
    value = models.DecimalField(_("目标值"), **VALUE_DIGITS)
    is_default = models.BooleanField(
        _("默认里程碑"),
        default=False,
        help_text=_("由基期值到2025年目标线性插值生成；编辑后不再自动更新"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator__code", "area__code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "year"],
                name="indicators_target_unique",
                violation_error_message=_("该指标该区划该年份已有目标"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area} {self.year}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        # Targets are published figures: any user with an area reads them all.
        return Q() if user.scope_area_id else None


class Baseline(models.Model):
    """A baseline (value at 2021-12-31) entered where the records cannot give it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="baselines"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("基期值"), **VALUE_DIGITS)
    note = models.CharField(_("来源说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("基期值")
        verbose_name_plural = _("基期值")
        ordering = ["indicator__code", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area"], name="indicators_baseline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return Q() if user.scope_area_id else None


class IndicatorValue(models.Model):
    """The value of an indicator for an area and a period: numerator, denominator and status.

    ``value`` is ``None`` exactly when it cannot be given; ``na_reason`` then says why (an empty
    denominator is never shown as 0 or 100).
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="values"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(
        _("期间"), max_length=7, help_text=_("DHIS2 写法：2025、2025Q1、202503")
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    numerator = models.DecimalField(_("分子"), null=True, blank=True, **VALUE_DIGITS)
    denominator = models.DecimalField(_("分母"), null=True, blank=True, **VALUE_DIGITS)
    value = models.DecimalField(_("值"), null=True, blank=True, **VALUE_DIGITS)
    na_reason = models.CharField(_("无法计算原因"), max_length=200, blank=True)
    target = models.DecimalField(_("2025年目标"), null=True, blank=True, **VALUE_DIGITS)
    baseline = models.DecimalField(_("基期值"), null=True, blank=True, **VALUE_DIGITS)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    growth_ratio = models.DecimalField(
        _("增长比"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    definition_version = models.PositiveIntegerField(_("定义版本"), default=1)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ["indicator__code", "area__code", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="indicators_value_unique"
            )
        ]
        indexes = [
            models.Index(fields=["period", "area"], name="indicators_value_period_area"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.period}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return _area_subtree_q(user)

    @property
    def reason(self) -> str:
        """Why there is no value, in the language of the page (the stored text is Chinese)."""
        if self.value is not None or self.source != Source.COMPUTED:
            return self.na_reason
        from carecircle.indicators.engine import computation, na_reason

        comp = computation(self.indicator.code)
        if comp is None or comp.denominator is None:
            return self.na_reason
        return na_reason(comp.denominator.label)


class ReportedValue(models.Model):
    """A value a department reports: draft → submitted → approved (locked) or rejected."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("期间"), max_length=7)
    value = models.DecimalField(_("数值"), **VALUE_DIGITS)
    numerator = models.DecimalField(_("分子"), null=True, blank=True, **VALUE_DIGITS)
    denominator = models.DecimalField(_("分母"), null=True, blank=True, **VALUE_DIGITS)
    state = models.CharField(
        _("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    comment = models.CharField(_("填报说明"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("填报值")
        verbose_name_plural = _("填报值")
        ordering = ["indicator__code", "area__code", "period"]
        permissions = [
            ("report_value", _("填报指标")),
            ("approve_value", _("审核指标填报")),
            ("unlock_value", _("解锁已审核的填报")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"],
                name="indicators_reportedvalue_unique",
                violation_error_message=_("该指标该区划该期间已有填报"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.period}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return _area_subtree_q(user)

    @property
    def is_locked(self) -> bool:
        return self.state == ReportState.APPROVED


class ValueNote(models.Model):
    """A note on any value, computed or reported (explanations for the leading group)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="notes"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("期间"), max_length=7)
    text = models.TextField(_("备注"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标备注")
        verbose_name_plural = _("指标备注")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["indicator", "area", "period"], name="indicators_note_value"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return _area_subtree_q(user)


class ReportingDeadline(models.Model):
    """When the values of a reported indicator for a period are due."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="deadlines"
    )
    period = models.CharField(_("期间"), max_length=7)
    due_on = models.DateField(_("截止日期"))
    remind_days = models.PositiveSmallIntegerField(
        _("提前提醒天数"), default=30, help_text=_("截止日期前多少天在首页提醒")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("填报截止日期")
        verbose_name_plural = _("填报截止日期")
        ordering = ["due_on", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="indicators_deadline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} {self.due_on}"


class PeriodState(models.Model):
    """A closed period: its values are published and frozen until republished (audited)."""

    period = models.CharField(_("期间"), max_length=7, unique=True)
    closed_at = models.DateTimeField(_("关账时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    republished_count = models.PositiveIntegerField(_("重新发布次数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("期间状态")
        verbose_name_plural = _("期间状态")
        ordering = ["-period"]
        permissions = [("close_period", _("关账与发布期间"))]

    def __str__(self) -> str:
        return self.period
