"""Configuration kept as data: the class rules (age bands, sizes, ratios) and priority groups."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MAX_CHILD_MONTHS = 36


class ClassRule(models.Model):
    """One kind of class (乳儿班 …): the ages it takes, its largest size and the carer ratio.

    The national values come from 托育机构设置标准（试行） (国卫人口发〔2019〕58号); the health
    commission may edit them, and a local rule is marked as such.
    """

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("班级类型"), max_length=30, unique=True)
    min_months = models.PositiveSmallIntegerField(
        _("最小月龄"),
        validators=[MaxValueValidator(MAX_CHILD_MONTHS)],
        help_text=_("入托时月龄不小于此值"),
    )
    max_months = models.PositiveSmallIntegerField(
        _("最大月龄（不含）"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CHILD_MONTHS)],
        help_text=_("入托时月龄须小于此值；满36个月即满3周岁"),
    )
    max_children = models.PositiveSmallIntegerField(
        _("班级最大人数"), validators=[MinValueValidator(1)]
    )
    children_per_carer = models.PositiveSmallIntegerField(
        _("每名保育人员最多照护婴幼儿数"),
        validators=[MinValueValidator(1)],
        help_text=_("保育人员与婴幼儿之比 1:N 中的 N"),
    )
    is_local_rule = models.BooleanField(
        _("地方规定"), default=False, help_text=_("非国家标准的地方性规定")
    )
    source = models.CharField(_("依据"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("班级规则")
        verbose_name_plural = _("班级规则")
        ordering = ["sort_order", "min_months"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_months__lt=F("max_months")) & Q(max_months__lte=MAX_CHILD_MONTHS),
                name="enrolment_classrule_months",
                violation_error_message=_("最小月龄须小于最大月龄，最大月龄不超过36个月"),
            ),
            models.CheckConstraint(
                condition=Q(max_children__gte=1) & Q(children_per_carer__gte=1),
                name="enrolment_classrule_positive",
                violation_error_message=_("班级人数和师生比须为正数"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def ratio_label(self) -> str:
        return f"1:{self.children_per_carer}"

    @property
    def months_label(self) -> str:
        return _("%(a)d–%(b)d个月") % {"a": self.min_months, "b": self.max_months}

    def takes_age(self, months: int) -> bool:
        return self.min_months <= months < self.max_months

    def carers_needed(self, children: int) -> int:
        return -(-children // self.children_per_carer)


class PriorityGroup(models.Model):
    """A group whose applications come first on a waiting list (多孩家庭 …); lower rank first."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("优先类别"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("优先顺位"),
        validators=[MinValueValidator(1)],
        help_text=_("数字越小越优先；同时属于多个类别的按最优先的类别排序"),
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("优先类别")
        verbose_name_plural = _("优先类别")
        ordering = ["rank", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rank__gte=1),
                name="enrolment_prioritygroup_rank",
                violation_error_message=_("优先顺位须为正整数"),
            )
        ]

    def __str__(self) -> str:
        return str(self.name)


def months_between(birth: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on`` (the same rule as ``Person.age_in_months``)."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - (on.day < birth.day)


def third_birthday(birth: dt.date) -> dt.date:
    """The day a child turns 3: 29 February children on 1 March of a common year, as
    ``Person.objects.children_under_3`` counts them."""
    try:
        return birth.replace(year=birth.year + 3)
    except ValueError:
        return dt.date(birth.year + 3, 3, 1)
