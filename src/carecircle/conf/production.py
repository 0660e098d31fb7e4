"""Production: secrets from the environment, HTTPS only, __Host- cookies (R13, R21, R32)."""

from carecircle.conf.base import *  # noqa: F403
from carecircle.conf.base import DATA_DIR
from carecircle.conf.env import env_int, env_secret, env_str

PRODUCTION = True
DEBUG = False
SECRET_KEY = env_secret("DJANGO_SECRET_KEY", DATA_DIR, required=True)
FIELD_ENCRYPTION_KEYS = env_str("CARECIRCLE_FIELD_KEYS") or env_secret(
    "CARECIRCLE_FIELD_KEYS", DATA_DIR, required=True
)
BLIND_INDEX_KEY = env_secret("CARECIRCLE_BLIND_INDEX_KEY", DATA_DIR, required=True)

SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = env_int("CARECIRCLE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
