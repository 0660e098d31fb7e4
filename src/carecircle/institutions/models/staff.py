"""Staff of providers: certificates, skill levels, trainings, hire and leave dates, credit."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.choices import Sex
from carecircle.core.fields import EncryptedIdentity
from carecircle.core.models import BaseModel, area_scope_q
from carecircle.institutions.choices import CreditStatus, SkillLevel, StaffRole
from carecircle.institutions.models.providers import Provider, ProviderChild


class Staff(EncryptedIdentity, ProviderChild):
    provider = models.ForeignKey(
        Provider, verbose_name=_("所在机构"), on_delete=models.PROTECT, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("岗位"), max_length=20, choices=StaffRole.choices)
    skill_level = models.CharField(
        _("技能等级"), max_length=2, choices=SkillLevel.choices, blank=True, default=""
    )
    hired_on = models.DateField(_("入职日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    credit_status = models.CharField(
        _("信用状态"), max_length=15, choices=CreditStatus.choices, default=CreditStatus.GOOD
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        ordering = ["provider", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "id_number_index"],
                condition=Q(left_on__isnull=True),
                name="institutions_staff_unique_active",
                violation_error_message=_("该人员已在本机构在职"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("hired_on")),
                name="institutions_staff_dates",
                violation_error_message=_("离职日期不能早于入职日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffChild(BaseModel):
    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(staff__provider_id=user.institution_id)
        return area_scope_q(user, "staff__provider__area", "staff__provider__domain")


class StaffCertificate(StaffChild):
    staff = models.ForeignKey(
        Staff, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(
        _("证书名称"), max_length=100, help_text=_("如养老护理员职业技能等级证书")
    )
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    level = models.CharField(
        _("等级"), max_length=2, choices=SkillLevel.choices, blank=True, default=""
    )
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")
        ordering = ["staff", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="institutions_staffcertificate_dates",
                violation_error_message=_("有效期须晚于发证日期"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.kind}"


class Training(StaffChild):
    staff = models.ForeignKey(
        Staff, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="trainings"
    )
    course = models.CharField(_("培训名称"), max_length=150)
    attended_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=0)
    organiser = models.CharField(_("组织单位"), max_length=100, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["staff", "-attended_on"]

    def __str__(self) -> str:
        return f"{self.staff} {self.course}"
