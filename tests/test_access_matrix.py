"""Every URL the application answers, for every kind of user, on records of the user's own agency and of another.

Generated, not hand-listed: the URL patterns come from the resolver and the admin's registry, so a view added
tomorrow is requested by this test the day it is added, and fails it until it is classified below. Expectations
are written here from the specification (who may see what), not read from portfolio.access.

Two agencies' worlds are built side by side: A (Ban Tổ chức Thành ủy, with a unit D it delegated a task to) and
B (Ban Nội chính Thành ủy). Everything private of one carries a marker that must never reach the other's pages.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from rest_framework.authtoken.models import Token, TokenProxy

from portfolio import models as m
from portfolio.choices import DigestState, ReminderReason, UserKind, WorkStatus
from portfolio.services import progress_report_review, progress_report_submit, task_comment_add
from portfolio.services.targets import target_value_submit

from .helpers import admin_change_data
from .world import MARKER, SEES_TASKS, World, client_for, make_user, pdf

ROLES = ("anonymous", "reporter_a", "reporter_b", "delegate_d", "leader", "office")
# Whose records each role may see, per kind of record (the specification); SEES_TASKS is in tests/world.py.
SEES_ADDRESSED = {"office": {"A", "B"}, "leader": {"A", "B"}, "reporter_a": {"A"}, "reporter_b": {"B"}, "delegate_d": set()}
OWN_AGENCY = {"reporter_a": "A", "reporter_b": "B", "delegate_d": "D"}
REPORTER_VIEWS = {"programme", "section", "agency", "fundingsource", "milestone", "assignment", "task", "progressreport",
                  "target", "targetfigure", "targetvalue"}

# Every model the admin registers, by what its records belong to. A model missing here fails the test.
KIND = {
    m.Programme: "reference", m.Section: "reference", m.AgencyAlias: "reference", m.FundingSource: "reference",
    m.Agency: "agency", m.Task: "task", m.ProgressReport: "task", m.Assignment: "task",
    m.Digest: "addressed", m.Reminder: "addressed", m.ReminderRun: "oversight", m.ReminderSettings: "oversight",
    # A figure and its values belong to the body tracking it; a target is seen with a figure of it.
    m.Target: "addressed", m.TargetFigure: "addressed", m.TargetValue: "addressed",
    get_user_model(): "office", Group: "office", TokenProxy: "office", AccessAttempt: "office", AccessLog: "office", AccessFailureLog: "office",
}
ADDABLE = {m.Programme, m.Section, m.AgencyAlias, m.FundingSource, m.Agency, m.Task, m.Assignment, get_user_model(), Group, TokenProxy}
UNDELETABLE = {m.ReminderSettings, m.Target, m.TargetFigure}


# ---- the URL patterns --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    route: str
    name: str
    model_admin: admin.ModelAdmin | None


def _model_admin(callback):
    """The ModelAdmin behind an admin view, through the admin's and simple-history's wrappers."""
    seen = callback
    while seen is not None:
        if isinstance(getattr(seen, "model_admin", None), admin.ModelAdmin):
            return seen.model_admin
        if isinstance(getattr(seen, "__self__", None), admin.ModelAdmin):
            return seen.__self__
        seen = getattr(seen, "__wrapped__", None)
    return None


def url_patterns(patterns=None, prefix="", namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else f"{namespace}:?".strip(":")
            yield Pattern(prefix + str(entry.pattern), name, _model_admin(entry.callback))


def admin_view_kind(pattern: Pattern) -> str:
    """changelist, add, change, delete, history, version (simple-history), password, redirect (the old change URL)."""
    if pattern.name.endswith("_simple_history"):
        return "version"
    if pattern.name.endswith("_password_change"):
        return "password"
    if pattern.name.endswith(":?"):
        return "redirect"
    return pattern.name.rsplit("_", 1)[1]


# ---- what each role should get ---------------------------------------------------------------------------------

def may_view_model(role, model) -> bool:
    if role == "office":
        return True
    if model._meta.app_label != "portfolio":
        return False
    return role == "leader" or model._meta.model_name in REPORTER_VIEWS


def sees(role, model, owner) -> bool:
    kind = KIND[model]
    if role == "office":
        return True
    if kind in ("reference", "agency"):
        return True
    if kind == "task":
        return owner in SEES_TASKS[role]
    if kind == "addressed":
        return owner in SEES_ADDRESSED[role]
    if kind == "oversight":
        return role == "leader"
    return False


def expected_admin(role, kind, model, owner) -> set[int]:
    if role == "anonymous":
        return {302}
    if kind == "changelist":
        return {200} if may_view_model(role, model) else {403}
    if kind == "add":
        return {200} if role == "office" and model in ADDABLE else {403}
    if kind == "redirect":
        return {302}  # the old change address redirects to the new one without looking anything up
    if not sees(role, model, owner):
        # Django's own admins (users, groups, login records) refuse by model before looking the record up.
        return {403, 404} if KIND[model] == "office" else {404}
    if model is m.Agency and kind in ("history", "version") and role not in ("office", "leader") and OWN_AGENCY[role] != owner:
        return {404}  # a body's history holds its addresses: not for other bodies' reporters
    if kind == "delete":
        return {200} if role == "office" and model not in UNDELETABLE else {403}
    return {200} if may_view_model(role, model) or role == "office" else {403}


def expected_site(role, name, owner) -> set[int]:
    """Site pages and the admin's own (non-model) pages."""
    # Logging out is a POST; a GET is refused (405), or sent to the login page first when nobody is logged in.
    anonymous_ok = {"healthz": {200, 503}, "login": {200}, "logout": {302, 405}, "set_language": {204, 302}, "admin:login": {200},
                    "admin:logout": {302, 405}, "portfolio:calendar_feed": {404}}
    if role == "anonymous":
        if name.startswith("api:"):
            return {401, 403}  # the API answers for itself: no login page for a program
        return anonymous_ok.get(name, {302})
    staff = {
        "healthz": {200, 503}, "login": {302}, "logout": {405}, "set_language": {204, 302}, "admin:login": {302}, "admin:logout": {405},
        "admin:index": {200}, "admin:password_change": {200}, "admin:password_change_done": {200}, "admin:jsi18n": {200},
        "admin:autocomplete": {200}, "admin:view_on_site": {302, 404}, "admin:?": {404},
        "portfolio:dashboard": {200}, "portfolio:task_list": {200}, "portfolio:task_export": {200}, "portfolio:meeting_report": {200},
        "portfolio:target_list": {200}, "portfolio:calendar_settings": {200}, "portfolio:timeline": {200},
        "portfolio:calendar_feed": {404},  # the token is the credential, whoever asks; tests/test_calendar.py reads real feeds
    }
    if name in staff:
        return staff[name]
    if name in ("api:schema", "api:task-list", "api:body-list", "api:report-list", "api:target-list", "api:body-detail"):
        return {200}
    if name in ("api:task-detail", "api:report-detail"):
        return {200} if owner in SEES_TASKS[role] else {404}
    if name in ("portfolio:saved_view_create", "portfolio:saved_view_delete"):
        return {405}  # POST only
    if name == "portfolio:saved_view_open":
        return {302} if OWN_AGENCY.get(role) == owner or (role == "office" and owner == "B") else {404}
    if name == "api:target-detail":
        return {200} if owner in SEES_ADDRESSED[role] else {404}
    if name == "admin:app_list":
        return {200} if owner == "portfolio" or role == "office" else {404}
    if name in ("portfolio:task_detail", "portfolio:attachment_download"):
        return {200} if owner in SEES_TASKS[role] else {404}
    if name == "portfolio:agency_detail":
        return {200} if role in ("office", "leader") or OWN_AGENCY[role] == owner else {404}
    if name == "portfolio:agency_workbook":
        return {200} if role == "office" or OWN_AGENCY.get(role) == owner else {404}
    if name == "portfolio:target_detail":
        return {200} if owner in SEES_ADDRESSED[role] else {404}
    if name == "portfolio:official_report":
        return {200} if role in ("office", "leader") else {404}
    if name == "portfolio:review_queue":
        return {200} if role == "office" else {404}  # the Office reviews; nobody else learns what waits
    if name == "portfolio:my_work":
        return {200}  # each user's own agencies' work (an empty page for those who report for none)
    if name == "portfolio:import_upload":
        return {403} if role == "leader" else {200}
    if name == "portfolio:import_preview":
        return {403} if role == "leader" else {404}
    raise AssertionError(f"unclassified site page {name}")


# ---- the requests ------------------------------------------------------------------------------------------------

API_ROUTES = (("task", "tasks"), ("body", "bodies"), ("report", "reports"), ("target", "targets"))


def site_requests(pattern: Pattern, world: World):
    """(owner, url) for a site or admin-site pattern; each pattern is requested once per owner it can name."""
    objects = world.objects
    by_name = {
        "portfolio:task_detail": [(o, f"/tasks/{objects[(m.Task, o)].pk}/") for o in "AB"],
        "portfolio:attachment_download": [(o, f"/attachments/{objects[(m.ReportAttachment, o)].pk}/") for o in "AB"],
        "portfolio:agency_detail": [(o, f"/agencies/{world.agencies[o].pk}/") for o in "ABD"],
        "portfolio:agency_workbook": [(o, f"/agencies/{world.agencies[o].pk}/workbook.xlsx") for o in "ABD"],
        "portfolio:import_preview": [("-", "/imports/" + "0" * 32 + "/")],
        "portfolio:task_list": [("-", "/tasks/?per_page=200")],
        "portfolio:target_detail": [(o, f"/targets/{objects[(m.Target, o)].number}/") for o in "AB"],
        "portfolio:task_export": [("-", "/tasks/export.xlsx")],
        "portfolio:meeting_report": [("-", "/tasks/report.xlsx")],
        "admin:app_list": [(app, f"/admin/{app}/") for app in ("portfolio", "auth", "axes")],
        "admin:view_on_site": [("-", f"/admin/r/{ContentType.objects.get_for_model(m.Task).pk}/{objects[(m.Task, 'B')].pk}/")],
        "admin:?": [("-", "/admin/khong-co-trang-nay/")],
        "admin:autocomplete": [
            ("-", "/admin/autocomplete/?app_label=portfolio&model_name=task&field_name=delegate&term="),
            ("-", f"/admin/autocomplete/?app_label=portfolio&model_name=assignment&field_name=task&term={MARKER['B'][:8]}"),
            ("-", "/admin/autocomplete/?app_label=portfolio&model_name=assignment&field_name=task&term="),
        ],
        "set_language": [("-", "/i18n/setlang/")],
        **{f"api:{name}-list": [("-", f"/api/v1/{path}/?page_size=200")] for name, path in API_ROUTES},
        "portfolio:calendar_feed": [("-", "/calendar/" + "x" * 43 + ".ics")],
        "portfolio:saved_view_open": [(o, f"/saved-views/{objects[(m.SavedView, o)].pk}/") for o in "AB"],
        "portfolio:review_queue": [("-", "/reviews/")],
        "portfolio:my_work": [("-", "/my-work/")],
        "portfolio:saved_view_delete": [(o, f"/saved-views/{objects[(m.SavedView, o)].pk}/delete/") for o in "AB"],
        "api:task-detail": [(o, f"/api/v1/tasks/{objects[(m.Task, o)].pk}/") for o in "AB"],
        "api:report-detail": [(o, f"/api/v1/reports/{objects[(m.ProgressReport, o)].pk}/") for o in "AB"],
        "api:target-detail": [(o, f"/api/v1/targets/{objects[(m.Target, o)].pk}/") for o in "AB"],
        "api:body-detail": [(o, f"/api/v1/bodies/{world.agencies[o].pk}/") for o in "ABD"],
    }
    if pattern.name in by_name:
        return by_name[pattern.name]
    route = pattern.route
    if "<" in route or "(" in route:
        raise AssertionError(f"unclassified pattern with arguments: {pattern.name} {route}")
    return [("-", "/" + route)]


def admin_requests(pattern: Pattern, world: World):
    """(owner, url) for a ModelAdmin's pattern: its list and add page once, its record pages for each owner."""
    model = pattern.model_admin.model
    assert model in KIND, f"the admin registers {model.__name__}: classify it in KIND"
    kind = admin_view_kind(pattern)
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    if kind == "changelist":
        return [("-", base)]
    if kind == "add":
        return [("-", base + "add/")]
    owners = [o for (mod, o) in world.objects if mod is model]
    assert owners, f"no {model.__name__} record to request {pattern.name} with"
    suffix = {"change": "change/", "delete": "delete/", "history": "history/", "redirect": "", "password": "password/"}
    requests = []
    for owner in owners:
        pk = world.objects[(model, owner)].pk
        if kind == "version":
            requests.append((owner, f"{base}{pk}/history/{world.versions[(model, owner)]}/"))
        else:
            requests.append((owner, f"{base}{pk}/{suffix[kind]}"))
    return requests


def all_requests(world: World):
    """(pattern, kind, model, owner, url) for every pattern the resolver knows; every one is classified or fails."""
    patterns = list(url_patterns())
    registered = {type(model_admin) for model_admin in admin.site._registry.values()}
    covered = set()
    for pattern in patterns:
        if pattern.model_admin is not None:
            covered.add(type(pattern.model_admin))
            for owner, url in admin_requests(pattern, world):
                yield pattern, admin_view_kind(pattern), pattern.model_admin.model, owner, url
        else:
            for owner, url in site_requests(pattern, world):
                yield pattern, None, None, owner, url
    assert registered <= covered, f"admin models without URL patterns found: {registered - covered}"


def body_text(response) -> str:
    """What a response shows: its text, the text inside a workbook, or a file's bytes."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def other_markers(role) -> list[str]:
    return {"reporter_a": [MARKER["B"]], "delegate_d": [MARKER["B"]], "reporter_b": [MARKER["A"]]}.get(role, [])


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_specified_and_leaks_nothing(world, role):
    client = client_for(world, role)
    failures, count = [], 0
    for pattern, kind, model, owner, url in all_requests(world):
        count += 1
        response = client.get(url)
        expected = expected_admin(role, kind, model, owner) if model is not None else expected_site(role, pattern.name, owner)
        if response.status_code not in expected:
            failures.append(f"{url} ({pattern.name}, {owner}): {response.status_code}, expected {sorted(expected)}")
            continue
        text = body_text(response)
        leaked = [marker for marker in other_markers(role) if marker in text]
        if leaked:
            failures.append(f"{url} ({pattern.name}, {owner}): shows another agency's private data")
    assert count > 150
    assert not failures, f"{len(failures)} of {count} requests as {role}:\n" + "\n".join(failures)


def test_every_pattern_of_the_resolver_is_classified(world):
    """A URL pattern added without a place in this matrix fails here (and in the test above) until it is given one."""
    names = {pattern.name for pattern, *_rest in all_requests(world)}
    assert {p.name for p in url_patterns()} == names


# ---- forged writes -----------------------------------------------------------------------------------------------

SNAPSHOT_MODELS = [
    *[model for model in m.__dict__.values() if isinstance(model, type) and issubclass(model, m.TimeStamped) and not model._meta.abstract],
    *[model.history.model for model in (m.Agency, m.Task, m.Assignment, m.ProgressReport, m.ReminderSettings)],
    get_user_model(), Group, LogEntry,
]


def snapshot() -> dict:
    """Every row of the application's tables (and the admin's log), every column of each and the rows of their
    many-to-many tables, as tuples: equal snapshots, equal databases."""
    tables = {}
    for model in SNAPSHOT_MODELS:
        through = [f.remote_field.through for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
        for table in (model, *through):
            columns = [f.attname for f in table._meta.concrete_fields]
            tables[table._meta.db_table] = list(table._default_manager.order_by("pk").values_list(*columns))
    return tables


def forged_posts(world: World):
    """(url, data) a reporter of A should never be able to act with: every admin write on B's records and the
    shared ones, every list action on B's ids, and the forms of the site."""
    office = client_for(world, "office")
    for pattern, kind, model, owner, url in all_requests(world):
        if model is None or owner == "A" or kind not in ("change", "delete", "version", "add", "changelist", "password"):
            continue
        if kind == "changelist":
            targets = [world.objects[(model, o)].pk for o in ("B", "shared") if (model, o) in world.objects]
            for action in ("delete_selected", "accept_selected"):
                yield url, {"action": action, "_selected_action": targets, "post": "yes", "index": 0}
            continue
        if kind == "delete":
            yield url, {"post": "yes"}
            continue
        page = office.get(url)
        data = admin_change_data(page) if page.status_code == 200 and page.context and "inline_admin_formsets" in page.context else {}
        if model is m.ProgressReport:
            data.update(decision="accept", review_comment="giả mạo")
        yield url, {**data, "title": "Đổi tên giả mạo", "name": "Đổi tên giả mạo", "password1": "Mat-khau-gia-mao-99", "password2": "Mat-khau-gia-mao-99"}
    task_b = world.objects[(m.Task, "B")]
    yield f"/admin/portfolio/task/{task_b.pk}/change/", {"delegate": world.agencies["A"].pk}
    yield "/imports/" + "0" * 32 + "/", {"action": "apply"}
    yield f"/saved-views/{world.objects[(m.SavedView, 'B')].pk}/delete/", {}
    report_b = world.objects[(m.ProgressReport, "B")]
    for decision in ({"accept_selected": "1", "selected": [report_b.pk]}, {"accept": report_b.pk}, {"return": report_b.pk, f"comment-{report_b.pk}": "giả mạo"}):
        yield "/reviews/", {**decision, f"version-{report_b.pk}": report_b.version}


def test_forged_writes_on_another_agencys_records_change_nothing(world):
    posts = list(forged_posts(world))  # built first: the Office's pages are read (and its login recorded) before
    client = client_for(world, "reporter_a")
    before = snapshot()
    statuses = {}
    for url, data in posts:
        response = client.post(url, data)
        statuses[url] = response.status_code
        assert response.status_code < 500, f"{url}: {response.status_code}"
        assert snapshot() == before, f"{url} changed the database (status {response.status_code})"
    assert len(statuses) > 40


def test_raised_initial_forms_naming_another_agencys_report_is_refused_without_writing(world):
    """The task's report inline posted with one more "existing" row, the id of B's report: 400, nothing written."""
    client = client_for(world, "reporter_a")
    task_a, report_b = world.objects[(m.Task, "A")], world.objects[(m.ProgressReport, "B")]
    url = f"/admin/portfolio/task/{task_a.pk}/change/"
    data = admin_change_data(client.get(url))
    initial = int(data["reports-INITIAL_FORMS"])
    data.update({
        "reports-INITIAL_FORMS": initial + 1, "reports-TOTAL_FORMS": initial + 1,
        f"reports-{initial}-id": report_b.pk, f"reports-{initial}-task": task_a.pk, f"reports-{initial}-period": "Quý IV/2026",
        f"reports-{initial}-status": WorkStatus.DONE, f"reports-{initial}-percent": 100, f"reports-{initial}-results": "ghi đè",
    })
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    assert snapshot() == before


def test_reporter_cannot_find_another_agencys_addresses_through_search(world):
    """The agency list and the autocomplete search only names and aliases for a reporter: an address finds nothing."""
    client = client_for(world, "reporter_a")
    secret = MARKER["B"]
    listed = client.get(f"/admin/portfolio/agency/?q={secret}")
    assert listed.status_code == 200 and listed.context["cl"].result_count == 0
    found = client.get(f"/admin/autocomplete/?app_label=portfolio&model_name=task&field_name=delegate&term={secret}").json()
    assert found["results"] == []
    office = client_for(world, "office").get(f"/admin/portfolio/agency/?q={secret}")
    assert office.context["cl"].result_count == 1  # the Office does find it: the search is narrowed, not broken


def test_reporter_sees_no_people_or_addresses_of_another_agency(world):
    client = client_for(world, "reporter_a")
    page = client.get(f"/admin/portfolio/agency/{world.agencies['B'].pk}/change/").content.decode()
    assert world.users["reporter_b"].username not in page and MARKER["B"] not in page
    own = client.get(f"/admin/portfolio/agency/{world.agencies['A'].pk}/change/").content.decode()
    assert MARKER["A"] in own  # its own body's addresses are shown


def test_posting_a_task_page_unchanged_writes_no_log_entry(world):
    """A reporter's task page posted as loaded saves nothing, so the admin's log records no change."""
    client = client_for(world, "reporter_a")
    url = f"/admin/portfolio/task/{world.objects[(m.Task, 'A')].pk}/change/"
    before = LogEntry.objects.count()
    response = client.post(url, admin_change_data(client.get(url)))
    assert response.status_code == 302
    assert LogEntry.objects.count() == before


def test_no_page_links_to_a_page_that_refuses_its_reader(world):
    """Every link of the main pages, followed as the same user, opens (a leader is not offered the import page,
    a reporter not another body's page)."""
    import re

    for role in ("leader", "reporter_a", "delegate_d"):
        client = client_for(world, role)
        pages = ["/", "/tasks/", f"/tasks/{world.objects[(m.Task, 'A')].pk}/", f"/agencies/{world.agencies[OWN_AGENCY.get(role, 'A')].pk}/"]
        followed = set()  # a link on several pages (the menu) is followed once per user
        for page in pages:
            html = client.get(page).content.decode()
            for href in sorted(set(re.findall(r'href="(/[^"#]*)', html))):
                href = href.replace("&amp;", "&")
                if href.startswith("/static/") or href in followed:
                    continue
                followed.add(href)
                status = client.get(href).status_code
                assert status in (200, 302), f"{role}: {page} links to {href}, which answers {status}"


# ---- the cost of a page: its queries do not grow with its rows -----------------------------------------------------

def grow(world: World, start: int, count: int) -> None:
    """``count`` more of every kind of row the world has one of, on the same records: reports (with a file, from
    other senders, some reviewed), comments, assignments, digests and reminders, target values, saved views, the
    tasks' history, reminder runs, sign-in records and tokens."""
    office = world.users["office"]
    tasks = [world.objects[(m.Task, owner)] for owner in "AB"]
    others = list(m.Agency.objects.exclude(pk__in=[a.pk for a in world.agencies.values()]).exclude(assignments__task__in=tasks).order_by("pk")[: 2 * count])
    for owner in "AB":
        task, agency, figure = world.objects[(m.Task, owner)], world.agencies[owner], world.objects[(m.TargetFigure, owner)]
        for i in range(start, start + count):
            sender = make_user(f"nguoi-gui-{owner}-{i}", UserKind.REPORTER, agency)
            report = progress_report_submit(task=task, agency=agency, user=sender, period=f"Quý {i % 4 + 1}/{2027 + i // 4}", status=WorkStatus.IN_PROGRESS,
                                            percent=40 + i, results=f"Kết quả {i}", attachments=[pdf(f"tep-{owner}-{i}.pdf")])
            if i % 2:
                progress_report_review(report=report, user=office, accept=True)
            task_comment_add(task=task, agency=agency, user=sender, text=f"Ý kiến {i}")
            m.Assignment.objects.create(task=task, agency=others[2 * (i - start) + (owner == "B")], role="coordinating", position=10 + i)
            other_task = m.Task.objects.exclude(pk__in=[world.objects[(m.Task, o)].pk for o in "AB"]).order_by("pk")[i]
            digest = m.Digest.objects.create(agency=agency, sent_on=date(2026, 11, 21 + i), recipients=f"nhan-{i}@example.vn", state=DigestState.SENT,
                                             payload={"subject": f"Nhắc việc {i}"})
            m.Reminder.objects.create(digest=digest, agency=agency, task=other_task, reason=ReminderReason.OVERDUE, step=1, due_date=date(2026, 1, 1))
            target_value_submit(figure=figure, agency=agency, user=sender, period_kind="year", year=2019 + i,
                                value=None if figure.comparison == "qualitative" else 2 + i, achieved=True if figure.comparison == "qualitative" else None,
                                source=f"Nguồn {i}")
            m.SavedView.objects.create(user=world.users[f"reporter_{owner.lower()}"], name=f"Danh sách {i}", query=f"status=in_progress&page={i}",
                                       shared_with_office=owner == "B")
            task.progress = 40 + i
            task.delegate = (world.agencies["D"] if owner == "A" else None) if i % 2 else others[2 * (i - start) + (owner == "B")]
            task.save()  # a version more in its history, some naming another body
            Token.objects.create(user=sender)
    for i in range(start, start + count):
        m.ReminderRun.objects.create(as_of=date(2026, 11, 1 + i), summary=f"Lần {i}")
        AccessAttempt.objects.create(username=f"ai-do-{i}", ip_address=f"10.0.1.{i}", failures_since_start=1, get_data="", post_data="", http_accept="", path_info="/")
        AccessLog.objects.create(username=f"ai-do-{i}", ip_address=f"10.0.1.{i}", http_accept="", path_info="/")
        AccessFailureLog.objects.create(username=f"ai-do-{i}", ip_address=f"10.0.1.{i}", http_accept="", path_info="/", locked_out=False)


@pytest.mark.parametrize("role", ["office", "reporter_a"])
def test_no_page_asks_more_queries_when_it_shows_more_rows(world, role):
    """Every URL the resolver and the admin's registry know, as the Office and as an agency: the queries of each page
    that answers are no more with eight or nine rows of every kind than with two or three (a related record read one
    query a row is seen here, the day its page is added).

    Not the admin's delete confirmations: Django's lists every record a deletion would take, reading them relation
    by relation, and grows with them by design (a page opened before deleting a record, not in daily use)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, role)
    urls = [url for _pattern, kind, _model, _owner, url in all_requests(world) if kind != "delete"]

    def queries():
        counted = {}
        for url in urls:
            with CaptureQueriesContext(connection) as asked:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            if response.status_code == 200:
                counted[url] = len(asked)
        return counted

    grow(world, 0, 1)
    before = queries()
    grow(world, 1, 6)
    after = queries()
    assert len(before) > 60
    # More, not different: the first pages asked before carry what is read once and kept (the settings, the content types).
    grown = {url: (before[url], after[url]) for url in before if url in after and after[url] > before[url]}
    assert not grown, "\n".join(f"{url}: {b} -> {a}" for url, (b, a) in grown.items())
