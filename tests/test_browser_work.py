"""The day's work in a real browser (Debian's chromium through Playwright): the Office reviews from its queue, an agency
answers a returned report from 'Việc của tôi', and a reporter created in one form reports at once."""

import re

import pytest
from django.contrib.auth import get_user_model

from .browser import ARTIFACTS, PASSWORD, assert_only_local_requests, login, shot

pytestmark = pytest.mark.browser
AGENCY = "Ban Tổ chức Thành ủy"


def own_tasks(count):
    from portfolio.choices import LEAD_SIDE_ROLES
    from portfolio.models import Task

    return list(Task.objects.filter(assignments__agency__name=AGENCY, assignments__role__in=LEAD_SIDE_ROLES).distinct().order_by("number")[:count])


def reporter(username="bantochuc"):
    from django.contrib.auth.models import Group

    from portfolio.choices import UserKind
    from portfolio.models import Agency

    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True, first_name="Cán bộ Ban Tổ chức")
    user.groups.add(Group.objects.get(name=UserKind.REPORTER))
    Agency.objects.get(name=AGENCY).members.add(user)
    return user


def send(user, task, percent, text):
    from portfolio.choices import WorkStatus
    from portfolio.models import Agency
    from portfolio.services import progress_report_submit

    return progress_report_submit(task=task, agency=Agency.objects.get(name=AGENCY), user=user, period="Quý IV/2026",
                                  status=WorkStatus.IN_PROGRESS, percent=percent, results=text)


def fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"{page.url}: {width} px wide"


def test_browser_office_reviews_three_reports_from_the_queue(page, live_server, settings, tmp_path):
    from portfolio.choices import ReviewState
    from portfolio.models import ProgressReport

    settings.MEDIA_ROOT = tmp_path / "media"
    user = reporter()
    tasks = own_tasks(3)
    reports = [send(user, task, 20 + 10 * i, f"Kết quả báo cáo số {i + 1}") for i, task in enumerate(tasks)]
    login(page, live_server)
    tile = page.locator('#review-summary a.tile[data-count="waiting"]')
    assert tile.locator(".n").inner_text() == "3"
    shot(page, "work-dashboard-office")
    tile.click()
    page.wait_for_load_state()
    assert page.url.endswith("/reviews/")
    assert page.locator("article.queue-item").count() == 3
    first = page.locator(f"#report-{reports[0].pk}")
    assert "Tiến độ hiện tại" in first.inner_text() and "Tiến độ đề nghị" in first.inner_text()
    assert "Đang triển khai · 20%" in first.locator("dd.proposed").inner_text()
    fits_the_screen(page)
    shot(page, "work-review-queue")

    # Accept the first two at once.
    for report in reports[:2]:
        page.check(f"input[name=selected][value='{report.pk}']")
    page.click("#accept-selected")
    page.wait_for_load_state()
    assert "Đã chấp nhận 2 báo cáo" in page.locator("p.message").first.inner_text()
    assert page.locator("article.queue-item").count() == 1

    # Return the third: first without a comment (refused, nothing changes), then with one.
    third = page.locator(f"#report-{reports[2].pk}")
    third.locator("button[name=return]").click()
    page.wait_for_load_state()
    assert "phải ghi ý kiến" in page.locator("p.message.error").inner_text()
    assert ProgressReport.objects.get(pk=reports[2].pk).review_state == ReviewState.SUBMITTED
    page.fill(f"#comment-{reports[2].pk}", "Đề nghị bổ sung số liệu kết quả quý IV")
    page.locator(f"#report-{reports[2].pk} button[name=return]").click()
    page.wait_for_load_state()
    assert "Đã trả lại báo cáo" in page.locator("p.message").first.inner_text()
    assert page.locator("#queue-empty").is_visible()
    shot(page, "work-review-queue-done")
    states = [ProgressReport.objects.get(pk=r.pk).review_state for r in reports]
    assert states == [ReviewState.ACCEPTED, ReviewState.ACCEPTED, ReviewState.RETURNED]
    tasks[0].refresh_from_db()
    assert tasks[0].progress == 20

    # The Office's task page with a long comment (its table pushed the page to 1,574 px) fits the screen, and shows
    # no empty report or comment form until asked for.
    from portfolio.models import Agency
    from portfolio.services import task_comment_add

    task_comment_add(task=tasks[0], agency=Agency.objects.get(name=AGENCY), user=user, text="Ý kiến dài về nhiệm vụ. " * 60)
    page.goto(f"{live_server.url}/admin/portfolio/task/{tasks[0].pk}/change/")
    assert page.locator("#reports-group .inline-related:not(.empty-form)").count() == 0
    assert page.locator("#comments-group tr.form-row:not(.empty-form):not(.has_original)").count() == 0
    assert "Đã chấp nhận" in page.locator("table.earlier-reports").inner_text()
    fits_the_screen(page)
    shot(page, "work-admin-task-office")
    page.locator("#comments-group").screenshot(path=str(ARTIFACTS / "work-admin-task-office-comments.png"))
    assert_only_local_requests(page, live_server)


def test_browser_reporter_answers_a_returned_report_from_my_work(page, live_server, settings, tmp_path):
    from portfolio.choices import ReviewState
    from portfolio.models import ProgressReport
    from portfolio.services import progress_report_review

    settings.MEDIA_ROOT = tmp_path / "media"
    user = reporter()
    task = own_tasks(1)[0]
    returned = send(user, task, 30, "Đã triển khai một phần")
    office = get_user_model().objects.get(username="vanphong")
    progress_report_review(report=returned, user=office, accept=False, comment="Thiếu số liệu cụ thể; đề nghị bổ sung")

    login(page, live_server, "bantochuc")
    assert page.locator('#my-work-summary a.tile[data-count="returned"] .n').inner_text() == "1"
    page.click("header.site nav >> text=Việc của tôi")
    page.wait_for_load_state()
    item = page.locator("#work-returned article.work-item")
    assert item.count() == 1 and "Thiếu số liệu cụ thể; đề nghị bổ sung" in item.inner_text()
    fits_the_screen(page)
    shot(page, "work-my-work")
    item.locator("text=Gửi báo cáo mới").click()
    page.wait_for_url(re.compile(rf"/admin/portfolio/task/{task.pk}/change/"))
    page.wait_for_selector("#reports-group .inline-related:not(.empty-form)")
    # The earlier report and the Office's comment are above the form; the form is open (asked for by the link).
    earlier = page.locator("table.earlier-reports")
    assert "Thiếu số liệu cụ thể" in earlier.inner_text() and "Trả lại" in earlier.inner_text()
    form = page.locator("#reports-group .inline-related:not(.empty-form)")
    assert form.count() == 1
    fits_the_screen(page)
    page.select_option("select[name=reports-1-agency]", label=AGENCY)
    page.fill("input[name=reports-1-period]", "Quý IV/2026")
    page.select_option("select[name=reports-1-status]", label="Đang triển khai")
    page.fill("input[name=reports-1-percent]", "45")
    page.fill("textarea[name=reports-1-results]", "Đã bổ sung số liệu: 12 cuộc họp, 3 văn bản")
    shot(page, "work-admin-report-form")
    page.locator("#reports-group").screenshot(path=str(ARTIFACTS / "work-admin-report-section.png"))
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert f"/admin/portfolio/task/{task.pk}/change/" in page.url  # stays on the task
    assert "Đã gửi báo cáo kỳ «Quý IV/2026»" in page.locator("ul.messagelist").inner_text()
    assert "đã được thay đổi" not in page.content()
    assert page.locator("#reports-group .inline-related:not(.empty-form)").count() == 0  # no empty form left open
    assert page.locator("table.earlier-reports tbody tr").count() == 2
    fits_the_screen(page)
    shot(page, "work-admin-report-sent")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "work-admin-report-sent-view.png"))
    latest = ProgressReport.objects.filter(task=task).order_by("-pk").first()
    assert (latest.percent, latest.review_state) == (45, ReviewState.SUBMITTED)
    page.goto(f"{live_server.url}/my-work/")
    assert page.locator("#work-returned article.work-item").count() == 0
    assert "Quý IV/2026" in page.locator("#work-waiting").inner_text()
    assert_only_local_requests(page, live_server)


def test_browser_office_creates_a_reporter_in_one_form_who_reports_at_once(page, live_server, browser, settings, tmp_path):
    from portfolio.choices import UserKind
    from portfolio.models import ProgressReport

    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, live_server)
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.fill("input[name=username]", "nguoimoi")
    page.fill("input[name=first_name]", "Trần Thị")
    page.fill("input[name=last_name]", "Mới")
    page.fill("input[name=email]", "nguoimoi@example.vn")
    page.select_option("select[name=kind]", value=UserKind.REPORTER)
    # The body picker: typed without accents, in lower case.
    page.click("#id_agency + .select2")
    page.keyboard.type("ban to chuc")
    page.locator(".select2-results__option", has_text=AGENCY).first.click()
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    fits_the_screen(page)
    shot(page, "work-user-onboarding")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 0, page.locator("#content").inner_text()[:1500]
    user = get_user_model().objects.get(username="nguoimoi")
    assert user.is_staff and user.agencies.get().name == AGENCY
    shot(page, "work-user-created")

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    newcomer = context.new_page()
    login(newcomer, live_server, "nguoimoi")
    newcomer.click("header.site nav >> text=Việc của tôi")
    newcomer.wait_for_load_state()
    newcomer.locator("#work-missing article.work-item, #work-overdue article.work-item, #work-due-soon article.work-item").first.locator("a.button").click()
    newcomer.wait_for_url(re.compile(r"/admin/portfolio/task/\d+/change/"))
    newcomer.wait_for_selector("#reports-group .inline-related:not(.empty-form)")
    task_id = int(re.search(r"/task/(\d+)/change/", newcomer.url)[1])
    index = int(newcomer.input_value("#id_reports-INITIAL_FORMS"))  # the new form follows the earlier reports
    newcomer.select_option(f"select[name=reports-{index}-agency]", label=AGENCY)
    newcomer.fill(f"input[name=reports-{index}-period]", "Quý IV/2026")
    newcomer.select_option(f"select[name=reports-{index}-status]", label="Đang triển khai")
    newcomer.fill(f"input[name=reports-{index}-percent]", "10")
    newcomer.fill(f"textarea[name=reports-{index}-results]", "Báo cáo đầu tiên của người mới")
    with newcomer.expect_navigation():
        newcomer.click("input[name=_save]")
    assert "Đã gửi báo cáo" in newcomer.locator("ul.messagelist").inner_text()
    assert ProgressReport.objects.filter(task_id=task_id, submitted_by=user, results="Báo cáo đầu tiên của người mới").exists()
    context.close()


def test_browser_work_pages_fit_a_phone(page, live_server):
    user = reporter()
    send(user, own_tasks(1)[0], 25, "Kết quả ngắn")
    login(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/reviews/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "work-review-queue-phone")
    context = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    phone = context.new_page()
    login(phone, live_server, "bantochuc")
    phone.goto(f"{live_server.url}/my-work/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, "work-my-work-phone")
    context.close()
