"""Shared base model and the scoped queryset every list, detail, export and endpoint starts from."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.core.choices import ScopeDomain

if TYPE_CHECKING:
    from carecircle.accounts.models import User


class ScopedQuerySet(models.QuerySet):
    """Rows a user may see. Each model says how through ``scope_q(user)``; ``None`` means nothing.

    Deny by default (R2): an anonymous or inactive user, or one without an area or institution,
    sees no row. Out-of-scope objects are then simply absent, so detail views answer 404 (R1).
    """

    def for_user(self, user: User | None) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = self.model.scope_q(user)
        if condition is None:
            return self.none()
        return self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class BaseModel(models.Model):
    """Public identifier (UUID) and timestamps shared by registry models."""

    uuid = models.UUIDField(
        _("公开标识"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("对外公开的标识"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user: User) -> Q | None:  # pragma: no cover - every concrete model overrides
        raise NotImplementedError(f"{cls.__name__} must define scope_q")


def user_domains(user: User) -> set[str]:
    """The domains (elderly, childcare) a user works in: their institution's or their scope's."""
    if not user.is_authenticated:
        return set()
    if user.institution_id:
        return {user.institution.domain}
    if user.scope_domain == ScopeDomain.BOTH:
        return {ScopeDomain.ELDERLY.value, ScopeDomain.CHILDCARE.value}
    return {user.scope_domain}


def area_scope_q(user: User, area_lookup: str, domain_lookup: str | None = None) -> Q | None:
    """Rows whose area lies in the user's area subtree (by materialised path), for their domain."""
    area = user.scope_area
    if area is None:
        return None
    condition = Q(**{f"{area_lookup}__path__startswith": area.path})
    if domain_lookup and user.scope_domain != ScopeDomain.BOTH:
        condition &= Q(**{domain_lookup: user.scope_domain})
    return condition


class ImportJob(models.Model):
    """One upload: progress for long imports, counts, and the error report if any row failed."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        FAILED = "failed", _("有错误，未写入")
        DONE = "done", _("已完成")

    uuid = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+"
    )
    importer = models.CharField(_("导入类型"), max_length=50)
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    messages = models.JSONField(_("错误"), default=list, blank=True)
    error_report = models.BinaryField(_("错误报告"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.importer} {self.filename}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
