"""Visits of elders in special hardship (探访关爱), 一助一 pairs with helpers and their help, and
registered wishes for institutional care (集中供养意愿).

Records about an elder share the elder's scope (``PersonChild``); a helper belongs to a village
and is seen by the users whose area contains it. Workflows and their checks are in
``services.py``.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core import crypto
from carecircle.core.choices import ScopeDomain
from carecircle.core.idnumbers import mask_phone
from carecircle.core.models import BaseModel, area_scope_q
from carecircle.persons.models import Person, PersonChild
from carecircle.visits.choices import HelperKind, HelpKind, VisitFinding, VisitMode

HELPER_PHONE_CONTEXT = "helper-phone"


class Visit(PersonChild):
    """One visit of an elder: when, how, by whom, what was found and its follow-up."""

    # Looked up by person through the (person, visited_on) index below.
    person = models.ForeignKey(
        Person,
        verbose_name=_("老年人"),
        on_delete=models.CASCADE,
        related_name="visits",
        db_index=False,
    )
    visited_on = models.DateField(_("探访日期"))
    mode = models.CharField(
        _("探访方式"), max_length=10, choices=VisitMode.choices, default=VisitMode.HOME
    )
    visitor_name = models.CharField(
        _("探访人"), max_length=50, help_text=_("实际上门（或电话、视频）探访的人员")
    )
    provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("政府购买服务时承接探访的服务机构"),
    )
    findings = models.JSONField(
        _("探访情况"),
        default=list,
        blank=True,
        help_text=_("可多选；“正常”不能与其他情况同时选择"),
    )
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    follow_up_needed = models.BooleanField(_("需要跟进"), default=False)
    follow_up_note = models.CharField(_("跟进事项"), max_length=200, blank=True)
    follow_up_done_on = models.DateField(_("跟进完成日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
        help_text=_("在系统中登记本次探访的用户"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["person", "visited_on"], name="visits_visit_person_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_done_on__isnull=True)
                | (Q(follow_up_needed=True) & Q(follow_up_done_on__gte=F("visited_on"))),
                name="visits_visit_follow_up_dates",
                violation_error_message=_("跟进完成日期须在探访日期之后，且仅用于需要跟进的探访"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.visited_on}"

    def findings_labels(self) -> list[str]:
        labels = dict(VisitFinding.choices)
        return [str(labels.get(code, code)) for code in self.findings or []]

    @property
    def findings_display(self) -> str:
        return "、".join(self.findings_labels())

    @property
    def follow_up_pending(self) -> bool:
        return self.follow_up_needed and self.follow_up_done_on is None


class Helper(BaseModel):
    """Someone who helps elders of their village (邻居、志愿者、村干部…); the phone is encrypted."""

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("帮扶人类型"), max_length=20, choices=HelperKind.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone_encrypted = models.TextField(_("电话（密文）"), editable=False, blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, editable=False, blank=True)
    active = models.BooleanField(_("在帮"), default=True, help_text=_("停用后不再推荐结对"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("帮扶人")
        verbose_name_plural = _("帮扶人")
        ordering = ["area__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="visits_helper_coordinates",
                violation_error_message=_("经纬度须同时填写，纬度在±90、经度在±180以内"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user) -> Q | None:
        # Helpers serve elders: users of the childcare domain alone and institutions see none.
        if user.institution_id or user.scope_domain not in (ScopeDomain.BOTH, ScopeDomain.ELDERLY):
            return None
        return area_scope_q(user, "area")

    def set_phone(self, phone: str) -> None:
        self.phone_encrypted = crypto.encrypt(phone, context=HELPER_PHONE_CONTEXT)
        self.phone_masked = mask_phone(phone)

    @property
    def full_phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted, context=HELPER_PHONE_CONTEXT)


class Pairing(PersonChild):
    """一助一: an elder helped by one helper over a period; an elder has one active pairing."""

    person = models.ForeignKey(
        Person, verbose_name=_("老年人"), on_delete=models.CASCADE, related_name="pairings"
    )
    helper = models.ForeignKey(
        Helper, verbose_name=_("帮扶人"), on_delete=models.PROTECT, related_name="pairings"
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("一助一结对")
        verbose_name_plural = _("一助一结对")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="visits_pairing_one_active",
                violation_error_message=_("该老人已有在结对的帮扶人，请先结束原结对"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="visits_pairing_dates",
                violation_error_message=_("结束日期不能早于结对日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.helper}"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class HelpLog(BaseModel):
    """One occasion of help given within a pairing."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="help_logs"
    )
    helped_on = models.DateField(_("帮扶日期"))
    kind = models.CharField(_("帮扶内容"), max_length=20, choices=HelpKind.choices)
    minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"), validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-helped_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=1440),
                name="visits_helplog_minutes",
                violation_error_message=_("时长须在1至1440分钟之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pairing} {self.helped_on}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        inner = Person.scope_q(user)
        if inner is None:
            return None
        return Q(pairing__person__in=Person.objects.filter(inner).values("pk"))


class CareWish(PersonChild):
    """An elder in extreme poverty (特困) asks for concentrated care in an institution.

    Being placed does not close the wish: whether it is met is read from the elder's open
    residency in an elderly-care institution. ``withdrawn_on`` records a withdrawal.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("老年人"), on_delete=models.CASCADE, related_name="care_wishes"
    )
    registered_on = models.DateField(_("登记日期"))
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    preferred_provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("意向机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("集中供养意愿")
        verbose_name_plural = _("集中供养意愿")
        ordering = ["-registered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(withdrawn_on__isnull=True),
                name="visits_carewish_one_open",
                violation_error_message=_("该老人已登记集中供养意愿（未撤回）"),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("registered_on")),
                name="visits_carewish_dates",
                violation_error_message=_("撤回日期不能早于登记日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.registered_on}"
