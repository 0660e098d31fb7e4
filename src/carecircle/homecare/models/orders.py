"""Service orders: one visit (or meal) of a provider to an elder, from dispatch to rating.

Orders are many (millions of rows a year), so they keep no change history; what was paid for
them is recorded by the month-end settlement.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.core.idnumbers import mask_name
from carecircle.core.models import BaseModel
from carecircle.homecare.choices import Funding, OrderStatus
from carecircle.homecare.models.menu import ServiceItem
from carecircle.homecare.models.scope import person_scope_q


class ServiceOrder(BaseModel):
    provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="service_orders",
        db_index=False,  # the (provider, scheduled_start) index leads with it
    )
    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("服务对象"),
        on_delete=models.PROTECT,
        related_name="service_orders",
        db_index=False,  # the (person, scheduled_start) index leads with it
    )
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务项目"), on_delete=models.PROTECT)
    worker = models.ForeignKey(
        "institutions.Staff",
        verbose_name=_("服务人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
    )
    external_ref = models.CharField(
        _("工单号"), max_length=40, help_text=_("服务机构自己的工单编号，机构内唯一")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.SCHEDULED
    )
    scheduled_start = models.DateTimeField(_("预约开始时间"))
    scheduled_end = models.DateTimeField(_("预约结束时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("服务时长（分钟）"), null=True, blank=True, help_text=_("由签到、签退时间计算")
    )
    quantity = models.DecimalField(
        _("数量"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("按项目计价单位：小时、次或餐"),
    )
    funding = models.CharField(
        _("费用来源"), max_length=12, choices=Funding.choices, default=Funding.GOVERNMENT
    )
    unit_price = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=2)
    cost = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    rating = models.PositiveSmallIntegerField(
        _("满意度评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1至5分"),
    )
    complaint = models.CharField(_("投诉内容"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-scheduled_start", "-pk"]
        permissions = [("import_serviceorder", _("导入服务工单"))]
        indexes = [
            models.Index(
                fields=["provider", "scheduled_start"], name="homecare_order_provider_start"
            ),
            models.Index(fields=["person", "scheduled_start"], name="homecare_order_person_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_ref"],
                name="homecare_serviceorder_unique_ref",
                violation_error_message=_("该机构已有此工单号"),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="homecare_serviceorder_rating",
                violation_error_message=_("满意度评分须为1至5分"),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="homecare_serviceorder_quantity",
                violation_error_message=_("数量须大于0"),
            ),
        ]

    def __str__(self) -> str:
        return self.external_ref

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return person_scope_q(user)

    @property
    def person_masked_name(self) -> str:
        return mask_name(self.person.name)

    @property
    def is_open(self) -> bool:
        return self.status == OrderStatus.SCHEDULED
