"""The Office's review queue (/reviews/) and the dashboard's counts: only reports awaiting review, only for the Office;
returning needs a comment; accepting several is all or nothing."""

import pytest
from django.contrib.messages import get_messages

from portfolio import models as m
from portfolio.choices import ReviewState, WorkStatus
from portfolio.services import progress_report_review, progress_report_submit
from portfolio.services.reports import report_label

from .world import MARKER, client_for


def submit(world, owner, percent=55, text="Kết quả mới"):
    task, agency = world.objects[(m.Task, owner)], world.agencies[owner]
    user = world.users[f"reporter_{owner.lower()}"]
    return progress_report_submit(task=task, agency=agency, user=user, period="Quý I/2027", status=WorkStatus.IN_PROGRESS,
                                  percent=percent, results=f"{text} {owner}")


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_review_queue_shows_only_reports_awaiting_review_with_their_context(world):
    waiting = submit(world, "A")
    response = client_for(world, "office").get("/reviews/")
    assert response.status_code == 200
    assert [report.pk for report in response.context["reports"]] == [waiting.pk]  # the returned ones are not listed
    html = response.content.decode()
    task = world.objects[(m.Task, "A")]
    assert "Kết quả mới A" in html and f"Nhiệm vụ {task.number}" in html
    assert "Tiến độ hiện tại" in html and "Tiến độ đề nghị" in html and "55%" in html
    assert f"Trả lại: {MARKER['A']}" in html  # the task's earlier review, with its comment


@pytest.mark.parametrize("role, status", [("reporter_a", 404), ("reporter_b", 404), ("delegate_d", 404), ("leader", 404), ("anonymous", 302)])
def test_review_queue_is_the_offices_only(world, role, status):
    submit(world, "A")
    client = client_for(world, role)
    assert client.get("/reviews/").status_code == status
    report = m.ProgressReport.objects.get(review_state=ReviewState.SUBMITTED)
    posted = client.post("/reviews/", {"accept": report.pk, f"version-{report.pk}": report.version})
    assert posted.status_code == status
    report.refresh_from_db()
    assert report.review_state == ReviewState.SUBMITTED


def test_review_queue_returning_without_a_comment_is_refused_and_changes_nothing(world):
    report = submit(world, "A")
    response = client_for(world, "office").post("/reviews/", {"return": report.pk, f"version-{report.pk}": report.version,
                                                             f"comment-{report.pk}": "   "}, follow=True)
    assert any("Chưa trả lại" in text and "phải ghi ý kiến" in text for text in messages_of(response))
    report.refresh_from_db()
    assert (report.review_state, report.version, report.review_comment) == (ReviewState.SUBMITTED, 1, "")
    assert [r.pk for r in response.context["reports"]] == [report.pk]


def test_review_queue_returns_one_with_its_comment(world):
    report = submit(world, "A")
    client_for(world, "office").post("/reviews/", {"return": report.pk, f"version-{report.pk}": report.version,
                                                  f"comment-{report.pk}": "Bổ sung số liệu quý I"})
    report.refresh_from_db()
    assert (report.review_state, report.review_comment) == (ReviewState.RETURNED, "Bổ sung số liệu quý I")


def test_review_queue_accepts_several_at_once_and_the_tasks_take_their_progress(world):
    a, b = submit(world, "A", 55), submit(world, "B", 70)
    response = client_for(world, "office").post("/reviews/", {
        "accept_selected": "1", "selected": [a.pk, b.pk], f"version-{a.pk}": a.version, f"version-{b.pk}": b.version}, follow=True)
    assert any("Đã chấp nhận 2 báo cáo" in text for text in messages_of(response))
    assert list(response.context["reports"]) == []
    assert m.Task.objects.get(pk=a.task_id).progress == 55
    assert m.Task.objects.get(pk=b.task_id).progress == 70


def test_review_queue_bulk_accept_is_all_or_nothing(world):
    a, b = submit(world, "A", 55), submit(world, "B", 70)
    seen = {a.pk: a.version, b.pk: b.version}
    # Someone else returns B while the reviewer still has the queue open.
    progress_report_review(report=b, user=world.users["office"], accept=False, comment="Đã trả lại ở nơi khác")
    progress_before = m.Task.objects.get(pk=a.task_id).progress
    response = client_for(world, "office").post("/reviews/", {
        "accept_selected": "1", "selected": [a.pk, b.pk], **{f"version-{pk}": v for pk, v in seen.items()}}, follow=True)
    texts = messages_of(response)
    assert any(report_label(b) in text and "đã được" in text and "Chưa báo cáo nào được chấp nhận" in text for text in texts), texts
    a.refresh_from_db()
    assert a.review_state == ReviewState.SUBMITTED and a.version == 1
    assert m.Task.objects.get(pk=a.task_id).progress == progress_before


def test_review_queue_refuses_a_decision_on_a_report_reviewed_meanwhile(world):
    report = submit(world, "A")
    version = report.version
    progress_report_review(report=report, user=world.users["office"], accept=True)
    response = client_for(world, "office").post("/reviews/", {"return": report.pk, f"version-{report.pk}": version,
                                                             f"comment-{report.pk}": "Muộn"}, follow=True)
    assert any("đã được" in text for text in messages_of(response))
    report.refresh_from_db()
    assert report.review_state == ReviewState.ACCEPTED


def test_dashboard_counts_reports_awaiting_review_for_the_office(world):
    submit(world, "A")
    submit(world, "B")
    html = client_for(world, "office").get("/").content.decode()
    assert 'data-count="waiting"><span class="n">2</span>' in html
    assert 'href="/reviews/"' in html
    reporter = client_for(world, "reporter_a").get("/").content.decode()
    assert 'data-count="waiting"' not in reporter and 'href="/reviews/"' not in reporter


def test_review_counts_leave_out_withdrawn_tasks_and_count_the_week_old_apart(world):
    """The counts (read from an index, less the withdrawn tasks' reports) equal a count of the reports one by one."""
    from datetime import timedelta

    from django.utils import timezone

    from portfolio.worklists import WAITING_LONG_DAYS, review_counts

    old, withdrawn_old = submit(world, "A"), submit(world, "B")
    now = timezone.now()
    m.ProgressReport.objects.filter(pk__in=[old.pk, withdrawn_old.pk]).update(created_at=now - timedelta(days=WAITING_LONG_DAYS + 1))
    m.Task.objects.filter(pk=withdrawn_old.task_id).update(withdrawn_on=now.date())
    waiting = [r for r in m.ProgressReport.objects.select_related("task") if r.review_state == ReviewState.SUBMITTED and r.task.withdrawn_on is None]
    counts = review_counts(now=now)
    assert counts["waiting"] == len(waiting) and old.pk in {r.pk for r in waiting} and withdrawn_old.pk not in {r.pk for r in waiting}
    assert counts["waiting_long"] == sum(r.created_at < now - timedelta(days=WAITING_LONG_DAYS) for r in waiting) >= 1


def test_the_waiting_reports_are_counted_from_the_index_alone_on_postgresql(world):
    """review_counts' count of the waiting reports, as it asks it, is planned as an index-only scan of
    report_state_created: counting a column the index does not hold (the id) reads every report's row."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from portfolio.worklists import review_counts

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: its plan is read")
    submit(world, "A")
    with CaptureQueriesContext(connection) as asked:
        review_counts()
    counted = next(q["sql"] for q in asked.captured_queries if "COUNT(" in q["sql"] and "portfolio_task" not in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's table is small: any plan would do without it
        cursor.execute("EXPLAIN " + counted)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using report_state_created" in plan, plan


def test_review_desk_in_the_admin_shows_the_tasks_context_and_no_version(world):
    report = submit(world, "A")
    html = client_for(world, "office").get(f"/admin/portfolio/progressreport/{report.pk}/change/").content.decode()
    assert "Thời hạn của nhiệm vụ" in html and "Tiến độ hiện tại của nhiệm vụ" in html
    assert f"Trả lại: {MARKER['A']}" in html  # the earlier review of the same task, with its comment
    assert "Phiên bản:" not in html
