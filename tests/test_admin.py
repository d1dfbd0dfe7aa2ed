import re
from html.parser import HTMLParser

import pytest

from .catalogues import english_words
from .helpers import admin_change_data, form_data


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
    from portfolio.models import TargetFigure, TargetValue

    urbanisation = TargetFigure.objects.get(target__number=20, position=1)
    TargetValue.objects.create(figure=urbanisation, agency=urbanisation.agency, year=2025, value=50, source="Sở Xây dựng", submitted_by=office)
    ReminderSettings.current()
    reminder_run(as_of=date(2026, 11, 22))
    client.post("/accounts/login/", {"username": "nguoi-la", "password": "sai-mat-khau-0000"}, REMOTE_ADDR="10.0.0.9")
    client.post("/accounts/login/", {"username": "vanphong", "password": "mat-khau-du-dai-12"}, REMOTE_ADDR="10.0.0.8")
    client.logout()
    AccessFailureLog.objects.create(username="nguoi-la", ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/accounts/login/")
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=office)  # an API token, as create_api_token writes it


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


class VisibleText(HTMLParser):
    """The text of a page as a user meets it: content outside scripts and styles, tooltips, placeholders, button labels."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.chunks, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.hidden += tag in ("script", "style")
        if "/admin/img/" in attrs.get("src", ""):
            return  # the admin's icons: Django writes their alt text ("True", "Search") in English, outside its catalogue
        self.chunks += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.chunks.append(data)


def english_on(page: str, vocabulary: set[str]) -> list[str]:
    """The texts of the page holding a word of the catalogues' English (whole words: "thuộc" is not "thu").

    Addresses, paths and codes are skipped: words with / @ _ : = < a digit, or a dot inside.
    """
    parser = VisibleText()
    parser.feed(page)
    return [
        " ".join(chunk.split())[:120] for chunk in parser.chunks
        if any(word.isascii() and word.lower() in vocabulary
               for token in chunk.split() if not re.search(r"[/@_:=<\d]|\.\w", token) for word in re.findall(r"[^\W\d_]+", token))
    ]


def test_admin_and_site_pages_show_no_english(client, office, every_kind_of_record):
    """Every page the Office can open, and the messages of a failed form, an unlock and a refused form, read in Vietnamese."""
    from axes.models import AccessAttempt
    from django.contrib import admin
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from portfolio.models import Agency, Task

    # Vietnamese writes "email", "web", "cookie" and "byte" as English does, and names the keys "Control" and "Command" as they are written;
    # the Resolution's target (5) names the "PAR INDEX" as written
    vocabulary = english_words() - {"email", "web", "cookie", "byte", "control", "command", "index"}
    client.force_login(office)
    reported = Task.objects.get(number=3).pk  # the task with a report
    pages = {url: client.get(url) for url in ["/", "/tasks/", f"/tasks/{reported}/", f"/admin/portfolio/task/{reported}/change/", "/imports/",
                                              f"/agencies/{Agency.objects.order_by('pk').first().pk}/", "/admin/", "/admin/password_change/",
                                              f"/admin/auth/user/{office.pk}/password/"]}
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        for view, args in (("changelist", []), ("add", []), ("change", [obj.pk]), ("history", [obj.pk]), ("delete", [obj.pk])):
            try:
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
            except NoReverseMatch:
                continue
            pages[url] = client.get(url)
    add_user = client.get("/admin/auth/user/add/")
    pages["add a user, wrong"] = client.post("/admin/auth/user/add/", admin_change_data(add_user, username="sai tên!", password1="ngan", password2="khac"))
    pages["unlock a login"] = client.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [AccessAttempt.objects.get().pk]})
    pages["unlocked"] = client.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [AccessAttempt.objects.get().pk], "post": "yes"}, follow=True)
    pages["a form sent without its token"] = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    pages["the login page"] = Client().get("/accounts/login/")
    pages["a task that does not exist"] = client.get("/tasks/999999/")
    task = Task.objects.get(number=1)
    pages["an old version of a task"] = client.get(f"/admin/portfolio/task/{task.pk}/history/{task.history.order_by('history_id').first().history_id}/")
    found = {}
    # Django names a row of a many-to-many table "Group_permissions object (1)" on the confirmation of a deletion, outside any catalogue
    through_rows = re.compile(r"\w+_\w+ object \(\d+\)")
    for name, response in pages.items():
        assert response.status_code in (200, 403, 404), (name, response.status_code)
        texts = [text for text in english_on(response.content.decode(), vocabulary) if not through_rows.search(text)]
        if texts:
            found[name] = sorted(set(texts))
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_admin_permission_pickers_name_each_permission_in_vietnamese(client, office, programme):
    """Django stores "Can change nhiệm vụ"; the user and group pages show "Theo dõi chương trình hành động | Sửa nhiệm vụ"."""
    from django.contrib.auth.models import Group

    client.force_login(office)
    for url in (f"/admin/auth/group/{Group.objects.order_by('pk').first().pk}/change/", f"/admin/auth/user/{office.pk}/change/"):
        page = client.get(url).content.decode()
        assert "Theo dõi chương trình hành động | Sửa nhiệm vụ" in page and "Bảo vệ đăng nhập | Xóa lượt đăng nhập sai" in page
        assert "Theo dõi chương trình hành động | Xem lịch sử nhiệm vụ" in page
        assert not re.search(r"\| Can (add|change|delete|view) ", page), url


def test_portfolio_keeps_its_own_app_config_beside_the_one_for_axes():
    from django.apps import apps

    from portfolio.apps import AxesConfig, PortfolioConfig

    assert type(apps.get_app_config("portfolio")) is PortfolioConfig and type(apps.get_app_config("axes")) is AxesConfig


def test_admin_history_writes_changes_as_the_task_page_does(client, office, programme):
    """Dates dd/mm/yyyy and an empty value as "—", where simple-history would write "None → 2030-12-31"."""
    from portfolio.models import Task

    client.force_login(office)
    page = client.get(f"/admin/portfolio/task/{Task.objects.get(number=1).pk}/history/").content.decode()
    assert "—&nbsp;&rarr;&nbsp;&nbsp;31/12/2030" in page and "None" not in page


def test_admin_history_shows_old_versions_but_does_not_restore_them(client, office, programme):
    """Restoring task 1's first version would blank its due dates (derived by a service, not by the form): refused."""
    from portfolio.models import Task

    client.force_login(office)
    task = Task.objects.get(number=1)
    first = task.history.order_by("history_id").first()
    url = f"/admin/portfolio/task/{task.pk}/history/{first.history_id}/"
    page = client.get(url)
    assert page.status_code == 200 and "Khôi phục" not in page.content.decode()
    assert "Historical" not in page.content.decode() and ">Portfolio<" not in page.content.decode()  # simple-history's breadcrumbs
    assert client.post(url, form_data(page.context["adminform"].form)).status_code == 403
    task.refresh_from_db()
    assert task.next_due_date.isoformat() == "2027-12-31" and task.history.count() == 2


def test_task_and_comment_names_are_cut_between_words(programme):
    """Cut at 80 characters, task 4's name ended in "khó" (difficult) where the title says "khóa" (term)."""
    from portfolio.models import Task, shorten

    assert str(Task.objects.get(number=4)) == "4. Ban hành Chương trình làm việc toàn khóa của Ban Chấp hành Đảng bộ thành phố…"
    assert shorten("Ngắn gọn", 60) == "Ngắn gọn" and shorten("x" * 100, 10) == "x" * 9 + "…"


def test_admin_history_names_a_body_deleted_since(client, office, programme):
    """A change to a body that no longer exists is shown as such, where reading it by id failed the page."""
    from portfolio.models import Agency, Task

    task, unit = Task.objects.get(number=1), Agency.objects.create(name="Phòng Thử nghiệm")
    task.delegate = unit
    task.save()
    task.delegate = None
    task.save()
    unit.delete()
    client.force_login(office)
    page = client.get(f"/admin/portfolio/task/{task.pk}/history/")
    assert page.status_code == 200 and "Đã xóa cơ quan" in page.content.decode()


def test_the_task_admin_page_asks_each_question_of_the_users_rights_once(client, programme):
    """Whether the agency sees, reports on and comments on the task: each asked once per page (the admin asked 16
    times, a query each), and asked again by the next request (a right given between two pages shows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portfolio.choices import UserKind
    from portfolio.models import Agency, Assignment

    from .helpers import OTHER, make_user, task

    reporter = make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy")
    client.force_login(reporter)
    url = f"/admin/portfolio/task/{task(OTHER).pk}/change/"
    assert client.get(url).status_code == 404  # no role on it
    Assignment.objects.create(task=task(OTHER), agency=Agency.objects.get(name="Ban Tổ chức Thành ủy"), role="lead")
    with CaptureQueriesContext(connection) as asked:
        page = client.get(url)
    assert page.status_code == 200 and 'name="reports-TOTAL_FORMS"' in page.content.decode()
    rights = [q["sql"] for q in asked.captured_queries if q["sql"].startswith('SELECT 1 AS "a" FROM "portfolio_task"')]
    assert len(rights) <= 4, rights  # sees, may submit a report, may edit the delegate, may comment (the SQL of two pairs is alike)



def test_the_task_admin_page_looks_its_task_up_once_per_request(client, programme):
    """The change view looked the task up (a scoped query) to answer 404, then again for Django's own view, and on a
    POST a third time to refuse forged rows: once per request now, and looked up anew by the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portfolio.choices import UserKind
    from portfolio.models import Agency, Assignment

    from .helpers import OTHER, admin_change_data, inline_prefix, make_user, task

    Assignment.objects.create(task=task(OTHER), agency=Agency.objects.get(name="Ban Tổ chức Thành ủy"), role="lead")
    client.force_login(make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy"))
    url = f"/admin/portfolio/task/{task(OTHER).pk}/change/"

    def lookups(captured):
        return [q["sql"] for q in captured if q["sql"].startswith('SELECT "portfolio_task"."id"') and 'AS "schedule_state"' in q["sql"]]

    with CaptureQueriesContext(connection) as asked:
        assert client.get(url).status_code == 200
    assert len(lookups(asked.captured_queries)) == 1, lookups(asked.captured_queries)
    # The programme and section its read-only fields show are read with the task, not one by one.
    alone = [q["sql"] for q in asked.captured_queries if re.match(r'SELECT "portfolio_(programme|section|fundingsource)"\."id"', q["sql"])]
    assert not alone, alone
    page = client.get(url)
    prefix, data = inline_prefix(page, "progressreport"), admin_change_data(page)
    data.update({f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-0-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk, f"{prefix}-0-period": "Quý IV/2026",
                 f"{prefix}-0-status": "in_progress", f"{prefix}-0-percent": 40, f"{prefix}-0-results": "Đã xây dựng dự thảo"})
    with CaptureQueriesContext(connection) as asked:
        assert client.post(url, data).status_code == 302
    assert len(lookups(asked.captured_queries)) == 1, lookups(asked.captured_queries)
    task(OTHER).reports.get()


@pytest.mark.parametrize("reader", ["agency", "office"])
def test_the_task_and_figure_pages_ask_as_many_queries_with_eight_earlier_records_as_with_one(client, office, programme, reader):
    """Earlier reports (each with its file and its sender), comments and a figure's values are shown on their page:
    the queries that read them do not grow with their number (the report rows asked three more each: a task
    reported on every quarter for five years has twenty)."""
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portfolio.choices import UserKind, WorkStatus
    from portfolio.models import Agency, Assignment, ProgressReport, ReportAttachment, TargetFigure, TargetValue, TaskComment

    from .helpers import OTHER, make_user, task

    lead, partner = Agency.objects.get(name="Ban Tổ chức Thành ủy"), Agency.objects.get(name="Sở Xây dựng")
    the_task = task(OTHER)
    Assignment.objects.create(task=the_task, agency=lead, role="lead")
    Assignment.objects.create(task=the_task, agency=partner, role="coordinating")
    figure = TargetFigure.objects.get(target__number=20, position=1)
    reporter = make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy")
    client.force_login(reporter if reader == "agency" else office)
    pages = [f"/admin/portfolio/task/{the_task.pk}/change/"] + ([f"/admin/portfolio/targetfigure/{figure.pk}/change/"] if reader == "office" else [])

    def add_records(first, count):
        for i in range(first, first + count):
            sender = make_user(f"nguoigui{i}", UserKind.REPORTER, "Ban Tổ chức Thành ủy", "Sở Xây dựng")
            report = ProgressReport.objects.create(task=the_task, agency=lead, period=f"Quý {i % 4 + 1}/{2026 + i // 4}",
                                                   status=WorkStatus.IN_PROGRESS, percent=10 + i, results=f"Kết quả {i}", submitted_by=sender)
            ReportAttachment.objects.create(report=report, file=ContentFile(b"%PDF-1.4\n", name=f"bao-cao-{i}.pdf"),
                                            original_name=f"bao-cao-{i}.pdf", content_type="application/pdf", size=9)
            TaskComment.objects.create(task=the_task, agency=partner, author=sender, text=f"Ý kiến {i}")
            TargetValue.objects.create(figure=figure, agency=figure.agency, year=2020 + i, value=40 + i, source="Cục Thống kê", submitted_by=sender)

    def queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as asked:
            page = client.get(url)
        assert page.status_code == 200, url
        return len(asked), page.content.decode()

    add_records(0, 1)
    one = {url: queries(url) for url in pages}
    add_records(1, 7)
    for url in pages:
        count, page = queries(url)
        assert count == one[url][0], (url, one[url][0], count)
        if "/task/" in url:
            assert all(f"bao-cao-{i}.pdf" in page and f"Kết quả {i}" in page and f"nguoigui{i}" in page for i in range(8)), url
            assert all(f"Ý kiến {i}" in page for i in range(8)), url
        else:
            assert all(f"nguoigui{i}" in page for i in range(8)), url


def test_an_assignment_row_sent_back_with_an_error_shows_the_body_chosen_not_the_one_it_had(client, office, programme):
    """Each assignment's box shows its body, taken from the row it has read (test_access_matrix's page-cost test
    sees the query Django's box asks otherwise); a page sent back with another body chosen (and an error elsewhere)
    shows the body chosen, as Django's box does."""
    from portfolio.models import Agency

    from .helpers import inline_prefix, task

    client.force_login(office)
    the_task = task(3)
    url = f"/admin/portfolio/task/{the_task.pk}/change/"
    page = client.get(url)
    prefix = inline_prefix(page, "assignment")
    for i, assignment in enumerate(the_task.assignments.select_related("agency").order_by("position", "pk")):
        box = re.search(rf'<select name="{prefix}-{i}-agency".*?</select>', page.content.decode(), re.S)[0]
        assert re.findall(r'<option value="(\d+)" selected>([^<]*)</option>', box) == [(str(assignment.agency_id), str(assignment.agency))], box
    data = admin_change_data(page)
    had = Agency.objects.get(pk=data[f"{prefix}-0-agency"])
    chosen = Agency.objects.exclude(assignments__task=the_task).order_by("pk").first()
    data.update({f"{prefix}-0-agency": chosen.pk, f"{prefix}-0-position": "không phải số"})
    sent = client.post(url, data)
    assert sent.status_code == 200  # shown again, with the error
    box = re.search(rf'<select name="{prefix}-0-agency".*?</select>', sent.content.decode(), re.S)[0]
    assert re.findall(r'<option value="(\d+)" selected>([^<]*)</option>', box) == [(str(chosen.pk), str(chosen))], box
    assert the_task.assignments.filter(agency=had).exists() and not the_task.assignments.filter(agency=chosen).exists()
