"""Entitlement rules (who qualifies for how much service, as dated data) and the entitlements
derived from them for each elder."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.models import BaseModel, ScopedQuerySet
from carecircle.homecare.choices import ServiceCategory
from carecircle.homecare.models.menu import in_force_q
from carecircle.homecare.models.scope import person_scope_q, reference_scope_q
from carecircle.persons.choices import HardshipKind

ANY_ECONOMIC_HARDSHIP = "any_economic"
# The flags that mean economic hardship (as opposed to health or family situation).
ECONOMIC_HARDSHIP_KINDS = (
    HardshipKind.EXTREME_POVERTY,
    HardshipKind.MINIMUM_LIVING,
    HardshipKind.NEAR_MINIMUM,
    HardshipKind.ECONOMIC_HARDSHIP,
)
RULE_HARDSHIP_CHOICES = [
    ("", _("不限")),
    (ANY_ECONOMIC_HARDSHIP, _("任一经济困难（特困、低保、低保边缘、经济困难）")),
    *HardshipKind.choices,
]


def one_measure_q() -> Q:
    """Exactly one of monthly hours and monthly amount."""
    return (Q(monthly_hours__isnull=False) & Q(monthly_amount__isnull=True)) | (
        Q(monthly_hours__isnull=True) & Q(monthly_amount__isnull=False)
    )


class EntitlementRuleQuerySet(ScopedQuerySet):
    def in_force_on(self, on) -> EntitlementRuleQuerySet:
        return self.filter(in_force_q(on))


class EntitlementRule(BaseModel):
    """Which elders qualify (all conditions together) for how much service of one category a
    month, from which date, under which document."""

    name = models.CharField(_("规则名称"), max_length=100)
    hardship_kind = models.CharField(
        _("困难类型"),
        max_length=30,
        choices=RULE_HARDSHIP_CHOICES,
        blank=True,
        default="",
        help_text=_("须持有的有效困难标识；不限则不作要求"),
    )
    min_age = models.PositiveSmallIntegerField(
        _("最低年龄（周岁）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(60), MaxValueValidator(120)],
    )
    min_ability_level = models.PositiveSmallIntegerField(
        _("最低能力等级"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
        help_text=_("GB/T 42195 有效评估的最终等级不低于此级（2=中度失能）"),
    )
    living_alone = models.BooleanField(_("须独居"), default=False)
    category = models.CharField(_("服务类别"), max_length=20, choices=ServiceCategory.choices)
    monthly_hours = models.DecimalField(
        _("每月服务时长（小时）"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    monthly_amount = models.DecimalField(
        _("每月服务金额（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    valid_from = models.DateField(_("执行日期"))
    valid_to = models.DateField(
        _("终止日期"), null=True, blank=True, help_text=_("执行的最后一天（含）；空表示现行")
    )
    doc_no = models.CharField(_("依据文号"), max_length=100, blank=True)
    is_demo_assumption = models.BooleanField(
        _("演示假设"), default=False, help_text=_("本地标准未知，演示数据假设的金额或时长")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = EntitlementRuleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("服务待遇规则")
        verbose_name_plural = _("服务待遇规则")
        ordering = ["category", "-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=one_measure_q(),
                name="homecare_entitlementrule_one_measure",
                violation_error_message=_("每月服务时长和每月服务金额须且只能填写一项"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="homecare_entitlementrule_dates",
                violation_error_message=_("终止日期不能早于执行日期"),
            ),
            models.CheckConstraint(
                condition=Q(min_ability_level__isnull=True) | Q(min_ability_level__lte=4),
                name="homecare_entitlementrule_level",
                violation_error_message=_("能力等级为0至4级"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return reference_scope_q(user)

    @property
    def measure_label(self) -> str:
        if self.monthly_hours is not None:
            return _("%(h)s小时/月") % {"h": self.monthly_hours}
        return _("%(a)s元/月") % {"a": self.monthly_amount}


class Entitlement(BaseModel):
    """What one elder may receive a month in one category, from which provider, when."""

    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("服务对象"),
        on_delete=models.PROTECT,
        related_name="homecare_entitlements",
        db_index=False,  # the (person, category) index leads with it
    )
    provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="homecare_entitlements",
        help_text=_("为其提供服务的签约机构"),
        db_index=False,  # the (provider, valid_from) index leads with it
    )
    category = models.CharField(_("服务类别"), max_length=20, choices=ServiceCategory.choices)
    monthly_hours = models.DecimalField(
        _("每月服务时长（小时）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    monthly_amount = models.DecimalField(
        _("每月服务金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(
        _("截止日期"), null=True, blank=True, help_text=_("最后一天（含）；空表示现行")
    )
    rule = models.ForeignKey(
        EntitlementRule,
        verbose_name=_("依据规则"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entitlements",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("服务待遇")
        verbose_name_plural = _("服务待遇")
        ordering = ["person", "category", "-valid_from"]
        indexes = [
            models.Index(fields=["person", "category"], name="homecare_entitlement_person"),
            models.Index(fields=["provider", "valid_from"], name="homecare_entitlement_provider"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_measure_q(),
                name="homecare_entitlement_one_measure",
                violation_error_message=_("每月服务时长和每月服务金额须且只能填写一项"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="homecare_entitlement_dates",
                violation_error_message=_("截止日期不能早于起始日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_category_display()}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return person_scope_q(user)

    @property
    def measure_label(self) -> str:
        if self.monthly_hours is not None:
            return _("%(h)s小时/月") % {"h": self.monthly_hours}
        return _("%(a)s元/月") % {"a": self.monthly_amount}
