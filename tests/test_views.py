import io
import re
import unicodedata
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from portfolio.choices import Role, ScheduleState, WorkStatus
from portfolio.models import Agency, Assignment, Task

from .factories import grow_programme, shrink_programme

AS_OF = date(2026, 11, 22)
Q_AS_OF = "as_of=2026-11-22"


@pytest.fixture
def signed_in(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def varied(programme):
    """The programme with some work reported, so status and state filters have something to tell apart."""
    Task.objects.filter(number__in=[3, 4]).update(status=WorkStatus.DONE, progress=100, completed_on=date(2025, 10, 20))
    Task.objects.filter(number=5).update(status=WorkStatus.DONE, progress=100, completed_on=date(2025, 11, 15))
    Task.objects.filter(number__in=range(40, 60)).update(status=WorkStatus.IN_PROGRESS, progress=40)
    Task.objects.filter(number=70).update(status=WorkStatus.BLOCKED, progress=10)
    Task.objects.filter(number=100).update(needs_review=True, next_due_date=None, review_note="thử")
    return programme


def fold(text):
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()


def reference_state(task, as_of=AS_OF, days=90):
    """The schedule-state rules written out again in plain Python, to check the SQL against."""
    done = task.status == WorkStatus.DONE and (task.completed_on is None or task.completed_on <= as_of)
    if done:
        late = task.completed_on and task.due_date and task.completed_on > task.due_date
        return ScheduleState.DONE_LATE if late else ScheduleState.DONE_ON_TIME
    if task.needs_review or (task.next_due_date is None and not task.is_ongoing):
        return ScheduleState.UNSCHEDULED
    if task.next_due_date < as_of:
        return ScheduleState.OVERDUE
    if task.is_ongoing:
        return ScheduleState.ONGOING
    if task.next_due_date <= as_of + timedelta(days=days):
        return ScheduleState.DUE_SOON
    return ScheduleState.ON_TRACK


def all_tasks():
    return list(Task.objects.prefetch_related("assignments__agency").select_related("section", "funding"))


def listed(client, query):
    response = client.get(f"/tasks/?{Q_AS_OF}&per_page=200&{query}")
    assert response.status_code == 200
    table = response.context["table"]
    return table.paginator.count, response


@pytest.mark.parametrize("url", ["/", "/tasks/", "/tasks/1/", "/agencies/1/", "/tasks/export.xlsx"])
def test_pages_redirect_anonymous_visitors_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_is_in_vietnamese(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Đăng nhập" in page and "Mật khẩu" in page and 'lang="vi"' in page


def test_pages_ignore_the_browser_language(signed_in, programme):
    response = signed_in.get("/tasks/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert "Danh sách nhiệm vụ" in response.content.decode()


@pytest.mark.parametrize(
    "query, predicate",
    [
        ("section=__I__", lambda t: t.section.numeral == "I"),
        ("kind=project", lambda t: t.kind == "project"),
        ("kind=resolution", lambda t: t.title.lower().startswith("nghị quyết")),
        ("lead=__UBND__", lambda t: any(a.role == Role.LEAD and a.agency.name == "Đảng ủy UBND thành phố" for a in t.assignments.all())),
        ("agency=__TC__", lambda t: any(a.agency.name == "Ban Tổ chức Thành ủy" for a in t.assignments.all())),
        ("agency=__TC__&role=coordinating", lambda t: any(a.agency.name == "Ban Tổ chức Thành ủy" and a.role == "coordinating" for a in t.assignments.all())),
        ("role=advising_lead", lambda t: any(a.role == "advising_lead" for a in t.assignments.all())),
        ("status=done", lambda t: t.status == "done"),
        ("status=in_progress", lambda t: t.status == "in_progress"),
        ("status=blocked", lambda t: t.status == "blocked"),
        ("status=not_started", lambda t: t.status == "not_started"),
        *[(f"schedule_state={s.value}", (lambda s: lambda t: reference_state(t) == s)(s)) for s in ScheduleState],
        ("due_from=2026-01-01&due_to=2026-12-31", lambda t: t.next_due_date and date(2026, 1, 1) <= t.next_due_date <= date(2026, 12, 31)),
        ("due_from=01/01/2026&due_to=31/12/2026", lambda t: t.next_due_date and date(2026, 1, 1) <= t.next_due_date <= date(2026, 12, 31)),
        ("due_from=2030-01-01", lambda t: t.next_due_date and t.next_due_date >= date(2030, 1, 1)),
        ("due_to=2025-12-31", lambda t: t.next_due_date and t.next_due_date <= date(2025, 12, 31)),
        ("due_year=2027", lambda t: t.next_due_date and t.next_due_date.year == 2027),
        ("funding=non_budget", lambda t: t.funding_text in ("Dự án ngoài ngân sách", "Vốn ngoài ngân sách")),
        ("funding=state_budget", lambda t: t.funding_text.lower() == "ngân sách nhà nước"),
        ("needs_review=true", lambda t: t.needs_review),
        ("needs_review=false", lambda t: not t.needs_review),
        ("q=duong+tinh+925", lambda t: "duong tinh 925" in fold(t.title) or all(w in fold(t.title) for w in ("duong", "tinh", "925"))),
        # combined
        ("section=__II__&funding=non_budget", lambda t: t.section.numeral == "II" and "ngoài ngân sách" in t.funding_text),
        ("agency=__TC__&role=advising_lead&schedule_state=overdue", lambda t: reference_state(t) == "overdue" and any(a.agency.name == "Ban Tổ chức Thành ủy" and a.role == "advising_lead" for a in t.assignments.all())),
        ("lead=__BTV__&due_year=2025&kind=scheme", lambda t: t.kind == "scheme" and t.next_due_date.year == 2025 and t.lead_text == "Ban Thường vụ Thành ủy"),
        ("q=nghi+quyet&status=not_started&schedule_state=overdue", lambda t: "nghi quyet" in fold(t.title) and t.status == "not_started" and reference_state(t) == "overdue"),
    ],
)
def test_task_list_filter_counts_match_an_independent_count(signed_in, varied, query, predicate):
    names = {"__UBND__": "Đảng ủy UBND thành phố", "__TC__": "Ban Tổ chức Thành ủy", "__BTV__": "Ban Thường vụ Thành ủy"}
    for token, name in names.items():
        query = query.replace(token, str(Agency.objects.get(name=name).pk))
    for numeral in ("I", "II"):
        query = query.replace(f"__{numeral}__", str(varied.sections.get(numeral=numeral).pk))
    expected = sorted(t.number for t in all_tasks() if predicate(t))
    count, response = listed(signed_in, query)
    assert count == len(expected)
    assert sorted(r.record.number for r in response.context["table"].page.object_list) == expected[:200]
    assert f"{count} nhiệm vụ khớp" in response.content.decode()


def test_task_list_dates_are_typed_and_shown_day_first(signed_in, programme):
    """dd/mm/yyyy in the date boxes whatever the browser's language; a browser's date input would show 11/22/2026 in English."""
    page = signed_in.get("/tasks/?as_of=22/11/2026&due_from=1/12/2026&due_to=31/12/2026").content.decode()
    assert 'name="as_of" value="22/11/2026"' in page and 'name="due_from" value="1/12/2026"' in page and "tính đến 22/11/2026" in page
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page
    assert "8 nhiệm vụ khớp" in page  # the 8 tasks due 31/12/2026
    assert 'name="as_of" value="22/11/2026"' in signed_in.get("/?as_of=2026-11-22").content.decode()  # links carry ISO dates


def test_task_list_filters_are_not_empty(signed_in, varied):
    """Guard against the parametrised counts above passing on empty sets."""
    for query in ("status=done", "schedule_state=overdue", "schedule_state=done_late", "q=duong+tinh+925", "needs_review=true", "role=coordinating"):
        assert listed(signed_in, query)[0] > 0, query


@pytest.mark.parametrize(
    "query, numbers",
    [
        ("q=duong+tinh+925", {57, 58, 61, 211, 239}),
        ("q=ĐƯỜNG+TỈNH+925", {57, 58, 61, 211, 239}),
        ("q=Đường tỉnh 925", {57, 58, 61, 211, 239}),
        ("q=truong+chinh+tri", {28, 29}),
        ("q=xom+chai", {182, 209}),
        ("q=khong+co+nhiem+vu+nay", set()),
    ],
)
def test_task_list_search_ignores_diacritics_and_case(signed_in, programme, query, numbers):
    count, response = listed(signed_in, query)
    found = {r.record.number for r in response.context["table"].page.object_list}
    assert found == numbers


def test_task_list_search_finds_tasks_by_body_name(signed_in, programme):
    count, response = listed(signed_in, "q=ban+noi+chinh")
    assert 32 in {r.record.number for r in response.context["table"].page.object_list}
    count, response = listed(signed_in, 'q="ban+nội+chính"')
    assert {r.record.number for r in response.context["table"].page.object_list} == {32}


def test_a_search_and_the_timelines_sections_are_read_from_their_indexes_on_postgresql(programme):
    """On PostgreSQL the search's words are looked up in the trigram index, the timeline's section sizes in the
    section index and the overdue or due-soon tasks in the next due date's index, as the list and the timeline ask
    them (a plan that reads every task is refused)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no trigram index")
    from django.db import transaction
    from django.db.models import Count

    from portfolio.selectors import task_list, task_queryset

    def plan(queryset, *scans):
        """The plan with reading every row (and ``scans``) priced out: a test's table is small, any plan would do."""
        with transaction.atomic(), connection.cursor() as cursor:
            for scan in ("seqscan", *scans):
                cursor.execute(f"SET LOCAL enable_{scan} = off")
            return queryset.explain()

    # Withdrawn tasks included: the current tasks' partial indexes would otherwise stand in for reading every row.
    searched = task_list(data={"q": "chuyển đổi số", "withdrawn": "include"}, as_of=AS_OF, queryset=task_queryset(as_of=AS_OF)).qs
    assert "Bitmap Index Scan on task_search_text_trgm" in plan(searched.order_by().values("pk"), "indexscan", "indexonlyscan")
    assert searched.count() > 0
    listed_ = task_list(data={}, as_of=AS_OF, queryset=task_queryset(as_of=AS_OF, bodies="text")).qs
    assert "task_current_section_number" in plan(listed_.order_by().values_list("section_id").annotate(size=Count("pk")))
    # The schedule state's filters: their bounds on the next due date (schedule.in_schedule_state) are read from its index.
    for state in ("overdue", "due_soon"):
        filtered = task_list(data={"schedule_state": state, "withdrawn": "include"}, as_of=AS_OF, queryset=task_queryset(as_of=AS_OF)).qs
        assert "portfolio_t_next_du_0fc5c3_idx" in plan(filtered.order_by().values("pk")), state


def test_task_list_bad_filter_value_shows_an_error(signed_in, programme):
    response = signed_in.get("/tasks/?due_from=ngay-mai")
    assert response.status_code == 200
    assert "Nhập một ngày hợp lệ" in response.content.decode() or "ngày hợp lệ" in response.content.decode()


def test_task_list_bad_as_of_falls_back_to_today_with_a_message(signed_in, programme):
    response = signed_in.get("/tasks/?as_of=22-11-2026")
    assert "không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("sort", ["number", "-number", "title", "lead_name", "others", "deadline_text", "-next_due_date", "days_overdue", "funding", "status", "schedule_state", "-progress", "last_reported_at"])
def test_task_list_every_column_sorts(signed_in, varied, sort):
    count, response = listed(signed_in, f"sort={sort}")
    assert count == 252
    assert response.context["table"].order_by == (sort,)


def test_task_list_sorts_schedule_state_most_urgent_first(signed_in, varied):
    count, response = listed(signed_in, "sort=schedule_state")
    states = [r.record.schedule_state for r in response.context["table"].page.object_list]
    assert states[0] == ScheduleState.OVERDUE
    assert states.index(ScheduleState.DUE_SOON) > states.index(ScheduleState.OVERDUE)


def test_task_list_page_size_choice(signed_in, programme):
    response = signed_in.get("/tasks/?per_page=25")
    assert len(response.context["table"].page.object_list) == 25
    response = signed_in.get("/tasks/?per_page=999")
    assert len(response.context["table"].page.object_list) == 50


def read_export(content):
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return rows[2], rows[3:]


@pytest.mark.parametrize("query", ["sort=-next_due_date&section=__II__", "schedule_state=due_soon&sort=title", "q=cau&sort=-lead_name", ""])
def test_export_has_exactly_the_rows_and_order_of_the_page(signed_in, varied, query):
    query = query.replace("__II__", str(varied.sections.get(numeral="II").pk))
    count, response = listed(signed_in, query)
    page_numbers = [r.record.number for r in response.context["table"].page.object_list]
    export = signed_in.get(f"/tasks/export.xlsx?{Q_AS_OF}&per_page=200&{query}")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    header, rows = read_export(export.content)
    assert header[0] == "TT" and header[1] == "Nhiệm vụ" and "Đánh giá tiến độ" in header
    assert len(rows) == count
    assert [r[0] for r in rows][: len(page_numbers)] == page_numbers


def test_every_declared_column_is_on_the_page_and_in_the_export_with_its_header_and_width(signed_in, varied):
    from openpyxl.utils import get_column_letter

    from portfolio.columns import COLUMNS

    count, response = listed(signed_in, "")
    assert [str(c.header) for c in response.context["table"].columns] == [str(c.header) for c in COLUMNS]
    page = response.content.decode()
    assert all(f">{c.header}<" in page for c in COLUMNS), "a declared column's header is missing from the page"
    sheet = load_workbook(io.BytesIO(signed_in.get(f"/tasks/export.xlsx?{Q_AS_OF}").content)).active
    assert [c.value for c in sheet[3]] == [str(c.header) for c in COLUMNS]
    widths = [sheet.column_dimensions[get_column_letter(i)].width for i in range(1, len(COLUMNS) + 1)]
    assert widths == pytest.approx([c.width for c in COLUMNS], abs=1)


def test_days_overdue_counts_from_the_due_date_to_the_as_of_date_on_the_page_and_in_the_export(signed_in, programme):
    Task.objects.filter(number=7).update(next_due_date=date(2026, 10, 31), status=WorkStatus.IN_PROGRESS, progress=10)
    count, response = listed(signed_in, "q=&sort=number")
    row = next(r for r in response.context["table"].page.object_list if r.record.number == 7)
    assert row.record.schedule_state == ScheduleState.OVERDUE
    as_of = response.context["as_of"]
    days = (as_of - date(2026, 10, 31)).days
    assert f'<td class="days num" data-label="Số ngày quá hạn"><span class="late">{days}</span></td>' in response.content.decode()
    header, rows = read_export(signed_in.get(f"/tasks/export.xlsx?{Q_AS_OF}").content)
    column = header.index("Số ngày quá hạn")
    exported = next(r for r in rows if r[0] == 7)
    assert exported[column] == days
    assert all(r[column] is None for r in rows if r[header.index("Đánh giá tiến độ")] != "Quá hạn")


def test_export_writes_dangerous_text_as_text(signed_in, programme):
    Task.objects.filter(number=1).update(title='=HYPERLINK("http://x")', search_text="hyperlink")
    export = signed_in.get(f"/tasks/export.xlsx?{Q_AS_OF}&q=hyperlink")
    sheet = load_workbook(io.BytesIO(export.content)).active
    cell = sheet.cell(row=4, column=2)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_task_page_shows_the_deadline_beside_its_interpretation(signed_in, programme):
    task = Task.objects.get(number=1)
    page = signed_in.get(f"/tasks/{task.pk}/?{Q_AS_OF}").content.decode()
    assert "Năm 2027 và 2030" in page and "31/12/2027" in page and "31/12/2030" in page
    assert "Ban Tổ chức Thành ủy" in page and "Chủ trì tham mưu" in page
    assert "Ngân sách nhà nước và các nguồn hợp pháp khác" in page
    assert "Trong hạn" in page
    assert re.search(r"<title>Nhiệm vụ 1 — ", page), "the page title is the task's number, nothing else"


def test_task_page_unknown_task_is_404(signed_in, programme):
    assert signed_in.get("/tasks/999999/").status_code == 404


def test_dashboard_numbers_link_to_the_filtered_list(signed_in, varied):
    response = signed_in.get(f"/?{Q_AS_OF}")
    page = response.content.decode()
    summary = response.context["summary"]
    for state, count in summary["by_state"]:
        assert f"?schedule_state={state.value}&amp;as_of=2026-11-22" in page
        assert listed(signed_in, f"schedule_state={state.value}")[0] == count
    for year, count in summary["by_year"]:
        assert listed(signed_in, f"due_year={year}")[0] == count
    states = dict((s.value, n) for s, n in summary["by_state"])
    assert (states["overdue"], states["done_on_time"], states["done_late"]) == (9, 2, 1)  # 12 due by 2025, 3 done (1 late)


def test_agency_page_is_restricted_to_the_body(signed_in, programme):
    agency = Agency.objects.get(name="Ban Tổ chức Thành ủy")
    response = signed_in.get(f"/agencies/{agency.pk}/?{Q_AS_OF}")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["summary"]["total"] == Task.objects.filter(assignments__agency=agency).distinct().count()
    roles = dict((r.value, n) for r, n in response.context["roles"])
    assert roles == {"lead": 1, "advising_lead": 9, "coordinating": 1}  # lead of 22; advises 1, 2, 6, 20, 26, 27, 29, 30, 31; coordinates 28
    assert f"agency={agency.pk}&amp;role=advising_lead" in page


def test_agency_page_year_chart_keeps_its_height_with_one_year(signed_in, programme):
    """Văn phòng Thành ủy's two tasks are both due in 2025: one bar, drawn in a chart as wide as one of eight years."""
    response = signed_in.get(f"/agencies/{Agency.objects.get(name='Văn phòng Thành ủy').pk}/?{Q_AS_OF}")
    assert [year for year, *_rest in response.context["year_bars"]] == [2025]
    width = response.context["year_chart_width"]
    assert width >= 3 * 200  # the viewBox is width x 200, drawn across the column: at most a third as tall as wide (it was 120 wide)
    assert f'viewBox="0 0 {width} 200"' in response.content.decode()


# Every query of the request, the session and user lookups included (issue 8: list 6, dashboard 12, export 3).
QUERY_BUDGET = {"/": 12, "/tasks/": 6, "/tasks/{pk}/": 20, "/agencies/{agency}/": 14, "/tasks/export.xlsx": 3}


LAST = [[]]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    LAST[0] = queries.captured_queries
    return len(queries)


@pytest.mark.parametrize("url", list(QUERY_BUDGET))
def test_pages_issue_a_fixed_number_of_queries(signed_in, programme, url):
    agency = Agency.objects.get(name="Đảng ủy UBND thành phố")

    def measure():
        pk = Task.objects.order_by("-number").first().pk
        target = url.format(pk=pk, agency=agency.pk) + f"?{Q_AS_OF}&per_page=200"
        signed_in.get(target)  # warm the session and the content-type cache
        return count_queries(signed_in, target)

    shrink_programme(programme, 10)
    small = measure()
    grow_programme(programme, 500)
    assert Task.objects.count() == 500
    large = measure()
    assert small == large, f"{url}: {small} queries at 10 tasks, {large} at 500"
    assert large <= QUERY_BUDGET[url], f"{url}: {large} queries: " + " | ".join(q["sql"][:80] for q in LAST[0])


def test_a_task_page_reads_its_reports_and_comments_with_their_bodies_and_people_in_one_query_each(signed_in, programme):
    """A report's body, sender and reviewer and a comment's body and author come with them: a task page with a
    report (its file, reviewed) and a comment asks one query more than with none (the files), not one per relation."""
    from django.core.files.base import ContentFile

    from portfolio.choices import ReviewState, UserKind
    from portfolio.models import ProgressReport, ReportAttachment, TaskComment

    from .helpers import make_user

    task = Task.objects.get(number=22)
    url = f"/tasks/{task.pk}/?{Q_AS_OF}"
    signed_in.get(url)
    before = count_queries(signed_in, url)
    lead = task.assignments.get(role=Role.LEAD).agency
    sender = make_user("nguoigui", UserKind.REPORTER, lead.name)
    report = ProgressReport.objects.create(task=task, agency=lead, period="Quý IV/2026", status=WorkStatus.IN_PROGRESS, percent=40,
                                           results="Kết quả đã đạt", submitted_by=sender, review_state=ReviewState.ACCEPTED,
                                           reviewed_by=get_user_model().objects.get(username="vanphong"))
    ReportAttachment.objects.create(report=report, file=ContentFile(b"%PDF-1.4\n", name="bao-cao.pdf"), original_name="bao-cao.pdf",
                                    content_type="application/pdf", size=9)
    TaskComment.objects.create(task=task, agency=lead, author=sender, text="Ý kiến phối hợp")
    after = count_queries(signed_in, url)
    html = signed_in.get(url).content.decode()
    assert "Kết quả đã đạt" in html and "bao-cao.pdf" in html and "Ý kiến phối hợp" in html and lead.name in html
    assert after == before + 1, " | ".join(q["sql"][:90] for q in LAST[0])


def test_dashboard_is_kept_until_the_data_changes(signed_in, programme):
    url = f"/?{Q_AS_OF}"
    tiles = lambda response: dict((s.value, n) for s, n in response.context["summary"]["by_state"])  # noqa: E731
    first = signed_in.get(url)
    with CaptureQueriesContext(connection) as again:
        second = signed_in.get(url)
    assert tiles(second) == tiles(first) and tiles(first)["overdue"] == 12
    assert not any("portfolio_assignment" in q["sql"] for q in again.captured_queries)  # the summary came from the cache
    task = Task.objects.filter(number=3).first()
    task.status, task.progress, task.completed_on = WorkStatus.DONE, 100, date(2025, 10, 20)
    task.save()  # through save(): a signal
    assert tiles(signed_in.get(url))["overdue"] == 11
    Task.objects.filter(number=4).update(status=WorkStatus.DONE, progress=100, completed_on=date(2025, 10, 20))  # a bulk write
    assert tiles(signed_in.get(url))["overdue"] == 10
    agency = Agency.objects.get(name="Ban Tổ chức Thành ủy")
    # The lead table's row as drawn (its rows are kept in the cache beside the summary): the body's count of tasks.
    def shown(response) -> int:
        found = re.search(rf'/tasks/\?agency={agency.pk}&amp;role=lead&amp;[^"]*">(\d+)</a>', response.content.decode())
        return int(found[1]) if found else 0  # no row: no task led
    page = signed_in.get(url)
    before = {b["agency_id"]: b["total"] for b in page.context["bodies"]}[agency.pk]
    assert shown(page) == before > 0
    Assignment.objects.filter(agency=agency, task__number=22).delete()  # a body removed from a task it led
    page = signed_in.get(url)
    after = {b["agency_id"]: b["total"] for b in page.context["bodies"]}.get(agency.pk, 0)
    assert after == before - 1 and shown(page) == after


def test_the_lists_body_filters_are_kept_until_a_body_or_an_assignment_changes(signed_in, programme):
    """The bodies of the list's two body filters are read once and kept: a renamed body, a new one, and a body that
    comes to lead a task show on the next page; the chosen body is marked in each."""
    def options(response, name):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', response.content.decode(), re.S)[1]
        return dict((int(pk), label) for pk, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select))

    url = f"/tasks/?{Q_AS_OF}"
    signed_in.get(url)
    with CaptureQueriesContext(connection) as again:
        signed_in.get(url)
    assert not any('"portfolio_agency"."sort_key"' in q["sql"] for q in again.captured_queries)  # kept
    body = Agency.objects.filter(short_name="").exclude(assignments__role=Role.LEAD).first()
    body.name = "Sở Thử Nghiệm Đổi Tên"
    body.save()
    new = Agency.objects.create(name="Ban Mới Lập")
    page = signed_in.get(url)
    assert options(page, "agency")[body.pk] == "Sở Thử Nghiệm Đổi Tên" and options(page, "agency")[new.pk] == "Ban Mới Lập"
    assert body.pk not in options(page, "lead")
    Assignment.objects.create(task=Task.objects.get(number=5), agency=body, role=Role.LEAD, position=9)
    assert options(signed_in.get(url), "lead")[body.pk] == "Sở Thử Nghiệm Đổi Tên"
    # The chosen bodies are marked in the kept options, and only they.
    chosen = signed_in.get(f"{url}&agency={new.pk}&lead={body.pk}").content.decode()
    for name, pk in (("agency", new.pk), ("lead", body.pk)):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', chosen, re.S)[1]
        assert re.findall(r'<option value="(\d*)" selected>', select) == [str(pk)], name
    assert " selected>" not in re.search(r'<select[^>]*name="agency"[^>]*>(.*?)</select>', signed_in.get(url).content.decode(), re.S)[1]


def test_the_lists_count_is_kept_for_its_filter_and_reader_until_the_tasks_change(signed_in, programme):
    """The number of matching tasks is counted once for a filter and kept (freshness.kept_count): not counted again
    for the next page or the next view, counted apart for another filter and for a body's reader, who sees only its
    own tasks; a withdrawn task shows in the next count; a filter through a table whose writes are not watched
    (the funding sources) is counted every time."""
    from django.test import Client

    from portfolio.choices import UserKind

    from .helpers import make_user

    def counted(client, query):
        with CaptureQueriesContext(connection) as queries:
            count, _response = listed(client, query)
        return count, sum('COUNT(*) AS "__count"' in q["sql"] for q in queries.captured_queries)

    search = "q=chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91"  # every word, anywhere
    matching = Task.objects.filter(search_text__contains="chuyen").filter(search_text__contains="doi").filter(search_text__contains="so")
    total, asked = counted(signed_in, search)
    assert asked == 1 and total == matching.count() > 1
    assert counted(signed_in, search) == (total, 0)
    assert counted(signed_in, search + "&page=1&sort=-number") == (total, 0)
    assert counted(signed_in, "q=giao+th%C3%B4ng")[1] == 1
    reporter = Client()
    reporter.force_login(make_user("bantochuc-dem", UserKind.REPORTER, "Ban Tổ chức Thành ủy"))
    own = matching.filter(assignments__agency__name="Ban Tổ chức Thành ủy").distinct().count()
    assert counted(reporter, search) == (own, 1) and 0 < own < total
    other = Client()  # the same statement for another body: its own values, its own count
    other.force_login(make_user("ubnd-dem", UserKind.REPORTER, "Đảng ủy UBND thành phố"))
    theirs = matching.filter(assignments__agency__name="Đảng ủy UBND thành phố").distinct().count()
    assert counted(other, search) == (theirs, 1) and theirs not in (own, total)
    withdrawn = matching.first()
    withdrawn.withdrawn_on = AS_OF
    withdrawn.save()
    assert counted(signed_in, search) == (total - 1, 1)
    funded = Task.objects.exclude(funding=None).first().funding.category
    assert counted(signed_in, f"funding={funded}")[1] == 1
    assert counted(signed_in, f"funding={funded}")[1] == 1


def test_a_deep_page_issues_the_queries_of_the_first_and_shows_its_rows(signed_in, programme):
    grow_programme(programme, 500)
    first_url, last_url = f"/tasks/?{Q_AS_OF}&per_page=50", f"/tasks/?{Q_AS_OF}&per_page=50&page=10"
    signed_in.get(first_url)
    first = count_queries(signed_in, first_url)
    page = signed_in.get(last_url).content.decode()
    last = count_queries(signed_in, last_url)
    assert first == last <= QUERY_BUDGET["/tasks/"]
    numbers = [int(n) for n in re.findall(r'<td class="num" data-label="TT"><a href="/tasks/\d+/\?as_of=2026-11-22">(\d+)</a>', page)]
    assert numbers == list(range(451, 501)) and "Trang 10 / 10" in page


@pytest.mark.parametrize("sort", ["-number", "lead_name", "-progress"])
def test_the_rows_shown_follow_the_filter_and_sort_on_every_page(signed_in, varied, sort):
    """The page's rows are read by id after the filtered, sorted ids are chosen: a filter through the bodies (a join)
    and any sort give the same rows, in the same order, as the table's own paging."""
    agency = Agency.objects.get(name="Đảng ủy UBND thành phố")
    shown = []
    for page in (1, 2, 3):
        response = signed_in.get(f"/tasks/?{Q_AS_OF}&per_page=25&agency={agency.pk}&sort={sort}&page={page}")
        html = response.content.decode()
        rows = [int(n) for n in re.findall(r'<td class="num" data-label="TT"><a href="/tasks/\d+/\?as_of=2026-11-22">(\d+)</a>', html)]
        assert rows == [r.record.number for r in response.context["table"].page.object_list]
        shown += rows
    expected = Task.objects.filter(assignments__agency=agency).distinct().count()
    assert len(shown) == len(set(shown)) == min(expected, 75) and expected > 25


def test_error_pages_are_in_vietnamese(signed_in):
    """Django's own error pages are English ("Not Found", "Server Error (500)"); ours say what happened in Vietnamese."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = signed_in.get("/tasks/999999/")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()
    crashed = server_error(RequestFactory().get("/"))  # rendered without a request context, as Django does after an error
    assert crashed.status_code == 500 and "Lỗi máy chủ" in crashed.content.decode() and "/static/portfolio/site.css" in crashed.content.decode()
    assert "Biểu mẫu đã hết hạn" in render_to_string("403_csrf.html")


def test_task_page_of_a_withdrawn_task_says_so_and_the_list_leaves_it_out(programme, client, django_user_model):
    from datetime import date

    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True))
    task = Task.objects.get(number=252)
    Task.objects.filter(pk=task.pk).update(withdrawn_on=date(2026, 11, 20), withdrawn_in="ban-sua-doi.txt")
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Đã rút khỏi danh mục ngày 20/11/2026 (theo bản danh mục «ban-sua-doi.txt»)" in page
    listed = client.get("/tasks/?q=thuy+phi+co").content.decode()
    asked = client.get("/tasks/?q=thuy+phi+co&withdrawn=include").content.decode()
    assert f"/tasks/{task.pk}/" not in listed and f"/tasks/{task.pk}/" in asked


def test_dashboard_and_admin_save_work_while_the_cache_is_down(signed_in, programme, settings, caplog):
    """The summary cache (Redis in production) is an optimisation: with its server down the dashboard and the list are
    computed, the save goes through, and the error is logged."""
    import socket

    from .helpers import admin_change_data

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    response = signed_in.get(f"/?{Q_AS_OF}")
    assert response.status_code == 200 and dict((s.value, n) for s, n in response.context["summary"]["by_state"])["overdue"] == 12
    # The list counts its rows itself (freshness.kept_count): the overdue tasks, the same 12.
    listed_ = signed_in.get(f"/tasks/?{Q_AS_OF}&schedule_state=overdue")
    assert listed_.status_code == 200 and listed_.context["table"].paginator.count == 12
    task = Task.objects.get(number=3)
    url = f"/admin/portfolio/task/{task.pk}/change/"
    response = signed_in.post(url, admin_change_data(signed_in.get(url), title="Tên sửa khi bộ nhớ đệm không chạy"))
    assert response.status_code == 302
    assert Task.objects.get(number=3).title == "Tên sửa khi bộ nhớ đệm không chạy"
    assert "Bộ nhớ đệm không trả lời" in caplog.text


def test_body_chart_draws_every_body_of_the_programme_and_the_most_overdue_at_province_scale():
    from portfolio.charts import BODY_CHART_LIMIT, chart_bodies

    few = [{"agency__name": f"Ban {i}", "overdue": i % 3, "total": 10} for i in range(9)]
    assert chart_bodies(few) == few
    many = [{"agency__name": f"Đơn vị {i:04d}", "overdue": i % 50, "total": i} for i in range(1000)]
    drawn = chart_bodies(many)
    assert len(drawn) == BODY_CHART_LIMIT
    assert min(body["overdue"] for body in drawn) >= max(body["overdue"] for body in many if body not in drawn)
    assert drawn == [body for body in many if body in drawn]  # in the table's order


def test_body_rows_escape_the_body_name_and_the_addresses(db):
    from portfolio.dashboards import body_rows_html

    body = {"agency_id": 7, "agency__name": '<script>x</script> Ban "A" & B', "total": 3, "done": 1, "overdue": 2, "due_soon": 0, "on_time_share": 50}
    for pages in (None, set()):
        html = body_rows_html([body], 'as_of=2026-11-22&x="><script>', "as_of=2026-11-22", pages, role="lead")
        assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt; Ban &quot;A&quot; &amp; B" in html
        assert 'href="/tasks/?agency=7&amp;role=lead&amp;as_of=2026-11-22&amp;x=&quot;&gt;&lt;script&gt;&amp;schedule_state=overdue">2</a>' in html
    assert '<a href="/agencies/7/?as_of=2026-11-22">' in body_rows_html([body], "", "as_of=2026-11-22", None)
