"""The service menu (items with their prices) and the providers' service contracts."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.choices import ScopeDomain
from carecircle.core.models import BaseModel, ScopedQuerySet, area_scope_q
from carecircle.homecare.choices import ServiceCategory, ServiceUnit
from carecircle.homecare.models.scope import reference_scope_q


class ServiceItem(BaseModel):
    """One item of the menu the government buys: what it is, its unit and its price."""

    code = models.CharField(
        _("项目编码"), max_length=20, unique=True, help_text=_("如 SC01，导入工单时按编码识别")
    )
    name = models.CharField(_("项目名称"), max_length=100)
    category = models.CharField(_("服务类别"), max_length=20, choices=ServiceCategory.choices)
    unit = models.CharField(_("计价单位"), max_length=10, choices=ServiceUnit.choices)
    price = models.DecimalField(
        _("单价（元）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("每个计价单位的政府购买价格"),
    )
    provider_kinds = models.JSONField(
        _("可承接的机构类型"),
        default=list,
        blank=True,
        help_text=_("可签约提供本项目的服务机构类型"),
    )
    min_duration_percent = models.PositiveSmallIntegerField(
        _("最短服务时长（%）"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("实际服务时长低于预约时长的此比例时，结算列为异常"),
    )
    description = models.CharField(_("服务内容"), max_length=300, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="homecare_serviceitem_price",
                violation_error_message=_("单价不能为负数"),
            ),
            models.CheckConstraint(
                condition=Q(min_duration_percent__lte=100),
                name="homecare_serviceitem_min_duration",
                violation_error_message=_("最短服务时长比例须在0至100之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return reference_scope_q(user)


class ContractQuerySet(ScopedQuerySet):
    def in_force_on(self, on: dt.date) -> ContractQuerySet:
        return self.filter(in_force_q(on))


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """A dated row in force on ``on``: from ``valid_from`` up to and including ``valid_to``."""
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}valid_from__lte": on}) & (
        Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": on})
    )


class ProviderContract(BaseModel):
    """A provider's contract to deliver menu items in some villages (service coverage)."""

    provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="homecare_contracts",
    )
    number = models.CharField(_("合同编号"), max_length=60)
    signed_on = models.DateField(_("签订日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("合同最后一天（含）；空表示长期")
    )
    areas = models.ManyToManyField(
        "areas.Area",
        verbose_name=_("服务区域"),
        related_name="homecare_contracts",
        help_text=_("合同覆盖的村（社区）"),
    )
    items = models.ManyToManyField(
        ServiceItem, verbose_name=_("服务项目"), related_name="contracts"
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = ContractQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        ordering = ["provider", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "number"],
                name="homecare_providercontract_unique_number",
                violation_error_message=_("该机构已有此编号的合同"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="homecare_providercontract_dates",
                violation_error_message=_("有效期至不能早于有效期起"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.number}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        """Own contracts for a provider; for area users, contracts of providers located in
        their area or covering a village of it."""
        if user.institution_id:
            return Q(provider_id=user.institution_id)
        located = area_scope_q(user, "provider__area", "provider__domain")
        if located is None:
            return None
        covering = cls.areas.through.objects.filter(
            providercontract_id=OuterRef("pk"), area__path__startswith=user.scope_area.path
        )
        covered = Q(Exists(covering))
        if user.scope_domain != ScopeDomain.BOTH:
            covered &= Q(provider__domain=user.scope_domain)
        return located | covered

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)
