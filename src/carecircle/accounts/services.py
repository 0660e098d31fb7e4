"""Account workflows: password changes with history (R8), one-time secrets (R11), ending
sessions (R7, R12)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carecircle.accounts.models import PasswordHistory, User

# No look-alike characters (0/O, 1/l/I): the secret is read off a screen and typed in.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "!#%+-=?@"
_ALPHABET = _LOWER + _UPPER + _DIGITS + _SYMBOLS


def random_password(length: int = 16, user: User | None = None) -> str:
    """A random password with all four character classes that passes the configured validators."""
    length = max(length, settings.PASSWORD_MIN_LENGTH)
    for _attempt in range(20):
        chars = [secrets.choice(group) for group in (_LOWER, _UPPER, _DIGITS, _SYMBOLS)]
        chars += [secrets.choice(_ALPHABET) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate
    raise RuntimeError("could not generate a password that passes the validators")


def _remember_current(user: User) -> None:
    """Keep the hash being replaced, and only as many as the history rule needs."""
    if user.pk is None or not user.password or not user.has_usable_password():
        return
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = max(settings.PASSWORD_HISTORY_COUNT, 1)
    stale = list(user.password_history.values_list("pk", flat=True)[keep:])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()


@transaction.atomic
def change_password(user: User, raw_password: str) -> None:
    """The user chose a new password: remember the old hash, restart the age clock."""
    _remember_current(user)
    user.set_password(raw_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    delete_tokens(user)


@transaction.atomic
def issue_one_time_password(user: User) -> str:
    """An administrator's initial or reset secret: random, shown once, to be changed at first
    login and refused after ``INITIAL_PASSWORD_MAX_HOURS`` (R11)."""
    raw = random_password(user=user if user.pk else None)
    _remember_current(user)
    user.set_password(raw)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    if user.pk is None:
        user.save()
    else:
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        end_sessions(user)
    return raw


def one_time_password_expired(user: User) -> bool:
    if not user.must_change_password or user.password_changed_at is None:
        return False
    hours = getattr(settings, "INITIAL_PASSWORD_MAX_HOURS", 24)
    return timezone.now() - user.password_changed_at > timedelta(hours=hours)


def delete_tokens(user: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def end_sessions(user: User) -> int:
    """Delete every server-side session and API token of ``user`` (R7, R12).

    Sessions are stored encoded, so the live ones are decoded to find the user's; deployments
    have at most a few thousand live sessions.
    """
    delete_tokens(user)
    wanted = str(user.pk)
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        # An unreadable session decodes to {} and is no one's: it is left to expire.
        if str(session.get_decoded().get("_auth_user_id")) == wanted:
            doomed.append(session.pk)
    if doomed:
        Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def deactivate(user: User) -> None:
    """Disable the account and end its sessions and tokens (R7)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)
