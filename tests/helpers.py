"""What several test modules share: users and clients, admin POSTs built the way a browser submits the page it was
given, upload files, the Celery processes' database and redis, the production environment's values."""

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from portfolio.choices import AgencyKind, Role, UserKind, WorkStatus
from portfolio.models import Agency, Assignment, Programme, ReminderSettings, Section, Task
from portfolio.services import task_apply_schedule


ROOT = Path(__file__).resolve().parent.parent


def _value(field, bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.strftime("%d/%m/%Y") if not hasattr(value, "hour") else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = _value(field, bound)
        if value == "" and field.widget.__class__.__name__ == "CheckboxInput":
            continue
        data[bound.html_name] = value
    return data


def admin_change_data(response, **overrides) -> dict:
    """The data of an admin change page as loaded: the main form and every inline formset, untouched."""
    context = response.context
    data = form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        for form in formset.initial_forms:
            data.update(form_data(form))
        data[management["TOTAL_FORMS"].html_name] = len(formset.initial_forms)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def inline_prefix(response, model_name: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise KeyError(model_name)


PASSWORD = "mat-khau-du-dai-12"


OWN, COORDINATED, OTHER = 1, 28, 47  # Ban Tổ chức advises task 1, coordinates 28, has no role in 47


def make_user(username, kind, *agencies):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=kind != "nobody")
    if kind in UserKind.values:
        user.groups.add(Group.objects.get(name=kind))
    for name in agencies:
        Agency.objects.get(name=name).members.add(user)
    return user


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_post(client, url, data):
    """POST as the browser does: fetch the page first for the CSRF cookie, then send the token."""
    client.get(url)
    if "csrftoken" not in client.cookies:
        client.get("/")  # a forbidden page sets no token; any page with a form does
    data = dict(data, csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    return client.post(url, data)


def task(number):
    return Task.objects.get(number=number)


def pdf_upload(name="bao-cao.pdf"):
    upload = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    upload.name = name
    return upload


def report_post(client, number, agency_name="Ban Tổ chức Thành ủy", **extra):
    url = f"/admin/portfolio/task/{task(number).pk}/change/"
    page = client.get(url)
    if page.status_code != 200:
        return page
    prefix = inline_prefix(page, "progressreport")
    agency = Agency.objects.get(name=agency_name)
    data = admin_change_data(page)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": int(data[f"{prefix}-INITIAL_FORMS"]) + 1,
            f"{prefix}-0-agency": agency.pk,
            f"{prefix}-0-period": "Quý IV/2026",
            f"{prefix}-0-status": WorkStatus.IN_PROGRESS,
            f"{prefix}-0-percent": 40,
            f"{prefix}-0-results": "Đã xây dựng dự thảo",
        }
    )
    data.update(extra)
    return csrf_post(client, url, data)


def pdf(name="bao-cao.pdf", size=None):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        body += b"0" * (size - len(body))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture(scope="module", autouse=True)
def redis_available():
    """Each test runs its own redis-server (tests/processes.py): nothing is shared with another test or another run."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI_REQUIRE_SERVICES"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def bodies():
    """Five bodies with addresses, each owing reminders today, and the Office's address."""
    Programme.objects.all().delete()
    programme = Programme.objects.create(code="TICH-HOP", title="Thử tích hợp")
    section = Section.objects.create(programme=programme, numeral="I", title="Mục I")
    today = timezone.localdate()
    result = []
    for n in range(1, 6):
        agency = Agency.objects.create(name=f"Sở thử số {n}", kind=AgencyKind.GOVERNMENT, emails=f"so{n}@example.vn")
        for k, deadline in enumerate((f"Năm {today.year - 1}", f"Tháng {today.month}/{today.year}")):
            task = Task.objects.create(programme=programme, section=section, number=n * 10 + k, title=f"Nhiệm vụ {n}.{k}", lead_text=agency.name, deadline_text=deadline)
            task_apply_schedule(task=task)
            task.save()
            Assignment.objects.create(task=task, agency=agency, role=Role.LEAD)
        result.append(agency)
    config = ReminderSettings.current()
    config.office_emails = "vanphong@example.vn"
    config.run_at = "00:00"
    config.save()
    return result


def production_env(**extra) -> dict:
    """The values of .env.example, as an operator would set them."""
    env = {"PATH": os.environ["PATH"]}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z_]+)=(.*)$", line)
        if match:
            env[match[1]] = match[2]
    env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'deploy-check.sqlite3'}"
    env.update(extra)
    return env
