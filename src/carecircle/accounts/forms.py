from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """One uniform message for a wrong password, an unknown user and a locked account (R9)."""

    error_messages = {
        "invalid_login": _("用户名或密码错误，或账户已被锁定。请稍后再试或联系管理员。"),
        "inactive": _("用户名或密码错误，或账户已被锁定。请稍后再试或联系管理员。"),
    }
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
