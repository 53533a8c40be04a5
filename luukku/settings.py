"""Luukku settings: every deploy-specific value comes from the environment, with safe defaults
for the embedded demo (SQLite, eager Celery, DEBUG on only when asked for)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Off unless asked for: a deploy that forgets the variable must not show tracebacks to the world.
# The Makefile's development targets and the test settings ask for it (DJANGO_DEBUG=1).
DEBUG = env_bool("DJANGO_DEBUG", default=False)
# The demo key is only for the embedded default; production refuses to start without its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for development on your own machine, set DJANGO_DEBUG=1 instead)"
        )
    SECRET_KEY = "luukku-insecure-demo-key-do-not-use-in-production"  # noqa: S105
# The key of the keyed hash (HMAC-SHA256) under which personal identity codes are kept for
# matching (cases.services.identity_code_hash). Empty: derived from SECRET_KEY. Set it in a
# deploy, so that rotating SECRET_KEY does not make every stored hash unmatchable.
IDENTITY_CODE_HASH_KEY = os.environ.get("IDENTITY_CODE_HASH_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "csp",
    "channels",
    # Luukku's own apps, lowest layer first (see docs/architecture.md).
    "luukku.core",
    "luukku.areas",
    "luukku.organisations",
    "luukku.accounts",
    "luukku.catalogue",
    "luukku.intake",
    "luukku.notifications",
    "luukku.router",
    "luukku.cases",
    "luukku.accessibility",
    "luukku.surveys",
    "luukku.ideas",
    "luukku.panels",
    "luukku.insights",
    "luukku.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A lost database connection in a view answers 503 + Retry-After, not 500 (docs/reliability.md).
    "luukku.core.database_unavailable.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "luukku.core.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luukku.urls"
WSGI_APPLICATION = "luukku.wsgi.application"
# HTTP and WebSockets (Django Channels): the production server runs this under gunicorn with
# uvicorn workers (deploy/gunicorn.conf.py); `runserver` stays plain WSGI for HTTP.
ASGI_APPLICATION = "luukku.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "luukku" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Under the ASGI server each worker runs sync views on a pool of threads, and persistent
# connections (DATABASE_CONN_MAX_AGE) would pile up one per thread until PostgreSQL refuses more
# (measured in the reliability run, docs/reliability.md). DATABASE_POOL_MAX_SIZE > 0 gives each
# process a psycopg connection pool of that size instead; deploy/gunicorn.conf.py turns it on.
DATABASE_POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "0"))


def database_from_url(url: str) -> dict[str, object]:
    config: dict[str, object] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        )
    )
    if DATABASE_POOL_MAX_SIZE and config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_MAX_SIZE,
            # A request waits this long for a free connection, then fails (503) rather than hangs.
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "3")),
        }
        config["OPTIONS"] = options
    return config


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
# Read replicas (comma-separated URLs): reads the router may serve from a replica go there
# (luukku/core/db_routers.py); everything else, and every write, goes to "default".
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
for _index, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica{_index}"] = database_from_url(_url)
    DATABASES[f"replica{_index}"]["TEST"] = {"MIRROR": "default"}
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["luukku.core.db_routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Admin permissions follow organisation roles (luukku/accounts/backends.py).
    "luukku.accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "catalogue:home"

# Login throttling (django-axes): lock the username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Behind reverse proxies the client's address is in X-Forwarded-For, not REMOTE_ADDR. Set this to
# the number of proxies in front of the app server, so that login locks, API throttles and the
# audit log see the client rather than the proxy (which would lock every user's username at once).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "luukku" / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The site-wide stylesheet and scripts live outside any app.
STATICFILES_DIRS = [BASE_DIR / "luukku" / "static"]

# Uploaded files (feedback images). Served by the web server in production, never by Django.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")

# Open311 (6Aika Issue Reporting API): the jurisdictions this server answers for, whether a
# client must name one, the moderation state new feedback starts in, and the API throttles.
OPEN311_JURISDICTIONS = env_list("OPEN311_JURISDICTIONS", ["pohjois-savo.fi"])
# Service Discovery's `contact` (who answers questions about the API) and `key_service` (how a
# developer gets an api_key). Set both for a real installation.
OPEN311_CONTACT = os.environ.get(
    "OPEN311_CONTACT", "The region's one-stop shop (Luukku) administrators"
)
OPEN311_KEY_SERVICE = os.environ.get(
    "OPEN311_KEY_SERVICE",
    "Ask the region's Luukku administrators for a key for your application; keys are issued "
    "per application (manage.py create_api_key NAME).",
)
OPEN311_JURISDICTION_REQUIRED = env_bool("OPEN311_JURISDICTION_REQUIRED", default=False)
INTAKE_DEFAULT_MODERATION = os.environ.get("INTAKE_DEFAULT_MODERATION", "public")
# Seconds an app server keeps its copy of services and organisations for the Open311 answers.
OPEN311_REFERENCE_TTL = int(os.environ.get("OPEN311_REFERENCE_TTL", "60"))
OPEN311_THROTTLE_RATES = {
    "ip": os.environ.get("OPEN311_IP_RATE", "600/minute"),
    "key": os.environ.get("OPEN311_KEY_RATE", "1200/minute"),
}
# Survey answers through the public API, per client address ("count/period"; empty = no limit).
SURVEYS_SUBMIT_RATE = os.environ.get("SURVEYS_SUBMIT_RATE", "600/minute")
# Survey invitations after a closed case: how long a link works, how often one customer may be
# asked; unfinished answers are deleted after LUUKKU_SURVEY_PARTIAL_DAYS (all in days).
LUUKKU_SURVEY_INVITATION_VALID_DAYS = int(
    os.environ.get("LUUKKU_SURVEY_INVITATION_VALID_DAYS", "30")
)
LUUKKU_SURVEY_INVITATION_INTERVAL_DAYS = int(
    os.environ.get("LUUKKU_SURVEY_INVITATION_INTERVAL_DAYS", "30")
)
# The DuckDB file the insight dashboards read, rebuilt from the database by a beat task; each app
# server reads it, so on several hosts put it on shared storage or run the task on each host.
INSIGHTS_EXTRACT_PATH = Path(
    os.environ.get("INSIGHTS_EXTRACT_PATH", str(BASE_DIR / "var" / "insights.duckdb"))
)
LUUKKU_SURVEY_PARTIAL_DAYS = int(os.environ.get("LUUKKU_SURVEY_PARTIAL_DAYS", "30"))

# The public feedback form: image limits (bytes, pixels against decompression bombs, count),
# submissions per IP address ("count/seconds"), and the address used in confirmation e-mails.
INTAKE_MEDIA_MAX_BYTES = int(os.environ.get("INTAKE_MEDIA_MAX_BYTES", str(10 * 1024 * 1024)))
INTAKE_MEDIA_MAX_PIXELS = int(os.environ.get("INTAKE_MEDIA_MAX_PIXELS", "40000000"))
INTAKE_MEDIA_MAX_FILES = int(os.environ.get("INTAKE_MEDIA_MAX_FILES", "5"))
INTAKE_FORM_RATE = os.environ.get("INTAKE_FORM_RATE", "10/3600")
INTAKE_PUBLIC_BASE_URL = os.environ.get("INTAKE_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# E-mail: printed to the console unless a deploy configures a real backend.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "luukku@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Channels: the Redis layer shares real-time events across app servers; without Redis an
# in-memory layer serves the single-process demo.
CHANNEL_LAYER_URL = os.environ.get("CHANNEL_LAYER_URL") or os.environ.get("REDIS_URL", "")
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s timeout, the layer waits on its channel with a 5 s
            # blocking pop: without a longer timeout every idle WebSocket dies after ~5 s.
            "CONFIG": {"hosts": [{"address": CHANNEL_LAYER_URL, "socket_timeout": 15}]},
        }
        if CHANNEL_LAYER_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

# Celery: without a broker every task runs in-process at once (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
# The notification outbox is drained after each commit that writes to it and, so that nothing
# waits when a worker or the broker was down, every minute; a queued run older than that expires.
CELERY_BEAT_SCHEDULE = {
    "notifications-deliver-pending": {
        "task": "notifications.deliver_pending",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Cases: late work to the unit leads hourly, their digest at 07:00 (CELERY_TIMEZONE), and
    # cases for requests whose hand-off failed every quarter of an hour.
    "cases-escalate-due-work": {"task": "luukku.cases.tasks.escalate_due_work", "schedule": 3600},
    "cases-daily-digest": {
        "task": "luukku.cases.tasks.send_daily_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    "cases-open-waiting-cases": {"task": "luukku.cases.tasks.open_waiting_cases", "schedule": 900},
    # Delivered notifications are deleted after LUUKKU_NOTIFICATION_RETENTION_DAYS, at 03:30.
    "notifications-prune-delivered": {
        "task": "notifications.prune_delivered",
        "schedule": crontab(hour=3, minute=30),
    },
    "surveys-apply-retention": {
        "task": "luukku.surveys.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=45),
    },
    # Insights: the dashboards' columnar extract every 15 minutes, alerts each morning.
    "insights-refresh-extract": {
        "task": "luukku.insights.tasks.refresh_extract",
        "schedule": 900,
        "options": {"expires": 840},
    },
    "insights-detect-alerts": {
        "task": "luukku.insights.tasks.detect_alerts",
        "schedule": crontab(hour=6, minute=30),
    },
    "panels-apply-retention": {
        "task": "luukku.panels.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=0),
    },
    # Retention of the other personal data (docs/operations.md, "Rights of the data subject"):
    # failed notifications' addresses, requests, triage texts, cases and customers, accessibility
    # feedback, deactivated staff accounts and the audit log, each at night in batches.
    "notifications-erase-failed": {
        "task": "notifications.erase_failed",
        "schedule": crontab(hour=3, minute=35),
    },
    "intake-apply-retention": {
        "task": "luukku.intake.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=15),
    },
    "router-apply-retention": {
        "task": "luukku.router.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=20),
    },
    "cases-apply-retention": {
        "task": "luukku.cases.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=30),
    },
    "accessibility-apply-retention": {
        "task": "luukku.accessibility.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=45),
    },
    "accounts-apply-retention": {
        "task": "luukku.accounts.tasks.apply_retention",
        "schedule": crontab(hour=5, minute=0),
    },
    "core-prune-audit-log": {
        "task": "luukku.core.tasks.prune_audit_log",
        "schedule": crontab(hour=5, minute=15),
    },
}
# Retention in days of personal data that has no per-row period (surveys and panels set theirs):
# a starting point; the region's records management plan decides the real periods.
LUUKKU_REQUEST_RETENTION_DAYS = int(os.environ.get("LUUKKU_REQUEST_RETENTION_DAYS", "730"))
LUUKKU_CASE_RETENTION_DAYS = int(os.environ.get("LUUKKU_CASE_RETENTION_DAYS", "1826"))
LUUKKU_ACCESSIBILITY_RETENTION_DAYS = int(
    os.environ.get("LUUKKU_ACCESSIBILITY_RETENTION_DAYS", "730")
)
LUUKKU_STAFF_RETENTION_DAYS = int(os.environ.get("LUUKKU_STAFF_RETENTION_DAYS", "365"))
LUUKKU_AUDIT_RETENTION_DAYS = int(os.environ.get("LUUKKU_AUDIT_RETENTION_DAYS", "1826"))
LUUKKU_NOTIFICATION_RETENTION_DAYS = int(
    os.environ.get("LUUKKU_NOTIFICATION_RETENTION_DAYS", "180")
)
# Text messages: a dotted path to a class with send(address, body); the default only logs.
LUUKKU_SMS_BACKEND = os.environ.get(
    "LUUKKU_SMS_BACKEND", "luukku.notifications.senders.ConsoleSmsSender"
)
LUUKKU_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("LUUKKU_NOTIFICATION_MAX_ATTEMPTS", "8"))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "luukku.core.openapi.LuukkuAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "600/minute")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Luukku API",
    "DESCRIPTION": "The region's service catalogue: find the right service.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Content Security Policy (django-csp 4): no inline scripts, no third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# Staff sessions end after a working day (Django's default is two weeks).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE_SECONDS", str(8 * 60 * 60)))
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Production (DEBUG off) speaks HTTPS only: HSTS for a year and a redirect from plain HTTP. A
# TLS-terminating proxy in front must pass X-Forwarded-Proto (TRUSTED_PROXY_COUNT). `make
# run-prod` on a laptop turns the redirect off (DJANGO_SECURE_SSL_REDIRECT=0); HSTS is only sent
# over HTTPS, so it does no harm there.
if not DEBUG:
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    # Preloading commits every subdomain of the region's domain to HTTPS in browsers for months:
    # a decision for the domain's owner, so off unless asked for, and its deploy-check warning
    # (security.W021) is silenced only while it is off.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_identity_codes": {"()": "luukku.core.logging.MaskIdentityCodes"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_identity_codes"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own loggers get their default handlers otherwise, which do not mask: a request
    # path with an identity code in it would reach the log unmasked.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
