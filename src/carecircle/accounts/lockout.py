"""Login lockout policy (R9), used by django-axes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.accounts.roles import ADMIN_ROLES

# "Until unlocked": long enough never to expire on its own.
UNTIL_UNLOCKED = timedelta(days=3650)

# Set by the API token view, whose credentials arrive as JSON rather than in request.POST.
USERNAME_ATTRIBUTE = "carecircle_login_username"


def _cooloff_for_role(role: str | None) -> timedelta:
    if role in ADMIN_ROLES:
        return UNTIL_UNLOCKED
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def cooloff_time(request) -> timedelta:
    from carecircle.accounts.models import User

    username = ""
    if request is not None:
        username = getattr(request, USERNAME_ATTRIBUTE, None) or request.POST.get("username") or ""
    role = User.objects.filter(username=username).values_list("role", flat=True).first()
    return _cooloff_for_role(role)


def lockout_response(request, response, credentials, *args, **kwargs):
    """The same wording and status as any other failure, so a lockout reveals nothing (R9)."""
    from carecircle.accounts.forms import UNIFORM_LOGIN_ERROR, LoginForm

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(UNIFORM_LOGIN_ERROR)}, status=400)
    # Unbound: binding would validate, i.e. authenticate (and count a failure) once more.
    form = LoginForm(request, initial={"username": request.POST.get("username", "")[:150]})
    context = {"form": form, "title": _("登录"), "login_error": UNIFORM_LOGIN_ERROR}
    return render(request, "accounts/login.html", context)


def lock_status(usernames: Iterable[str]) -> dict[str, int]:
    """Recent failed logins per username (only those still counted by the lockout window)."""
    from axes.models import AccessAttempt

    from carecircle.accounts.models import User

    usernames = list(usernames)
    if not usernames:
        return {}
    roles = dict(User.objects.filter(username__in=usernames).values_list("username", "role"))
    now = timezone.now()
    counts = AccessAttempt.objects.filter(username__in=usernames).values_list(
        "username", "attempt_time", "failures_since_start"
    )
    result: dict[str, int] = {}
    for username, attempt_time, failures in counts:
        if attempt_time >= now - _cooloff_for_role(roles.get(username)):
            result[username] = result.get(username, 0) + (failures or 0)
    return result
