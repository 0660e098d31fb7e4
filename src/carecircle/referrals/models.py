"""Hospitals (reference data) and two-way referrals between care institutions and hospitals."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.idnumbers import normalise_credit_code
from carecircle.core.models import BaseModel, area_scope_q
from carecircle.referrals.choices import (
    Direction,
    HospitalGrade,
    HospitalLevel,
    ReferralStatus,
    Urgency,
)
from carecircle.referrals.icd10 import validate_icd10

S = ReferralStatus


def validate_credit_code(value: str) -> None:
    normalise_credit_code(value)  # raises a Chinese ValidationError when invalid


def county_path(path: str) -> str:
    """The materialised path down to the county (6-digit code) containing ``path``."""
    prefix = ""
    for code in filter(None, path.split("/")):
        prefix += code + "/"
        if len(code) >= 6:
            break
    return prefix


class Hospital(BaseModel):
    """A hospital or primary-care health centre: reference data, visible in the area subtree.

    Institution staff have no area of their own; they see the hospitals of their institution's
    county, the ones they refer residents to.
    """

    name = models.CharField(_("医院名称"), max_length=150, unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18位，按GB 32100-2015校验；FHIR交换时用作机构标识"),
    )
    level = models.CharField(_("医院级别"), max_length=1, choices=HospitalLevel.choices)
    grade = models.CharField(
        _("等次"), max_length=1, choices=HospitalGrade.choices, blank=True, default=""
    )
    is_primary_care = models.BooleanField(
        _("基层医疗卫生机构"),
        default=False,
        help_text=_("乡镇卫生院、社区卫生服务中心，承担老年人健康管理"),
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="hospitals",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("医院")
        verbose_name_plural = _("医院")
        ordering = ["-level", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(area__path__startswith=county_path(user.institution.area.path))
        return area_scope_q(user, "area")

    @property
    def level_label(self) -> str:
        """三级乙等, 一级 …"""
        return f"{self.get_level_display()}{self.get_grade_display() if self.grade else ''}"


def new_fhir_id() -> str:
    return str(uuid.uuid4())


class Referral(BaseModel):
    """A resident referred up from a care institution to a hospital, or down from a hospital to
    a care institution. Exactly one institution or hospital on each side, as the direction says.
    """

    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    direction = models.CharField(_("转诊方向"), max_length=4, choices=Direction.choices)
    from_provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("转出机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_sent",
    )
    to_provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("接收机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
    )
    from_hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("转出医院"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_sent",
    )
    to_hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("接收医院"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
    )
    referred_on = models.DateTimeField(_("转诊时间"), db_index=True)
    reason = models.CharField(_("转诊原因"), max_length=500)
    diagnosis_code = models.CharField(
        _("诊断编码"),
        max_length=16,
        validators=[validate_icd10],
        help_text=_("ICD-10编码，如 I63.9"),
    )
    diagnosis_text = models.CharField(_("诊断名称"), max_length=100)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ReferralStatus.choices, default=S.INITIATED
    )
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reject_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    fhir_id = models.CharField(
        _("交换标识"),
        max_length=64,
        unique=True,
        default=new_fhir_id,
        help_text=_("FHIR ServiceRequest.identifier，交换时识别同一转诊单"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("转诊单")
        verbose_name_plural = _("转诊单")
        ordering = ["-referred_on", "-pk"]
        permissions = [("exchange_referral", _("交换转诊单（FHIR）"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(direction=Direction.UP)
                    & Q(from_provider__isnull=False, from_hospital__isnull=True)
                    & Q(to_hospital__isnull=False, to_provider__isnull=True)
                )
                | (
                    Q(direction=Direction.DOWN)
                    & Q(from_hospital__isnull=False, from_provider__isnull=True)
                    & Q(to_provider__isnull=False, to_hospital__isnull=True)
                ),
                name="referrals_referral_sides",
                violation_error_message=_(
                    "上转须由养老机构转至医院，下转须由医院转至养老机构，每方只能填一个"
                ),
            ),
            models.CheckConstraint(
                condition=Q(status=S.CANCELLED)
                | Q(status__in=[S.INITIATED, S.REJECTED], accepted_at__isnull=True)
                | Q(status__in=[S.ACCEPTED, S.COMPLETED], accepted_at__isnull=False),
                name="referrals_referral_accepted_at",
                violation_error_message=_("已接收或已完成的转诊须有接收时间，其他状态不能有"),
            ),
            models.CheckConstraint(
                condition=Q(status=S.COMPLETED, completed_at__isnull=False)
                | (~Q(status=S.COMPLETED) & Q(completed_at__isnull=True)),
                name="referrals_referral_completed_at",
                violation_error_message=_("仅已完成的转诊有完成时间，且必须填写"),
            ),
            models.CheckConstraint(
                condition=(Q(status=S.REJECTED) & ~Q(reject_reason=""))
                | (~Q(status=S.REJECTED) & Q(reject_reason="")),
                name="referrals_referral_reject_reason",
                violation_error_message=_("拒绝转诊须填写原因，其他状态不能填写"),
            ),
            models.CheckConstraint(
                condition=(Q(accepted_at__isnull=True) | Q(accepted_at__gte=F("referred_on")))
                & (Q(completed_at__isnull=True) | Q(completed_at__gte=F("accepted_at"))),
                name="referrals_referral_order",
                violation_error_message=_("接收时间不能早于转诊时间，完成时间不能早于接收时间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.fhir_id}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(from_provider_id=user.institution_id) | Q(to_provider_id=user.institution_id)
        return area_scope_q(user, "person__area", "person__domain")

    @property
    def source(self):
        """The sending institution or hospital."""
        return self.from_provider if self.direction == Direction.UP else self.from_hospital

    @property
    def target(self):
        """The receiving hospital or institution."""
        return self.to_hospital if self.direction == Direction.UP else self.to_provider

    @property
    def provider(self):
        """The care institution of the referral, whichever side it is on."""
        return self.from_provider if self.direction == Direction.UP else self.to_provider

    @property
    def hospital(self) -> Hospital | None:
        return self.to_hospital if self.direction == Direction.UP else self.from_hospital
