"""Month-end settlement of a provider: what the government pays, per elder and category, and
every order or amount it does not pay, with the reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.core.models import BaseModel, ScopedManager, area_scope_q
from carecircle.homecare.choices import ExceptionKind, ServiceCategory, SettlementStatus
from carecircle.homecare.models.scope import provider_scope_q

MONEY = {"max_digits": 14, "decimal_places": 2}


class Settlement(BaseModel):
    provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="homecare_settlements",
    )
    month = models.DateField(_("结算月份"), help_text=_("月份第一天"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=SettlementStatus.choices,
        default=SettlementStatus.DRAFT,
    )
    government_amount = models.DecimalField(_("政府结算金额（元）"), default=0, **MONEY)
    self_paid_amount = models.DecimalField(_("自费金额（元）"), default=0, **MONEY)
    delivered_amount = models.DecimalField(
        _("政府购买服务工单金额（元）"),
        default=0,
        help_text=_("当月已完成的政府购买工单按价计算的金额，含不予结算部分"),
        **MONEY,
    )
    withheld_amount = models.DecimalField(_("不予结算金额（元）"), default=0, **MONEY)
    orders_count = models.PositiveIntegerField(_("完成工单数"), default=0)
    exceptions_count = models.PositiveIntegerField(_("异常数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结算单")
        verbose_name_plural = _("结算单")
        ordering = ["-month", "provider"]
        permissions = [("settle_settlement", _("月度结算与审核"))]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month"],
                name="homecare_settlement_unique_month",
                violation_error_message=_("该机构该月已有结算单"),
            ),
            models.CheckConstraint(
                condition=Q(status=SettlementStatus.DRAFT)
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="homecare_settlement_approved",
                violation_error_message=_("已审核的结算单须有审核人和审核时间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.month:%Y-%m}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return provider_scope_q(user)

    @property
    def is_locked(self) -> bool:
        return self.status == SettlementStatus.APPROVED


class SettlementChild(models.Model):
    """Rows of one settlement. A provider sees all of its own; an area user those about the
    elders of their area (the totals on the settlement are aggregates)."""

    objects = ScopedManager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(settlement__provider_id=user.institution_id)
        return area_scope_q(user, "person__area", "person__domain")


class SettlementLine(SettlementChild):
    """Per elder and category: what was delivered, the entitlement, what is paid."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("结算单"), on_delete=models.CASCADE, related_name="lines"
    )
    person = models.ForeignKey(
        "persons.Person", verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("服务类别"), max_length=20, choices=ServiceCategory.choices)
    entitlement = models.ForeignKey(
        "homecare.Entitlement",
        verbose_name=_("服务待遇"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    orders_count = models.PositiveIntegerField(_("工单数"))
    quantity = models.DecimalField(_("服务数量"), max_digits=10, decimal_places=2)
    delivered_amount = models.DecimalField(_("服务金额（元）"), **MONEY)
    cap_hours = models.DecimalField(
        _("待遇时长（小时）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    cap_amount = models.DecimalField(_("待遇金额（元）"), null=True, blank=True, **MONEY)
    paid_hours = models.DecimalField(
        _("结算时长（小时）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    government_amount = models.DecimalField(_("政府结算金额（元）"), **MONEY)
    excess_amount = models.DecimalField(_("超出待遇金额（元）"), default=0, **MONEY)

    class Meta:
        verbose_name = _("结算明细")
        verbose_name_plural = _("结算明细")
        ordering = ["settlement", "person", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "person", "category"],
                name="homecare_settlementline_unique",
                violation_error_message=_("结算单中每位对象每个类别只有一行"),
            ),
            # The government never pays more than was delivered (the cap is checked by settle).
            models.CheckConstraint(
                condition=Q(government_amount__lte=models.F("delivered_amount")),
                name="homecare_settlementline_paid",
                violation_error_message=_("结算金额不能超过服务金额"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.settlement} {self.person_id} {self.category}"


class SettlementException(SettlementChild):
    """An order (or, for over-entitlement, an elder's month in a category) not (fully) paid."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("结算单"), on_delete=models.CASCADE, related_name="exceptions"
    )
    kind = models.CharField(_("异常类型"), max_length=30, choices=ExceptionKind.choices)
    order = models.ForeignKey(
        "homecare.ServiceOrder",
        verbose_name=_("工单"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    external_ref = models.CharField(_("工单号"), max_length=40, blank=True)
    person = models.ForeignKey(
        "persons.Person", verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("服务类别"), max_length=20, choices=ServiceCategory.choices)
    service_date = models.DateField(_("服务日期"), null=True, blank=True)
    amount = models.DecimalField(_("不予结算金额（元）"), **MONEY)
    detail = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("结算异常")
        verbose_name_plural = _("结算异常")
        ordering = ["settlement", "kind", "service_date", "pk"]

    def __str__(self) -> str:
        return f"{self.settlement} {self.get_kind_display()}"
