"""Small typed helpers that read settings from the environment.

Every setting has a safe default in ``base.py``; a ``NAME_FILE`` variable points to a file that
holds the value (for container secrets), and wins over ``NAME``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, data_dir: Path, *, required: bool = False, nbytes: int = 32) -> str:
    """A secret from the environment; in development, one generated once and kept in the data dir.

    The generated file lives outside the repository and the database, as R22 asks of keys.
    """
    value = env_str(name)
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set in production")
    store = data_dir / "secrets.json"
    stored: dict[str, str] = {}
    if store.exists():
        stored = json.loads(store.read_text(encoding="utf-8"))
    if name not in stored:
        stored[name] = secrets.token_urlsafe(nbytes)
        data_dir.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        store.chmod(0o600)
    return stored[name]
