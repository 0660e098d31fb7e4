"""Emergency calls (呼叫及应急服务): the devices and hotline registrations that cover an elder,
and the calls they make, with who answered, how fast and how each call ended."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.adaptations.models import FamilyCareBed, elder_area_q
from carecircle.core.idnumbers import mask_name
from carecircle.core.models import BaseModel
from carecircle.emergency.choices import CallKind, CallOutcome, Coverage, DeviceKind


def _institution_elders_q(user, prefix: str = "person") -> Q:
    """Elders whose open family care bed the user's institution serves: it answers their
    alarms, so its staff see their calls."""
    beds = FamilyCareBed.objects.filter(
        person=OuterRef(prefix), provider_id=user.institution_id, ended_on__isnull=True
    )
    return Q(Exists(beds))


class CallDevice(BaseModel):
    """A call device in an elder's home, or the registration of their phone with the hotline."""

    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("老年人"),
        on_delete=models.PROTECT,
        related_name="call_devices",
    )
    kind = models.CharField(_("类型"), max_length=15, choices=DeviceKind.choices)
    coverage = models.CharField(
        _("覆盖方式"),
        max_length=10,
        choices=Coverage.choices,
        editable=False,
        help_text=_("由类型确定：固定电话热线登记为热线，其余为呼叫设备"),
    )
    serial = models.CharField(
        _("设备编号"), max_length=64, blank=True, help_text=_("设备序列号或IMEI；热线登记不填")
    )
    enrolled_on = models.DateField(_("登记日期"))
    ended_on = models.DateField(_("停用日期"), null=True, blank=True, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("呼叫设备")
        verbose_name_plural = _("呼叫设备")
        ordering = ["person", "-enrolled_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=DeviceKind.HOTLINE) & Q(coverage=Coverage.HOTLINE))
                | (~Q(kind=DeviceKind.HOTLINE) & Q(coverage=Coverage.DEVICE)),
                name="emergency_calldevice_coverage",
                violation_error_message=_("覆盖方式与类型不符"),
            ),
            models.CheckConstraint(
                condition=~Q(coverage=Coverage.HOTLINE) | Q(serial=""),
                name="emergency_calldevice_hotline_serial",
                violation_error_message=_("热线登记不填设备编号"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("enrolled_on")),
                name="emergency_calldevice_dates",
                violation_error_message=_("停用日期不能早于登记日期"),
            ),
            models.UniqueConstraint(
                fields=["serial"],
                condition=~Q(serial="") & Q(ended_on__isnull=True),
                name="emergency_calldevice_unique_serial",
                violation_error_message=_("该设备编号已登记在用"),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind=DeviceKind.HOTLINE) & Q(ended_on__isnull=True),
                name="emergency_calldevice_one_hotline",
                violation_error_message=_("该老年人已有有效的热线登记"),
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.serial}".strip()

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return _institution_elders_q(user)
        return elder_area_q(user)

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class CallEvent(BaseModel):
    """One call or alarm, from its arrival to its closing with an outcome."""

    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("老年人"),
        on_delete=models.PROTECT,
        related_name="call_events",
    )
    device = models.ForeignKey(
        CallDevice,
        verbose_name=_("呼叫设备"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        help_text=_("发出呼叫的设备或热线登记；未登记的来电不填"),
    )
    called_at = models.DateTimeField(_("呼叫时间"))
    kind = models.CharField(_("呼叫类型"), max_length=15, choices=CallKind.choices)
    responder = models.ForeignKey(
        "accounts.User",
        verbose_name=_("响应人员账户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    responder_name = models.CharField(
        _("响应人员"), max_length=50, blank=True, help_text=_("接警坐席或上门处置人员")
    )
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True, editable=False)
    response_seconds = models.PositiveIntegerField(
        _("响应用时（秒）"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("从呼叫到响应的秒数"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    outcome = models.CharField(
        _("处置结果"), max_length=15, choices=CallOutcome.choices, blank=True, editable=False
    )
    note = models.CharField(_("处置说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("呼叫记录")
        verbose_name_plural = _("呼叫记录")
        ordering = ["-called_at", "-pk"]
        indexes = [
            models.Index(fields=["called_at"], name="emergency_call_called_idx"),
            models.Index(fields=["closed_at", "called_at"], name="emergency_call_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=F("called_at")),
                name="emergency_callevent_responded_after_call",
                violation_error_message=_("响应时间不能早于呼叫时间"),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(responded_at__isnull=False) & Q(closed_at__gte=F("responded_at"))),
                name="emergency_callevent_closed_after_response",
                violation_error_message=_("办结时间不能早于响应时间"),
            ),
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(outcome=""))
                | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="emergency_callevent_outcome",
                violation_error_message=_("办结须填写处置结果"),
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True, response_seconds__isnull=True)
                | Q(responded_at__isnull=False, response_seconds__isnull=False),
                name="emergency_callevent_response_seconds",
                violation_error_message=_("响应用时与响应时间须同时填写"),
            ),
        ]

    def __str__(self) -> str:
        called = timezone.localtime(self.called_at)
        return (
            f"{mask_name(self.person.name)} · {self.get_kind_display()} · {called:%Y-%m-%d %H:%M}"
        )

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return _institution_elders_q(user)
        return elder_area_q(user)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
