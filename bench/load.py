"""The site under concurrent load, on the production stack of its own (python3 bench/run.py --load [--tasks 252 100000]).

For each size: a PostgreSQL database of its own (<prefix>_load_<tasks>), a private redis-server, gunicorn with 3
workers on a free port of 127.0.0.1, a Celery worker. Each page's single-user median is measured first (one user,
sequential requests), then Locust runs headless for 2 minutes (bench/locustfile.py: 30 Office users, 10 agency users,
one meeting workbook every 30 s); its stats CSV gives each page's p95 under load, requests, failures and throughput.
Every process started here is killed at the end, even on failure. Only 127.0.0.1 is ever asked.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "mat-khau-tai-thu-2026"
RUN_SECONDS = 120
RUN_TIME = f"{RUN_SECONDS // 60}m"
# Users start one a second and sign in (a password hashing of about 0.7 s of a worker each) before the measured
# 2 minutes: 41 sign-ins in 4 s kept all 3 workers busy for 10 s, a start no office sees. The stats are reset when
# the last user has started (Locust's --reset-stats); the sign-ins are not in the table.
SPAWN_RATE = 1
SINGLE_REQUESTS = 10  # per page, for its single-user median
OFFICE_USERS, AGENCY_USERS = 30, 10


def psutil_cpu() -> float:
    """The machine's busy CPU seconds so far (every core)."""
    import psutil

    times = psutil.cpu_times()
    return times.user + times.nice + times.system + getattr(times, "irq", 0) + getattr(times, "softirq", 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(tasks: int, plan_path: Path, workdir: Path) -> None:
    """In a process configured for the load database: the schema, the programme scaled to ``tasks``, the users, the plan."""
    import django

    django.setup()
    import io

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from openpyxl import load_workbook

    from bench.generate import generate
    from portfolio.choices import UserKind
    from portfolio.models import Agency, Task
    from portfolio.services.excel_import import agency_tasks_for_reporting, agency_workbook_export

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("import_programme", str(ROOT / "seeds" / "001_b50851294415a046.txt"), stdout=open(os.devnull, "w"))
    if tasks > 252:
        generate(tasks=tasks)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    User = get_user_model()
    hashed = make_password(PASSWORD)  # hashed once, as production hashes: 40 users need not cost 40 hashings
    office_group, reporter_group = Group.objects.get(name=UserKind.OFFICE), Group.objects.get(name=UserKind.REPORTER)
    office = [f"load-office-{i}" for i in range(OFFICE_USERS + 1)]
    for name in office:
        user = User.objects.create(username=name, password=hashed, is_staff=True)
        user.groups.add(office_group)
    bodies = [a for a in Agency.objects.annotate(n=Count("assignments")).order_by("-n", "pk")[:100] if agency_tasks_for_reporting(a).exists()][:AGENCY_USERS]
    agencies = []
    as_of = "2026-11-22"
    from datetime import date

    for i, agency in enumerate(bodies):
        user = User.objects.create(username=f"load-agency-{i}", password=hashed, is_staff=True)
        user.groups.add(reporter_group)
        agency.members.add(user)
        book = load_workbook(io.BytesIO(agency_workbook_export(agency=agency, as_of=date.fromisoformat(as_of))))
        sheet = book["Báo cáo"]
        for row in sheet.iter_rows(min_row=4, max_row=8):
            if row[11].value:
                row[4].value, row[5].value, row[6].value, row[8].value = "Quý IV/2026", "Đang triển khai", 50, "Đã triển khai theo kế hoạch"
        path = workdir / f"agency-{i}.xlsx"
        book.save(path)
        agencies.append({"username": user.username, "agency": agency.pk, "workbook": str(path),
                         "tasks": list(agency_tasks_for_reporting(agency).values_list("pk", flat=True)[:50])})
    plan = {
        "as_of": as_of, "password": PASSWORD, "office": office[:OFFICE_USERS], "meeting": office[OFFICE_USERS], "agencies": agencies,
        "tasks": list(Task.objects.order_by("?").values_list("pk", flat=True)[:500]),
    }
    plan_path.write_text(json.dumps(plan))


def single_user_medians(port: int, plan: dict) -> dict[str, float]:
    """Each page's median (ms) asked by one logged-in user, one request at a time, SINGLE_REQUESTS times."""
    session = requests.Session()
    base = f"http://127.0.0.1:{port}"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
    cookies = {}

    def call(method, url, expect=200, **kwargs):
        h = dict(headers, Cookie="; ".join(f"{k}={v}" for k, v in cookies.items()), Referer="https://127.0.0.1/")
        start = time.perf_counter()
        response = session.request(method, base + url, headers=h, allow_redirects=False, timeout=120, **kwargs)
        elapsed = time.perf_counter() - start
        cookies.update({c.name: c.value for c in response.cookies})
        assert response.status_code == expect, (url, response.status_code, response.text[:500])
        return response, elapsed

    def login(username):
        cookies.clear()
        page, _ = call("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        call("POST", "/accounts/login/", expect=302, data={"csrfmiddlewaretoken": token, "username": username, "password": plan["password"]})

    as_of = plan["as_of"]
    pages = {
        "dashboard": f"/?as_of={as_of}",
        "list page (filtered)": f"/tasks/?status=in_progress&as_of={as_of}",
        "list page (search)": f"/tasks/?q={quote('chuyển đổi số')}&as_of={as_of}",
        "task page": f"/tasks/{plan['tasks'][0]}/?as_of={as_of}",
        "timeline": "/timeline/",
        "meeting workbook": f"/tasks/report.xlsx?as_of={as_of}",
    }
    login(plan["meeting"])
    medians = {}
    for name, url in pages.items():
        call("GET", url)  # warm-up
        medians[name] = statistics.median(call("GET", url)[1] for _ in range(SINGLE_REQUESTS if name != "meeting workbook" else 3)) * 1000
    agency = plan["agencies"][0]
    login(agency["username"])
    url = f"/admin/portfolio/task/{agency['tasks'][0]}/change/"
    call("GET", url)
    medians["admin: task change page"] = statistics.median(call("GET", url)[1] for _ in range(SINGLE_REQUESTS)) * 1000
    call("GET", "/imports/")
    medians["import: upload page"] = statistics.median(call("GET", "/imports/")[1] for _ in range(SINGLE_REQUESTS)) * 1000
    workbook = Path(agency["workbook"]).read_bytes()
    uploads, previews = [], []
    for _ in range(5):
        page, _ = call("GET", "/imports/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        sent, elapsed = call("POST", "/imports/", expect=302, data={"csrfmiddlewaretoken": token}, files={"file": ("bao-cao.xlsx", workbook)})
        uploads.append(elapsed)
        previews.append(call("GET", sent.headers["Location"])[1])
    medians["import: upload"], medians["import: preview"] = statistics.median(uploads) * 1000, statistics.median(previews) * 1000
    return medians


def worker_times(access_log: Path, offset: int) -> dict[str, tuple[float, float]]:
    """Each page's median and p95 (ms) of the time gunicorn's workers spent on it (their access log, from ``offset``):
    what a request costs once a worker has it, without the wait for a free worker."""
    times: dict[str, list[float]] = {}
    with open(access_log, "rb") as log:
        log.seek(offset)
        for line in log.read().decode().splitlines():
            micros, name = line.split(" ", 1)  # the name, Locust's own, came in the request's X-Bench-Page header
            times.setdefault(name, []).append(int(micros) / 1000)
    return {name: (statistics.median(v), sorted(v)[max(0, int(len(v) * 0.95) - 1)]) for name, v in times.items()}


def family_cpu(process) -> float:
    """CPU seconds of a process and of all its descendants, the living and those already gone: a parent's
    children_user/children_system hold what its reaped children used (PostgreSQL's backends of closed connections
    and its parallel query workers, gunicorn's replaced workers), so none is lost between two readings."""
    import psutil

    try:
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        children = process.children()
    except psutil.NoSuchProcess:
        return 0.0
    return total + sum(family_cpu(child) for child in children)


def cpu_by_kind(roots: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the processes started here and PostgreSQL's server, with their descendants, by kind."""
    import psutil

    used: dict[str, float] = {}
    for root in roots:
        try:
            process = psutil.Process(root)
            name = " ".join(process.cmdline()[:3])
        except psutil.NoSuchProcess:
            continue
        kind = next((k for k in ("gunicorn", "celery", "redis", "locust") if k in name), "other")
        used[kind] = used.get(kind, 0) + family_cpu(process)
    for process in psutil.process_iter(["name", "ppid"]):
        try:
            server = process.info["name"] == "postgres" and psutil.Process(process.info["ppid"]).name() != "postgres"  # not a backend
        except psutil.Error:
            continue
        if server:
            used["postgres"] = used.get("postgres", 0) + family_cpu(process)
    return used


def load_run(tasks: int, prefix: str = "bench") -> list[dict]:
    """One load run at ``tasks`` tasks: the rows page, single median, p95 under load, ratio, requests, failures, throughput."""
    import psycopg

    name = f"{prefix}_load_{tasks}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-load-"))
    redis_port, web_port = free_port(), free_port()
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings.base", DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY="load-" + "k" * 60, DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://127.0.0.1", DJANGO_TRUSTED_PROXY_COUNT="1", DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_MEDIA_ROOT=str(workdir / "media"), CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/0",
        DJANGO_CACHE_URL=f"redis://127.0.0.1:{redis_port}/1", DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_LOG_LEVEL="WARNING", PATH=f"{BIN}:{os.environ['PATH']}", PYTHONPATH=str(ROOT),
        LOAD_PLAN=str(workdir / "plan.json"),
    )
    started = []

    def start(label, args):
        log = open(workdir / f"{label}.log", "w")
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        return process

    try:
        start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        time.sleep(1)  # the setup's writes clear the shared cache: it must answer
        print(f"   load {tasks}: setting up", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, __file__, "--setup", str(tasks), str(workdir)], cwd=ROOT, env=env, check=True)
        plan = json.loads((workdir / "plan.json").read_text())
        access_log = workdir / "access.log"
        start("web", [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{web_port}", "--workers", "3", "--timeout", "120",
                      "--access-logfile", str(access_log), "--access-logformat", "%(D)s %({x-bench-page}i)s"])
        start("worker", [str(BIN / "celery"), "-A", "config", "worker", "--loglevel=WARNING", "--concurrency", "1", "--without-gossip", "--without-mingle"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2).status_code in (200, 503):
                    break
            except requests.RequestException:
                time.sleep(0.5)
        print(f"   load {tasks}: single-user medians", file=sys.stderr, flush=True)
        single = single_user_medians(web_port, plan)
        users = OFFICE_USERS + AGENCY_USERS + 1
        ramp = users / SPAWN_RATE
        print(f"   load {tasks}: locust, {ramp:.0f} s of users starting, then {RUN_TIME} measured", file=sys.stderr, flush=True)
        locust = subprocess.Popen(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users), "-r", str(SPAWN_RATE),
             "--run-time", f"{ramp + RUN_SECONDS:.0f}s", "--reset-stats",
             "--host", f"http://127.0.0.1:{web_port}", "--csv", str(workdir / "load"), "--only-summary", "--stop-timeout", "30",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=env, start_new_session=True,
        )
        started.append(locust)
        time.sleep(ramp)  # the measured window: from the last user's start, as Locust's reset stats
        began, cpu_before, machine_before = time.time(), cpu_by_kind([p.pid for p in started]), psutil_cpu()
        logged = access_log.stat().st_size
        cpu_during = {}
        while locust.poll() is None:  # the CPU of each kind of process, read while Locust (and its children) still live
            cpu_during = cpu_by_kind([p.pid for p in started])
            time.sleep(1)
        elapsed, machine = time.time() - began, psutil_cpu() - machine_before
        spent = {kind: round(cpu_during.get(kind, 0) - cpu_before.get(kind, 0), 1) for kind in sorted(cpu_during)}
        # What none of those accounts for: the kernel, anything else running on the machine.
        spent["unaccounted"] = round(machine - sum(spent.values()), 1)
        cpu_note = (f"{tasks} tasks: {elapsed:.0f} s of Locust, the machine's {os.cpu_count()} cores busy {machine:.0f} s of {elapsed * os.cpu_count():.0f}; "
                    "CPU seconds by process: " + ", ".join(f"{kind} {value}" for kind, value in spent.items()))
        print(f"   load {cpu_note}", file=sys.stderr, flush=True)
        in_worker = worker_times(access_log, logged)
        rows = []
        with open(workdir / "load_stats.csv", newline="") as stats:
            for line in csv.DictReader(stats):
                page = line["Name"]
                p95, requests_, failures = float(line["95%"]), int(line["Request Count"]), int(line["Failure Count"])
                base = single.get(page)
                rows.append({
                    "db": "load", "tasks": tasks, "measure": page, "single_ms": round(base, 1) if base else "", "p95_ms": round(p95, 1),
                    "ratio": round(p95 / base, 2) if base else "", "requests": requests_, "failures": failures,
                    "throughput": round(float(line["Requests/s"]), 2),
                    "worker_ms": "{:.0f} / {:.0f}".format(*in_worker[page]) if page in in_worker else "",
                    "cpu": cpu_note if page == "Aggregated" else "",
                })
        failures_csv = workdir / "load_failures.csv"
        if failures_csv.exists():
            print(failures_csv.read_text()[:3000], file=sys.stderr)
        return rows
    finally:
        for process in started:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        setup(int(sys.argv[2]), Path(sys.argv[3]) / "plan.json", Path(sys.argv[3]))
