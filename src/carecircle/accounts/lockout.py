"""Login lockout policy (R9), used by django-axes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.shortcuts import render

from carecircle.accounts.roles import ADMIN_ROLES

# "Until unlocked": long enough never to expire on its own.
UNTIL_UNLOCKED = timedelta(days=3650)


def cooloff_time(request) -> timedelta:
    from carecircle.accounts.models import User

    username = (request.POST.get("username") or "") if request is not None else ""
    role = User.objects.filter(username=username).values_list("role", flat=True).first()
    if role in ADMIN_ROLES:
        return UNTIL_UNLOCKED
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_response(request, response, credentials, *args, **kwargs):
    """The same wording as any other failure, so a lockout reveals nothing (R9)."""
    from carecircle.accounts.forms import LoginForm

    form = LoginForm(request)
    form.add_error(None, LoginForm.error_messages["invalid_login"])
    return render(request, "accounts/login.html", {"form": form}, status=403)
