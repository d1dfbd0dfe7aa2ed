"""Progress reports: no lost updates, attachments checked by content, history of every change."""

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from portfolio.choices import UserKind
from portfolio.models import Agency, ProgressReport, ReportAttachment, Task

from .helpers import admin_change_data, csrf_client, csrf_post, inline_prefix, make_user, OWN, pdf, report_post, task


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def users(programme, office):
    return {
        "office": office,
        "office2": make_user("vanphong2", UserKind.OFFICE),
        "reporter": make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy"),
        "viewer": make_user("lanhdao", UserKind.VIEWER),
    }


def files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_concurrent_task_edits_the_second_save_is_refused(users):
    first, second = csrf_client(users["office"]), csrf_client(users["office2"])
    url = f"/admin/portfolio/task/{task(OWN).pk}/change/"
    page_one, page_two = first.get(url), second.get(url)
    history_before = Task.history.filter(id=task(OWN).pk).count()

    assert csrf_post(first, url, admin_change_data(page_one, title="Tên do người thứ nhất sửa")).status_code == 302
    response = csrf_post(second, url, admin_change_data(page_two, title="Tên do người thứ hai sửa"))

    assert response.status_code == 200
    assert "đã được người khác cập nhật" in response.content.decode()
    assert task(OWN).title == "Tên do người thứ nhất sửa"
    assert Task.history.filter(id=task(OWN).pk).count() == history_before + 1


def test_concurrent_report_reviews_the_second_is_refused(users, media):
    reporter = csrf_client(users["reporter"])
    assert report_post(reporter, OWN).status_code == 302
    report = ProgressReport.objects.get()
    first, second = csrf_client(users["office"]), csrf_client(users["office2"])
    url = f"/admin/portfolio/progressreport/{report.pk}/change/"
    page_one, page_two = first.get(url), second.get(url)
    assert csrf_post(first, url, admin_change_data(page_one, decision="accept")).status_code == 302
    response = csrf_post(second, url, admin_change_data(page_two, decision="return", review_comment="Chưa đạt"))
    assert response.status_code == 200 and "đã được người khác cập nhật" in response.content.decode()
    report.refresh_from_db()
    assert report.review_state == "accepted" and report.review_comment == ""


def docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile("ke-hoach.docx", buffer.getvalue())


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200), "không phải loại được phép"),
        (SimpleUploadedFile("tep.exe", b"MZ\x90\x00"), "không phải loại được phép"),
        (SimpleUploadedFile("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50), "đổi tên thành .png"),
        ("too-big", "vượt giới hạn"),
    ],
)
def test_report_attachment_refused_leaves_nothing(users, media, settings, upload, message):
    settings.PORTFOLIO_ATTACHMENT_MAX_BYTES = 1024
    if upload == "too-big":
        upload = pdf(size=5000)
    reporter = csrf_client(users["reporter"])
    response = report_post(reporter, OWN, **{"reports-0-attachments": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ProgressReport.objects.count() == 0 and ReportAttachment.objects.count() == 0
    assert files_on_disk(media) == []


def test_report_attachments_stored_and_served_only_to_those_who_see_the_task(users, media):
    reporter = csrf_client(users["reporter"])
    response = report_post(reporter, OWN, **{"reports-0-attachments": [pdf(), docx()]})
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    names = sorted(report.attachments.values_list("original_name", flat=True))
    assert names == ["bao-cao.pdf", "ke-hoach.docx"]
    assert len(files_on_disk(media)) == 2
    attachment = report.attachments.get(original_name="bao-cao.pdf")
    assert csrf_client(users["viewer"]).get(f"/attachments/{attachment.pk}/").status_code == 200
    outsider = make_user("songoai", UserKind.REPORTER, "UBND thành phố")  # UBND has no role in task 1
    assert csrf_client(outsider).get(f"/attachments/{attachment.pk}/").status_code == 404
    page = reporter.get(f"/tasks/{task(OWN).pk}/").content.decode()
    assert "bao-cao.pdf" in page and "Chờ xem xét" in page


def test_task_admin_page_still_opens_after_a_report_and_takes_the_next_one(users, media):
    """Once a report existed, the task's admin page failed for everyone (its files were read as a field): the agency
    could not send its next report, nor the Office open the task."""
    from portfolio.choices import WorkStatus

    reporter = csrf_client(users["reporter"])
    assert report_post(reporter, OWN, **{"reports-0-attachments": [pdf()]}).status_code == 302
    url = f"/admin/portfolio/task/{task(OWN).pk}/change/"
    for client in (reporter, csrf_client(users["office"])):
        page = client.get(url)
        attachment = ReportAttachment.objects.get()
        assert page.status_code == 200 and f'<a href="/attachments/{attachment.pk}/">bao-cao.pdf</a>' in page.content.decode()
    page = reporter.get(url)
    prefix, data = inline_prefix(page, "progressreport"), admin_change_data(page)
    new = int(data[f"{prefix}-INITIAL_FORMS"])
    data.update({f"{prefix}-TOTAL_FORMS": new + 1, f"{prefix}-{new}-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk,
                 f"{prefix}-{new}-period": "Năm 2026", f"{prefix}-{new}-status": WorkStatus.IN_PROGRESS, f"{prefix}-{new}-percent": 60,
                 f"{prefix}-{new}-results": "Đã trình dự thảo"})
    assert csrf_post(reporter, url, data).status_code == 302
    assert sorted(ProgressReport.objects.values_list("percent", flat=True)) == [40, 60]


def test_a_report_sent_through_the_admin_keeps_the_dashboards_summary_and_a_renamed_body_does_not(users, media):
    """The report is written, not the task: the summaries kept until the data changes (dashboard, meeting workbook)
    survive it. The admin's save still refreshes the task's search text when a body's name in it changed."""
    from portfolio import freshness
    from portfolio.services import task_after_rows_saved

    reporter = csrf_client(users["reporter"])
    token = freshness.data_token()
    assert report_post(reporter, OWN).status_code == 302 and ProgressReport.objects.count() == 1
    assert freshness.data_token() == token
    own = task(OWN)
    body = own.assignments.exclude(agency__name="Ban Tổ chức Thành ủy").first().agency
    Agency.objects.filter(pk=body.pk).update(short_name="", name="Sở Thử Nghiệm Đổi Tên")
    token = freshness.data_token()
    task_after_rows_saved(task=own, changed=set(), by_office=False)
    assert freshness.data_token() != token and "so thu nghiem doi ten" in Task.objects.get(pk=own.pk).search_text.lower()


def test_two_reporters_sending_on_one_task_at_once_both_reports_are_taken(users, media):
    """Found under load: a page loaded before another report was added named one row fewer than the task had, and
    its report was refused as forged (400). A stale page is not a forged one: both reports are kept."""
    from portfolio.choices import WorkStatus

    second_reporter = make_user("bantochuc2", UserKind.REPORTER, "Ban Tổ chức Thành ủy")
    first, second = csrf_client(users["reporter"]), csrf_client(second_reporter)
    url = f"/admin/portfolio/task/{task(OWN).pk}/change/"
    assert report_post(first, OWN).status_code == 302  # one report exists before both pages are loaded
    page_one, page_two = first.get(url), second.get(url)
    posts = []
    for page, percent in ((page_one, 50), (page_two, 70)):
        prefix, data = inline_prefix(page, "progressreport"), admin_change_data(page)
        new = int(data[f"{prefix}-INITIAL_FORMS"])
        data.update({f"{prefix}-TOTAL_FORMS": new + 1, f"{prefix}-{new}-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk,
                     f"{prefix}-{new}-period": f"Tháng {percent // 10}/2026", f"{prefix}-{new}-status": WorkStatus.IN_PROGRESS,
                     f"{prefix}-{new}-percent": percent, f"{prefix}-{new}-results": f"Báo cáo {percent}"})
        posts.append(data)
    assert csrf_post(first, url, posts[0]).status_code == 302
    assert csrf_post(second, url, posts[1]).status_code == 302  # its page names one report fewer than there are now
    assert sorted(ProgressReport.objects.values_list("percent", flat=True)) == [40, 50, 70]


def test_every_change_is_in_the_history_with_who_and_when(users, media):
    office = csrf_client(users["office"])
    url = f"/admin/portfolio/task/{task(OWN).pk}/change/"
    csrf_post(office, url, admin_change_data(office.get(url), title="Tên mới của nhiệm vụ"))
    agency = Agency.objects.get(name="Ban Nội chính Thành ủy")
    agency_url = f"/admin/portfolio/agency/{agency.pk}/change/"
    csrf_post(office, agency_url, admin_change_data(office.get(agency_url), emails="noichinh@cantho.gov.vn"))
    assert agency.history.latest().history_user == users["office"]
    page = office.get(f"/tasks/{task(OWN).pk}/").content.decode()
    assert "Tên mới của nhiệm vụ" in page and "vanphong" in page and "Lịch sử thay đổi" in page
    history = office.get(f"/admin/portfolio/task/{task(OWN).pk}/history/")
    assert history.status_code == 200 and "vanphong" in history.content.decode()


def test_groups_are_created_by_migration(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(UserKind.values)
    reporter = Group.objects.get(name=UserKind.REPORTER)
    assert reporter.permissions.filter(codename="add_progressreport").exists()
    assert not reporter.permissions.filter(codename="delete_task").exists()
    assert not Group.objects.get(name=UserKind.VIEWER).permissions.exclude(codename__startswith="view_").exists()


def test_review_just_after_midnight_is_shown_in_cantho_time(users, media, monkeypatch):
    """Finding 4: a review at 00:52 on 24/11/2026 in Cần Thơ (17:52 UTC on 23/11) was recorded in the history as 23/11/2026.

    Given the clock at 00:30 in Cần Thơ (17:30 UTC the day before), the review, the task's history, "today" and the
    workbooks all say 24/11/2026.
    """
    from datetime import date, datetime
    from datetime import timezone as dt_timezone

    from django.utils import timezone
    from openpyxl import load_workbook

    from portfolio.excel.meeting import meeting_workbook
    from portfolio.history import task_history
    from portfolio.selectors import task_queryset, today
    from portfolio.services import progress_report_review

    clock = [datetime(2026, 11, 23, 16, 0, tzinfo=dt_timezone.utc)]  # 23:00 on 23/11 in Cần Thơ: the report
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    reporter = csrf_client(users["reporter"])
    assert report_post(reporter, OWN).status_code == 302
    clock[0] = datetime(2026, 11, 23, 17, 30, tzinfo=dt_timezone.utc)  # 00:30 on 24/11 in Cần Thơ: the review

    assert timezone.localdate() == today() == date(2026, 11, 24)
    progress_report_review(report=ProgressReport.objects.get(), user=users["office"], accept=True)

    rows = task_history(task=task(OWN))
    review = next(row for row in rows if any(label == "xem xét lúc" for label, _old, _new in row["changes"]))
    assert ("xem xét lúc", "—", "24/11/2026 00:30") in review["changes"]
    page = csrf_client(users["office"]).get(f"/tasks/{task(OWN).pk}/").content.decode()
    history = page[page.index('id="history"'):]
    assert "24/11/2026 00:30" in history and "23/11/2026 17:30" not in history
    assert "tính đến 24/11/2026" in " ".join(page.split())
    admin_history = csrf_client(users["office"]).get(f"/admin/portfolio/progressreport/{ProgressReport.objects.get().pk}/history/")
    assert "24/11/2026 00:30" in admin_history.content.decode()
    workbook = load_workbook(io.BytesIO(meeting_workbook(tasks_queryset=task_queryset(as_of=today()), as_of=today(), whole_programme=True)))
    catalogue = workbook["Danh mục"]
    values = [cell for row in catalogue.iter_rows(values_only=True) for cell in row if cell is not None]
    assert any("24/11/2026" in str(v) for v in values[:5])  # the as-of line
    reported = [v for v in values if hasattr(v, "year") and getattr(v, "month", None) == 11 and v.year == 2026]
    assert reported and all(v.day == 24 for v in reported)  # "cập nhật lần cuối" of task 1, in Cần Thơ's date
