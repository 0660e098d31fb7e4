"""Settings shared by every environment; each value comes from the environment, safe default."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from carecircle.conf.env import env_bool, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CARECIRCLE_DATA_DIR", "var")).resolve()
PRODUCTION = False

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", DATA_DIR, nbytes=50)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "axes",
    "simple_history",
    "csp",
    "carecircle.core",
    "carecircle.audit",
    "carecircle.accounts",
    "carecircle.areas",
    "carecircle.institutions",
    "carecircle.persons",
    "carecircle.indicators",
    "carecircle.assessments",
    "carecircle.homecare",
    "carecircle.visits",
    "carecircle.adaptations",
    "carecircle.emergency",
    "carecircle.referrals",
    "carecircle.health",
    "carecircle.funds",
    "carecircle.childcare",
    "carecircle.enrolment",
    "carecircle.childhealth",
    "carecircle.portal",
    "carecircle.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carecircle.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "carecircle.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carecircle.accounts.middleware.SessionTimeoutMiddleware",
    "carecircle.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "carecircle.core.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carecircle.urls"
WSGI_APPLICATION = "carecircle.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carecircle.core.context_processors.platform",
                "carecircle.dashboard.context_processors.service_hubs",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
        "CARECIRCLE_PG_JIT", False
    ):
        # PostgreSQL's JIT compiles the indicator queries (one FILTER per period, each with
        # EXISTS subqueries: a thousand expressions) for seconds before running them for
        # milliseconds; off unless CARECIRCLE_PG_JIT is set.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "carecircle.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "carecircle.accounts.backends.RolePermissionBackend",
]
# R8: Argon2id first; the others only verify old hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("CARECIRCLE_PASSWORD_MIN_LENGTH", 12)
PASSWORD_MIN_CLASSES = env_int("CARECIRCLE_PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("CARECIRCLE_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY_COUNT = env_int("CARECIRCLE_PASSWORD_HISTORY_COUNT", 5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "carecircle.accounts.passwords.CharacterClassValidator"},
    {"NAME": "carecircle.accounts.passwords.BlocklistValidator"},
    {"NAME": "carecircle.accounts.passwords.HistoryValidator"},
]

# R9: lock a username after 5 failures for 30 minutes (admins until unlocked); per-IP throttle.
AXES_FAILURE_LIMIT = env_int("CARECIRCLE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = "carecircle.accounts.lockout.cooloff_time"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "carecircle.accounts.lockout.lockout_response"
AXES_VERBOSE = False
LOGIN_LOCKOUT_MINUTES = env_int("CARECIRCLE_LOGIN_LOCKOUT_MINUTES", 30)

# R12: server-side sessions, absolute lifetime 12 h, idle timeout 30 min.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("CARECIRCLE_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_IDLE_SECONDS = env_int("CARECIRCLE_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# R15: CSP without unsafe-inline, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["carecircle.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded files (filing documents). No URL serves this directory: files are read only through
# scoped, audited download views.
MEDIA_ROOT = DATA_DIR / "media"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Plotly's browser bundle straight from the plotly wheel (offline, no CDN).
    "carecircle.indicators.staticfiles.PlotlyFinder",
]
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "carecircle.accounts.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["carecircle.core.api.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "carecircle.core.api.CappedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CareCircle API",
    "DESCRIPTION": "一老一小服务平台 — areas, registries and people, scoped to the caller.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets sharing a field name keep stable component names.
    "ENUM_NAME_OVERRIDES": {
        "DomainEnum": "carecircle.core.choices.Domain",
        "StatusEnum": "carecircle.institutions.choices.ProviderStatus",
        "IndicatorDomainEnum": "carecircle.indicators.choices.IndicatorDomain",
        "IndicatorStatusEnum": "carecircle.indicators.choices.Status",
        "ServiceModeEnum": "carecircle.institutions.choices.ServiceMode",
        "EndReasonEnum": "carecircle.adaptations.choices.BedEndReason",
        "EnrolmentEndReasonEnum": "carecircle.enrolment.choices.EndReason",
        "SourceEnum": "carecircle.indicators.choices.Source",
        "ApplicationSourceEnum": "carecircle.enrolment.choices.ApplicationSource",
    },
}

# R22: field encryption keys (AES-256-GCM) and the blind-index key, kept outside DB and repo.
# CARECIRCLE_FIELD_KEYS is "kid:base64key,kid:base64key"; the first key encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env_str("CARECIRCLE_FIELD_KEYS") or (
    "k1:" + env_secret("CARECIRCLE_FIELD_KEY_K1", DATA_DIR)
)
BLIND_INDEX_KEY = env_secret("CARECIRCLE_BLIND_INDEX_KEY", DATA_DIR)

# Uploads (R16).
IMPORT_MAX_BYTES = env_int("CARECIRCLE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("CARECIRCLE_IMPORT_MAX_ROWS", 50_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
LIST_PAGE_SIZE = env_int("CARECIRCLE_LIST_PAGE_SIZE", 50)
LIST_PAGE_SIZE_MAX = env_int("CARECIRCLE_LIST_PAGE_SIZE_MAX", 200)

# Excel importers offered in the UI (slug → class); long imports run in a background thread.
CARECIRCLE_IMPORTERS: list[str] = [
    "carecircle.areas.importers.PopulationFactImporter",
    "carecircle.institutions.importers.ProviderImporter",
    "carecircle.institutions.importers.StaffImporter",
    "carecircle.persons.importers.ElderImporter",
    "carecircle.persons.importers.ChildImporter",
    "carecircle.persons.importers.DeathMoveOutImporter",
    "carecircle.indicators.importers.ReportedValueImporter",
    "carecircle.assessments.importers.AssessmentImporter",
    "carecircle.homecare.importers.ServiceOrderImporter",
    "carecircle.health.importers.ElderHealthCheckImporter",
    "carecircle.funds.importers.LotteryAllocationImporter",
    "carecircle.childhealth.importers.ChildHealthImporter",
]
IMPORT_RUN_INLINE = env_bool("CARECIRCLE_IMPORT_RUN_INLINE", False)

# Service rooms per 100 households in residential estates (m²), elderly / childcare; editable.
CARECIRCLE_ESTATE_NORMS = {
    "new": {"elderly": 30, "childcare": 20},
    "existing": {"elderly": 20, "childcare": 15},
}

# The area the platform monitors: indicators are computed for it and every unit below it.
CARECIRCLE_ROOT_AREA = env_str("CARECIRCLE_ROOT_AREA", "320685")

AUDIT_RETENTION_DAYS = env_int("CARECIRCLE_AUDIT_RETENTION_DAYS", 365)
INITIAL_PASSWORD_MAX_HOURS = env_int("CARECIRCLE_INITIAL_PASSWORD_MAX_HOURS", 24)
LOGIN_THROTTLE_RATE = env_str("CARECIRCLE_LOGIN_THROTTLE_RATE", "10/min")

# Elderly services (see docs/services/): local rules as settings with documented defaults.
CARECIRCLE_HELPER_MAX_ELDERS = env_int("CARECIRCLE_HELPER_MAX_ELDERS", 3)
CARECIRCLE_VISIT_STALE_DAYS = env_int("CARECIRCLE_VISIT_STALE_DAYS", 45)
CARECIRCLE_ASSESSMENT_UPGRADES = env_str("CARECIRCLE_ASSESSMENT_UPGRADES", "once")
CARECIRCLE_ASSESSMENT_VALIDITY_MONTHS = env_int("CARECIRCLE_ASSESSMENT_VALIDITY_MONTHS", 12)
CARECIRCLE_ASSESSMENT_DUE_DAYS = env_int("CARECIRCLE_ASSESSMENT_DUE_DAYS", 30)
CARECIRCLE_OFFER_VALID_DAYS = env_int("CARECIRCLE_OFFER_VALID_DAYS", 7)
CARECIRCLE_PORTAL_APPLY_LIMIT = env_int("CARECIRCLE_PORTAL_APPLY_LIMIT", 5)
CARECIRCLE_PORTAL_LOOKUP_LIMIT = env_int("CARECIRCLE_PORTAL_LOOKUP_LIMIT", 30)
# ⚠ Home-adaptation subsidy cap per household (yuan): no local figure was found; the pages warn
# that it is unconfirmed until CARECIRCLE_ADAPTATION_SUBSIDY_CAP_CONFIRMED is set.
CARECIRCLE_ADAPTATION_SUBSIDY_CAP = env_int("CARECIRCLE_ADAPTATION_SUBSIDY_CAP", 3000)
CARECIRCLE_ADAPTATION_SUBSIDY_CAP_CONFIRMED = env_bool(
    "CARECIRCLE_ADAPTATION_SUBSIDY_CAP_CONFIRMED", False
)
CARECIRCLE_CALL_RESPONSE_TARGET_MINUTES = env_int("CARECIRCLE_CALL_RESPONSE_TARGET_MINUTES", 15)
CARECIRCLE_FILING_DEADLINE_WORKING_DAYS = env_int("CARECIRCLE_FILING_DEADLINE_WORKING_DAYS", 5)
CARECIRCLE_FAMILY_POINT_MAX_CHILDREN = env_int("CARECIRCLE_FAMILY_POINT_MAX_CHILDREN", 5)
CARECIRCLE_FAMILY_POINT_CHILDREN_PER_CARER = env_int(
    "CARECIRCLE_FAMILY_POINT_CHILDREN_PER_CARER", 3
)
# Infant health (docs/services/childhealth.md): days after the due age before an item is overdue.
CARECIRCLE_VACCINE_GRACE_DAYS = env_int("CARECIRCLE_VACCINE_GRACE_DAYS", 30)
CARECIRCLE_CHILD_CHECK_GRACE_DAYS = env_int("CARECIRCLE_CHILD_CHECK_GRACE_DAYS", 30)

DEMO_ACCOUNT_PASSWORD = env_str("CARECIRCLE_DEMO_PASSWORD", "Haian-Demo-2025!")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "carecircle.core.logging.RedactFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": env_str("CARECIRCLE_LOG_LEVEL", "WARNING")},
}

SESSION_ABSOLUTE = timedelta(seconds=SESSION_COOKIE_AGE)
