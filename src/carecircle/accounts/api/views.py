"""The caller's own profile and API sign-in (token), both outside the scoped registries."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from carecircle.accounts.api.authentication import token_lifetime
from carecircle.accounts.api.serializers import (
    AccountsErrorSerializer,
    ApiLoginSerializer,
    ApiTokenSerializer,
    MeSerializer,
)
from carecircle.accounts.forms import UNIFORM_LOGIN_ERROR
from carecircle.accounts.lockout import USERNAME_ATTRIBUTE
from carecircle.accounts.services import one_time_password_expired
from carecircle.accounts.views import password_change_required
from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record

NO_STORE = "no-store, no-cache, must-revalidate, private, max-age=0"


class LoginRateThrottle(SimpleRateThrottle):
    """Per-IP throttle on API sign-in (R9), on top of django-axes' username lockout."""

    scope = "login"

    def get_rate(self):
        return getattr(settings, "LOGIN_THROTTLE_RATE", "10/min")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(tags=["accounts"])
class MeViewSet(viewsets.GenericViewSet):
    """The signed-in user's role, scope and permissions."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer
    pagination_class = None

    def get_queryset(self):  # only ever the caller
        from carecircle.accounts.models import User

        return User.objects.filter(pk=self.request.user.pk)

    @extend_schema(
        operation_id="accounts_me",
        summary="当前用户",
        responses={200: MeSerializer, 401: AccountsErrorSerializer, 403: AccountsErrorSerializer},
    )
    def list(self, request):
        response = Response(self.get_serializer(request.user).data)
        response["Cache-Control"] = NO_STORE
        return response


@extend_schema(tags=["accounts"])
class TokenViewSet(viewsets.GenericViewSet):
    """Exchange a username and password for an API token (same lockout and audit as the login
    page; one uniform error message)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]
    serializer_class = ApiLoginSerializer
    pagination_class = None

    def get_queryset(self):  # pragma: no cover - no list of tokens is ever served
        return Token.objects.none()

    @extend_schema(
        operation_id="accounts_token_create",
        summary="获取API令牌",
        request=ApiLoginSerializer,
        responses={
            200: ApiTokenSerializer,
            400: OpenApiResponse(AccountsErrorSerializer, description="用户名或密码错误"),
            403: OpenApiResponse(AccountsErrorSerializer, description="账户锁定或须先修改密码"),
            429: OpenApiResponse(AccountsErrorSerializer, description="请求过于频繁"),
        },
    )
    def create(self, request):
        serializer = ApiLoginSerializer(data=request.data)
        if not serializer.is_valid():
            return self._error(UNIFORM_LOGIN_ERROR, status.HTTP_400_BAD_REQUEST)
        django_request = request._request
        username = serializer.validated_data["username"]
        setattr(django_request, USERNAME_ATTRIBUTE, username)
        user = authenticate(
            request=django_request,
            username=username,
            password=serializer.validated_data["password"],
        )
        if user is None:
            return self._error(UNIFORM_LOGIN_ERROR, status.HTTP_400_BAD_REQUEST)
        if one_time_password_expired(user):
            record(
                django_request,
                AuditAction.LOGIN_FAILED,
                outcome=AuditOutcome.FAILURE,
                username=user.username,
                reason="one_time_password_expired",
            )
            return self._error(UNIFORM_LOGIN_ERROR, status.HTTP_400_BAD_REQUEST)
        if password_change_required(user):
            record(
                django_request,
                AuditAction.LOGIN_FAILED,
                outcome=AuditOutcome.DENIED,
                user=user,
                reason="password_change_required",
            )
            return self._error(_("须先在网页上修改密码"), status.HTTP_403_FORBIDDEN)
        with transaction.atomic():
            # A fresh token each time: the previous one stops working (rotation, R12).
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
            record(django_request, AuditAction.LOGIN, user=user, method="api_token")
        response = Response(
            {"token": token.key, "expires_in": int(token_lifetime().total_seconds())}
        )
        response["Cache-Control"] = NO_STORE
        return response

    @staticmethod
    def _error(message, code):
        response = Response({"detail": str(message)}, status=code)
        response["Cache-Control"] = NO_STORE
        return response
