"""What the browser tests share: Debian's chromium driven by Playwright (the ``browser`` and ``page`` fixtures,
registered by conftest.py), signing in, screenshots into test-artifacts/, and the check that a page fetched nothing
from another host."""

import os
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from .helpers import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "mat-khau-du-dai-12"


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, programme):
    get_user_model().objects.create_user("vanphong", password=PASSWORD, is_staff=True, is_superuser=True, first_name="Văn phòng")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.requests_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    context.close()


def login(page, live_server, username="vanphong"):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_only_local_requests(page, live_server):
    server = urlparse(live_server.url).netloc
    outside = [u for u in page.requests_seen if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != server]
    assert page.requests_seen and not outside, outside
