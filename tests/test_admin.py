import re

from .helpers import admin_change_data

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def office(db):
    return get_user_model().objects.create_user("vanphong", password="mat-khau-du-dai-12", is_staff=True, is_superuser=True)


def test_admin_requires_login(client, db):
    response = client.get("/admin/portfolio/task/")
    assert response.status_code == 302 and "/login/?next=/admin/portfolio/task/" in response["Location"]


def test_admin_lists_the_252_tasks_in_vietnamese(client, office, programme):
    client.force_login(office)
    response = client.get("/admin/portfolio/task/")
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"252\s+nhiệm vụ", page)
    assert "Sơ kết 2 năm, 5 năm việc thực hiện tổ chức bộ máy" in page
    assert 'lang="vi"' in page


@pytest.mark.parametrize("model", ["programme", "section", "task", "agency", "agencyalias", "fundingsource", "assignment"])
def test_admin_every_model_has_a_working_changelist_and_change_page(client, office, programme, model):
    client.force_login(office)
    response = client.get(f"/admin/portfolio/{model}/")
    assert response.status_code == 200
    first = re.search(rf'href="(/admin/portfolio/{model}/\d+/change/[^"]*)"', response.content.decode())
    assert first, f"no row in the {model} list"
    assert client.get(first[1]).status_code == 200


def test_admin_task_page_shows_dates_as_dd_mm_yyyy(client, office, programme):
    from portfolio.models import Task

    client.force_login(office)
    task = Task.objects.get(number=32)
    page = client.get(f"/admin/portfolio/task/{task.pk}/change/").content.decode()
    assert "30/09/2029" in page


def test_admin_editing_the_deadline_rederives_the_schedule(client, office, programme):
    from portfolio.models import Task

    client.force_login(office)
    task = Task.objects.get(number=3)
    url = f"/admin/portfolio/task/{task.pk}/change/"
    response = client.post(url, admin_change_data(client.get(url), deadline_text="Quý I/2026"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    task.refresh_from_db()
    assert task.due_date.isoformat() == "2026-03-31"
    assert task.next_due_date.isoformat() == "2026-03-31"
    assert task.version == 2


@pytest.fixture
def every_kind_of_record(client, office, programme):
    """At least one row of every model the admin shows: the programme, a report, a day's reminders, login records."""
    from datetime import date

    from axes.models import AccessFailureLog

    from portfolio.choices import WorkStatus
    from portfolio.models import Agency, ProgressReport, ReminderSettings, Task
    from portfolio.services.reminders import reminder_run

    task, lead = Task.objects.get(number=3), Agency.objects.get(name="Ban Chấp hành Đảng bộ thành phố")
    Agency.objects.update(emails="donvi@cantho.gov.vn")  # addresses, so the reminders are recorded as sent
    ProgressReport.objects.create(task=task, agency=lead, period="Năm 2026",
                                  status=WorkStatus.IN_PROGRESS, percent=40, submitted_by=office)
    ReminderSettings.current()
    reminder_run(as_of=date(2026, 11, 22))
    client.post("/accounts/login/", {"username": "nguoi-la", "password": "sai-mat-khau-0000"}, REMOTE_ADDR="10.0.0.9")
    client.post("/accounts/login/", {"username": "vanphong", "password": "mat-khau-du-dai-12"}, REMOTE_ADDR="10.0.0.8")
    client.logout()
    AccessFailureLog.objects.create(username="nguoi-la", ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/accounts/login/")


def test_admin_every_registered_model_has_a_working_change_and_history_page(client, office, every_kind_of_record):
    from django.contrib import admin
    from django.urls import reverse

    client.force_login(office)
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model._meta.label} row to open"
        for view in ("change", "history"):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=[obj.pk])
            assert client.get(url).status_code == 200, url
