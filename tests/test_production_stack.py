"""The deployment run for real on this machine: gunicorn, Celery worker and beat, PostgreSQL or SQLite, Redis.

The same commands as docker-compose.yml and the README's production section, with
the production settings of .env.example; only addresses and ports are local.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group

from portfolio.choices import UserKind
from portfolio.models import Agency, ReminderRun, ReminderSettings

from .conftest import ROOT
from .processes import Processes, RedisServer, free_port, wait_for
from .helpers import database_url, production_env, redis_available  # noqa: F401  (fixtures among them)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Cần-Thơ-xanh-2030"
BIN = os.path.dirname(sys.executable)


class Browser:
    """Just enough HTTP client: cookies (Secure ones too, since the proxy terminates HTTPS) and the proxy's headers."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
        conn.request(method, path, body=urlencode(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response, content.decode("utf-8", "replace")


@pytest.fixture
def stack(tmp_path):
    """The processes of the deployment, each in its own process group, killed when the test ends even if it fails."""
    processes = Processes(tmp_path)
    yield processes
    processes.stop_all()


def test_production_stack_runs_natively(programme, tmp_path, stack):
    redis = RedisServer(stack)  # its own, so no other test or run takes its tasks
    redis.start()
    office = get_user_model().objects.create_user("vanphong", is_staff=True)
    # Hashed as production hashes (the test settings use a fast hasher production does not accept).
    office.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    office.save()
    office.groups.add(Group.objects.get(name=UserKind.OFFICE))
    Agency.objects.filter(name="UBND thành phố").update(emails="ubnd@example.vn")
    config = ReminderSettings.current()
    config.run_at, config.office_emails = "00:00", "vanphong@example.vn"
    config.save()
    port = free_port()
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=redis.url(0),
        DJANGO_CACHE_URL=redis.url(1),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(tmp_path / "mail"),
        PORTFOLIO_REMINDER_CHECK_SECONDS="2",
        PORTFOLIO_SUMMARY_DELAY_SECONDS="1",
        PATH=f"{BIN}:{os.environ['PATH']}",
    )
    commands = [
        ["python", "manage.py", "migrate", "--no-input"],
        ["python", "manage.py", "collectstatic", "--no-input"],
    ]
    for command in commands:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
    services = {
        "web": ["gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "-"],
        "worker": ["celery", "-A", "config", "worker", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        "beat": ["celery", "-A", "config", "beat", "--loglevel=INFO", "-s", str(tmp_path / "celerybeat-schedule")],
    }
    processes = {name: stack.start(name, command, env) for name, command in services.items()}
    logs = lambda: stack.logs_text(2000)  # noqa: E731
    try:
        browser = Browser(port)
        assert wait_for(lambda: _answers(port), timeout=60), logs()
        response, page = browser.request("GET", "/accounts/login/")
        assert response.status == 200 and "Đăng nhập" in page, logs()
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        response, page = browser.request("POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": "vanphong", "password": PASSWORD})
        assert response.status == 302, re.findall(r'class="message[^"]*">([^<]+)', page) or page[:3000]
        session_cookie = [h for h in response.headers.get_all("Set-Cookie") if h.startswith("sessionid=")][0]
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        response, page = browser.request("GET", "/tasks/?as_of=2026-11-22&schedule_state=overdue")
        assert response.status == 200 and "12 nhiệm vụ khớp" in page
        stylesheet = re.search(r'href="(/static/portfolio/site\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "whitenoise serves the hashed stylesheet"
        assert browser.request("GET", stylesheet[1])[0].status == 200
        # The dashboard's summary is kept in the shared (Redis) cache: the second view reads it from there.
        for _ in range(2):
            response, page = browser.request("GET", "/?as_of=2026-11-22")
            assert response.status == 200 and 'data-state="overdue"' in page, page[:2000]
        # Plain HTTP (no proxy header) is redirected to HTTPS.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/tasks/", headers={"Host": "127.0.0.1"})
        assert conn.getresponse().status == 301

        # Beat's schedule triggers the daily job; the worker runs it and sends the mail.
        assert wait_for(lambda: ReminderRun.objects.exists(), timeout=90), logs()
        assert wait_for(lambda: len(list((tmp_path / "mail").glob("*.log"))) >= 1, timeout=60), logs()
        response, body = browser.request("GET", "/healthz")
        assert response.status == 200 and '"broker": "ok"' in body and '"reminders": "ok"' in body, body
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        codes = {}
        for name, process in processes.items():
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                codes[name] = "killed"
        stack.stop_all()  # and whatever is left of their groups, and redis
    assert all(code in (0, -signal.SIGTERM) for code in codes.values()), (codes, logs())


def _answers(port) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
