"""Helpers of the security tests."""

from __future__ import annotations

PASSWORD = "Test-Password-2025!"  # the password core.testing.make_user gives every user
LOGIN_URL = "/accounts/login/"


def login(client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1", **extra):
    """A real sign-in through the login page (django-axes sees it)."""
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )
