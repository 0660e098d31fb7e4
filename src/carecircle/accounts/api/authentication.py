"""API tokens that expire (R26): a token older than API_TOKEN_SECONDS is deleted on use."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_lifetime() -> timedelta:
    return timedelta(seconds=getattr(settings, "API_TOKEN_SECONDS", settings.SESSION_COOKIE_AGE))


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - token_lifetime():
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期"))
        return user, token
