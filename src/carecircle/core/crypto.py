"""Field encryption (AES-256-GCM) and keyed blind indexes (HMAC-SHA256), R22.

Keys come from settings (the environment), never from the database. ``FIELD_ENCRYPTION_KEYS`` is a
comma-separated list of ``kid:base64key``; the first encrypts, every listed key decrypts, so a key
can be rotated by adding a new one in front and re-encrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=8)
def _keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    first = ""
    for item in spec.split(","):
        kid, _, encoded = item.strip().partition(":")
        if not kid or not encoded:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries must look like kid:base64key")
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        # Derive a 256-bit key so any secret of sufficient entropy can serve.
        keys[kid] = AESGCM(hashlib.sha256(raw).digest())
        first = first or kid
    return first, keys


def encrypt(plaintext: str, *, context: str = "") -> str:
    """Encrypt to ``kid$base64(nonce|ciphertext)``; ``context`` is bound as associated data."""
    if plaintext is None or plaintext == "":
        return ""
    kid, keys = _keys(settings.FIELD_ENCRYPTION_KEYS)
    nonce = os.urandom(12)
    sealed = keys[kid].encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{kid}${base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str, *, context: str = "") -> str:
    if not token:
        return ""
    kid, _, payload = token.partition("$")
    _, keys = _keys(settings.FIELD_ENCRYPTION_KEYS)
    blob = base64.b64decode(payload)
    return keys[kid].decrypt(blob[:12], blob[12:], context.encode("utf-8")).decode("utf-8")


def blind_index(value: str, *, purpose: str) -> str:
    """Deterministic keyed digest for equality lookups; ``purpose`` separates indexes."""
    if not value:
        return ""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
