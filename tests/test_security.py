"""Deployment settings, security headers, CSRF, sessions, passwords and the login lockout."""

import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from portfolio.choices import UserKind

from .conftest import ROOT
from .helpers import production_env

PASSWORD = "mat-khau-du-dai-12"


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_the_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_have_safe_cookies_and_sessions():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=production_env(DJANGO_SETTINGS_MODULE="config.settings.base"),
    )
    assert result.stdout.split(None, 8) == [
        "True", "True", "Lax", "True", "32400", "True", "True", "31536000", "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ], result.stderr


def test_starting_without_a_secret_key_in_production_fails_clearly():
    env = production_env()
    env.pop("DJANGO_SECRET_KEY")
    result = manage("check", env=env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_settings_refuse_the_cache_in_the_brokers_redis_database():
    env = production_env()
    assert env["DJANGO_CACHE_URL"] != env["CELERY_BROKER_URL"]
    result = manage("check", env=dict(env, DJANGO_CACHE_URL=env["CELERY_BROKER_URL"]))
    assert result.returncode != 0 and "same Redis database" in result.stderr


def test_starting_without_allowed_hosts_in_production_fails_clearly():
    env = production_env()
    env.pop("DJANGO_ALLOWED_HOSTS")
    result = manage("check", env=env)
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


@pytest.mark.parametrize("password, ok", [("abcdefghijk", False), ("12345678901234", False), ("vanphong2026!", False), ("Cần-Thơ-xanh-2030", True)])
def test_password_rules(db, password, ok):
    user = get_user_model()(username="vanphong2026", first_name="Văn phòng")
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/accounts/logout/", "/i18n/setlang/", "/admin/portfolio/task/{task}/change/", "/admin/portfolio/agency/add/", "/admin/login/"],
)
def test_every_form_refuses_a_post_without_csrf_token(office, url):
    from portfolio.models import Task

    client = Client(enforce_csrf_checks=True)
    if "login" not in url:
        client.force_login(office)
    response = client.post(url.format(task=Task.objects.get(number=1).pk), {"username": "vanphong", "password": PASSWORD, "title": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/tasks/", "/tasks/export.xlsx", "/admin/", "/healthz", "/khong-co-trang-nay/"])
def test_every_response_carries_the_security_headers(office, client, url):
    client.force_login(office)
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "http" not in response["Content-Security-Policy"]


def test_login_sets_an_httponly_session_cookie(office):
    client = Client()
    response = client.post("/accounts/login/", {"username": "vanphong", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def login(username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_lockout_after_repeated_failures_is_per_user_and_address(office, settings):
    get_user_model().objects.create_user("lanhdao", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login("vanphong", "sai-mat-khau", "10.0.0.1").status_code == 200
    assert login("vanphong", "sai-mat-khau", "10.0.0.1").status_code == 429  # the last allowed failure locks
    locked = login("vanphong", PASSWORD, "10.0.0.1")
    assert locked.status_code in (403, 429)
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    assert login("vanphong", PASSWORD, "10.0.0.2").status_code == 302  # same user, another address
    assert login("lanhdao", PASSWORD, "10.0.0.1").status_code == 302  # another user, same address
    # After the cool-off time, the pair may log in again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
    assert login("vanphong", PASSWORD, "10.0.0.1").status_code == 302


def test_lockout_behind_a_proxy_uses_the_forwarded_address(office, settings):
    settings.PORTFOLIO_TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("vanphong", "sai-mat-khau", "192.168.1.1", forwarded="10.0.0.7")
    assert login("vanphong", PASSWORD, "192.168.1.1", forwarded="10.0.0.7").status_code in (403, 429)
    # Another client behind the same proxy is not locked out, even if it forges the header's left part.
    assert login("vanphong", PASSWORD, "192.168.1.1", forwarded="10.0.0.7, 10.0.0.8").status_code == 302


def test_office_unlocks_a_login_in_the_admin(office, client):
    for _ in range(6):
        login("vanphong", "sai-mat-khau", "10.0.0.1")
    assert login("vanphong", PASSWORD, "10.0.0.1").status_code in (403, 429)
    client.force_login(office)
    attempt = AccessAttempt.objects.get(username="vanphong")
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert login("vanphong", PASSWORD, "10.0.0.1").status_code == 302


def test_healthz_reports_only_what_a_load_balancer_needs(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "broker", "last_reminder_run", "reminders", "stuck_digests"}
    assert body["database"] == "ok" and body["broker"] == "eager" and body["reminders"] == "stale"


def test_healthz_fails_when_the_broker_is_down_or_reminders_are_stale(client, db, settings, monkeypatch, tmp_path):
    """A real broker (a redis-server of the test's own) that answers, then is stopped, then answers again."""
    import shutil

    from config.celery import app
    from portfolio.models import ReminderRun

    from .processes import Processes, RedisServer

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    processes = Processes(tmp_path)
    try:
        redis = RedisServer(processes)
        redis.start()
        settings.CELERY_BROKER_URL = redis.url(0)
        monkeypatch.setattr(app.conf, "broker_url", redis.url(0))
        ReminderRun.objects.create(as_of=timezone.localdate(), finished_at=timezone.now() - timedelta(hours=1))
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json()["broker"] == "ok" and response.json()["reminders"] == "ok"
        redis.stop()
        response = client.get("/healthz")
        assert response.status_code == 503 and response.json()["broker"] == "error"
        redis.start()
        assert client.get("/healthz").status_code == 200
        ReminderRun.objects.update(finished_at=timezone.now() - timedelta(hours=27))
        response = client.get("/healthz")
        assert response.status_code == 503 and response.json()["reminders"] == "stale" and response.json()["broker"] == "ok"
    finally:
        processes.stop_all()