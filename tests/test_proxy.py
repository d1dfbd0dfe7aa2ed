"""The deployment's front door: the shipped nginx config in front of gunicorn with the shipped production values.

A client that writes its own X-Forwarded-For must not escape the login lockout: nginx overwrites the header, and
the application trusts exactly one proxy (.env.example). Real nginx, real gunicorn, over TLS; skipped only where
nginx is not installed (the test command installs it).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .helpers import production_env

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "theodoi.thanhuy.cantho.local"  # DJANGO_ALLOWED_HOSTS of .env.example
PASSWORD = "Cần-Thơ-xanh-2030"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (python3 dev.py test installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process, seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answers on {port}")


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def stack(tmp_path):
    """gunicorn with .env.example's values (SQLite for the database, no broker), behind deploy/nginx.conf."""
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", CELERY_BROKER_URL="", DJANGO_CACHE_URL="",
                         DJANGO_MEDIA_ROOT=str(tmp_path / "media"), DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    assert env["DJANGO_TRUSTED_PROXY_COUNT"] == "1"
    python = sys.executable
    for args in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"], ["shell", "-c",
                 f"from django.contrib.auth import get_user_model; get_user_model().objects.create_user('vanphong', password={PASSWORD!r}, is_staff=True)"]):
        result = subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    app_port, tls_port, plain_port = free_port(), free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
                    "-keyout", str(tmp_path / "site.key"), "-out", str(tmp_path / "site.crt")], check=True, capture_output=True, timeout=60)
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()
    site = (shipped.replace("server web:8000;", f"server 127.0.0.1:{app_port};")
            .replace("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;").replace("listen 80;", f"listen 127.0.0.1:{plain_port};")
            .replace("/etc/nginx/certs/", f"{tmp_path}/"))
    assert site.count(str(app_port)) == 1 and site.count(str(tls_port)) == 1  # the shipped file, only its addresses changed
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/nginx-error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; "
        f"fastcgi_temp_path {temp}/fcgi; uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi; "
        f"include {tmp_path}/site.conf; }}\n"
    )
    processes = []
    try:
        gunicorn = subprocess.Popen([python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{app_port}", "--workers", "1"],
                                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(gunicorn)
        nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "nginx-error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        processes.append(nginx)
        wait_for(app_port, gunicorn)
        wait_for(tls_port, nginx)
        yield {"tls": tls_port, "app": app_port}
    finally:
        for process in processes:
            stop(process)


class Browser:
    """A client with cookies that talks TLS to 127.0.0.1 under the site's name, as a browser would."""

    def __init__(self, port: int):
        self.base = f"https://127.0.0.1:{port}"
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Host": HOST, **(headers or {})})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, password, forwarded_for):
        _status, page = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        return self.request("/accounts/login/", {"csrfmiddlewaretoken": token, "username": "vanphong", "password": password},
                            {"Referer": f"https://{HOST}/accounts/login/", "X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"})


def test_spoofed_forwarded_for_does_not_escape_the_lockout_behind_the_shipped_proxy(stack):
    browser = Browser(stack["tls"])
    for attempt in range(5):  # AXES_FAILURE_LIMIT's default: each guess claims a new address
        status, _page = browser.login("sai-mat-khau", f"203.0.113.{attempt + 1}")
        assert status in (200, 429), status
    status, page = browser.login(PASSWORD, "198.51.100.77")
    assert status in (403, 429) and "Tạm khóa đăng nhập" in page, status


def test_plain_http_is_sent_to_https_whatever_the_client_claims(stack, tmp_path):
    """nginx answers port 80 with a redirect to https; a client's X-Forwarded-Proto: https changes nothing."""
    port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", (tmp_path / "site.conf").read_text())[1])
    request = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert answer.value.code == 301 and answer.value.headers["Location"] == f"https://{HOST}/accounts/login/"


def test_trusted_proxy_count_defaults_to_none():
    env = production_env()
    env.pop("DJANGO_TRUSTED_PROXY_COUNT")
    script = "import django; django.setup(); from django.conf import settings as s; print(s.PORTFOLIO_TRUSTED_PROXY_COUNT, s.SECURE_PROXY_SSL_HEADER)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env=dict(env, DJANGO_SETTINGS_MODULE="config.settings.base"))
    assert result.stdout.split() == ["0", "None"], result.stderr

