"""The Office's pages in a real browser: Debian's chromium driven by Playwright."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from .browser import PASSWORD, assert_only_local_requests, login, shot

pytestmark = pytest.mark.browser


def test_browser_office_morning_routine(page, live_server):
    login(page, live_server)
    page.goto(f"{live_server.url}/?as_of=2026-11-22")
    assert page.locator("h1").inner_text() == "Tổng quan thực hiện chương trình"
    shot(page, "dashboard")

    # A number on the dashboard leads to the list filtered that way.
    overdue_tile = page.locator("a.tile[data-state=overdue]")
    assert overdue_tile.locator(".n").inner_text() == "12"
    overdue_tile.click()
    page.wait_for_load_state()
    assert "schedule_state=overdue" in page.url
    assert page.locator("#match-count").inner_text().startswith("12 nhiệm vụ khớp")
    assert page.locator("#task-table tbody tr").count() == 12

    # Sort by due date, latest first.
    page.locator("#task-table thead th a", has_text=re.compile(r"^Hạn$")).click()
    page.wait_for_load_state()
    assert "sort=next_due_date" in page.url
    page.locator("#task-table thead th a", has_text=re.compile(r"^Hạn$")).click()
    page.wait_for_load_state()
    assert "sort=-next_due_date" in page.url
    first_due = page.locator("#task-table tbody tr").first.locator("td").nth(5).inner_text()
    assert first_due == "31/12/2025"
    shot(page, "list-overdue")

    # Filter by a body, any role.
    page.goto(f"{live_server.url}/tasks/?as_of=2026-11-22")
    page.click("details.filters summary")  # the filters are collapsed when none is chosen; the search box stays above them
    page.select_option("select[name=agency]", label="Ban Tổ chức Thành ủy")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"agency=\d+", page.url)
    assert page.locator("#match-count").inner_text().startswith("11 nhiệm vụ khớp")
    shot(page, "list")

    # Open a task.
    page.locator("#task-table tbody tr").first.locator("td.title a").click()
    page.wait_for_load_state()
    assert re.search(r"/tasks/\d+/", page.url)
    assert "Năm 2027 và 2030" in page.content()
    assert "31/12/2027" in page.content()
    shot(page, "task")

    # Download the export of the filtered view.
    page.go_back()
    page.wait_for_load_state()
    with page.expect_download() as download_info:
        page.click("#export")
    download = download_info.value
    assert download.suggested_filename == "nhiem-vu-2026-11-22.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 11 and rows[0][0] == 1

    assert_only_local_requests(page, live_server)


@pytest.mark.parametrize("path", ["/", "/tasks/", "/tasks/1/", "/agencies/1/", "/accounts/login/"])
def test_browser_pages_fetch_nothing_from_outside(page, live_server, path):
    if path != "/accounts/login/":
        login(page, live_server)
    from portfolio.models import Agency, Task

    path = path.replace("/tasks/1/", f"/tasks/{Task.objects.get(number=1).pk}/").replace(
        "/agencies/1/", f"/agencies/{Agency.objects.get(name='Đảng ủy UBND thành phố').pk}/"
    )
    page.requests_seen.clear()
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert any(u.endswith("site.css") for u in page.requests_seen)
    assert_only_local_requests(page, live_server)


def test_browser_phone_width_has_no_page_overflow(page, live_server):
    login(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/?as_of=2026-11-22")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    shot(page, "dashboard-phone")
    page.goto(f"{live_server.url}/tasks/?as_of=2026-11-22")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392


def test_browser_reporter_reports_and_office_accepts(browser, live_server, programme, settings, tmp_path):
    from django.contrib.auth.models import Group

    from portfolio.choices import UserKind, WorkStatus
    from portfolio.models import Agency, Task

    settings.MEDIA_ROOT = tmp_path / "media"
    reporter = get_user_model().objects.create_user("bantochuc", password=PASSWORD, is_staff=True, first_name="Ban Tổ chức")
    reporter.groups.add(Group.objects.get(name=UserKind.REPORTER))
    Agency.objects.get(name="Ban Tổ chức Thành ủy").members.add(reporter)
    office = get_user_model().objects.create_user("vanphong", password=PASSWORD, is_staff=True)
    office.groups.add(Group.objects.get(name=UserKind.OFFICE))
    task = Task.objects.get(number=1)
    attachment = tmp_path / "bao-cao-quy-iv.pdf"
    attachment.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    login(page, live_server, "bantochuc")
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.click("text=Gửi báo cáo")
    page.wait_for_load_state()
    page.click("#reports-group .add-row a")  # the new report's form is shown when asked for
    page.select_option("select[name=reports-0-agency]", label="Ban Tổ chức Thành ủy")
    page.fill("input[name=reports-0-period]", "Quý IV/2026")
    page.select_option("select[name=reports-0-status]", label="Đang triển khai")
    page.fill("input[name=reports-0-percent]", "60")
    page.fill("textarea[name=reports-0-results]", "Đã hoàn thành dự thảo báo cáo sơ kết")
    page.set_input_files("input[name=reports-0-attachments]", str(attachment))
    shot(page, "admin-report-form")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert "errornote" not in page.content()
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    assert "Đã hoàn thành dự thảo báo cáo sơ kết" in page.content()
    assert "bao-cao-quy-iv.pdf" in page.content() and "Chờ xem xét" in page.content()
    shot(page, "task-with-report")
    context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    login(page, live_server, "vanphong")
    page.goto(f"{live_server.url}/admin/portfolio/progressreport/")
    page.locator("#result_list tbody tr").first.locator("th a, td a").first.click()
    page.wait_for_load_state()
    page.select_option("select[name=decision]", value="accept")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    task.refresh_from_db()
    assert (task.status, task.progress) == (WorkStatus.IN_PROGRESS, 60)
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    assert "Đã chấp nhận" in page.content() and "Đang triển khai" in page.content()
    context.close()
