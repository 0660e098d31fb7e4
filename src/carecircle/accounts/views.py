"""Sign-in, sign-out, password change and the user-management screens of area administrators.

Deny by default (R2): every view needs a signed-in user and a permission; a user outside the
administrator's subtree is not found (404). State changes are POST only (R13).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView

from carecircle.accounts import services
from carecircle.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    UserCreateForm,
    UserUpdateForm,
)
from carecircle.accounts.lockout import lock_status
from carecircle.accounts.middleware import AUTH_AT_KEY
from carecircle.accounts.models import User
from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record

# Fields whose change is a "role or area change" event (R18).
AUDITED_FIELDS = ("role", "scope_area", "institution", "scope_domain", "department", "is_active")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        context["title"] = _("登录")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        # The absolute session lifetime counts from sign-in (R12).
        self.request.session[AUTH_AT_KEY] = int(time.time())
        return response

    def get_success_url(self):
        user = self.request.user
        if password_change_required(user):
            return reverse("accounts:password-change")
        return super().get_success_url()


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default); the session row is deleted (R12)."""


def password_change_required(user) -> bool:
    """Forced change at first login or after expiry (R8, R11); demo accounts are exempt."""
    if not user.is_authenticated or getattr(user, "is_demo", False):
        return False
    if user.must_change_password:
        return True
    return user.password_expired(settings.PASSWORD_MAX_AGE_DAYS)


class PasswordChangeView(LoginRequiredMixin, FormView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["title"] = _("修改密码")
        context["forced"] = password_change_required(user)
        return context

    def form_valid(self, form):
        user = self.request.user
        services.change_password(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)  # keeps this session, with a new key
        record(self.request, AuditAction.PASSWORD_CHANGE, obj=user)
        messages.success(self.request, _("密码已修改"))
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))

    def form_invalid(self, form):
        if form.has_error("old_password"):
            record(
                self.request,
                AuditAction.PASSWORD_CHANGE,
                obj=self.request.user,
                outcome=AuditOutcome.FAILURE,
                reason="old_password_incorrect",
            )
        return super().form_invalid(form)


# User management -----------------------------------------------------------------------------


def _can_manage_users(user) -> bool:
    return user.has_perm("accounts.manage_users")


def _can_unlock(user) -> bool:
    return user.has_perm("accounts.unlock_user") or user.has_perm("accounts.manage_users")


class _AdminMixin(LoginRequiredMixin):
    """Signed in and allowed (else 403); users outside the administrator's reach are 404."""

    def allowed(self, user) -> bool:
        return _can_manage_users(user)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def visible_users(self):
        user = self.request.user
        if _can_manage_users(user) and not user.has_perm("accounts.unlock_user"):
            return User.objects.manageable_by(user)
        if user.has_perm("accounts.unlock_user"):
            # The security administrator unlocks any account, admins included (R9).
            return User.objects.all()
        return User.objects.none()

    def managed_user(self, pk) -> User:
        return get_object_or_404(User.objects.manageable_by(self.request.user), pk=pk)


class UserListView(_AdminMixin, ListView):
    template_name = "accounts/user_list.html"
    context_object_name = "users"

    def allowed(self, user) -> bool:
        return _can_unlock(user)

    def get_paginate_by(self, queryset):
        return settings.LIST_PAGE_SIZE

    def get_queryset(self):
        qs = self.visible_users().select_related("scope_area", "institution", "department")
        query = (self.request.GET.get("q") or "").strip()[:50]
        if query:
            qs = qs.filter(
                Q(username__icontains=query)
                | Q(last_name__icontains=query)
                | Q(first_name__icontains=query)
            )
        return qs.order_by("username")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page_users = list(context["users"])
        locks = lock_status([u.username for u in page_users])
        manageable = set(
            User.objects.manageable_by(user)
            .filter(pk__in=[u.pk for u in page_users])
            .values_list("pk", flat=True)
        )
        context.update(
            title=_("用户管理"),
            q=self.request.GET.get("q", ""),
            querystring=urlencode({"q": self.request.GET.get("q", "")}),
            rows=[(u, locks.get(u.username, 0), u.pk in manageable) for u in page_users],
            can_create=_can_manage_users(user) and user.scope_area_id is not None,
            can_unlock_all=user.has_perm("accounts.unlock_user"),
            failure_limit=settings.AXES_FAILURE_LIMIT,
        )
        return context


def _show_secret(request, target: User, secret: str, heading: str):
    """The one and only display of an initial or reset password (never stored in plain text,
    never put in a message cookie or URL)."""
    response = render(
        request,
        "accounts/user_secret.html",
        {"title": heading, "target": target, "secret": secret},
    )
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


class UserCreateView(_AdminMixin, FormView):
    form_class = UserCreateForm
    template_name = "accounts/user_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.scope_area_id is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("新增用户")
        context["cancel_url"] = reverse("accounts:user-list")
        return context

    def form_valid(self, form):
        with transaction.atomic():
            target = form.save(commit=False)
            secret = services.issue_one_time_password(target)
            record(
                self.request,
                AuditAction.USER_CHANGE,
                obj=target,
                change="create",
                **{field: _audit_value(target, field) for field in AUDITED_FIELDS},
            )
        return _show_secret(self.request, target, secret, _("用户已创建"))


def _audit_value(user: User, field: str) -> str:
    value = getattr(user, field)
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "uuid"):
        return str(value.uuid)
    return "" if value is None else str(value)


class UserUpdateView(_AdminMixin, FormView):
    form_class = UserUpdateForm
    template_name = "accounts/user_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.target = None

    def get_target(self) -> User:
        if self.target is None:
            self.target = self.managed_user(self.kwargs["pk"])
        return self.target

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = self.get_target()
        return kwargs

    def get(self, request, *args, **kwargs):
        self.get_target()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("编辑用户 %(u)s") % {"u": self.get_target().username},
            target=self.get_target(),
            cancel_url=reverse("accounts:user-list"),
        )
        return context

    def form_valid(self, form):
        before = {f: _audit_value(User.objects.get(pk=form.instance.pk), f) for f in AUDITED_FIELDS}
        with transaction.atomic():
            target = form.save()
            after = {f: _audit_value(target, f) for f in AUDITED_FIELDS}
            changed = {
                f: f"{before[f]} → {after[f]}" for f in AUDITED_FIELDS if before[f] != after[f]
            }
            if changed:
                record(
                    self.request, AuditAction.USER_CHANGE, obj=target, change="update", **changed
                )
        messages.success(self.request, _("已保存"))
        return redirect("accounts:user-list")


@method_decorator(never_cache, name="dispatch")
class _UserActionView(_AdminMixin, View):
    """A POST-only action on one managed user."""

    http_method_names = ["post"]

    def post(self, request, pk):
        return self.act(self.managed_user(pk))

    def act(self, target: User):  # pragma: no cover - overridden
        raise NotImplementedError


class UserResetPasswordView(_UserActionView):
    def act(self, target):
        secret = services.issue_one_time_password(target)
        record(self.request, AuditAction.USER_CHANGE, obj=target, change="reset_password")
        return _show_secret(self.request, target, secret, _("密码已重置"))


class UserDeactivateView(_UserActionView):
    def act(self, target):
        services.deactivate(target)
        record(self.request, AuditAction.USER_CHANGE, obj=target, change="deactivate")
        messages.success(self.request, _("已停用用户 %(u)s，其会话已全部结束") % {"u": target})
        return redirect("accounts:user-list")


class UserUnlockView(_UserActionView):
    def allowed(self, user) -> bool:
        return _can_unlock(user)

    def managed_user(self, pk) -> User:
        if self.request.user.has_perm("accounts.unlock_user"):
            return get_object_or_404(User, pk=pk)
        return super().managed_user(pk)

    def act(self, target):
        from axes.utils import reset

        cleared = reset(username=target.username)
        record(self.request, AuditAction.USER_UNLOCK, obj=target, cleared=cleared)
        messages.success(self.request, _("已解锁用户 %(u)s") % {"u": target.username})
        return redirect("accounts:user-list")
