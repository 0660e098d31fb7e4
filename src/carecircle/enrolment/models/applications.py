"""Applications for a place, offers of a place, and enrolments.

An application's personal data (the child's ID number and the guardian's name and phone) is
encrypted (R22) and reached only by the chosen institution and the health commission: the roles
holding ``enrolment.view_application`` (``accounts/roles_enrolment.py``), within their scope.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core import crypto
from carecircle.core.choices import Sex
from carecircle.core.fields import EncryptedIdentity
from carecircle.core.idnumbers import mask_name, mask_phone
from carecircle.core.models import BaseModel, ScopedQuerySet, area_scope_q
from carecircle.enrolment.choices import (
    OPEN_STATUSES,
    ApplicationSource,
    ApplicationStatus,
    EndReason,
)
from carecircle.enrolment.models.classes import ChildcareClass
from carecircle.enrolment.models.config import PriorityGroup
from carecircle.institutions.choices import ServiceMode
from carecircle.institutions.models import Provider
from carecircle.institutions.models.providers import ProviderChild

# The same purposes as ``persons.Contact``: both hold a guardian's name and phone (R22).
GUARDIAN_NAME_PURPOSE = "contact-name"
GUARDIAN_PHONE_PURPOSE = "contact-phone"


class Application(EncryptedIdentity, BaseModel):
    """A family's application for a place in a class of a childcare provider."""

    reference_code = models.CharField(
        _("申请编号"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("随机生成，告知家庭用于查询进度"),
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("托育机构"),
        on_delete=models.PROTECT,
        related_name="childcare_applications",
    )
    childcare_class = models.ForeignKey(
        ChildcareClass,
        verbose_name=_("申请班级"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    mode = models.CharField(_("服务方式"), max_length=20, choices=ServiceMode.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("居住村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    child = models.ForeignKey(
        "persons.Person",
        verbose_name=_("婴幼儿档案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="childcare_applications",
        help_text=_("已登记的婴幼儿；新生儿在入托时登记"),
    )
    child_name = models.CharField(_("婴幼儿姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"), editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    guardian_relationship = models.CharField(_("与婴幼儿关系"), max_length=20)
    guardian_name_encrypted = models.TextField(_("监护人姓名（密文）"), editable=False)
    guardian_phone_encrypted = models.TextField(_("联系电话（密文）"), editable=False)
    guardian_name_masked = models.CharField(_("监护人姓名"), max_length=50, editable=False)
    guardian_phone_masked = models.CharField(_("联系电话"), max_length=20, editable=False)
    wanted_start = models.DateField(_("希望入托日期"))
    priority_groups = models.ManyToManyField(
        PriorityGroup, verbose_name=_("优先类别"), blank=True, related_name="applications"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    source = models.CharField(
        _("申请渠道"), max_length=10, choices=ApplicationSource.choices, editable=False
    )
    status = models.CharField(
        _("状态"),
        max_length=15,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
        help_text=_("只能经审核、录取、入托、撤回等操作改变"),
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    consent_at = models.DateTimeField(
        _("监护人同意时间"), null=True, blank=True, help_text=_("监护人同意处理个人信息的时间")
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("入托申请")
        verbose_name_plural = _("入托申请")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("view_applicant_contact", _("查看申请人联系方式"))]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "id_number_index"],
                condition=Q(status__in=OPEN_STATUSES),
                name="enrolment_application_one_open_per_provider",
                violation_error_message=_("该婴幼儿已向该机构提交申请，尚在处理中"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference_code} {mask_name(self.child_name)}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(provider_id=user.institution_id)
        return area_scope_q(user, "provider__area", "provider__domain")

    @property
    def masked_child_name(self) -> str:
        return mask_name(self.child_name)

    def set_guardian(self, name: str, phone: str) -> None:
        self.guardian_name_encrypted = crypto.encrypt(name, context=GUARDIAN_NAME_PURPOSE)
        self.guardian_phone_encrypted = crypto.encrypt(phone, context=GUARDIAN_PHONE_PURPOSE)
        self.guardian_name_masked = mask_name(name)
        self.guardian_phone_masked = mask_phone(phone)

    @property
    def guardian_name(self) -> str:
        """In full: callers check ``view_applicant_contact`` and audit (R3, R24)."""
        return crypto.decrypt(self.guardian_name_encrypted, context=GUARDIAN_NAME_PURPOSE)

    @property
    def guardian_phone(self) -> str:
        return crypto.decrypt(self.guardian_phone_encrypted, context=GUARDIAN_PHONE_PURPOSE)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OfferQuerySet(ScopedQuerySet):
    def pending(self, now: dt.datetime | None = None) -> OfferQuerySet:
        """Neither answered nor lapsed, and not past the deadline."""
        now = now or timezone.now()
        return self.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            lapsed_at__isnull=True,
            expires_at__gt=now,
        )


class Offer(BaseModel):
    """A place offered to an application, open until ``expires_at``."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="offers"
    )
    childcare_class = models.ForeignKey(
        ChildcareClass, verbose_name=_("录取班级"), on_delete=models.PROTECT, related_name="offers"
    )
    start_on = models.DateField(_("入托日期"))
    made_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("答复截止时间"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("过期处理时间"), null=True, blank=True)
    made_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("发出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    out_of_order_reason = models.CharField(_("未按候补顺序的原因"), max_length=200, blank=True)

    objects = OfferQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("录取通知")
        verbose_name_plural = _("录取通知")
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(accepted_at__isnull=True)
                & Q(declined_at__isnull=True)
                & Q(lapsed_at__isnull=True),
                name="enrolment_offer_one_open_per_application",
                violation_error_message=_("该申请已有未答复的录取通知"),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("made_at")),
                name="enrolment_offer_expiry_after_made",
                violation_error_message=_("答复截止时间须晚于发出时间"),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="enrolment_offer_one_answer",
                violation_error_message=_("录取通知不能既接受又放弃"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference_code} {self.childcare_class.name}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(application__provider_id=user.institution_id)
        return area_scope_q(user, "application__provider__area", "application__provider__domain")

    def state(self, now: dt.datetime | None = None) -> str:
        """待答复, 已接受, 已放弃 or 已过期 (past the deadline even before the daily job ran)."""
        now = now or timezone.now()
        if self.accepted_at:
            return _("已接受")
        if self.declined_at:
            return _("已放弃")
        if self.lapsed_at or self.expires_at <= now:
            return _("已过期")
        return _("待答复")

    def is_pending(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        answered = self.accepted_at or self.declined_at or self.lapsed_at
        return not answered and self.expires_at > now


class EnrolmentQuerySet(ScopedQuerySet):
    def active_on(self, on: dt.date) -> EnrolmentQuerySet:
        return self.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def not_ended_by(self, on: dt.date) -> EnrolmentQuerySet:
        """Every enrolment still holding a place on or after ``on`` (future starts included)."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


class Enrolment(ProviderChild):
    """A child attending a class from ``started_on``; ``ended_on`` is the first day away."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("托育机构"), on_delete=models.PROTECT, related_name="enrolments"
    )
    child = models.ForeignKey(
        "persons.Person",
        verbose_name=_("婴幼儿"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    childcare_class = models.ForeignKey(
        ChildcareClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="enrolments"
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolment",
    )
    started_on = models.DateField(_("入托日期"))
    ended_on = models.DateField(
        _("离托日期"), null=True, blank=True, help_text=_("不再在托的第一天；满3周岁即生日当天")
    )
    end_reason = models.CharField(
        _("离托原因"), max_length=15, choices=EndReason.choices, blank=True, default=""
    )

    objects = EnrolmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("在托记录")
        verbose_name_plural = _("在托记录")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ended_on__isnull=True),
                name="enrolment_enrolment_one_open_per_child",
                violation_error_message=_("该婴幼儿已在托，请先办理离托"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="enrolment_enrolment_dates",
                violation_error_message=_("离托日期不能早于入托日期"),
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="enrolment_enrolment_end_reason",
                violation_error_message=_("离托须注明原因"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.childcare_class.name}"
