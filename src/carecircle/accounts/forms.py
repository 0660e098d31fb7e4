from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from carecircle.accounts.choices import Role
from carecircle.accounts.models import Department, User
from carecircle.accounts.roles import grantable_roles
from carecircle.areas.models import Area
from carecircle.core.choices import ScopeDomain

UNIFORM_LOGIN_ERROR = _("用户名或密码错误，或账户已被锁定。请稍后再试或联系管理员。")


class LoginForm(AuthenticationForm):
    """One uniform message for a wrong password, an unknown user and a locked account (R9)."""

    error_messages = {
        "invalid_login": UNIFORM_LOGIN_ERROR,
        "inactive": UNIFORM_LOGIN_ERROR,
    }
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def confirm_login_allowed(self, user):
        """An initial or reset password not changed within 24 hours no longer works (R11)."""
        from carecircle.accounts.services import one_time_password_expired
        from carecircle.audit.choices import AuditAction, AuditOutcome
        from carecircle.audit.services import record

        super().confirm_login_allowed(user)
        if one_time_password_expired(user):
            record(
                self.request,
                AuditAction.LOGIN_FAILED,
                outcome=AuditOutcome.FAILURE,
                username=user.username,
                reason="one_time_password_expired",
            )
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (validators from settings, history included) with Chinese labels."""

    error_messages = {
        "password_mismatch": _("两次输入的新密码不一致"),
        "password_incorrect": _("原密码不正确"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        self.fields["new_password2"].help_text = ""


class _ScopedUserForm(forms.ModelForm):
    """Choices limited to what the administrator may grant: roles, its own area subtree and
    domain, institutions it can see (R1, R2, R4)."""

    class Meta:
        model = User
        fields = [
            "username",
            "last_name",
            "first_name",
            "phone",
            "role",
            "department",
            "scope_area",
            "institution",
            "scope_domain",
        ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        from carecircle.institutions.models import Provider

        self.admin = user
        path = user.scope_area.path if user.scope_area_id else "\x00"
        allowed = grantable_roles(user)
        self.fields["role"].choices = [("", "—")] + [
            (value, label) for value, label in Role.choices if value in allowed
        ]
        self.fields["role"].required = True
        self.fields["scope_area"].queryset = (
            Area.objects.current().filter(path__startswith=path).order_by("path")
        )
        self.fields["department"].queryset = Department.objects.filter(
            area__path__startswith=path
        ).select_related("area")
        self.fields["institution"].queryset = Provider.objects.for_user(user).order_by("name")
        if user.scope_domain != ScopeDomain.BOTH:
            self.fields["scope_domain"].choices = [
                (value, label) for value, label in ScopeDomain.choices if value == user.scope_domain
            ]
            self.fields["scope_domain"].initial = user.scope_domain

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        area = cleaned.get("scope_area")
        institution = cleaned.get("institution")
        if role == Role.INSTITUTION_STAFF:
            if institution is None:
                self.add_error("institution", _("机构工作人员须选择所属机构"))
            if area is not None:
                self.add_error("scope_area", _("机构工作人员不设管辖区划"))
        elif role:
            if area is None:
                self.add_error("scope_area", _("请选择管辖区划"))
            if institution is not None:
                self.add_error("institution", _("只有机构工作人员可以选择所属机构"))
        return cleaned


class UserCreateForm(_ScopedUserForm):
    pass


class UserUpdateForm(_ScopedUserForm):
    class Meta(_ScopedUserForm.Meta):
        fields = [f for f in _ScopedUserForm.Meta.fields if f != "username"]
