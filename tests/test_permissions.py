"""Who may do what, through HTTP with CSRF enforced: each kind of user x each action x own or other agency's task."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from portfolio.choices import ReviewState, UserKind, WorkStatus
from portfolio.models import Agency, ProgressReport, Task

from .helpers import admin_change_data, COORDINATED, csrf_client, csrf_post, inline_prefix, make_user, OTHER, OWN, PASSWORD, pdf_upload, report_post, task


@pytest.fixture
def users(programme, office):
    return {
        "office": office,
        "reporter": make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy"),
        "viewer": make_user("lanhdao", UserKind.VIEWER),
    }


def snapshot():
    return (
        list(Task.objects.order_by("pk").values_list("title", "status", "progress", "version", "delegate_id")),
        list(ProgressReport.objects.order_by("pk").values_list("pk", "review_state")),
        Task.history.count(),
        ProgressReport.history.count(),
    )


def forged_report_post(client, number):
    """A report row posted on a page that never offered one (the inline absent or closed)."""
    url = f"/admin/portfolio/task/{task(number).pk}/change/"
    page = client.get(url)
    if page.status_code != 200:
        return page
    data = admin_change_data(page)
    data.update({
        "reports-TOTAL_FORMS": 1, "reports-INITIAL_FORMS": 0, "reports-0-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk,
        "reports-0-period": "Quý IV/2026", "reports-0-status": "in_progress", "reports-0-percent": 10,
    })
    return csrf_post(client, url, data)


def submitted_report(number):
    user = get_user_model().objects.create_user(f"gui-{number}", password=PASSWORD)
    return ProgressReport.objects.create(
        task=task(number), agency=Agency.objects.get(name="Đảng ủy UBND thành phố"), period="Năm 2026",
        status=WorkStatus.DONE, percent=100, completed_on=date(2026, 11, 1), submitted_by=user,
    )


# ---- the matrix -------------------------------------------------------------

def act_view_list(client, number):
    response = client.get("/tasks/?per_page=200")
    numbers = {row.record.number for row in response.context["table"].page.object_list} if response.status_code == 200 else set()
    return response.status_code, number in numbers


def act_view_task(client, number):
    response = client.get(f"/tasks/{task(number).pk}/")
    return response.status_code, response.status_code == 200


def act_change_task(client, number):
    url = f"/admin/portfolio/task/{task(number).pk}/change/"
    page = client.get(url)
    if page.status_code != 200:
        return page.status_code, False
    if "adminform" not in page.context or not page.context["has_change_permission"]:
        response = csrf_post(client, url, {"title": "Đổi tên"})
        return response.status_code, task(number).title == "Đổi tên"
    response = csrf_post(client, url, admin_change_data(page, title="Đổi tên"))
    return response.status_code, task(number).title == "Đổi tên"


def act_add_report(client, number):
    """Report through the page as offered; where no report row is offered, post one anyway (forged)."""
    before = ProgressReport.objects.filter(task=task(number)).count()
    page = client.get(f"/admin/portfolio/task/{task(number).pk}/change/")
    if page.status_code != 200:
        return page.status_code, False
    offered = [i for i in page.context["inline_admin_formsets"] if i.formset.prefix == "reports" and i.has_add_permission]
    if offered:
        agency = offered[0].formset.empty_form.fields["agency"].queryset.first()
        response = report_post(client, number, agency_name=agency.name)
    else:
        response = forged_report_post(client, number)
    return response.status_code, ProgressReport.objects.filter(task=task(number)).count() == before + 1


def act_accept_report(client, number):
    report = submitted_report(number)
    url = f"/admin/portfolio/progressreport/{report.pk}/change/"
    page = client.get(url)
    if page.status_code == 200 and page.context.get("has_change_permission"):
        data = admin_change_data(page, decision="accept")
    else:  # forged: the page offered no decision
        data = {"decision": "accept", "review_comment": "", "edit_version": report.version, "attachments-TOTAL_FORMS": 0, "attachments-INITIAL_FORMS": 0}
    response = csrf_post(client, url, data)
    report.refresh_from_db()
    return response.status_code, report.review_state == ReviewState.ACCEPTED


def act_delete_task(client, number):
    url = f"/admin/portfolio/task/{task(number).pk}/delete/"
    response = csrf_post(client, url, {"post": "yes"})
    return response.status_code, not Task.objects.filter(number=number).exists()


def act_export(client, number):
    response = client.get("/tasks/export.xlsx?per_page=200")
    if response.status_code != 200:
        return response.status_code, False
    sheet = load_workbook(io.BytesIO(response.content)).active
    return 200, number in {row[0] for row in sheet.iter_rows(min_row=4, values_only=True)}


def act_history(client, number):
    response = client.get(f"/admin/portfolio/task/{task(number).pk}/history/")
    return response.status_code, response.status_code == 200


ACTIONS = {
    "view_list": act_view_list, "view_task": act_view_task, "change_task": act_change_task, "add_report": act_add_report,
    "accept_report": act_accept_report, "delete": act_delete_task, "export": act_export, "history": act_history,
}
# (user, action) -> which of own / coordinated / other it may do.
ALLOWED = {
    "office": {a: {OWN, COORDINATED, OTHER} for a in ACTIONS},
    "viewer": {"view_list": {OWN, COORDINATED, OTHER}, "view_task": {OWN, COORDINATED, OTHER}, "export": {OWN, COORDINATED, OTHER}, "history": {OWN, COORDINATED, OTHER}},
    "reporter": {
        "view_list": {OWN, COORDINATED}, "view_task": {OWN, COORDINATED}, "export": {OWN, COORDINATED},
        "history": {OWN, COORDINATED}, "add_report": {OWN},
    },
}
CASES = [(user, action, number) for user in ALLOWED for action in ACTIONS for number in (OWN, COORDINATED, OTHER)]


@pytest.mark.parametrize("user, action, number", CASES, ids=[f"{u}-{a}-{n}" for u, a, n in CASES])
def test_permission_matrix(users, user, action, number):
    client = csrf_client(users[user])
    allowed = number in ALLOWED[user].get(action, set())
    if action == "accept_report":
        before = None  # the report is created by the action itself
    else:
        before = snapshot()
    status, done = ACTIONS[action](client, number)
    if allowed:
        assert done, f"{user} should be able to {action} task {number} (status {status})"
        return
    assert not done, f"{user} must not {action} task {number}"
    if action in ("view_list", "export"):
        assert status == 200  # the list itself opens; the task is simply not in it
    elif action == "change_task" and user == "reporter" and number != OTHER:
        assert status in (200, 302)  # the page opens for reports and comments; the title is read-only and unchanged
    else:
        assert status in (403, 404), status
    if before is not None:
        assert snapshot() == before


def test_reporter_cannot_report_for_another_agency(users):
    client = csrf_client(users["reporter"])
    before = snapshot()
    response = report_post(client, OWN, agency_name="Ban Thường vụ Thành ủy")
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert snapshot() == before


def test_reporter_forged_action_selection_changes_nothing(users):
    client = csrf_client(users["reporter"])
    before = snapshot()
    response = csrf_post(client, "/admin/portfolio/task/", {"action": "delete_selected", "_selected_action": [task(OTHER).pk, task(OWN).pk], "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert snapshot() == before
    report = submitted_report(OTHER)
    response = csrf_post(client, "/admin/portfolio/progressreport/", {"action": "accept_selected", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.review_state == ReviewState.SUBMITTED


def test_coordinator_may_comment_but_not_report(users):
    client = csrf_client(users["reporter"])
    url = f"/admin/portfolio/task/{task(COORDINATED).pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    prefixes = {i.formset.prefix for i in page.context["inline_admin_formsets"] if i.has_add_permission}
    assert "comments" in prefixes and "reports" not in prefixes
    data = admin_change_data(page)
    data.update({"comments-TOTAL_FORMS": 1, "comments-0-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk, "comments-0-text": "Đề nghị bổ sung số liệu"})
    response = csrf_post(client, url, data)
    assert response.status_code == 302
    assert task(COORDINATED).comments.get().text == "Đề nghị bổ sung số liệu"


def test_reporter_report_then_office_accepts_and_task_takes_its_status(users):
    reporter, office = csrf_client(users["reporter"]), csrf_client(users["office"])
    response = report_post(reporter, OWN)
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=task(OWN))
    assert report.submitted_by == users["reporter"] and report.review_state == ReviewState.SUBMITTED
    assert task(OWN).status == WorkStatus.NOT_STARTED  # not before the Office accepts
    url = f"/admin/portfolio/progressreport/{report.pk}/change/"
    response = csrf_post(office, url, admin_change_data(office.get(url), decision="accept"))
    assert response.status_code == 302
    accepted = task(OWN)
    assert (accepted.status, accepted.progress) == (WorkStatus.IN_PROGRESS, 40)
    page = reporter.get(f"/tasks/{accepted.pk}/").content.decode()
    assert "Đã chấp nhận" in page


def test_office_returns_a_report_only_with_a_comment(users):
    office = csrf_client(users["office"])
    report = submitted_report(OWN)
    url = f"/admin/portfolio/progressreport/{report.pk}/change/"
    response = csrf_post(office, url, admin_change_data(office.get(url), decision="return"))
    assert response.status_code == 200 and "phải ghi ý kiến" in response.content.decode()
    response = csrf_post(office, url, admin_change_data(office.get(url), decision="return", review_comment="Bổ sung kết quả cụ thể"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == ReviewState.RETURNED and task(OWN).status == WorkStatus.NOT_STARTED


def test_lead_side_agency_delegates_a_task(users):
    reporter = csrf_client(users["reporter"])
    url = f"/admin/portfolio/task/{task(OWN).pk}/change/"
    unit, _created = Agency.objects.get_or_create(name="Sở Nội vụ")  # the import creates it: it tracks a target figure
    response = csrf_post(reporter, url, admin_change_data(reporter.get(url), delegate=unit.pk))
    assert response.status_code == 302
    delegated = task(OWN)
    assert delegated.delegate == unit and delegated.delegated_by == users["reporter"] and delegated.delegated_at
    # The delegated unit's reporter may now report on it.
    unit_reporter = make_user("sonoivu", UserKind.REPORTER, "Sở Nội vụ")
    response = report_post(csrf_client(unit_reporter), OWN, agency_name="Sở Nội vụ")
    assert response.status_code == 302
    assert ProgressReport.objects.filter(task=delegated, agency=unit).exists()


def test_office_removes_a_comment_and_a_reporter_cannot(users):
    reporter, office = csrf_client(users["reporter"]), csrf_client(users["office"])
    url = f"/admin/portfolio/task/{task(COORDINATED).pk}/change/"
    data = admin_change_data(reporter.get(url))
    data.update({"comments-TOTAL_FORMS": 1, "comments-0-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk, "comments-0-text": "Ý kiến thử"})
    assert csrf_post(reporter, url, data).status_code == 302
    comment = task(COORDINATED).comments.get()
    # A reporter's page offers no delete box; a forged one changes nothing.
    forged = admin_change_data(reporter.get(url))
    forged["comments-0-DELETE"] = "on"
    csrf_post(reporter, url, forged)
    assert task(COORDINATED).comments.filter(pk=comment.pk).exists()
    data = admin_change_data(office.get(url))
    data["comments-0-DELETE"] = "on"
    assert csrf_post(office, url, data).status_code == 302
    assert not task(COORDINATED).comments.exists()
