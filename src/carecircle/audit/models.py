"""Append-only audit log (R18, R20). Database triggers refuse UPDATE and DELETE."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carecircle.audit.choices import AuditAction, AuditOutcome


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user) -> AuditEventQuerySet:
        """Only the audit administrator reads the audit log (R4, R20)."""
        if user.is_authenticated and user.is_active and user.has_perm("audit.view_auditevent"):
            return self.all()
        return self.none()


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("时间（UTC）"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=30, blank=True)
    scope = models.CharField(_("范围"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    action = models.CharField(_("事件"), max_length=30, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    request_id = models.CharField(_("请求ID"), max_length=36, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["username", "occurred_at"], name="audit_user_time_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    @property
    def role_label(self) -> str:
        """The role's name as users know it; the code is kept as written at the time."""
        from carecircle.accounts.choices import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role
