"""Session limits (R12) and forced password changes (R8, R11).

Idle timeout: a session unused for SESSION_IDLE_SECONDS is ended at the next request.
Absolute lifetime: a session is ended SESSION_COOKIE_AGE seconds after sign-in, however active.
(The session row's own expiry moves with every save, so the sign-in time is kept in the session
and checked here.)
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

_KEY = "_last_seen"
AUTH_AT_KEY = "_auth_at"


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(_KEY)
            auth_at = request.session.get(AUTH_AT_KEY)
            idle = last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS
            expired = auth_at is not None and now - auth_at > settings.SESSION_COOKIE_AGE
            if idle or expired:
                request.session_timed_out = True
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(resolve_url(settings.LOGIN_URL) + "?timeout=1")
            request.session[_KEY] = now
            if auth_at is None:
                request.session[AUTH_AT_KEY] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Users who must change their password (first login, reset, expiry) reach nothing else.

    Place it after ``SessionTimeoutMiddleware``. Demo accounts are exempt.
    """

    EXEMPT_URL_NAMES = ("accounts:login", "accounts:logout", "accounts:password-change")

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def exempt_paths(self) -> tuple[str, ...]:
        if self._exempt is None:
            paths = []
            for name in (*self.EXEMPT_URL_NAMES, "set_language"):
                try:
                    paths.append(reverse(name))
                except NoReverseMatch:
                    continue
            self._exempt = tuple(paths)
        return self._exempt

    def __call__(self, request):
        from carecircle.accounts.views import password_change_required

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path_info not in self.exempt_paths()
            and not request.path_info.startswith(settings.STATIC_URL)
            and password_change_required(user)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": _("须先修改密码")}, status=403)
            return redirect("accounts:password-change")
        return self.get_response(request)
