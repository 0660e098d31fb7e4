"""Welfare-lottery public-welfare fund allocations (福彩公益金) received by the city and towns."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.models import BaseModel, area_scope_q
from carecircle.funds.choices import Purpose

FIRST_YEAR = 2000


class LotteryAllocation(BaseModel):
    """One allocation by document: a project of an area, its purpose and amount in yuan."""

    year = models.PositiveSmallIntegerField(
        _("资金年度"), validators=[MinValueValidator(FIRST_YEAR)], db_index=True
    )
    allocated_on = models.DateField(_("下达日期"), help_text=_("须在资金年度内"))
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("接收区划"),
        on_delete=models.PROTECT,
        related_name="lottery_allocations",
        help_text=_("市本级或镇（街道）"),
    )
    project = models.CharField(_("项目名称"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    doc_no = models.CharField(_("文号"), max_length=100, help_text=_("资金下达文件的文号"))
    note = models.CharField(_("备注"), max_length=500, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("福彩公益金分配")
        verbose_name_plural = _("福彩公益金分配")
        ordering = ["-year", "-allocated_on", "project"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "doc_no", "project"],
                name="funds_lotteryallocation_unique",
                violation_error_message=_("同一年度、文号下已有该项目"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="funds_lotteryallocation_amount",
                violation_error_message=_("金额须大于0"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR),
                name="funds_lotteryallocation_year",
                violation_error_message=_("资金年度不正确"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.project}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        return area_scope_q(user, "area")

    def clean(self) -> None:
        super().clean()
        if self.allocated_on and self.year and self.allocated_on.year != self.year:
            raise ValidationError({"allocated_on": _("下达日期须在资金年度内")})
