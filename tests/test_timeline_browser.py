"""The timeline page in a real browser (Debian's chromium via Playwright): the Office and a reporter, a filter applied."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portfolio import models as m
from portfolio.choices import UserKind

from .browser import PASSWORD, assert_only_local_requests, login, shot

pytestmark = pytest.mark.browser


def numbers_shown(page) -> set[int]:
    return {int(n) for n in page.locator("a.task-row").evaluate_all("rows => rows.map(r => r.dataset.task)")}


def test_browser_timeline_for_the_office_with_a_filter(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server.url}/tasks/?schedule_state=overdue&as_of=2026-11-22")
    overdue = int(page.locator("#match-count").inner_text().split()[0])
    page.click("#as-timeline")
    page.wait_for_load_state()
    assert "/timeline/" in page.url and "schedule_state=overdue" in page.url
    assert page.locator("#match-count").inner_text().startswith(f"{overdue} nhiệm vụ khớp")
    assert page.locator("a.task-row").count() == overdue
    assert page.locator("svg.timeline rect.bar.fill-overdue").count() == overdue
    assert page.locator("line[data-as-of]").count() == page.locator("section.timeline-group").count() > 0
    shot(page, "timeline-office-overdue")
    page.select_option("select[name=group]", "lead")
    page.select_option("select[name=zoom]", "term")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert "group=lead" in page.url and "zoom=term" in page.url and "schedule_state=overdue" in page.url
    assert page.locator("a.task-row").count() == overdue
    shot(page, "timeline-office-overdue-by-lead-term")
    first = page.locator("a.task-row").first
    number = int(first.get_attribute("data-task"))
    first.locator("rect.row-hit").click()
    page.wait_for_load_state()
    task = m.Task.objects.get(number=number)
    assert page.url.endswith(f"/tasks/{task.pk}/")
    assert_only_local_requests(page, live_server)


def test_browser_timeline_for_a_reporter_shows_only_its_tasks(page, live_server):
    agency = m.Agency.objects.get(name="Ban Tổ chức Thành ủy")
    user = get_user_model().objects.create_user("bantochuc", password=PASSWORD, first_name="Ban Tổ chức")
    user.groups.add(Group.objects.get(name=UserKind.REPORTER))
    agency.members.add(user)
    own = set(m.Task.objects.filter(withdrawn_on__isnull=True).filter(
        pk__in=m.Assignment.objects.filter(agency=agency).values("task_id")).values_list("number", flat=True))
    login(page, live_server, "bantochuc")
    page.goto(f"{live_server.url}/timeline/?zoom=2026&as_of=2026-06-15")
    assert numbers_shown(page) == own
    shot(page, "timeline-reporter-2026")
    page.goto(f"{live_server.url}/timeline/?q=cán+bộ&as_of=2026-06-15")
    filtered = numbers_shown(page)
    assert filtered and filtered < own
    assert page.locator("#match-count").inner_text().startswith(f"{len(filtered)} nhiệm vụ khớp")
    shot(page, "timeline-reporter-filtered")
    assert_only_local_requests(page, live_server)
