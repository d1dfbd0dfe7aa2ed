"""Settings, every value read from the environment with a development-safe default (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: with DJANGO_DEBUG off the application needs a real secret key "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set: with DJANGO_DEBUG off list the host names the site answers to.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "rest_framework",
    "rest_framework.authtoken",
    "simple_history",
    "portfolio.apps.AxesConfig",  # django-axes, named in Vietnamese
    "portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portfolio.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portfolio.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page but the login page needs a signed-in user.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portfolio" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portfolio.context_processors.access_links",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "config.sqlite3"  # the real bound-parameter limit (config/sqlite3/base.py)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: our queries run for milliseconds to a second, and compiling them costs more than it saves
    # (at 100,000 tasks the queries of the export and of the meeting workbook took 1.46 and 1.48 s with JIT, 1.11
    # and 1.20 s without).
    # No parallel query: the web workers already share the cores, and a query run in three processes (PostgreSQL's
    # default on this size of table) took three times the CPU for the same count (the review queue's waiting reports
    # at 100,000 tasks: 20 ms in each of three processes). Under the load of bench/load.py at 100,000 tasks
    # PostgreSQL used 30 CPU s without, 39 with.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portfolio.backends.UserBackend",  # ModelBackend that reads the group names with the user
]

# The audit trail is read-only: old versions can be viewed, not restored (see portfolio.admin.HistoryAdmin).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Login protection (django-axes): a (username, address) pair is locked after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portfolio.security.client_ip"
AXES_VERBOSE = False
# How many reverse proxies stand in front of the application (their X-Forwarded-For entries are trusted).
PORTFOLIO_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# Security headers and cookies; HTTPS-only settings apply when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PORTFOLIO_TRUSTED_PROXY_COUNT else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
# An intranet host name cannot be on the browsers' public HSTS preload list, so that check does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# A working day; the session also ends when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(9 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PORTFOLIO_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("Tiếng Anh"))]
LOCALE_PATHS = [BASE_DIR / "portfolio" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Celery: with no broker configured, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

# Summaries (dashboard) are kept until the data changes (portfolio/freshness.py). With several server processes the
# cache must be shared: set DJANGO_CACHE_URL to Redis (production); the embedded default keeps it in the process.
# The cache is never a dependency (portfolio/freshness.py computes the page when it fails): short timeouts, so a
# Redis that hangs costs a page a second at most. It lives in a Redis database of its own, never the broker's: the
# broker's queues must not be evicted or flushed with the cache, nor the cache's keys fill the broker's memory.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["DJANGO_CACHE_URL"],
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if os.environ.get("DJANGO_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portfolio"}
    )
}
if os.environ.get("DJANGO_CACHE_URL") and os.environ["DJANGO_CACHE_URL"].rstrip("/") == CELERY_BROKER_URL.rstrip("/"):
    raise ImproperlyConfigured("DJANGO_CACHE_URL and CELERY_BROKER_URL name the same Redis database: give the cache a database of its own (…/1).")
PORTFOLIO_SUMMARY_CACHE_SECONDS = int(os.environ.get("PORTFOLIO_SUMMARY_CACHE_SECONDS", 600))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Chosen for the faults the reminders must survive (issue 17; each has a test in tests/test_faults.py):
# - a task's message is acknowledged only once the task has returned, so a worker killed in the middle (SIGKILL, out
#   of memory, a restart) leaves it in Redis for another worker; the digests' claims keep a rerun from sending twice;
CELERY_TASK_ACKS_LATE = True
# - and when the pool process running it dies (a prefork child killed), the message is handed back at once instead
#   of the task being recorded as failed;
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# - each process reserves one message at a time: a worker that dies strands nothing queued behind the task it was
#   running, and a second worker takes the rest;
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# - Redis hands an unacknowledged message out again after the visibility timeout: it must exceed every countdown
#   (retry backoff up to PORTFOLIO_MAIL_RETRY_BACKOFF_MAX, the summary's delay) and the longest task, or a message
#   would run twice while its first run is alive; a message lost anyway is caught by the beat check
#   (services.reminders.digests_requeue). Short socket timeouts: a Redis that hangs is noticed as one that is down;
#   kombu looks for such messages every unacked_restore_interval x unacked_restore_throttle seconds (10 x 10 by
#   default): with a short visibility timeout (the tests' few seconds) it looks every second, else every 100 s at most;
_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, max(1, _VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1 if _VISIBILITY_TIMEOUT < 1000 else 10,
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
}
# - a worker or beat started before Redis answers (the services start in any order) waits for it instead of exiting,
#   and after losing Redis reconnects for as long as it takes (None: no limit); a crash is left to the restart policy;
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# - when the connection to Redis is lost, a task already running is left to finish rather than cancelled: its
#   message comes back anyway, and cancelling it mid-send would leave its digest "sending" until its lease runs out
#   (and then, maybe, sent twice);
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# - queueing a task (the daily run, a resend from the admin) tries Redis a few times over about two seconds, then
#   raises: a run whose sends were not queued is not recorded as finished, and the next beat check runs it again;
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# - nobody reads the tasks' results: none are stored.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE = {
    # Checks every quarter hour; runs once a day after the time the Office set (ReminderSettings.run_at).
    "reminders": {"task": "portfolio.tasks.run_reminders_task", "schedule": int(os.environ.get("PORTFOLIO_REMINDER_CHECK_SECONDS", "900"))},
    # Uploaded workbooks whose preview was never answered (services/uploads.py) are removed after an hour.
    "stale-uploads": {"task": "portfolio.tasks.clear_stale_uploads_task", "schedule": 3600},
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "theodoi@thanhuy.cantho.local")

# Attachments to progress reports.
PORTFOLIO_ATTACHMENT_MAX_BYTES = int(os.environ.get("PORTFOLIO_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Uploaded workbooks: refused above this size (the decompressed size is checked too).
PORTFOLIO_XLSX_MAX_BYTES = int(os.environ.get("PORTFOLIO_XLSX_MAX_BYTES", str(10 * 1024 * 1024)))

# Reminders
PORTFOLIO_BASE_URL = os.environ.get("PORTFOLIO_BASE_URL", "http://127.0.0.1:8000")
PORTFOLIO_MAIL_MAX_RETRIES = int(os.environ.get("PORTFOLIO_MAIL_MAX_RETRIES", "5"))
PORTFOLIO_MAIL_RETRY_BACKOFF = int(os.environ.get("PORTFOLIO_MAIL_RETRY_BACKOFF", "60"))
PORTFOLIO_MAIL_RETRY_BACKOFF_MAX = int(os.environ.get("PORTFOLIO_MAIL_RETRY_BACKOFF_MAX", "900"))
# The lease of a send: a digest left "sending" longer than this (its worker died) is taken back by the next beat
# check and sent again; below the visibility timeout, above the longest SMTP exchange (EMAIL_TIMEOUT).
PORTFOLIO_SEND_STALE_SECONDS = int(os.environ.get("PORTFOLIO_SEND_STALE_SECONDS", "600"))
# A digest pending this long without a try (its message was lost with the broker) is queued again by the beat check;
# above PORTFOLIO_SUMMARY_DELAY_SECONDS, so the summary's own delay does not count as lost.
PORTFOLIO_PENDING_REQUEUE_SECONDS = int(os.environ.get("PORTFOLIO_PENDING_REQUEUE_SECONDS", "600"))
PORTFOLIO_SUMMARY_DELAY_SECONDS = int(os.environ.get("PORTFOLIO_SUMMARY_DELAY_SECONDS", "300"))
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "30"))

# How many days ahead a task counts as "sắp đến hạn".
PORTFOLIO_DUE_SOON_DAYS = int(os.environ.get("PORTFOLIO_DUE_SOON_DAYS", "90"))

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times in the log are Cần Thơ's: Django sets the process's zone to TIME_ZONE, which logging's asctime follows.
    "formatters": {"local": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s", "datefmt": "%d/%m/%Y %H:%M:%S %z"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "local"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; lockouts are WARNING and stay visible.
    "loggers": {"axes": {"level": "WARNING"}},
}
