"""Test settings: fast hashing, fixed keys, an in-memory or throw-away database."""

import os
import tempfile
from pathlib import Path

# Keep generated development secrets out of the working tree during tests.
os.environ.setdefault("CARECIRCLE_DATA_DIR", str(Path(tempfile.gettempdir()) / "carecircle-test"))

from carecircle.conf.base import *  # noqa: E402, F403
from carecircle.conf.base import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
FIELD_ENCRYPTION_KEYS = "t1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
BLIND_INDEX_KEY = "test-blind-index-key"
DATA_DIR = Path(tempfile.gettempdir()) / "carecircle-test"
STATICFILES_STORAGE = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"] = {}
IMPORT_RUN_INLINE = True
STATIC_ROOT = None  # tests serve nothing from a collected static directory
