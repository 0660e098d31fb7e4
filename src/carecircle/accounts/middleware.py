"""Idle timeout (R12): a session unused for SESSION_IDLE_SECONDS is ended at the next request.

The absolute limit is the session cookie age, fixed at login (sessions are not refreshed on
every request), so a session never outlives SESSION_COOKIE_AGE.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url

_KEY = "_last_seen"


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
                request.session_timed_out = True
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(resolve_url(settings.LOGIN_URL) + "?timeout=1")
            request.session[_KEY] = now
        return self.get_response(request)
