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
        path = DATA / f"bench-{tasks}.sqlite3"
        if fresh:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = f"bench_{tasks}"
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
    return call


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
            with psycopg.connect(f"{PG.replace('postgres://', 'postgresql://')}/bench_{n}", autocommit=True) as database:
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


def worker(db: str, tasks: int) -> list[dict]:
    configure(db, tasks)
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.core.management import call_command
    from django.template import Context, Template
    from django.test import Client
    from openpyxl import Workbook, load_workbook

    from bench import peers
    from bench.generate import generate
    from portfolio.choices import Role
    from portfolio.excel.meeting import CATALOGUE_FIELDS, _report_subquery
    from portfolio.models import Agency, Assignment, Task
    from portfolio.selectors import task_queryset
    from portfolio.services.excel_import import agency_import_apply, agency_import_preview, agency_workbook_export

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("import_programme", str(ROOT / "seeds" / "001_b50851294415a046.txt"), stdout=open(os.devnull, "w"))
    started = time.perf_counter()
    generate(tasks=tasks)
    generated = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum does to a table after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    office = get_user_model().objects.create_superuser("bench-office", "vp@example.vn", None)
    client = Client()
    client.force_login(office)
    as_of = date.fromisoformat(AS_OF)

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content
        return call

    results = []

    def record(name, ours, baseline=None, baseline_name="", peer=None, peer_name=""):
        seconds, queries, peak = ours
        row = {"db": db, "tasks": tasks, "measure": name, "ours_ms": round(seconds * 1000, 1), "queries": queries, "peak_mb": round(peak, 1)}
        if baseline:
            row.update(baseline=baseline_name, baseline_ms=round(baseline[0] * 1000, 1), ratio=round(seconds / baseline[0], 2))
        if peer:
            row.update(peer=peer_name, peer_ms=round(peer[0] * 1000, 1), peer_ratio=round(peer[0] / seconds, 2))
        results.append(row)
        print(f"   {name}: {row}", file=sys.stderr, flush=True)
        return row

    # ---- list page ---------------------------------------------------------------------------------------------
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
        get(LIST_URL), plain_list, get("/admin/portfolio/task/?status__exact=in_progress"), get(f"/?as_of={AS_OF}"), repeats=5)
    record("list page (50 rows, filtered)", list_page, floor, "plain template + select/prefetch", admin, "stock admin changelist")
    last_page = Task.objects.count() // 50
    record(f"list page, page {last_page} (unfiltered, last)", measure(get(f"/tasks/?per_page=50&page={last_page}&as_of={AS_OF}")))
    record("dashboard", dashboard, list_page, "list page")
    record("task page", measure(get(f"/tasks/{Task.objects.order_by('-number').first().pk}/?as_of={AS_OF}")))

    # ---- exports -----------------------------------------------------------------------------------------------
    def floor_export(rows_queryset, joined: int):
        """Bare openpyxl, write-only, the same cells from one values_list query (column ``joined`` made printable)."""
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

    def export_cells():
        return (task_queryset(as_of=as_of, bodies="text").prefetch_related(None).filter(status="in_progress").order_by("number")
                .values_list("number", "title", "lead_name", "bodies_text", "deadline_text", "next_due_date", "funding_text", "status", "schedule_state", "progress", "last_reported_at"))

    def meeting_cells():
        return (task_queryset(as_of=as_of).prefetch_related(None).annotate(report=_report_subquery())
                .order_by("section__position", "number").values_list(*CATALOGUE_FIELDS))

    filtered = Task.objects.filter(status="in_progress").order_by("number")
    export = get(f"/tasks/export.xlsx?{EXPORT_FILTER}&as_of={AS_OF}")
    ours, floor, peer = measure_together(export, floor_export(export_cells, 3), lambda: peers.export_xlsx(filtered))
    record("export of the filtered view", with_peak_memory(ours, export), floor, "bare openpyxl write-only, one values_list", peer, "django-import-export")
    meeting = get(f"/tasks/report.xlsx?as_of={AS_OF}")
    ours, floor, peer = measure_together(
        meeting, floor_export(meeting_cells, CATALOGUE_FIELDS.index("report")), lambda: peers.export_xlsx(Task.objects.order_by("number")))
    record("meeting workbook (all tasks)", with_peak_memory(ours, meeting), floor, "bare openpyxl write-only, one values_list", peer, "django-import-export")

    # ---- import of an agency workbook ----------------------------------------------------------------------------
    body = Agency.objects.create(name="Sở Bench (10.000 nhiệm vụ)", emails="bench@cantho.gov.vn")
    chosen = list(Task.objects.order_by("number").values_list("pk", flat=True)[:IMPORT_ROWS])
    Assignment.objects.bulk_create([Assignment(task_id=pk, agency=body, role=Role.IMPLEMENTING_LEAD, position=9) for pk in chosen], batch_size=5000)
    book = load_workbook(io.BytesIO(agency_workbook_export(agency=body, as_of=as_of)))
    sheet = book["Báo cáo"]
    peer_rows = []
    for i, row in enumerate(sheet.iter_rows(min_row=4, max_row=3 + IMPORT_ROWS)):
        row[4].value, row[5].value, row[6].value, row[7].value = "Quý IV/2026", "Đang triển khai", 10 + i % 80, None
        row[8].value = f"Đã hoàn thành bước {i % 7 + 1} của kế hoạch"
        row[9].value = "Chậm giải phóng mặt bằng" if i % 3 else "Không có"
        row[10].value = "Đề nghị bố trí vốn" if i % 5 else "Không có"
        peer_rows.append((int(row[11].value.split(":")[0]), body.pk, "Quý IV/2026", "in_progress", 10 + i % 80, row[8].value, row[9].value, row[10].value, office.pk))
    buffer = io.BytesIO()
    book.save(buffer)
    workbook_bytes = buffer.getvalue()
    from tablib import Dataset

    peer_bytes = Dataset(*peer_rows, headers=["task", "agency", "period", "status", "percent", "results", "difficulties", "proposals", "submitted_by"]).export("xlsx")

    def ours_import():
        preview = agency_import_preview(data=workbook_bytes, user=office)
        assert not preview.problems and len(preview.changes) == IMPORT_ROWS, preview.summary()
        return agency_import_apply(preview=preview, user=office)

    def baseline_import():
        workbook = load_workbook(io.BytesIO(workbook_bytes), read_only=True)
        values = {}
        for row in workbook["Báo cáo"].iter_rows(min_row=4, values_only=True):
            if row[11]:
                values[int(row[11].split(":")[0])] = row
        workbook.close()
        changed = list(Task.objects.filter(pk__in=list(values)))
        for task in changed:
            row = values[task.pk]
            task.status, task.progress, task.completed_on = "in_progress", row[6], None
        Task.objects.bulk_update(changed, ["status", "progress", "completed_on"], batch_size=1000)

    ours, baseline = measure_together(rolled_back(ours_import), rolled_back(baseline_import))
    record(f"import of a {IMPORT_ROWS:,}-row agency workbook (preview + apply)".replace(",", "."), with_peak_memory(ours, rolled_back(ours_import)),
           baseline, "openpyxl read-only + one SELECT + bulk_update",
           measure(rolled_back(lambda: peers.import_xlsx(peer_bytes)), repeats=1), "django-import-export")

    # ---- reminder sweep ------------------------------------------------------------------------------------------
    from django.db.models import Q

    from portfolio.choices import AgencyKind, ReminderReason, WorkStatus, labels
    from portfolio.models import ReminderSettings
    from portfolio.reminder_selection import responsible_of
    from portfolio.reminder_settings import parse_thresholds
    from portfolio.services.reminders import reminder_run

    settings_row = ReminderSettings.current()  # a deployment has its settings row; the rolled-back runs must not each create it
    horizon = as_of + timedelta(days=max(parse_thresholds(settings_row.due_soon_thresholds)))

    def ours_sweep():
        mail.outbox = []
        plan, _run = reminder_run(as_of=as_of)
        return len(mail.outbox)

    def floor_sweep():
        """What a hand-written job would do for the bench's day: one grouped query, then the same digests rendered and sent.

        The day is outside every report window and nothing was sent before, so the rules reduce to: open tasks not under
        review, overdue or due within the largest threshold (an ongoing task only when overdue), sent to the body that does
        the work (responsible_of), or to the coordinators when that body is central. The query reads each such task's bodies
        in order; the rows and subjects are those of our digests, which the bench checks (same_digests).
        """
        from collections import defaultdict

        from django.core.mail import EmailMultiAlternatives, get_connection
        from django.template.loader import render_to_string

        mail.outbox = []
        rows = (
            Assignment.objects.filter(task__needs_review=False, task__next_due_date__lte=horizon)
            .filter(Q(task__is_ongoing=False) | Q(task__next_due_date__lt=as_of))
            .exclude(task__status=WorkStatus.DONE, task__completed_on__lte=as_of).exclude(task__status=WorkStatus.DONE, task__completed_on__isnull=True)
            .values_list("task_id", "task__number", "task__title", "task__deadline_text", "task__next_due_date", "task__status", "task__progress",
                         "role", "agency__name", "agency__emails", "agency__kind")
            .order_by("task__number", "position")
        )
        statuses, reasons = labels(WorkStatus), labels(ReminderReason)
        grouped = defaultdict(list)
        for (pk, number, title, deadline, due, status, progress), bodies in groupby(rows, key=lambda r: r[:7]):
            bodies = [(role, (name, emails, kind)) for *_task, role, name, emails, kind in bodies]
            chased = responsible_of(None, bodies)
            if chased and all(kind == AgencyKind.CENTRAL for _n, _e, kind in chased):
                chased = [body for role, body in bodies if role == Role.COORDINATING and body[2] != AgencyKind.CENTRAL]
                reason = ReminderReason.FOLLOW_CENTRAL
            else:
                reason = ReminderReason.OVERDUE if due < as_of else ReminderReason.DUE_SOON
            days = (due - as_of).days
            line = {
                "task": {"pk": pk, "number": number, "title": title, "deadline_text": deadline, "get_status_display": statuses[status], "progress": progress},
                "reason": reasons[reason], "due": due, "days": days, "overdue": days < 0, "abs_days": abs(days),
            }
            for name, emails, _kind in chased:
                grouped[(name, emails)].append(line)
        messages = []
        for (name, emails), items in sorted(grouped.items()):
            recipients = [e.strip() for e in emails.replace(",", "\n").splitlines() if e.strip()]
            if not recipients:
                continue  # nobody to write to (ours records it as such)
            context = {"agency": {"name": name}, "items": items, "digest": {"sent_on": as_of}, "base_url": "http://127.0.0.1:8000"}
            subject = f"[Nhắc việc] {name}: {len(items)} nội dung cần thực hiện ({as_of:%d/%m/%Y})"
            message = EmailMultiAlternatives(subject, render_to_string("portfolio/email/digest.txt", context), "nhacviec@cantho.gov.vn", recipients)
            message.attach_alternative(render_to_string("portfolio/email/digest.html", context), "text/html")
            messages.append(message)
        get_connection().send_messages(messages)
        return len(messages)

    def digests_sent(sweep) -> list[tuple[str, str, str]]:
        """(subject, text, HTML) of every body's e-mail of one rolled-back run (the Office's summary left out)."""
        rolled_back(sweep)()
        return sorted((m.subject, m.body, m.alternatives[0][0]) for m in mail.outbox if not m.subject.startswith("[Nhắc việc] Tổng hợp"))

    ours_mails = digests_sent(ours_sweep)
    same_digests = ours_mails == digests_sent(floor_sweep)
    sent, lines = len(ours_mails), sum(int(re.search(r": (\d+) nội dung cần thực hiện \(", mail_[0])[1]) for mail_ in ours_mails)
    baseline = "one grouped query + the same digests rendered + send" if same_digests else "one grouped query + digests rendered + send (NOT the same digests)"

    def dotted(n: int) -> str:
        return f"{n:,}".replace(",", ".")  # 1.234, as the import's row writes its count

    row = record(f"reminder sweep (selection, digests, {dotted(sent)} e-mails with {dotted(lines)} lines)",
                 *measure_together(rolled_back(ours_sweep), rolled_back(floor_sweep)), baseline)
    row["bodies"], row["same_digests"] = sent, same_digests

    # The busiest day: in a report window every open task is checked for its report, not only those due soon.
    report_day = date.fromisoformat(REPORT_DAY)

    def report_day_sweep():
        mail.outbox = []
        reminder_run(as_of=report_day)
        return len(mail.outbox)

    report_mails = len(digests_sent(report_day_sweep))
    record(f"reminder sweep on a report day ({report_day:%d/%m}: every open task checked, {dotted(report_mails)} e-mails)",
           measure(rolled_back(report_day_sweep), memory=True))
    results.append({"db": db, "tasks": tasks, "measure": "data generation", "ours_ms": round(generated * 1000, 1), "queries": "", "peak_mb": ""})
    return results


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()} — {cpu or platform.processor()} ×{os.cpu_count()}, Python {platform.python_version()}"


def checks(rows: list[dict]) -> list[tuple[str, bool, str]]:
    """Issue 8 point 3, line by line, for every (database, size) measured."""
    out = []
    def find(db, n, prefix):
        return next((r for r in rows if r["db"] == db and r["tasks"] == n and r["measure"].startswith(prefix)), None)

    for db, n in sorted({(r["db"], r["tasks"]) for r in rows}):
        lp, last, dash = find(db, n, "list page ("), find(db, n, "list page, page"), find(db, n, "dashboard")
        exp, meet, imp, sweep = find(db, n, "export of"), find(db, n, "meeting"), find(db, n, "import"), find(db, n, "reminder sweep (")
        tag = f"{db} {n}"
        out.append((f"{tag}: list page ≤ 6 queries (filtered and last page)", lp["queries"] <= 6 and last["queries"] <= 6, f"{lp['queries']} and {last['queries']}"))
        out.append((f"{tag}: list page ≤ 4x the plain-template floor", lp["ratio"] <= 4, f"{lp['ratio']}x"))
        out.append((f"{tag}: list page below the stock admin changelist", lp["ours_ms"] < lp["peer_ms"], f"{lp['ours_ms']} vs {lp['peer_ms']} ms"))
        scaling = find(db, n, f"list page at {n} and 10000 tasks in turn")
        if scaling:
            out.append((f"{tag}: list page ≤ 1.3x the 10k page (requested in turn)", scaling["ratio"] <= 1.3, f"{scaling['ratio']}x"))
        out.append((f"{tag}: dashboard ≤ 12 queries", dash["queries"] <= 12, str(dash["queries"])))
        out.append((f"{tag}: dashboard ≤ 2x the list page", dash["ratio"] <= 2, f"{dash['ratio']}x"))
        out.append((f"{tag}: export ≤ 1.3x the floor", exp["ratio"] <= 1.3, f"{exp['ratio']}x"))
        out.append((f"{tag}: export ≤ 3 queries", exp["queries"] <= 3, str(exp["queries"])))
        out.append((f"{tag}: export peak memory ≤ 50 MB", exp["peak_mb"] <= 50, f"{exp['peak_mb']} MB"))
        out.append((f"{tag}: meeting workbook ≤ 2x the floor", meet["ratio"] <= 2, f"{meet['ratio']}x"))
        out.append((f"{tag}: export and meeting workbook ≥ 2x faster than django-import-export",
                    exp["peer_ratio"] >= 2 and meet["peer_ratio"] >= 2, f"{exp['peer_ratio']}x and {meet['peer_ratio']}x"))
        out.append((f"{tag}: import ≤ 1.3x the bulk_update baseline", imp["ratio"] <= 1.3, f"{imp['ratio']}x"))
        out.append((f"{tag}: import ≤ rows/batch + 20 queries", imp["queries"] <= IMPORT_ROWS / 1000 + 20, f"{imp['queries']} (batch 1000)"))
        out.append((f"{tag}: import peak memory ≤ 50 MB", imp["peak_mb"] <= 50, f"{imp['peak_mb']} MB"))
        out.append((f"{tag}: import ≥ 3x faster than django-import-export", imp["peer_ratio"] >= 3, f"{imp['peer_ratio']}x"))
        out.append((f"{tag}: reminder sweep ≤ 2 + bodies queries", sweep["queries"] <= 2 + sweep["bodies"], f"{sweep['queries']} for {sweep['bodies']} bodies"))
        out.append((f"{tag}: reminder sweep ≤ 1.3x the grouped-query baseline", sweep["ratio"] <= 1.3 and sweep["same_digests"],
                    f"{sweep['ratio']}x" + ("" if sweep["same_digests"] else ", and the baseline did not send the same digests")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--list-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
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
    (ROOT / "bench" / "RESULTS.md").write_text(
        f"# Benchmark results\n\nRun {datetime.now():%d/%m/%Y %H:%M} on {machine()} with "
        f"`python3 bench/run.py --tasks {' '.join(map(str, args.tasks))} --db {' '.join(args.db)}`.\n\n"
        "Production settings (DEBUG off); PostgreSQL is vacuumed and analysed after the bulk load, as autovacuum would. Times are medians of 3 runs after a warm-up (django-import-export's import: 1 run; the list pages and dashboard: 5), "
        "a measure, its baseline and its peer run in turn (a, b, c, a, b, c ...); the larger list page is compared with the 10,000-task one by asking three server processes of each size in turn, 10 times each. "
        "Queries are those of one run, a page's session and user lookups included; memory is the peak traced by tracemalloc during one run. "
        "`ours / baseline` is how many times the baseline's time ours takes; `peer / ours` how many times faster ours is than the peer. "
        "Writes (import, reminder sweep) run in a transaction rolled back after each run, so every run does the same work.\n\n"
        + table + "\n## Issue 8, point 3\n\n" + check_text,
        encoding="utf-8",
    )


if __name__ == "__main__":
    bootstrap()
    main()
