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
