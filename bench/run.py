"""Benchmarks at province scale, each against a baseline measured in the same run.

    python bench/run.py [--tasks 10000 100000] [--db sqlite postgres]

Each (database, size) runs in its own process on a fresh database (SQLite file
in bench/data/, or a new PostgreSQL database), loads the real programme and
scales it with bench/generate.py, then measures through the real views with an
Office login. Times are medians of 3 runs after a warm-up. The table is printed
and written to bench/RESULTS.md with the date and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
AS_OF = "2026-11-22"
FILTER = "q=duong+tinh"
PG = "postgres://postgres@127.0.0.1:5432"


def database_url(db: str, tasks: int) -> str:
    if db == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"bench-{tasks}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = f"bench_{tasks}"
    with psycopg.connect(f"{PG.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def measure(fn, repeats=3, memory=False):
    """Median seconds, queries of the last run and (optionally) peak traced memory growth in MB."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    times, queries, peak = [], 0, 0.0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 1048576
        tracemalloc.stop()
    return statistics.median(times), queries, peak


def worker(db: str, tasks: int) -> list[dict]:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.base", DATABASE_URL=database_url(db, tasks), DJANGO_DEBUG="true",
        DJANGO_ALLOWED_HOSTS="testserver", CELERY_BROKER_URL="", DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.template import Context, Template
    from django.test import Client
    from openpyxl import Workbook

    from bench.generate import generate
    from portfolio.excel.meeting import meeting_workbook
    from portfolio.models import Task
    from portfolio.reminders import reminder_plan
    from portfolio.selectors import task_queryset

    call_command("migrate", verbosity=0)
    call_command("import_programme", str(ROOT / "seeds" / "001_b50851294415a046.txt"), stdout=open(os.devnull, "w"))
    started = time.perf_counter()
    generate(tasks=tasks)
    generated = time.perf_counter() - started
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench-office", "vp@example.vn", None))
    as_of = date.fromisoformat(AS_OF)

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        return call

    plain = Template(
        "<table>{% for t in tasks %}<tr><td>{{ t.number }}</td><td>{{ t.title }}</td><td>{{ t.deadline_text }}</td>"
        "<td>{{ t.next_due_date|date:'d/m/Y' }}</td><td>{{ t.funding_text }}</td><td>{{ t.get_status_display }}</td><td>{{ t.progress }}</td>"
        "<td>{% for a in t.assignments.all %}{{ a.agency.name }} ({{ a.get_role_display }}); {% endfor %}</td></tr>{% endfor %}</table>"
    )

    def plain_list():
        rows = list(
            Task.objects.filter(search_text__contains="duong").filter(search_text__contains="tinh").select_related("section", "funding")
            .prefetch_related("assignments__agency").order_by("number")[:50]
        )
        return plain.render(Context({"tasks": rows}))

    def bare_export(queryset):
        def call():
            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            for row in queryset.values_list("number", "title", "lead_text", "partners_text", "deadline_text", "next_due_date", "funding_text", "status", "progress"):
                sheet.append(row)
            book.save(DATA / "floor.xlsx")
        return call

    filtered = Task.objects.filter(search_text__contains="duong").filter(search_text__contains="tinh").order_by("number")

    def reminders():
        plan = reminder_plan(as_of=as_of)
        from django.template.loader import render_to_string

        for body in plan.bodies.values():
            render_to_string("portfolio/email/digest.txt", {"agency": body.agency, "items": [{"task": i.task, "reason": i.reason, "due": i.due_date, "days": i.days_left} for i in body.items], "digest": {"sent_on": as_of}, "base_url": ""})
        return len(plan.bodies)

    reminder_template = Template("{% for t in tasks %}{{ t.number }} {{ t.title }} {{ t.deadline_text }} {{ t.next_due_date }}\n{% endfor %}")

    def reminder_floor():
        from collections import defaultdict

        from portfolio.choices import Role

        grouped = defaultdict(list)
        rows = Task.objects.exclude(status="done").filter(next_due_date__lte=as_of.replace(year=as_of.year + 1)).filter(
            assignments__role__in=[Role.IMPLEMENTING_LEAD, Role.ADVISING_LEAD]
        ).values("assignments__agency_id", "number", "title", "deadline_text", "next_due_date")
        for row in rows:
            grouped[row["assignments__agency_id"]].append(row)
        for tasks_of_body in grouped.values():
            reminder_template.render(Context({"tasks": tasks_of_body}))

    results = []

    def record(measure_name, ours, baseline=None, baseline_name=""):
        seconds, queries, peak = ours
        row = {"db": db, "tasks": tasks, "measure": measure_name, "ours_ms": round(seconds * 1000, 1), "queries": queries, "peak_mb": round(peak, 1)}
        if baseline:
            row.update(baseline=baseline_name, baseline_ms=round(baseline[0] * 1000, 1), ratio=round(seconds / baseline[0], 2) if baseline[0] else None)
        results.append(row)

    list_url = f"/tasks/?{FILTER}&per_page=50&as_of={AS_OF}"
    list_page = measure(get(list_url))
    record("list page (50 rows, filtered)", list_page, measure(plain_list), "plain template + select/prefetch")
    record("list page vs admin changelist", list_page, measure(get("/admin/portfolio/task/?q=duong+tinh")), "stock admin changelist")
    record("list page, page 20 (unfiltered)", measure(get(f"/tasks/?per_page=50&page=20&as_of={AS_OF}")))
    dashboard = measure(get(f"/?as_of={AS_OF}"))
    record("dashboard", dashboard, list_page, "list page")
    record("task page", measure(get(f"/tasks/{Task.objects.order_by('-number').first().pk}/?as_of={AS_OF}")))
    record("export of the filtered view", measure(get(f"/tasks/export.xlsx?{FILTER}&as_of={AS_OF}"), memory=True), measure(bare_export(filtered)), "bare openpyxl write-only")
    everything = Task.objects.order_by("number")
    record("meeting workbook (all tasks)", measure(lambda: meeting_workbook(tasks_queryset=task_queryset(as_of=as_of), as_of=as_of), repeats=1 if tasks > 20000 else 3, memory=tasks <= 20000),
           measure(bare_export(everything), repeats=1 if tasks > 20000 else 3), "bare openpyxl write-only")
    record("reminder sweep (selection + digests)", measure(reminders), measure(reminder_floor), "one grouped query + template")
    results.append({"db": db, "tasks": tasks, "measure": "data generation (ms)", "ours_ms": round(generated * 1000, 1), "queries": "", "peak_mb": ""})
    return results


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()} — {cpu or platform.processor()} ×{os.cpu_count()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(args.db[0], args.tasks[0]), ensure_ascii=False))
        return
    rows = []
    for db in args.db:
        for tasks in args.tasks:
            print(f"== {db}, {tasks} tasks", flush=True)
            done = subprocess.run([sys.executable, __file__, "--worker", "--db", db, "--tasks", str(tasks)], capture_output=True, text=True, cwd=ROOT)
            line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
            if line is None:
                print(done.stdout[-2000:], done.stderr[-4000:])
                sys.exit(1)
            rows += json.loads(line[7:])
    header = "| db | tasks | measure | ours (ms) | baseline | baseline (ms) | ratio | queries | peak memory growth (MB) |\n|---|---|---|---|---|---|---|---|---|\n"
    table = header + "".join(
        f"| {r['db']} | {r['tasks']} | {r['measure']} | {r['ours_ms']} | {r.get('baseline', '')} | {r.get('baseline_ms', '')} | {r.get('ratio', '')} | {r['queries']} | {r['peak_mb']} |\n"
        for r in rows
    )
    print(table)
    results = ROOT / "bench" / "RESULTS.md"
    results.write_text(
        f"# Benchmark results\n\nRun {datetime.now():%d/%m/%Y %H:%M} on {machine()} with `python bench/run.py --tasks {' '.join(map(str, args.tasks))} --db {' '.join(args.db)}`.\n"
        "Times are medians of 3 runs after a warm-up (1 run for the meeting workbook above 20,000 tasks); ratio = ours / baseline.\n\n" + table,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
