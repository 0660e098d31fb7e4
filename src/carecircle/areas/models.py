"""Areas (org units): the statistical division tree, its history, population facts and estates."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.areas.choices import AreaKind, AreaLevel, EstateKind
from carecircle.core.models import BaseModel, ScopedManager, area_scope_q

AREA_EPOCH = dt.date(2000, 1, 1)

code_validator = RegexValidator(
    r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$",
    _("区划代码应为2、4、6、9或12位数字"),
)


class AreaQuerySet(models.QuerySet):
    def subtree(self, area: Area, *, include_self: bool = True) -> AreaQuerySet:
        """The area and every unit below it, by materialised path (one indexed LIKE)."""
        qs = self.filter(path__startswith=area.path)
        return qs if include_self else qs.exclude(pk=area.pk)

    def current(self, on: dt.date | None = None) -> AreaQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gt=on))

    def for_user(self, user) -> AreaQuerySet:
        # Division codes are public reference data: any scoped user reads the whole tree;
        # what lies inside an area (people, records) is what the scope protects.
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.scope_area_id is None and user.institution_id is None:
            return self.none()
        return self.all()


class Area(models.Model):
    """An org unit identified by its published statistical division code."""

    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        validators=[code_validator],
        help_text=_("国家统计局统计用区划代码，2、4、6、9或12位；导出时作为组织机构代码"),
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("现用名称"))
    level = models.CharField(_("层级"), max_length=10, choices=AreaLevel.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=AreaKind.choices)
    is_urban = models.BooleanField(_("城镇"), default=False, help_text=_("居委会、社区为城镇"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("现行上级区划"),
    )
    path = models.CharField(
        _("路径"),
        max_length=120,
        db_index=True,
        editable=False,
        help_text=_("从省到本级的代码，以/分隔，用于按前缀查询下级"),
    )
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)
    valid_from = models.DateField(_("启用日期"), default=AREA_EPOCH)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True, help_text=_("撤并后填写"))
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True, help_text=_("WGS-84")
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True, help_text=_("WGS-84")
    )
    boundary = models.JSONField(_("边界"), null=True, blank=True, help_text=_("GeoJSON 几何"))
    is_demo_assumption = models.BooleanField(
        _("演示假设"), default=False, help_text=_("演示数据中假设的区划，不在统计用区划代码表中")
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="areas_area_valid_range",
                violation_error_message=_("停用日期须晚于启用日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split("/") if code]

    def ancestors(self) -> models.QuerySet[Area]:
        """The units above this one, top first (one query on the path codes)."""
        return Area.objects.filter(code__in=self.ancestor_codes[:-1]).order_by("depth")

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)


class AreaVersion(models.Model):
    """The parent and name an area had over a period: the hierarchy valid at any date."""

    area = models.ForeignKey(
        Area, verbose_name=_("区划"), related_name="versions", on_delete=models.CASCADE
    )
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        Area,
        verbose_name=_("上级区划"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    path = models.CharField(_("路径"), max_length=120, db_index=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("区划沿革")
        verbose_name_plural = _("区划沿革")
        ordering = ["area__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "valid_from"],
                name="areas_areaversion_unique_start",
                violation_error_message=_("同一区划同一起始日期只能有一条沿革"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.valid_from}–{self.valid_to or ''}"


class PopulationFactQuerySet(models.QuerySet):
    def for_user(self, user) -> PopulationFactQuerySet:
        return self.filter(area__in=Area.objects.for_user(user))

    def rollup(self, area: Area, year: int) -> dict[str, int]:
        """Sum of the facts entered at the lowest level below ``area`` for ``year``."""
        fields = PopulationFact.COUNT_FIELDS
        totals = self.filter(
            area__path__startswith=area.path, area__level=AreaLevel.VILLAGE, year=year
        ).aggregate(**{name: Sum(name) for name in fields})
        return {name: totals[name] or 0 for name in fields}


class PopulationFact(models.Model):
    """Population of one area in one year, entered at the lowest level and rolled up."""

    COUNT_FIELDS = (
        "total",
        "male",
        "female",
        "urban",
        "rural",
        "aged_60_plus",
        "aged_65_plus",
        "aged_80_plus",
        "under_3",
        "births",
        "family_households",
        "collective_households",
    )

    area = models.ForeignKey(
        Area, verbose_name=_("区划"), related_name="population_facts", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    total = models.PositiveIntegerField(_("常住人口"), default=0)
    male = models.PositiveIntegerField(_("男性"), default=0)
    female = models.PositiveIntegerField(_("女性"), default=0)
    urban = models.PositiveIntegerField(_("城镇人口"), default=0)
    rural = models.PositiveIntegerField(_("乡村人口"), default=0)
    aged_60_plus = models.PositiveIntegerField(_("60岁及以上"), default=0)
    aged_65_plus = models.PositiveIntegerField(_("65岁及以上"), default=0)
    aged_80_plus = models.PositiveIntegerField(_("80岁及以上"), default=0)
    under_3 = models.PositiveIntegerField(_("3岁以下"), default=0)
    births = models.PositiveIntegerField(_("出生人口"), default=0)
    family_households = models.PositiveIntegerField(_("家庭户"), default=0)
    collective_households = models.PositiveIntegerField(_("集体户"), default=0)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    objects = PopulationFactQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人口数据")
        verbose_name_plural = _("人口数据")
        ordering = ["area__code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year"],
                name="areas_populationfact_unique_area_year",
                violation_error_message=_("该区划该年份的人口数据已存在"),
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("male") + models.F("female")),
                name="areas_populationfact_sex_sum",
                violation_error_message=_("男性与女性之和须等于常住人口"),
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("urban") + models.F("rural")),
                name="areas_populationfact_urban_sum",
                violation_error_message=_("城镇与乡村人口之和须等于常住人口"),
            ),
            models.CheckConstraint(
                condition=Q(aged_60_plus__gte=models.F("aged_65_plus"))
                & Q(aged_65_plus__gte=models.F("aged_80_plus")),
                name="areas_populationfact_age_nesting",
                violation_error_message=_("60岁以上≥65岁以上≥80岁以上"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}"


class ResidentialArea(BaseModel):
    """A residential estate (小区) and the service rooms it provides."""

    name = models.CharField(_("小区名称"), max_length=100)
    area = models.ForeignKey(
        Area,
        verbose_name=_("所在村（社区）"),
        related_name="residential_areas",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EstateKind.choices)
    households = models.PositiveIntegerField(_("户数"))
    elderly_room_m2 = models.DecimalField(
        _("养老服务用房面积（㎡）"), max_digits=9, decimal_places=1, default=0
    )
    childcare_room_m2 = models.DecimalField(
        _("托育服务用房面积（㎡）"), max_digits=9, decimal_places=1, default=0
    )
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("居住小区")
        verbose_name_plural = _("居住小区")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="areas_residentialarea_unique_name",
                violation_error_message=_("该村（社区）已有同名小区"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user):
        return area_scope_q(user, "area")

    def room_per_100_households(self) -> tuple[float, float]:
        """Elderly and childcare room area per 100 households (allocation compliance)."""
        if not self.households:
            return (0.0, 0.0)
        factor = 100 / self.households
        return (float(self.elderly_room_m2) * factor, float(self.childcare_room_m2) * factor)
