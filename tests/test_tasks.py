"""A task's state: completion needs a date that is not in the future, a completed step moves the next due date."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portfolio.choices import UserKind, WorkStatus
from portfolio.models import Task
from portfolio.selectors import task_queryset
from portfolio.services import milestone_complete, task_complete, task_reopen

from .helpers import admin_change_data, csrf_client, csrf_post, inline_prefix, make_user, task

TWO_STEPS = 1  # "Năm 2027 và 2030"
DUE_2025 = 28


@pytest.fixture
def office_client(office):
    return csrf_client(office)


def change_url(number):
    return f"/admin/portfolio/task/{task(number).pk}/change/"


def test_milestone_complete_in_the_admin_moves_the_next_due_date(office_client):
    """Finding 1: the "Năm 2027" step marked done left "Hạn kế tiếp" at 31/12/2027."""
    url = change_url(TWO_STEPS)
    page = office_client.get(url)
    prefix = inline_prefix(page, "milestone")
    data = admin_change_data(page, **{f"{prefix}-0-completed_on": "20/11/2026"})
    assert csrf_post(office_client, url, data).status_code == 302
    done = task(TWO_STEPS)
    assert done.milestones.get(position=1).completed_on == date(2026, 11, 20)
    assert done.next_due_date == date(2030, 12, 31)
    state = task_queryset(as_of=date(2027, 12, 1)).get(pk=done.pk).schedule_state
    assert state == "on_track"  # not "due soon", then "overdue", for the step already done


def test_milestone_complete_reopened_step_drives_the_due_date_again(programme):
    step = task(TWO_STEPS).milestones.get(position=1)
    milestone_complete(milestone=step, completed_on=date(2026, 11, 20), as_of=date(2026, 11, 23))
    assert task(TWO_STEPS).next_due_date == date(2030, 12, 31)
    milestone_complete(milestone=step, completed_on=None)
    assert task(TWO_STEPS).next_due_date == date(2027, 12, 31)


def test_milestone_complete_in_the_future_is_refused_on_its_field(office_client):
    url = change_url(TWO_STEPS)
    page = office_client.get(url)
    prefix = inline_prefix(page, "milestone")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = csrf_post(office_client, url, admin_change_data(page, **{f"{prefix}-0-completed_on": f"{tomorrow:%d/%m/%Y}"}))
    assert response.status_code == 200
    assert "Ngày hoàn thành mốc không thể ở tương lai" in response.content.decode()
    assert task(TWO_STEPS).milestones.get(position=1).completed_on is None


def test_task_edit_dates_keeps_a_completed_step(programme):
    """A revision of the deadline's wording (same steps) does not reopen a step already done."""
    from portfolio.services import task_edit_dates

    step = task(TWO_STEPS).milestones.get(position=1)
    milestone_complete(milestone=step, completed_on=date(2026, 11, 20))
    edited = task(TWO_STEPS)
    task_edit_dates(task=edited, deadline_text="năm 2027 và 2030")
    edited.save()
    assert edited.milestones.get(position=1).completed_on == date(2026, 11, 20)
    assert task(TWO_STEPS).next_due_date == date(2030, 12, 31)


@pytest.mark.parametrize(
    "status, completed_on, field_error",
    [
        (WorkStatus.DONE, "", "Khi tình trạng là «Hoàn thành» phải ghi ngày hoàn thành."),
        (WorkStatus.DONE, "tomorrow", "Ngày hoàn thành không thể ở tương lai"),
        (WorkStatus.IN_PROGRESS, "today", "Chỉ ghi ngày hoàn thành khi tình trạng là «Hoàn thành»."),
    ],
)
def test_task_admin_completion_rules_are_field_errors(office_client, status, completed_on, field_error):
    """Finding 2: done without a date was accepted, a future date too, and a date on an open task showed the
    database's «Vi phạm ràng buộc "task_completed_only_when_done"»."""
    today = timezone.localdate()
    typed = {"": "", "today": f"{today:%d/%m/%Y}", "tomorrow": f"{today + timedelta(days=1):%d/%m/%Y}"}[completed_on]
    before = Task.objects.get(number=DUE_2025)
    url = change_url(DUE_2025)
    response = csrf_post(office_client, url, admin_change_data(office_client.get(url), status=status, progress=100, completed_on=typed))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(field_error in message for message in form.errors.get("completed_on", []))
    page = response.content.decode()
    assert "ràng buộc" not in page and "task_completed_only_when_done" not in page
    after = Task.objects.get(number=DUE_2025)
    assert (after.status, after.completed_on, after.version) == (before.status, before.completed_on, before.version)


@pytest.mark.parametrize("days_ago, accepted", [(1, True), (0, True), (-1, False)])
def test_task_complete_date_boundary(programme, days_ago, accepted):
    as_of = date(2026, 11, 23)
    done_on = as_of - timedelta(days=days_ago)
    target = task(DUE_2025)
    if accepted:
        task_complete(task=target, completed_on=done_on, as_of=as_of)
        assert (task(DUE_2025).status, task(DUE_2025).completed_on, task(DUE_2025).progress) == (WorkStatus.DONE, done_on, 100)
    else:
        with pytest.raises(ValidationError) as error:
            task_complete(task=target, completed_on=done_on, as_of=as_of)
        assert "completed_on" in error.value.message_dict
        assert task(DUE_2025).status != WorkStatus.DONE


def test_task_reopen_clears_the_completion_date(programme):
    target = task(DUE_2025)
    task_complete(task=target, completed_on=timezone.localdate())
    task_reopen(task=task(DUE_2025), status=WorkStatus.IN_PROGRESS, progress=80)
    reopened = task(DUE_2025)
    assert (reopened.status, reopened.progress, reopened.completed_on) == (WorkStatus.IN_PROGRESS, 80, None)


def test_task_admin_complete_then_reopen(office_client):
    url = change_url(DUE_2025)
    today = f"{timezone.localdate():%d/%m/%Y}"
    assert csrf_post(office_client, url, admin_change_data(office_client.get(url), status=WorkStatus.DONE, progress=100, completed_on=today)).status_code == 302
    assert task(DUE_2025).completed_on == timezone.localdate()
    assert csrf_post(office_client, url, admin_change_data(office_client.get(url), status=WorkStatus.IN_PROGRESS, progress=90, completed_on="")).status_code == 302
    assert (task(DUE_2025).status, task(DUE_2025).completed_on) == (WorkStatus.IN_PROGRESS, None)
