"""The Django admin, for the system administrator only (R4).

Only accounts (role, scope, department) and departments are registered: no personal data of
residents. Password hashes are never shown; a new or reset password is a one-time secret.
"""

from __future__ import annotations

import contextlib

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carecircle.accounts import services
from carecircle.accounts.choices import Role
from carecircle.accounts.models import Department, User
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record

AUDITED_FIELDS = (
    "role",
    "scope_area",
    "institution",
    "scope_domain",
    "department",
    "is_active",
    "is_staff",
)


def system_admin_only(request) -> bool:
    """Only an active staff account with the system administrator role reaches the admin."""
    user = request.user
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and getattr(user, "role", "") == Role.SYSTEM_ADMIN
    )


def login_via_accounts(request, extra_context=None):
    """No second login form: the admin signs in through the audited, lockout-protected page."""
    if system_admin_only(request):
        return HttpResponseRedirect(reverse("admin:index"))
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), reverse("accounts:login")
    )


admin.site.has_permission = system_admin_only
admin.site.login = login_via_accounts

# Roles are the permission mechanism (accounts.roles); groups and per-user grants are not used.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(Group)


def _value(user: User, field: str) -> str:
    value = getattr(user, field)
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "uuid"):
        return str(value.uuid)
    return "" if value is None else str(value)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "scope_area",
        "institution",
        "department",
        "is_active",
        "is_staff",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff", "scope_domain")
    search_fields = ("username", "last_name", "first_name")
    list_select_related = ("scope_area", "institution", "department")
    ordering = ("username",)
    # No password hash, no superuser flag, no per-user permissions: the role is the permission.
    fields = (
        "username",
        ("last_name", "first_name"),
        "email",
        "phone",
        "role",
        "department",
        "scope_area",
        "institution",
        "scope_domain",
        "is_active",
        "is_staff",
        "is_demo",
        "must_change_password",
        "password_changed_at",
        "last_login",
        "date_joined",
    )
    readonly_fields = ("password_changed_at", "last_login", "date_joined", "must_change_password")
    actions = ["issue_one_time_password"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody widens their own role or scope (R4).
            readonly += ["role", "scope_area", "institution", "scope_domain", "is_staff"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (the audit trail refers to them)

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            old = User.objects.get(pk=obj.pk)
            before = {f: _value(old, f) for f in AUDITED_FIELDS}
        else:
            obj.set_unusable_password()
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
        if change and not obj.is_active:
            services.end_sessions(obj)
        after = {f: _value(obj, f) for f in AUDITED_FIELDS}
        changed = {
            f: f"{before.get(f, '')} → {after[f]}"
            for f in AUDITED_FIELDS
            if before.get(f, "") != after[f]
        }
        if changed or not change:
            record(
                request,
                AuditAction.USER_CHANGE,
                obj=obj,
                change="admin_update" if change else "admin_create",
                **changed,
            )

    @admin.action(description=_("生成一次性密码（仅显示一次）"))
    def issue_one_time_password(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个用户"), messages.ERROR)
            return None
        target = queryset.get()
        if target.pk == request.user.pk:
            self.message_user(request, _("不能为自己生成密码，请使用“修改密码”"), messages.ERROR)
            return None
        secret = services.issue_one_time_password(target)
        record(request, AuditAction.USER_CHANGE, obj=target, change="admin_reset_password")
        response = TemplateResponse(
            request,
            "accounts/admin_secret.html",
            {
                **self.admin_site.each_context(request),
                "title": _("一次性密码"),
                "target": target,
                "secret": secret,
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("area",)

    def has_delete_permission(self, request, obj=None):
        return False
