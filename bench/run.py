"""Benchmarks at province scale, each against a baseline measured in the same run.

    python3 bench/run.py [--tasks 10000 100000] [--db sqlite postgres]

Run with any Python 3.11: it sets up .venv like dev.py (plus bench/requirements.txt, the peers) and re-runs itself
there. Each (database, size) runs in its own process on a fresh database (SQLite file in bench/data/, or a new
PostgreSQL database on 127.0.0.1), loads the real programme and scales it with bench/generate.py, then measures
through the real views with an Office login. Times are medians of 3 runs after a warm-up, a measure and its baseline
and peer run in turn; the larger list page is then compared with the 10,000-task one by asking server processes of
both sizes in turn (list_scaling). Queries are those of the last run (the session and user lookups of a page
included); memory is the peak traced by tracemalloc during one more run. The table is printed and written to
bench/RESULTS.md with the date and the machine, followed by the checks of issue 8 point 3, each marked met or NOT met.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
AS_OF = "2026-11-22"
REPORT_DAY = "2026-12-10"  # in the reminder window of the yearly report due on 15/12 (the default settings)
LIST_FILTER = "status=in_progress"  # a filter the stock admin changelist has too (status__exact)
LIST_URL = f"/tasks/?{LIST_FILTER}&per_page=50&as_of={AS_OF}"
EXPORT_FILTER = "status=in_progress"
PG = "postgres://postgres@127.0.0.1:5432"
IMPORT_ROWS = 10000
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench")  # PostgreSQL databases (and SQLite files) are <prefix>_<tasks>: runs side by side keep apart


def bootstrap() -> None:
    """Re-run inside .venv, with the pinned requirements and the bench's peers installed."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        return
    sys.path.insert(0, str(ROOT))
    import dev

    dev.ensure_venv()
    requirements = ROOT / "bench" / "requirements.txt"
    stamp = ROOT / ".venv" / ".bench-requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        subprocess.run([str(venv_python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)], check=True)
        stamp.write_text(digest)
    os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])


def database_url(db: str, tasks: int, fresh: bool = True) -> str:
    """The bench database of this size; ``fresh``: emptied first (a worker's), else as the worker left it."""
    if db == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"{DB_PREFIX}-{tasks}.sqlite3"
        if fresh:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = f"{DB_PREFIX}_{tasks}"
    if not fresh:
        return f"{PG}/{name}"
    with psycopg.connect(f"{PG.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def measure(fn, repeats=3, memory=False):
    """Median seconds, queries of the last run and (optionally) peak traced memory growth in MB."""
    measured = measure_together(fn, repeats=repeats)[0]
    return with_peak_memory(measured, fn) if memory else measured


def measure_together(*fns, repeats=3):
    """measure() for several functions run in turn (a, b, c, a, b, c, ...): a machine that slows down for a while
    slows them alike, so their ratios hold. [(median seconds, queries of the last run, 0.0)], in the order given."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for fn in fns:
        fn()  # warm-up
    times, queries = [[] for _ in fns], [0] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                fn()
                times[i].append(time.perf_counter() - start)
            queries[i] = len(captured)
            if hasattr(fn, "after"):
                fn.after()  # untimed: what the database does between two runs of a job (rolled_back's vacuum)
    return [(statistics.median(t), q, 0.0) for t, q in zip(times, queries)]


def with_peak_memory(measured, fn):
    """``measured`` with the peak memory traced by tracemalloc during one more run of fn, in MB."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1048576
    tracemalloc.stop()
    return measured[0], measured[1], peak


def rolled_back(fn):
    """Run fn in a transaction that is undone afterwards, on-commit callbacks included, so every run does the same work."""
    from django.db import transaction
    from django.test import TestCase

    def call():
        with transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                result = fn()
            transaction.set_rollback(True)
        return result

    call.after = vacuum_dead_rows
    return call


def vacuum_dead_rows():
    """PostgreSQL: vacuum the dead rows a rolled-back run left, as autovacuum would between two imports or two days'
    sweeps. Without it each run scans the index entries of every earlier run's rows (after ten rolled-back imports
    of 10,000 reports the body's index held 100,000 dead entries and its latest-reports query took 200 ms, not 5)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")  # every table: those without dead rows are skipped page by page (0.1 s at 10,000 tasks)


def configure(db: str, tasks: int, fresh: bool = True) -> None:
    """Production settings (DEBUG off: no template debugging, no query log), served over the test client without TLS."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.base", DATABASE_URL=database_url(db, tasks, fresh), DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + "k" * 60, DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_STATIC_ROOT=str(DATA / "static"),
        DJANGO_ALLOWED_HOSTS="testserver", CELERY_BROKER_URL="", DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def list_server(db: str, tasks: int) -> None:
    """The filtered list page of a database a worker built, timed once per line read (for the interleaved comparison)."""
    configure(db, tasks, fresh=False)
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-office"))
    for _line in sys.stdin:
        start = time.perf_counter()
        assert client.get(LIST_URL).status_code == 200
        print(time.perf_counter() - start, flush=True)


def list_scaling(db: str, small: int, large: int, processes: int = 3, rounds: int = 10) -> dict:
    """The large database's list page against the small one's, requested in turn from server processes of each.

    Each worker measures its own list page, but minutes apart; on a machine whose speed drifts, that ratio says
    more about the machine than about N. Here the pages are asked for in turn, so a slow spell hits both, and from
    several processes of each size, so one process's luck (its memory layout, its hash seed) does not decide.
    PostgreSQL's databases are vacuumed first: measured right after the workers' rolled-back imports and sweeps
    (40,000 dead task rows at 100k), the 100k page took 1.9x the 10k one; after VACUUM ANALYZE, 1.14x.
    """
    if db == "postgres":  # the workers' rolled-back writes left dead rows behind; autovacuum would have cleared them by now
        import psycopg

        for n in (small, large):
            with psycopg.connect(f"{PG.replace('postgres://', 'postgresql://')}/{DB_PREFIX}_{n}", autocommit=True) as database:
                database.execute("VACUUM ANALYZE")
    servers = [
        (n, subprocess.Popen([sys.executable, __file__, "--list-server", "--db", db, "--tasks", str(n)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT))
        for _ in range(processes) for n in (small, large)
    ]
    times = {small: [], large: []}
    try:
        for round_ in range(rounds + 1):  # the first round warms up
            for n, server in servers:
                server.stdin.write("\n")
                server.stdin.flush()
                seconds = float(server.stdout.readline())
                if round_:
                    times[n].append(seconds)
    finally:
        for _n, server in servers:
            server.stdin.close()
            server.wait()
    ours, baseline = statistics.median(times[large]), statistics.median(times[small])
    requests = processes * rounds
    return {"db": db, "tasks": large, "measure": f"list page at {large} and {small} tasks in turn (50 rows, filtered, {requests} requests each)",
            "ours_ms": round(ours * 1000, 1), "baseline": f"the same page at {small} tasks", "baseline_ms": round(baseline * 1000, 1),
            "ratio": round(ours / baseline, 2), "queries": "", "peak_mb": ""}


@dataclass
class Bench:
    """What every measure of one (database, size) worker shares: the Office's client, the day, and record()."""

    db: str
    tasks: int
    client: object
    office: object
    as_of: date

    def get(self, url):
        def call():
            response = self.client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content
        return call

    def row(self, name, ours, baseline=None, baseline_name="", peer=None, peer_name="") -> dict:
        """One line of the table: ours (seconds, queries, peak MB), against a baseline and a peer when given."""
        seconds, queries, peak = ours
        row = {"db": self.db, "tasks": self.tasks, "measure": name, "ours_ms": round(seconds * 1000, 1), "queries": queries, "peak_mb": round(peak, 1)}
        if baseline:
            row.update(baseline=baseline_name, baseline_ms=round(baseline[0] * 1000, 1), ratio=round(seconds / baseline[0], 2))
        if peer:
            row.update(peer=peer_name, peer_ms=round(peer[0] * 1000, 1), peer_ratio=round(peer[0] / seconds, 2))
        print(f"   {name}: {row}", file=sys.stderr, flush=True)
        return row


def dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # 1.234, as the import's row writes its count


def bench_setup(db: str, tasks: int) -> tuple[Bench, float]:
    """A fresh database of ``tasks`` tasks and the Office's logged-in client; (bench, seconds the generation took)."""
    configure(db, tasks)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.generate import generate

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("import_programme", str(ROOT / "seeds" / "001_b50851294415a046.txt"), stdout=open(os.devnull, "w"))
    started = time.perf_counter()
    generate(tasks=tasks)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":  # what autovacuum does to a table after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    office = get_user_model().objects.create_superuser("bench-office", "vp@example.vn", None)
    client = Client()
    client.force_login(office)
    return Bench(db, tasks, client, office, date.fromisoformat(AS_OF)), generated


def measure_list_pages(b: Bench) -> list[dict]:
    """The filtered list page against a plain template and the stock admin changelist; its last page; the dashboard; a task page."""
    from django.template import Context, Template

    from portfolio.models import Task

    plain = Template(
        "<table>{% for t in tasks %}<tr><td><a href='/tasks/{{ t.pk }}/'>{{ t.number }}</a></td><td>{{ t.title }}</td>"
        "<td>{{ t.deadline_text }}</td><td>{{ t.next_due_date|date:'d/m/Y' }}</td><td>{{ t.funding_text }}</td>"
        "<td>{{ t.get_status_display }}</td><td>{{ t.progress }}</td>"
        "<td>{% for a in t.assignments.all %}{{ a.agency.name }} ({{ a.get_role_display }}); {% endfor %}</td></tr>{% endfor %}</table>"
    )

    def plain_list():
        rows = list(Task.objects.filter(status="in_progress").select_related("section", "funding").prefetch_related("assignments__agency").order_by("number")[:50])
        return plain.render(Context({"tasks": rows}))

    list_page, floor, admin, dashboard = measure_together(
        b.get(LIST_URL), plain_list, b.get("/admin/portfolio/task/?status__exact=in_progress"), b.get(f"/?as_of={AS_OF}"), repeats=5)
    last_page = Task.objects.count() // 50
    return [
        b.row("list page (50 rows, filtered)", list_page, floor, "plain template + select/prefetch", admin, "stock admin changelist"),
        b.row(f"list page, page {last_page} (unfiltered, last)", measure(b.get(f"/tasks/?per_page=50&page={last_page}&as_of={AS_OF}"))),
        b.row("dashboard", dashboard, list_page, "list page"),
        b.row("task page", measure(b.get(f"/tasks/{Task.objects.order_by('-number').first().pk}/?as_of={AS_OF}"))),
    ]


def floor_openpyxl(rows_queryset, joined: int):
    """Bare openpyxl, write-only, the same cells from one values_list query (column ``joined`` made printable)."""
    from openpyxl import Workbook

    def call():
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in rows_queryset().iterator(chunk_size=2000):
            row = list(row)
            if row[joined]:
                row[joined] = row[joined].replace("\x1e", "; ").replace("\x1f", " ")
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    return call


def floor_xlsxwriter(rows_queryset, joined: int):
    """Bare XlsxWriter in constant-memory mode, the same cells from one values_list query, dates as dates."""
    import xlsxwriter

    def call():
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False, "remove_timezone": True})
        sheet = book.add_worksheet()
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        for r, row in enumerate(rows_queryset().iterator(chunk_size=2000)):
            for c, value in enumerate(row):
                if c == joined and value:
                    value = value.replace("\x1e", "; ").replace("\x1f", " ")
                if value is None:
                    continue
                if isinstance(value, (date, datetime)):
                    sheet.write_datetime(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
        book.close()
        return buffer.getvalue()
    return call


def export_against_floors(b: Bench, name: str, ours, cells, joined: int, peer) -> dict:
    """An export against both bare floors and django-import-export, in turn; the faster floor is the baseline."""
    timed = measure_together(ours, floor_openpyxl(cells, joined), floor_xlsxwriter(cells, joined), peer)
    mine, by_openpyxl, by_xlsxwriter, by_peer = timed
    if by_xlsxwriter[0] <= by_openpyxl[0]:
        floor, floor_name = by_xlsxwriter, f"bare XlsxWriter constant-memory, one values_list (openpyxl write-only: {by_openpyxl[0] * 1000:.1f} ms)"
    else:
        floor, floor_name = by_openpyxl, f"bare openpyxl write-only, one values_list (XlsxWriter constant-memory: {by_xlsxwriter[0] * 1000:.1f} ms)"
    return b.row(name, with_peak_memory(mine, ours), floor, floor_name, by_peer, "django-import-export")


def measure_exports(b: Bench) -> list[dict]:
    """The filtered export and the meeting workbook against the faster of two bare writers and django-import-export."""
    from bench import peers
    from portfolio.excel.meeting import CATALOGUE_FIELDS, _report_subquery
    from portfolio.models import Task
    from portfolio.selectors import task_queryset

    def export_cells():
        return (task_queryset(as_of=b.as_of, bodies="text").prefetch_related(None).filter(status="in_progress").order_by("number")
                .values_list("number", "title", "lead_name", "bodies_text", "deadline_text", "next_due_date", "funding_text", "status", "schedule_state", "progress", "last_reported_at"))

    def meeting_cells():
        return (task_queryset(as_of=b.as_of).prefetch_related(None).annotate(report=_report_subquery())
                .order_by("section__position", "number").values_list(*CATALOGUE_FIELDS))

    filtered = Task.objects.filter(status="in_progress").order_by("number")
    return [
        export_against_floors(b, "export of the filtered view", b.get(f"/tasks/export.xlsx?{EXPORT_FILTER}&as_of={AS_OF}"), export_cells, 3,
                              lambda: peers.export_xlsx(filtered)),
        export_against_floors(b, "meeting workbook (all tasks)", b.get(f"/tasks/report.xlsx?as_of={AS_OF}"), meeting_cells,
                              CATALOGUE_FIELDS.index("report"), lambda: peers.export_xlsx(Task.objects.order_by("number"))),
    ]


def agency_workbook(b: Bench) -> tuple[bytes, bytes]:
    """A 10,000-row agency workbook as a body fills it in, and the same reports as django-import-export's columns."""
    from openpyxl import load_workbook
    from tablib import Dataset

    from portfolio.choices import Role
    from portfolio.models import Agency, Assignment, Task
    from portfolio.services.excel_import import agency_workbook_export

    body = Agency.objects.create(name="Sở Bench (10.000 nhiệm vụ)", emails="bench@cantho.gov.vn")
    chosen = list(Task.objects.order_by("number").values_list("pk", flat=True)[:IMPORT_ROWS])
    Assignment.objects.bulk_create([Assignment(task_id=pk, agency=body, role=Role.IMPLEMENTING_LEAD, position=9) for pk in chosen], batch_size=5000)
    book = load_workbook(io.BytesIO(agency_workbook_export(agency=body, as_of=b.as_of)))
    sheet = book["Báo cáo"]
    peer_rows = []
    for i, row in enumerate(sheet.iter_rows(min_row=4, max_row=3 + IMPORT_ROWS)):
        row[4].value, row[5].value, row[6].value, row[7].value = "Quý IV/2026", "Đang triển khai", 10 + i % 80, None
        row[8].value = f"Đã hoàn thành bước {i % 7 + 1} của kế hoạch"
        row[9].value = "Chậm giải phóng mặt bằng" if i % 3 else "Không có"
        row[10].value = "Đề nghị bố trí vốn" if i % 5 else "Không có"
        peer_rows.append((int(row[11].value.split(":")[0]), body.pk, "Quý IV/2026", "in_progress", 10 + i % 80, row[8].value, row[9].value, row[10].value, b.office.pk))
    buffer = io.BytesIO()
    book.save(buffer)
    peer_bytes = Dataset(*peer_rows, headers=["task", "agency", "period", "status", "percent", "results", "difficulties", "proposals", "submitted_by"]).export("xlsx")
    return buffer.getvalue(), peer_bytes


def read_openpyxl(data: bytes):
    """The report sheet's rows from row 4, by openpyxl in read-only mode, values only."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(workbook["Báo cáo"].iter_rows(min_row=4, values_only=True))
    finally:
        workbook.close()


def read_calamine(data: bytes):
    """The report sheet's rows from row 4, by python-calamine (Rust)."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Báo cáo").to_python(skip_empty_area=False)[3:]


def with_checks(read):
    """A reader preceded by every safety check the import makes: the archive's limits and DTDs, then formulas and merged cells."""
    from portfolio.excel.reader import check_archive, sheet_checks

    def call(data: bytes):
        archive = check_archive(data)
        sheet_checks(archive, "Báo cáo")
        return read(data)
    return call


def measure_import(b: Bench) -> list[dict]:
    """The agency workbook import (preview + apply) against the fastest checked reader + one SELECT + one bulk insert,
    and against django-import-export (timed in turn, 3 times); the checked readers on their own."""
    from bench import peers
    from portfolio.models import Agency, ProgressReport, Task
    from portfolio.services.excel_import import agency_import_apply, agency_import_preview

    workbook_bytes, peer_bytes = agency_workbook(b)
    body = Agency.objects.get(name="Sở Bench (10.000 nhiệm vụ)")
    by_openpyxl, by_calamine = with_checks(read_openpyxl), with_checks(read_calamine)
    openpyxl_read, calamine_read = measure_together(lambda: by_openpyxl(workbook_bytes), lambda: by_calamine(workbook_bytes))
    fastest, fastest_name = (by_calamine, "python-calamine") if calamine_read[0] <= openpyxl_read[0] else (by_openpyxl, "openpyxl read-only")

    def ours_import():
        preview = agency_import_preview(data=workbook_bytes, user=b.office)
        assert not preview.problems and len(preview.changes) == IMPORT_ROWS, preview.summary()
        return agency_import_apply(preview=preview, user=b.office)

    def floor_import():
        values = {int(row[11].split(":")[0]): row for row in fastest(workbook_bytes) if row[11]}
        known = set(Task.objects.filter(pk__in_list=list(values)).values_list("pk", flat=True))  # the ids as one parameter, as ours sends them
        ProgressReport.objects.bulk_create([
            ProgressReport(task_id=pk, agency=body, period=row[4], status="in_progress", percent=int(row[6]), results=row[8],
                           difficulties=row[9], proposals=row[10], submitted_by=b.office)
            for pk, row in values.items() if pk in known
        ])

    ours, floor, peer = measure_together(rolled_back(ours_import), rolled_back(floor_import), rolled_back(lambda: peers.import_xlsx(peer_bytes)))
    label = dotted(IMPORT_ROWS)
    return [
        b.row(f"reading the {label}-row agency workbook with every safety check (archive, DTD, formulas, merged cells)", calamine_read,
              openpyxl_read, "openpyxl read-only, values only"),
        b.row(f"import of a {label}-row agency workbook (preview + apply)", with_peak_memory(ours, rolled_back(ours_import)),
              floor, f"{fastest_name} + one SELECT + one bulk insert", peer, "django-import-export (3 runs)"),
    ]


def floor_sweep_for(b: Bench, as_of: date):
    """What a hand-written job that still records each message would do on a day outside every report window.

    One grouped query; the digests rendered as ours renders them; the same Digest and Reminder rows inserted in one
    statement each; every message sent to the same backend and marked sent by one UPDATE. Nothing was sent before, so
    the rules reduce to: open tasks not under review, overdue or due within the largest threshold (an ongoing task only
    when overdue), sent to the body that does the work (responsible_of), or to the coordinators when that body is
    central. The bench checks that the digests are ours (same_digests) and that the Reminder rows are ours (same_steps).
    """
    from collections import defaultdict

    from django.core import mail
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.db.models import Q
    from django.template.loader import render_to_string
    from django.utils import timezone

    from portfolio.choices import AgencyKind, DigestState, ReminderReason, Role, WorkStatus, labels
    from portfolio.models import Assignment, Digest, Reminder, ReminderSettings
    from portfolio.reminder_selection import responsible_of
    from portfolio.reminder_settings import parse_thresholds

    settings_row = ReminderSettings.current()
    thresholds = sorted(parse_thresholds(settings_row.due_soon_thresholds), reverse=True)
    horizon = as_of + timedelta(days=max(thresholds))
    repeat = settings_row.overdue_repeat_days

    def sweep():
        mail.outbox = []
        rows = (
            Assignment.objects.filter(task__needs_review=False, task__next_due_date__lte=horizon)
            .filter(Q(task__is_ongoing=False) | Q(task__next_due_date__lt=as_of))
            .exclude(task__status=WorkStatus.DONE, task__completed_on__lte=as_of).exclude(task__status=WorkStatus.DONE, task__completed_on__isnull=True)
            .values_list("task_id", "task__number", "task__title", "task__deadline_text", "task__next_due_date", "task__status", "task__progress",
                         "role", "agency_id", "agency__name", "agency__emails", "agency__kind")
            .order_by("task__number", "position")
        )
        statuses, reasons = labels(WorkStatus), labels(ReminderReason)
        grouped = defaultdict(list)
        for (pk, number, title, deadline, due, status, progress), bodies in groupby(rows, key=lambda r: r[:7]):
            bodies = [(role, (name, emails, kind, agency_id)) for *_task, role, agency_id, name, emails, kind in bodies]
            chased = responsible_of(None, bodies)
            if chased and all(kind == AgencyKind.CENTRAL for _n, _e, kind, _id in chased):
                chased = [body for role, body in bodies if role == Role.COORDINATING and body[2] != AgencyKind.CENTRAL]
                reason = ReminderReason.FOLLOW_CENTRAL
            else:
                reason = ReminderReason.OVERDUE if due < as_of else ReminderReason.DUE_SOON
            days = (due - as_of).days
            if days < 0:
                steps = [f"{due.isoformat()}/quá hạn/{(-days - 1) // repeat}"]
            else:
                steps = [f"{due.isoformat()}/{t}" for t in thresholds if days <= t]
            line = {
                "task": {"pk": pk, "number": number, "title": title, "deadline_text": deadline, "get_status_display": statuses[status], "progress": progress},
                "reason": reasons[reason], "due": due, "days": days, "overdue": days < 0, "abs_days": abs(days),
                "record": (pk, reason, steps, due),
            }
            for name, emails, _kind, agency_id in chased:
                grouped[(name, emails, agency_id)].append(line)
        messages, digests, reminders = [], [], []
        for (name, emails, agency_id), items in sorted(grouped.items()):
            recipients = [e.strip() for e in emails.replace(",", "\n").splitlines() if e.strip()]
            if not recipients:
                continue  # nobody to write to (ours records it as such)
            context = {"agency": {"name": name}, "items": items, "digest": {"sent_on": as_of}, "base_url": "http://127.0.0.1:8000"}
            subject = f"[Nhắc việc] {name}: {len(items)} nội dung cần thực hiện ({as_of:%d/%m/%Y})"
            message = EmailMultiAlternatives(subject, render_to_string("portfolio/email/digest.txt", context), "nhacviec@cantho.gov.vn", recipients)
            message.attach_alternative(render_to_string("portfolio/email/digest.html", context), "text/html")
            messages.append(message)
            digests.append(Digest(agency_id=agency_id, sent_on=as_of, recipients="\n".join(recipients), state=DigestState.PENDING, payload={}))
        Digest.objects.bulk_create(digests)
        by_agency = {d.agency_id: d for d in digests}
        for (name, emails, agency_id), items in grouped.items():
            if agency_id in by_agency:
                reminders += [Reminder(digest=by_agency[agency_id], agency_id=agency_id, task_id=pk, reason=reason, step=step, due_date=due)
                              for line in items for pk, reason, steps, due in [line["record"]] for step in steps]
        Reminder.objects.bulk_create(reminders)
        connection = get_connection()
        connection.open()
        try:
            for digest, message in zip(digests, messages):
                connection.send_messages([message])
                Digest.objects.filter(pk=digest.pk).update(state=DigestState.SENT, sent_at=timezone.now())
        finally:
            connection.close()
        return len(messages)
    return sweep


def reminder_rows() -> list[tuple]:
    from portfolio.models import Reminder

    return sorted(Reminder.objects.values_list("agency_id", "task_id", "reason", "step", "due_date"))


def measure_reminders(b: Bench) -> list[dict]:
    """The daily reminder job against the restated baseline (which records and marks every message), and on a report day."""
    from django.core import mail

    from portfolio.models import ReminderSettings
    from portfolio.services.reminders import reminder_run

    ReminderSettings.current()  # a deployment has its settings row; the rolled-back runs must not each create it

    def sweep_on(day):
        def sweep():
            mail.outbox = []
            reminder_run(as_of=day)
            return len(mail.outbox)
        return sweep

    def sent_and_recorded(sweep) -> tuple[list[tuple[str, str, str]], list[tuple]]:
        """(subject, text, HTML) of every body's e-mail of one rolled-back run (the Office's summary left out), and the Reminder rows."""
        recorded = []
        rolled_back(lambda: (sweep(), recorded.extend(reminder_rows())))()
        mails = sorted((m.subject, m.body, m.alternatives[0][0]) for m in mail.outbox if not m.subject.startswith("[Nhắc việc] Tổng hợp"))
        return mails, recorded

    ours_sweep, floor_sweep = sweep_on(b.as_of), floor_sweep_for(b, b.as_of)
    ours_mails, ours_steps = sent_and_recorded(ours_sweep)
    floor_mails, floor_steps = sent_and_recorded(floor_sweep)
    same = ours_mails == floor_mails and ours_steps == floor_steps
    sent, lines = len(ours_mails), sum(int(re.search(r": (\d+) nội dung cần thực hiện \(", mail_[0])[1]) for mail_ in ours_mails)
    baseline = "one grouped query + the same digests rendered + Reminder rows in one insert + send, one UPDATE per message"
    if not same:
        baseline += " (NOT the same digests or Reminder rows)"
    ours, floor = measure_together(rolled_back(ours_sweep), rolled_back(floor_sweep))
    row = b.row(f"reminder sweep (selection, digests, {dotted(sent)} e-mails with {dotted(lines)} lines)", ours, floor, baseline)
    row["bodies"], row["same_digests"] = sent, same
    # The busiest day: in a report window every open task is checked for its report, not only those due soon.
    report_day = date.fromisoformat(REPORT_DAY)
    report_mails, _steps = sent_and_recorded(sweep_on(report_day))
    busy = b.row(f"reminder sweep on a report day ({report_day:%d/%m}: every open task checked, {dotted(len(report_mails))} e-mails)",
                 measure(rolled_back(sweep_on(report_day)), memory=True))
    busy["bodies"] = len(report_mails)
    return [row, busy]


MEASURES = (measure_list_pages, measure_exports, measure_import, measure_reminders)


def worker(db: str, tasks: int) -> list[dict]:
    """Every measure of one (database, size), each in turn on the same fresh database."""
    bench, generated = bench_setup(db, tasks)
    rows = [row for measure_ in MEASURES for row in measure_(bench)]
    rows.append({"db": db, "tasks": tasks, "measure": "data generation", "ours_ms": round(generated * 1000, 1), "queries": "", "peak_mb": ""})
    return rows


def reference_loop_seconds() -> float:
    """The machine's speed as one number, so runs on different machines (or one machine on different days) can be
    compared: the fastest of three runs of ten million Python additions."""
    best = None
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best or 1e9, time.perf_counter() - start)
    return best


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{platform.node()} — {cpu or platform.processor()} ×{os.cpu_count()}, Python {platform.python_version()} "
            f"(ten million Python additions in {reference_loop_seconds():.2f} s)")


def checks(rows: list[dict]) -> list[tuple[str, bool, str]]:
    """Issue 23's targets and issue 8's still standing, line by line, for every (database, size) measured."""
    out = []
    def find(db, n, prefix):
        return next((r for r in rows if r["db"] == db and r["tasks"] == n and r["measure"].startswith(prefix)), None)

    for db, n in sorted({(r["db"], r["tasks"]) for r in rows if r["db"] != "load"}):
        lp, last, dash = find(db, n, "list page ("), find(db, n, "list page, page"), find(db, n, "dashboard")
        exp, meet, imp, sweep = find(db, n, "export of"), find(db, n, "meeting"), find(db, n, "import"), find(db, n, "reminder sweep (")
        busy = find(db, n, "reminder sweep on a report day")
        tag = f"{db} {n}"
        # Issue 23
        out.append((f"{tag}: reminder sweep ≤ 1.3x the restated baseline (records and marks every message)", sweep["ratio"] <= 1.3 and sweep["same_digests"],
                    f"{sweep['ratio']}x" + ("" if sweep["same_digests"] else ", and the baseline did not send the same digests or record the same rows")))
        for line in (sweep, busy):
            out.append((f"{tag}: {line['measure'].split(' (')[0]} ≤ 20 + one query per message", line["queries"] <= 20 + line["bodies"],
                        f"{line['queries']} for {line['bodies']} messages"))
        if n >= 100000:
            out.append((f"{tag}: reminder sweep on a report day peak memory ≤ 150 MB", busy["peak_mb"] <= 150, f"{busy['peak_mb']} MB"))
        out.append((f"{tag}: import ≤ 1.3x the fastest checked reader + one SELECT + one bulk insert", imp["ratio"] <= 1.3, f"{imp['ratio']}x"))
        out.append((f"{tag}: import ≥ 3x faster than django-import-export", imp["peer_ratio"] >= 3, f"{imp['peer_ratio']}x"))
        out.append((f"{tag}: export ≤ 1.1x the faster floor", exp["ratio"] <= 1.1, f"{exp['ratio']}x"))
        out.append((f"{tag}: meeting workbook ≤ 1.5x the faster floor", meet["ratio"] <= 1.5, f"{meet['ratio']}x"))
        # Issue 8, still standing
        out.append((f"{tag}: list page ≤ 6 queries (filtered and last page)", lp["queries"] <= 6 and last["queries"] <= 6, f"{lp['queries']} and {last['queries']}"))
        out.append((f"{tag}: list page ≤ 4x the plain-template floor", lp["ratio"] <= 4, f"{lp['ratio']}x"))
        out.append((f"{tag}: list page below the stock admin changelist", lp["ours_ms"] < lp["peer_ms"], f"{lp['ours_ms']} vs {lp['peer_ms']} ms"))
        scaling = find(db, n, f"list page at {n} and 10000 tasks in turn")
        if scaling:
            out.append((f"{tag}: list page ≤ 1.3x the 10k page (requested in turn)", scaling["ratio"] <= 1.3, f"{scaling['ratio']}x"))
        out.append((f"{tag}: dashboard ≤ 12 queries", dash["queries"] <= 12, str(dash["queries"])))
        out.append((f"{tag}: dashboard ≤ 2x the list page", dash["ratio"] <= 2, f"{dash['ratio']}x"))
        out.append((f"{tag}: export ≤ 3 queries", exp["queries"] <= 3, str(exp["queries"])))
        out.append((f"{tag}: export peak memory ≤ 50 MB", exp["peak_mb"] <= 50, f"{exp['peak_mb']} MB"))
        out.append((f"{tag}: export and meeting workbook ≥ 2x faster than django-import-export",
                    exp["peer_ratio"] >= 2 and meet["peer_ratio"] >= 2, f"{exp['peer_ratio']}x and {meet['peer_ratio']}x"))
        out.append((f"{tag}: import ≤ rows/batch + 20 queries", imp["queries"] <= IMPORT_ROWS / 1000 + 20, f"{imp['queries']} (batch 1000)"))
        out.append((f"{tag}: import peak memory ≤ 50 MB", imp["peak_mb"] <= 50, f"{imp['peak_mb']} MB"))
    return out


def load_rows(tasks: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from bench.load import load_run

    print(f"== load, {tasks} tasks", flush=True)
    return load_run(tasks, DB_PREFIX)


def write_load_section(rows: list[dict], sizes: list[int]) -> None:
    """The load runs' table and checks, printed and written as the "Under load" section of bench/RESULTS.md (the rest kept)."""
    from bench.load import AGENCY_USERS, OFFICE_USERS, RUN_TIME

    table = (
        "| tasks | page | single user, median (ms) | under load, p95 (ms) | p95 / single | in a worker under load, median / p95 (ms) | requests | failures | throughput (req/s) |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    ) + "".join(
        f"| {r['tasks']} | {r['measure']} | {r['single_ms']} | {r['p95_ms']} | {r['ratio']} | {r.get('worker_ms', '')} | {r['requests']} | {r['failures']} | {r['throughput']} |\n"
        for r in rows
    )
    verdicts = []
    for n in sizes:
        mine = [r for r in rows if r["tasks"] == n]
        total = next((r for r in mine if r["measure"] == "Aggregated"), None)
        failures = sum(r["failures"] for r in mine if r["measure"] != "Aggregated")
        verdicts.append((f"load {n}: no error", failures == 0 and bool(mine), f"{failures} failures of {total['requests'] if total else 0} requests"))
        for r in mine:
            if r["ratio"] != "":
                verdicts.append((f"load {n}: {r['measure']} p95 ≤ 3x its single-user median", r["ratio"] <= 3, f"{r['ratio']}x"))
        if total:
            verdicts.append((f"load {n}: throughput (reported)", True, f"{total['throughput']} requests/s"))
    check_text = "".join(f"- {'met' if ok else '**NOT met**'}: {label} ({value})\n" for label, ok, value in verdicts)
    section = (
        f"## Under load\n\nRun {datetime.now():%d/%m/%Y %H:%M} on {machine()} with `python3 bench/run.py --load --tasks {' '.join(map(str, sizes))}`: "
        f"the production stack (gunicorn, 3 workers; PostgreSQL; a private Redis; a Celery worker), one user's median of each page "
        f"first, then Locust: the users start one a second and sign in, then {RUN_TIME} are measured (stats reset when the last has started): {OFFICE_USERS} Office users (dashboard, list pages with filters and search, task pages, timeline), "
        f"{AGENCY_USERS} agency users (a report through the admin, their workbook uploaded and previewed), one meeting workbook every 30 s. "
        "`Aggregated` is every request of the run; `login` and the admin's POSTs have no single-user median. "
        "`in a worker` is the time gunicorn's workers spent on the page (their access log): the rest of the p95 is the wait for a free worker.\n\n"
        + table + "\n" + "".join(f"CPU during the run, {r['cpu']}.\n\n" for r in rows if r.get("cpu")) + check_text
    )
    print(section)
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    text = re.sub(r"\n## Under load\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip("\n") + "\n\n" + section
    results.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--list-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", action="store_true", help="the site under load (bench/load.py) at each --tasks, on PostgreSQL")
    args = parser.parse_args()
    if args.load:
        write_load_section([row for tasks in args.tasks for row in load_rows(tasks)], args.tasks)
        return
    if args.worker:
        print("RESULT " + json.dumps(worker(args.db[0], args.tasks[0]), ensure_ascii=False, default=str))
        return
    if args.list_server:
        list_server(args.db[0], args.tasks[0])
        return
    rows = []
    for db in args.db:
        for tasks in args.tasks:
            print(f"== {db}, {tasks} tasks", flush=True)
            done = subprocess.run([sys.executable, __file__, "--worker", "--db", db, "--tasks", str(tasks)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
            line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
            if line is None:
                print(done.stdout[-2000:])
                sys.exit(1)
            rows += json.loads(line[7:])
        for tasks in sorted(args.tasks)[1:]:
            print(f"== {db}, list page at {tasks} and {min(args.tasks)} tasks in turn", flush=True)
            rows.append(list_scaling(db, min(args.tasks), tasks))
    header = (
        "| db | tasks | measure | ours (ms) | baseline | baseline (ms) | ours / baseline | peer | peer (ms) | peer / ours | queries | peak memory (MB) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    table = header + "".join(
        f"| {r['db']} | {r['tasks']} | {r['measure']} | {r['ours_ms']} | {r.get('baseline', '')} | {r.get('baseline_ms', '')} | {r.get('ratio', '')} "
        f"| {r.get('peer', '')} | {r.get('peer_ms', '')} | {r.get('peer_ratio', '')} | {r['queries']} | {r['peak_mb']} |\n"
        for r in rows
    )
    verdicts = checks(rows)
    check_text = "".join(f"- {'met' if ok else '**NOT met**'}: {label} ({value})\n" for label, ok, value in verdicts)
    print(table)
    print(check_text)
    results = ROOT / "bench" / "RESULTS.md"
    kept = re.search(r"\n## Under load\n.*?(?=\n## |\Z)", results.read_text(encoding="utf-8"), flags=re.S) if results.exists() else None
    results.write_text(
        f"# Benchmark results\n\nRun {datetime.now():%d/%m/%Y %H:%M} on {machine()} with "
        f"`python3 bench/run.py --tasks {' '.join(map(str, args.tasks))} --db {' '.join(args.db)}`.\n\n"
        "Production settings (DEBUG off); PostgreSQL is vacuumed and analysed after the bulk load, as autovacuum would. Times are medians of 3 runs after a warm-up (the list pages and dashboard: 5), "
        "a measure, its baseline and its peer run in turn (a, b, c, a, b, c ...); the larger list page, when a run has two sizes, is compared with the 10,000-task one by asking three server processes of each size in turn, 10 times each. The reminder sweep's queries are counted with the savepoints its transactions open inside the bench's rolled-back one. "
        "Queries are those of one run, a page's session and user lookups included; memory is the peak traced by tracemalloc during one run. "
        "`ours / baseline` is how many times the baseline's time ours takes; `peer / ours` how many times faster ours is than the peer. "
        "Writes (import, reminder sweep) run in a transaction rolled back after each run, so every run does the same work.\n\n"
        + table + "\n## Targets: issue 23, and those of issue 8 still standing\n\n" + check_text + (kept[0] if kept else ""),
        encoding="utf-8",
    )


if __name__ == "__main__":
    bootstrap()
    main()
