"""Audit of authentication events (R18). Django reports these only through its auth signals."""

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
            else (AuditAction.LOGOUT)
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
