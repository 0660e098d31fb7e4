"""Users, their department or institution, role and scope (an area subtree × a domain)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.accounts.choices import DepartmentKind, Role
from carecircle.core.choices import ScopeDomain


class Department(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("部门所在的区划，如市级部门为海安市"),
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="accounts_department_unique_name",
                violation_error_message=_("该区划已有同名部门"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def manageable_by(self, admin) -> UserQuerySet:
        """Users an area administrator may see and change in the user-management screens.

        Their scope (area or institution) lies in the administrator's area subtree and, for an
        administrator limited to one domain, in that domain; their role is one the administrator
        could grant (never an admin role); and never the administrator's own account.
        """
        from carecircle.accounts.roles import grantable_roles

        if (
            admin is None
            or not admin.is_authenticated
            or not admin.is_active
            or admin.scope_area_id is None
            or not admin.has_perm("accounts.manage_users")
        ):
            return self.none()
        path = admin.scope_area.path
        in_subtree = Q(scope_area__path__startswith=path) | Q(
            institution__area__path__startswith=path
        )
        if admin.scope_domain != ScopeDomain.BOTH:
            in_subtree &= Q(scope_area__isnull=False, scope_domain=admin.scope_domain) | Q(
                institution__domain=admin.scope_domain
            )
        roles = grantable_roles(admin) | {""}
        return self.filter(in_subtree, role__in=roles).exclude(pk=admin.pk)


class CareCircleUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Without a role and a scope, a user sees and may do nothing (R2)."""

    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    institution = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("机构工作人员只能看到本机构的数据"),
    )
    scope_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("管辖区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("可以看到该区划及其下级的数据"),
    )
    scope_domain = models.CharField(
        _("业务范围"), max_length=10, choices=ScopeDomain.choices, default=ScopeDomain.BOTH
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    is_demo = models.BooleanField(_("演示账户"), default=False, help_text=_("演示账户免于强制TOTP"))

    objects = CareCircleUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [
            ("manage_users", _("管理本辖区用户")),
            ("unlock_user", _("解锁用户")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=True) | Q(scope_area__isnull=True),
                name="accounts_user_one_scope",
                violation_error_message=_("用户的范围只能是一个区划或一个机构"),
            ),
            models.CheckConstraint(
                condition=Q(is_superuser=False) | Q(role=""),
                name="accounts_user_no_superuser_role",
                violation_error_message=_("业务角色不能是超级用户"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_full_name() or self.username}"

    @property
    def scope_label(self) -> str:
        if self.institution_id:
            return str(self.institution)
        if self.scope_area_id:
            return f"{self.scope_area.name} · {self.get_scope_domain_display()}"
        return str(_("无"))

    def can_manage(self, other: User) -> bool:
        """Area administrators manage the users whose scope lies in their own subtree."""
        if other.pk is None:
            return False
        return User.objects.manageable_by(self).filter(pk=other.pk).exists()

    def password_expired(self, max_age_days: int) -> bool:
        if self.password_changed_at is None:
            return False
        return (timezone.now() - self.password_changed_at).days >= max_age_days


class PasswordHistory(models.Model):
    """Previous password hashes, so the last N cannot be reused (R8)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
