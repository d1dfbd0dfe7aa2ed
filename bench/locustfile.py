"""The site under load (bench/load.py runs it): 30 Office users browsing, 10 agency users reporting through the admin and
uploading their workbook, one meeting workbook every 30 s. Only 127.0.0.1; run headless for a bounded time.

The session cookies are Secure (production settings) and the stack is reached over plain HTTP behind a pretended proxy
(X-Forwarded-Proto: https, DJANGO_TRUSTED_PROXY_COUNT=1), so the cookies are sent by hand.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from urllib.parse import quote

import lxml.html
from locust import HttpUser, between, constant, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
AS_OF = PLAN["as_of"]
SEARCHES = ["chuyển đổi số", "giáo dục", "giao thông", "Cần Thơ", "đầu tư", "y tế"]
FILTERS = ["status=in_progress", "schedule_state=overdue", "status=not_started", "schedule_state=due_soon"]
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


class Portal(HttpUser):
    abstract = True
    login_pool: list = []

    def on_start(self):
        self.cookies = {}
        self.username = self.login_pool.pop() if self.login_pool else None
        page = self.fetch("GET", "/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        self.fetch("POST", "/accounts/login/", name="login", data={"csrfmiddlewaretoken": token, "username": self.username, "password": PLAN["password"]},
                   expect=302)
        assert "sessionid" in self.cookies, f"login of {self.username} failed"

    def fetch(self, method, url, *, name, expect=200, **kwargs):
        headers = dict(PROXY, Cookie="; ".join(f"{k}={v}" for k, v in self.cookies.items()), Referer="https://127.0.0.1/")
        headers["X-Bench-Page"] = name  # logged by gunicorn (bench/load.py's worker_times): each page's time in a worker
        with self.client.request(method, url, name=name, headers=headers, allow_redirects=False, catch_response=True, **kwargs) as response:
            for cookie in response.cookies:
                self.cookies[cookie.name] = cookie.value
            if response.status_code != expect:
                response.failure(f"{response.status_code} for {url}")
            else:
                response.success()
            return response

    def form_post(self, url, page, form_id, name, changes, files=None, expect=302):
        form = lxml.html.fromstring(page.text).get_element_by_id(form_id) if form_id else lxml.html.fromstring(page.text).forms[0]
        data = dict(form.form_values())
        data.update(changes)
        return self.fetch("POST", url, name=name, data=data, files=files, expect=expect)


class OfficeUser(Portal):
    """The Office browsing: dashboard, list pages with filters and search, task pages, the timeline."""

    fixed_count = 30
    wait_time = between(1, 3)
    login_pool = list(PLAN["office"])

    @task(3)
    def dashboard(self):
        self.fetch("GET", f"/?as_of={AS_OF}", name="dashboard")

    @task(4)
    def list_filtered(self):
        self.fetch("GET", f"/tasks/?{random.choice(FILTERS)}&as_of={AS_OF}", name="list page (filtered)")

    @task(2)
    def list_search(self):
        self.fetch("GET", f"/tasks/?q={quote(random.choice(SEARCHES))}&as_of={AS_OF}", name="list page (search)")

    @task(4)
    def task_page(self):
        self.fetch("GET", f"/tasks/{random.choice(PLAN['tasks'])}/?as_of={AS_OF}", name="task page")

    @task(1)
    def timeline(self):
        self.fetch("GET", "/timeline/", name="timeline")


class AgencyUser(Portal):
    """An agency's reporter: a report through the admin (the task's change page and its report inline), and its workbook uploaded."""

    fixed_count = 10
    wait_time = between(2, 5)
    login_pool = [a["username"] for a in PLAN["agencies"]]

    def on_start(self):
        super().on_start()
        self.plan = next(a for a in PLAN["agencies"] if a["username"] == self.username)
        self.workbook = Path(self.plan["workbook"]).read_bytes()

    @task(2)
    def report(self):
        url = f"/admin/portfolio/task/{random.choice(self.plan['tasks'])}/change/"
        page = self.fetch("GET", url, name="admin: task change page")
        if page.status_code != 200:
            return
        prefix = re.search(r'name="(progressreport[\w-]*|reports[\w-]*)-TOTAL_FORMS"', page.text)[1]
        form_values = dict(lxml.html.fromstring(page.text).get_element_by_id("task_form").form_values())
        total = int(form_values[f"{prefix}-TOTAL_FORMS"])
        self.form_post(url, page, "task_form", "admin: report sent", {
            f"{prefix}-TOTAL_FORMS": str(total + 1), f"{prefix}-{total}-agency": str(self.plan["agency"]), f"{prefix}-{total}-period": "Quý IV/2026",
            f"{prefix}-{total}-status": "in_progress", f"{prefix}-{total}-percent": str(random.randint(10, 90)),
            f"{prefix}-{total}-results": "Đã triển khai theo kế hoạch",
        })

    @task(1)
    def upload(self):
        page = self.fetch("GET", "/imports/", name="import: upload page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        sent = self.fetch("POST", "/imports/", name="import: upload", data={"csrfmiddlewaretoken": token},
                          files={"file": ("bao-cao.xlsx", self.workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}, expect=302)
        if sent.status_code == 302:
            self.fetch("GET", sent.headers["Location"], name="import: preview")


class MeetingUser(Portal):
    """One Office user downloading the meeting workbook every 30 seconds."""

    fixed_count = 1
    wait_time = constant(30)
    login_pool = [PLAN["meeting"]]

    @task
    def meeting_workbook(self):
        self.fetch("GET", f"/tasks/report.xlsx?as_of={AS_OF}", name="meeting workbook")
