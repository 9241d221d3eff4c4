"""Vikno settings. Everything that differs between machines comes from the environment.

DATABASE_URL      PostgreSQL in production (postgres://user@host:5432/name); SQLite file by default.
DATABASE_REPLICA_URL  a streaming read replica of DATABASE_URL: reports and analysis read there
                  (vikno/core/db.py, ADR 28); empty: everything on DATABASE_URL.
SECRET_KEY        required when DEBUG is off.
DEBUG             "1" for development (the `make run` default).
CELERY_BROKER_URL redis://127.0.0.1:6379/0 to run tasks on workers; eager in-process when unset.
VIKNO_EARLIEST_RECEIPT  the earliest date of receipt registration accepts (ISO, default 2000-01-01):
                  an earlier one is refused as a typo.
VIKNO_BASE_URL    where the workspace is served (https://vikno.example.gov.ua), for the links to
                  set a password sent by e-mail; the requesting page's address when unset.
EMAIL_BACKEND     Django's mail backend; SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
                  EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL) when DEBUG is off, files
                  in var/mail/ when it is on (`make run` needs no mail server).
SECURE_COOKIES    "0" to send the session and CSRF cookies over plain HTTP too (on by default with
                  DEBUG off; `make prod-local` serves http://127.0.0.1 and turns it off).
LOG_LEVEL, LOG_FORMAT  the root log level (INFO) and "json" (default with DEBUG off) or "text".
VIKNO_METRICS_TOKEN    the bearer token /metrics asks for; without it only 127.0.0.1 gets metrics.
VIKNO_AUDIT_SEAL_EVERY, VIKNO_AUDIT_SEAL_ALARM  seconds between the beat's audit seals (5), and
                  how long an unsealed audit event may wait before it is an alarm (300).
PROMETHEUS_MULTIPROC_DIR  set by the gunicorn start-up: where the workers' metrics meet.
Every variable is listed with its default in .env.example; docs/operations.md explains them.
"""

import os
import sys
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VIKNO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# The test runner needs no secrets and talks to "testserver".
TESTING = env_bool("VIKNO_TESTING") or "pytest" in sys.modules
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Without SECRET_KEY management commands and tests still work with a development key; the WSGI
# entry point (config/wsgi.py) refuses to serve with it unless DEBUG is on.
SECRET_KEY_IS_DEVELOPMENT = not SECRET_KEY
if SECRET_KEY_IS_DEVELOPMENT:
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if TESTING:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    # django.contrib.admin whose site opens for the system administrator alone.
    "vikno.accounts.admin_config.SystemAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "vikno.core",
    "vikno.audit",
    "vikno.accounts",
    "vikno.directory",
    "vikno.appeals",
    "vikno.workspace",
    "vikno.portal",
    "vikno.api",
]

MIDDLEWARE = [
    # First, so it times everything (request metrics and the access log, without personal data).
    "vikno.core.observability.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vikno.core.middleware.UkrainianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "vikno.core.middleware.StripNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vikno" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'vikno.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A kept connection (DB_CONN_MAX_AGE) is checked before a request or task uses it again:
        # after a database restart each worker would otherwise fail its next request.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every transaction take the write lock up front, so concurrent writers
    # queue instead of failing with "database is locked" half-way through a registration.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("VIKNO_TEST_SQLITE", "")}

# A read replica for reports and analysis (vikno.core.db.reporting); writes and every other read
# stay on the primary. In tests it mirrors the primary's test database (same name, its own host).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["vikno.core.db.ReportingRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "vikno" / "locale"]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# In production whitenoise serves the collected, compressed files (collectstatic) from memory; in
# development and tests it reads the apps' folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = int(os.environ.get("WHITENOISE_MAX_AGE", "3600"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vikno.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vikno API",
    "DESCRIPTION": "The partner systems' REST API (docs/adr/0033-api-partner-rest.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (the Content-Security-Policy forbids CDNs).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "AppealStatusEnum": "vikno.appeals.lifecycle.AppealStatus",
        "AssignmentStatusEnum": "vikno.appeals.lifecycle.AssignmentStatus",
        "AppealKindEnum": "vikno.appeals.models.appeals.Kind",
        "ApplicantKindEnum": "vikno.appeals.models.applicants.ApplicantKind",
    },
}

# Celery: eager in-process when no broker is configured (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "vikno")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# The workers log through LOGGING below (JSON, personal data filtered), not Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "deadline-control": {
        "task": "vikno.appeals.tasks.deadline_control",
        "schedule": crontab(minute=0, hour="7-19"),
    },
    # Chains the audit events written while another transaction held the chain head (ADR 0027).
    "audit-seal": {
        "task": "vikno.audit.tasks.audit_seal",
        "schedule": float(os.environ.get("VIKNO_AUDIT_SEAL_EVERY", "5")),
    },
    # The dashboard's and the statistics' figures that depend on today (selectors_stats).
    "stats-snapshot": {
        "task": "vikno.appeals.tasks.stats_snapshot",
        "schedule": crontab(minute="*/5"),
    },
}

# The contact centre running this instance.
VIKNO = {
    "NUMBER_PREFIX": os.environ.get("VIKNO_NUMBER_PREFIX", "ЗК"),
    "REGION_KATOTTG": os.environ.get("VIKNO_REGION_KATOTTG", "UA21000000000011690"),
    "DEFAULT_AUTHORITY": os.environ.get("VIKNO_DEFAULT_AUTHORITY", "ZAK-ODA"),
    "BASE_URL": os.environ.get("VIKNO_BASE_URL", ""),
    # Executors are reminded this long before a control date.
    "REMIND_BEFORE": timedelta(days=int(os.environ.get("VIKNO_REMIND_DAYS", "3"))),
    "EARLIEST_RECEIPT": date.fromisoformat(os.environ.get("VIKNO_EARLIEST_RECEIPT", "2000-01-01")),
    "ATTACHMENT_MAX_BYTES": int(os.environ.get("VIKNO_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))),
    # An audit event unsealed longer than this is an alarm: audit_verify fails, /metrics shows it.
    "AUDIT_SEAL_ALARM_SECONDS": int(os.environ.get("VIKNO_AUDIT_SEAL_ALARM", "300")),
    # Requests per key of the partner API (vikno.api.throttling); empty: no limit.
    "API_RATE": os.environ.get("VIKNO_API_RATE", "3000/min"),
}

# Mail: the links to set a password. Development writes each message to a file in var/mail/.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vikno@localhost")

# /metrics: a bearer token, or the machine itself only when unset (vikno/workspace/views/ops.py).
METRICS_TOKEN = os.environ.get("VIKNO_METRICS_TOKEN", "")

# Logs: one JSON object a line in production, plain text for `make run`; the personal-data filter
# (vikno/core/logging.py) is on the handler, so every logger's records pass through it.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "vikno.core.logging.PersonalDataFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in {"json", "text"} else "json",
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # runserver's own request lines carry the query string: the access log replaces them.
    "loggers": {"django.server": {"level": "WARNING"}},
}
