"""Elderly-care and childcare providers with dated capacity, grades, designations and pairs."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.choices import Domain
from carecircle.core.models import BaseModel, ScopedQuerySet, area_scope_q
from carecircle.institutions.choices import (
    CHILDCARE_KINDS,
    COMMUNITY_FACILITY_KINDS,
    ELDERLY_INSTITUTION_KINDS,
    BedKind,
    DesignationKind,
    FilingStatus,
    IssuingLevel,
    Ownership,
    ProviderKind,
    ProviderStatus,
)


def _active_on(prefix: str, on: dt.date, start: str, end: str) -> Q:
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}{start}__lte": on}) & (
        Q(**{f"{p}{end}__isnull": True}) | Q(**{f"{p}{end}__gt": on})
    )


class ProviderQuerySet(ScopedQuerySet):
    def elderly_institutions(self) -> ProviderQuerySet:
        return self.filter(kind__in=ELDERLY_INSTITUTION_KINDS)

    def community_facilities(self) -> ProviderQuerySet:
        return self.filter(kind__in=COMMUNITY_FACILITY_KINDS)

    def childcare(self) -> ProviderQuerySet:
        return self.filter(kind__in=CHILDCARE_KINDS)

    def operating_on(self, on: dt.date) -> ProviderQuerySet:
        return self.filter(opened_on__lte=on).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on)
        )

    def with_capacity(self, on: dt.date) -> ProviderQuerySet:
        """Annotate the capacity in force on ``on`` (the latest record starting on or before)."""
        latest = CapacityRecord.objects.filter(
            provider=OuterRef("pk"), valid_from__lte=on
        ).order_by("-valid_from", "-pk")
        return self.annotate(
            **{
                f"cap_{name}": Subquery(latest.values(name)[:1])
                for name in CapacityRecord.COUNT_FIELDS
            }
        )

    def with_designation(self, kind: str, on: dt.date) -> ProviderQuerySet:
        return self.filter(
            _active_on("designations", on, "granted_on", "revoked_on"), designations__kind=kind
        ).distinct()


class Provider(BaseModel):
    """An elderly-care or childcare provider: institution, community facility or childcare point."""

    name = models.CharField(_("机构名称"), max_length=150)
    domain = models.CharField(_("领域"), max_length=10, choices=Domain.choices, editable=False)
    kind = models.CharField(_("机构类型"), max_length=30, choices=ProviderKind.choices)
    ownership = models.CharField(_("性质"), max_length=20, choices=Ownership.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        help_text=_("18位，按GB 32100-2015校验"),
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="providers",
        help_text=_("机构所在的村（社区）或镇（街道）"),
    )
    service_areas = models.ManyToManyField(
        "areas.Area",
        verbose_name=_("服务区域"),
        blank=True,
        related_name="served_by",
        help_text=_("机构服务的其他村（社区）"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.ACTIVE
    )
    opened_on = models.DateField(_("开业日期"), default=dt.date(2015, 1, 1))
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    # Elderly-care attributes.
    houses_disabled_extreme_poor = models.BooleanField(
        _("收住失能失智特困人员"), default=False, help_text=_("具备收住失能、失智特困人员能力")
    )
    signed_hospital = models.CharField(
        _("签约医疗机构"), max_length=150, blank=True, help_text=_("医养结合签约医院")
    )
    has_sprinklers = models.BooleanField(_("自动喷淋"), default=False)
    has_smoke_detectors = models.BooleanField(_("烟感报警"), default=False)
    has_safety_system = models.BooleanField(_("安全管理制度"), default=False)
    # Childcare attributes.
    filing_status = models.CharField(
        _("备案状态"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.NOT_FILED
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    service_modes = models.JSONField(
        _("服务方式"), default=list, blank=True, help_text=_("全日托、半日托、计时托、临时托")
    )
    monthly_fee = models.DecimalField(
        _("月收费（元）"), max_digits=9, decimal_places=2, null=True, blank=True
    )

    # What a user edits (form, API); ``domain`` follows the kind and is never written directly.
    EDITABLE_FIELDS = (
        "name",
        "kind",
        "ownership",
        "credit_code",
        "area",
        "service_areas",
        "address",
        "latitude",
        "longitude",
        "phone",
        "legal_representative",
        "status",
        "opened_on",
        "closed_on",
        "houses_disabled_extreme_poor",
        "signed_hospital",
        "has_sprinklers",
        "has_smoke_detectors",
        "has_safety_system",
        "filing_status",
        "filed_on",
        "service_modes",
        "monthly_fee",
    )

    objects = ProviderQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")
        ordering = ["area__code", "name"]
        permissions = [("import_provider", _("导入机构"))]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="institutions_provider_unique_credit_code",
                violation_error_message=_("该统一社会信用代码已登记"),
            ),
            models.UniqueConstraint(
                fields=["area", "name"],
                name="institutions_provider_unique_name",
                violation_error_message=_("该区划已有同名机构"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="institutions_provider_dates",
                violation_error_message=_("关闭日期不能早于开业日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(pk=user.institution_id)
        return area_scope_q(user, "area", "domain")

    @staticmethod
    def domain_of(kind: str) -> str:
        return Domain.CHILDCARE if kind in CHILDCARE_KINDS else Domain.ELDERLY

    @property
    def is_elderly_institution(self) -> bool:
        return self.kind in ELDERLY_INSTITUTION_KINDS

    def capacity_on(self, on: dt.date) -> CapacityRecord | None:
        """The capacity record in force on ``on``."""
        return (
            self.capacity_records.filter(valid_from__lte=on).order_by("-valid_from", "-pk").first()
        )

    def occupied_beds(self, on: dt.date) -> int:
        return self.residencies.filter(_active_on("", on, "admitted_on", "discharged_on")).count()


class ProviderChild(BaseModel):
    """Rows that belong to one provider and share its scope."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(provider_id=user.institution_id)
        return area_scope_q(user, "provider__area", "provider__domain")


class CapacityRecord(ProviderChild):
    """Capacity from a date on; the state at any date is the latest record starting before it."""

    COUNT_FIELDS = (
        "beds_total",
        "beds_nursing",
        "beds_dementia",
        "places_total",
        "places_affordable",
    )

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="capacity_records"
    )
    valid_from = models.DateField(_("生效日期"))
    beds_total = models.PositiveIntegerField(_("床位总数"), default=0)
    beds_nursing = models.PositiveIntegerField(_("护理型床位"), default=0)
    beds_dementia = models.PositiveIntegerField(_("认知症照护床位"), default=0)
    places_total = models.PositiveIntegerField(_("托位总数"), default=0)
    places_affordable = models.PositiveIntegerField(_("普惠托位"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("床位/托位")
        verbose_name_plural = _("床位/托位")
        ordering = ["provider", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "valid_from"],
                name="institutions_capacityrecord_unique_date",
                violation_error_message=_("同一机构同一日期只能有一条容量记录"),
            ),
            models.CheckConstraint(
                condition=Q(beds_nursing__lte=F("beds_total"))
                & Q(beds_dementia__lte=F("beds_total")),
                name="institutions_capacityrecord_beds",
                violation_error_message=_("护理型、认知症床位不能超过床位总数"),
            ),
            models.CheckConstraint(
                condition=Q(places_affordable__lte=F("places_total")),
                name="institutions_capacityrecord_places",
                violation_error_message=_("普惠托位不能超过托位总数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.valid_from}"


class Designation(ProviderChild):
    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="designations"
    )
    kind = models.CharField(_("称号"), max_length=40, choices=DesignationKind.choices)
    issuing_level = models.CharField(_("授予层级"), max_length=12, choices=IssuingLevel.choices)
    granted_on = models.DateField(_("授予日期"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("称号认定")
        verbose_name_plural = _("称号认定")
        ordering = ["provider", "-granted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "granted_on"],
                name="institutions_designation_unique",
                violation_error_message=_("该机构该日期已有此称号"),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("granted_on")),
                name="institutions_designation_dates",
                violation_error_message=_("撤销日期不能早于授予日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_kind_display()}"


class Grade(ProviderChild):
    """Grade 1–5 (GB/T 37276-2018) over a validity period."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="grades"
    )
    grade = models.PositiveSmallIntegerField(
        _("等级"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    assessed_by = models.CharField(_("评定机构"), max_length=100, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("等级评定")
        verbose_name_plural = _("等级评定")
        ordering = ["provider", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=5),
                name="institutions_grade_range",
                violation_error_message=_("等级须为1至5级"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="institutions_grade_dates",
                violation_error_message=_("有效期止须晚于有效期起"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.grade}"


class InstitutionPair(BaseModel):
    """An elderly-care institution paired with a childcare institution (老幼融合)."""

    elderly_provider = models.ForeignKey(
        Provider, verbose_name=_("养老机构"), on_delete=models.CASCADE, related_name="+"
    )
    childcare_provider = models.ForeignKey(
        Provider, verbose_name=_("托育机构"), on_delete=models.CASCADE, related_name="+"
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("养老托育结对")
        verbose_name_plural = _("养老托育结对")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["elderly_provider", "childcare_provider", "started_on"],
                name="institutions_institutionpair_unique",
                violation_error_message=_("该结对已存在"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.elderly_provider} — {self.childcare_provider}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(elderly_provider_id=user.institution_id) | Q(
                childcare_provider_id=user.institution_id
            )
        area = area_scope_q(user, "elderly_provider__area")
        other = area_scope_q(user, "childcare_provider__area")
        return None if area is None else area | other


class Residency(ProviderChild):
    """A person's stay in an institution: admission, discharge and bed kind."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="residencies"
    )
    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="residencies",
    )
    admitted_on = models.DateField(_("入住日期"))
    discharged_on = models.DateField(_("离院日期"), null=True, blank=True)
    bed_kind = models.CharField(
        _("床位类型"), max_length=10, choices=BedKind.choices, default=BedKind.GENERAL
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        ordering = ["-admitted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(discharged_on__isnull=True),
                name="institutions_residency_one_open_stay",
                violation_error_message=_("该人员已在其他机构入住，请先办理离院"),
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                name="institutions_residency_dates",
                violation_error_message=_("离院日期不能早于入住日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.admitted_on}"
