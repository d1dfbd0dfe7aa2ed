"""Test settings: only overrides of base."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
import os  # noqa: E402

# A Celery worker started by the integration tests uses these settings too, with a file backend it can share.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# The test database is the run's own (the pid of the pytest process): two runs at once on one machine, in one clone or
# two, never share or drop each other's. The worker processes a test starts are given its name in DATABASE_URL.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so that a worker process can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PORTFOLIO_TEST_DB", str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3"))}  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
