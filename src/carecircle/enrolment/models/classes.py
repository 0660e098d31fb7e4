"""Classes of childcare providers and the carers on duty in them each day."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.models import BaseModel, ScopedQuerySet, area_scope_q
from carecircle.enrolment.choices import Shift
from carecircle.enrolment.models.config import ClassRule
from carecircle.institutions.choices import ServiceMode
from carecircle.institutions.models import Provider, Staff
from carecircle.institutions.models.providers import ProviderChild


class ClassQuerySet(ScopedQuerySet):
    def open_on(self, on: dt.date) -> ClassQuerySet:
        return self.filter(opened_on__lte=on).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on)
        )


class ChildcareClass(ProviderChild):
    """A class (班级) of one age band and service mode, with its size and fees."""

    provider = models.ForeignKey(
        Provider,
        verbose_name=_("托育机构"),
        on_delete=models.PROTECT,
        related_name="childcare_classes",
    )
    name = models.CharField(_("班级名称"), max_length=50, help_text=_("如 托小班（1）"))
    rule = models.ForeignKey(
        ClassRule,
        verbose_name=_("班级类型"),
        on_delete=models.PROTECT,
        related_name="classes",
        help_text=_("决定可收托月龄、最大人数和师生比"),
    )
    mode = models.CharField(_("服务方式"), max_length=20, choices=ServiceMode.choices)
    monthly_fee = models.DecimalField(
        _("月收费（元）"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    affordable_fee = models.DecimalField(
        _("普惠收费（元/月）"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("机构提供普惠托位时的普惠价格"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("核定人数"), validators=[MinValueValidator(1)], help_text=_("不得超过班级类型的最大人数")
    )
    opened_on = models.DateField(_("开班日期"))
    closed_on = models.DateField(_("撤班日期"), null=True, blank=True)

    objects = ClassQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("托育班级")
        verbose_name_plural = _("托育班级")
        ordering = ["provider", "rule__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"],
                condition=Q(closed_on__isnull=True),
                name="enrolment_childcareclass_unique_name",
                violation_error_message=_("该机构已有同名班级"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="enrolment_childcareclass_capacity",
                violation_error_message=_("核定人数须为正数"),
            ),
            models.CheckConstraint(
                condition=Q(monthly_fee__gte=0)
                & (Q(affordable_fee__isnull=True) | Q(affordable_fee__gte=0)),
                name="enrolment_childcareclass_fees",
                violation_error_message=_("收费不能为负数"),
            ),
            models.CheckConstraint(
                condition=Q(affordable_fee__isnull=True) | Q(affordable_fee__lte=F("monthly_fee")),
                name="enrolment_childcareclass_affordable_fee",
                violation_error_message=_("普惠收费不能高于月收费"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="enrolment_childcareclass_dates",
                violation_error_message=_("撤班日期不能早于开班日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.name}"

    def is_open_on(self, on: dt.date) -> bool:
        return self.opened_on <= on and (self.closed_on is None or self.closed_on > on)


class StaffDuty(BaseModel):
    """A carer on duty in a class on a date (全天, 上午 or 下午); the ratio is checked from it."""

    childcare_class = models.ForeignKey(
        ChildcareClass, verbose_name=_("班级"), on_delete=models.CASCADE, related_name="duties"
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("保育人员"),
        on_delete=models.PROTECT,
        related_name="childcare_duties",
    )
    date = models.DateField(_("日期"), db_index=True)
    shift = models.CharField(
        _("班次"), max_length=10, choices=Shift.choices, default=Shift.FULL_DAY
    )

    class Meta:
        verbose_name = _("在岗保育人员")
        verbose_name_plural = _("在岗保育人员")
        ordering = ["date", "childcare_class", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["childcare_class", "staff", "date"],
                name="enrolment_staffduty_once_per_class_day",
                violation_error_message=_("该人员当天已在本班排班"),
            ),
            models.UniqueConstraint(
                fields=["staff", "date", "shift"],
                name="enrolment_staffduty_one_place_per_shift",
                violation_error_message=_("该人员该班次已在其他班级排班"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.date} {self.get_shift_display()}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(childcare_class__provider_id=user.institution_id)
        return area_scope_q(
            user, "childcare_class__provider__area", "childcare_class__provider__domain"
        )
