"""Audit of authentication events (R18), and nothing else.

Django reports sign-ins only through its auth signals, django-axes lockouts through its own.
Session limits are kept by ``LoginView`` and ``SessionTimeoutMiddleware``; ending the sessions of
a disabled user is ``accounts.services.deactivate``.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(request, AuditAction.LOGIN, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        action = (
            AuditAction.SESSION_TIMEOUT
            if getattr(request, "session_timed_out", False)
            else AuditAction.LOGOUT
        )
        record(request, action, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(
        request,
        AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.FAILURE,
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(
        request,
        AuditAction.LOCKOUT,
        outcome=AuditOutcome.DENIED,
        username=str(username or "")[:150],
    )
