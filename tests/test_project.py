"""The project's own plumbing: the deployment description, the README's commands, CI."""

import re
import subprocess
import sys

import pytest
import yaml

from .conftest import ROOT


def test_docker_compose_describes_the_deployment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"proxy", "web", "worker", "beat", "db", "redis"}
    # Only the proxy is published: clients never reach gunicorn, so X-Forwarded-* always come from nginx.
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["proxy"]["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "." and service["env_file"] == ".env"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    assert services["db"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")
    assert set(compose["volumes"]) == {"pgdata", "media"}


def test_docker_compose_restarts_and_health_checks_every_service():
    """A crashed service (the worker when Redis drops) comes back on its own, and each one says whether it is alive."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name, service in services.items():
        assert service.get("restart") in ("always", "unless-stopped"), name
        check = service.get("healthcheck", {})
        assert check.get("test") and check.get("interval") and check.get("retries"), name
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    broker, cache = services["web"]["environment"]["CELERY_BROKER_URL"], services["web"]["environment"]["DJANGO_CACHE_URL"]
    assert broker.rsplit("/", 1)[0] == cache.rsplit("/", 1)[0] and broker != cache  # one Redis, two databases


def test_celery_settings_chosen_for_worker_and_broker_faults():
    from django.conf import settings

    from config.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_retry_on_startup and conf.broker_connection_max_retries is None
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is False
    longest_wait = max(settings.PORTFOLIO_MAIL_RETRY_BACKOFF_MAX, settings.PORTFOLIO_SUMMARY_DELAY_SECONDS, settings.PORTFOLIO_SEND_STALE_SECONDS)
    options = conf.broker_transport_options
    assert options["visibility_timeout"] > longest_wait
    # kombu gives unacknowledged messages back on a sweep every interval x throttle seconds: at most 100 s, and a
    # small part of the visibility timeout (a message stranded by a killed worker waits the timeout, then one sweep).
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= min(100, options["visibility_timeout"] / 6)


def test_every_setting_read_from_the_environment_is_in_env_example():
    settings_text = (ROOT / "config" / "settings" / "base.py").read_text()
    read = set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings_text))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read and read <= listed, read - listed


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:sh|bash)?\n(.+?)\n```", readme)
    assert commands[:2] == ["python3 dev.py run", "python3 dev.py test"]
    assert "python3 dev.py test\n" in (ROOT / ".ci" / "run").read_text()


def test_requirements_are_all_pinned():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = [l for l in lines if l]
    assert requirements and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.]*", r) for r in requirements), requirements


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "example.org", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_no_missing_migrations():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_bulk_writes_use_the_library_parameter_limit():
    """config/sqlite3: Django assumes 999 parameters; the SQLite loaded allows far more, so batches of 1,000 go in one query."""
    import sqlite3

    import pytest
    from django.db import connection

    from portfolio.models import ProgressReport

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with sqlite3.connect(":memory:") as probe:
        assert connection.features.max_query_params == probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) > 999
    fields = [f for f in ProgressReport._meta.concrete_fields if not f.primary_key]
    assert connection.ops.bulk_batch_size(fields, [None] * 1000) >= 1000


@pytest.mark.parametrize("setting, expected", [("jit", "off"), ("max_parallel_workers_per_gather", "0")])
def test_postgresql_connections_neither_compile_queries_nor_run_them_in_parallel(db, setting, expected):
    """JIT compilation costs more than it saves on queries that last milliseconds to a second, and a query run in
    three processes takes three times the CPU the web workers share (config/settings/base.py)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        assert cursor.fetchone()[0] == expected


def test_the_test_database_is_the_runs_own(db):
    """Two test runs at once on one machine (two clones, or one after a killed one) never share a test database."""
    import os

    from django.db import connection

    if os.environ.get("PORTFOLIO_TEST_DB"):
        pytest.skip("PORTFOLIO_TEST_DB names the test database")
    assert str(os.getpid()) in str(connection.settings_dict["NAME"])


def test_no_test_module_imports_from_another_test_module():
    """What tests share lives in conftest.py or a helpers module (helpers, world, browser, processes...), so a test
    module can be moved, renamed or deleted without breaking another."""
    import ast

    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = node.module.split(".")[-1]
                if imported.startswith("test_"):
                    offenders.append(f"{path.name}:{node.lineno} imports from {node.module}")
    assert not offenders, offenders


FREEZE_PROBE = """
import gc
from wsgiref.util import setup_testing_defaults

import config.wsgi

def get(path):
    environ, status = {}, []
    setup_testing_defaults(environ)
    environ["PATH_INFO"] = path
    body = config.wsgi.application(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(body)
    body.close()  # the server's close(): Django's request_finished
    return status[0]

assert get("/accounts/login/") == "200 OK"
print(gc.get_freeze_count())
for _ in range(70):
    get("/accounts/login/")
print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))
"""


def test_a_server_process_keeps_its_long_lived_objects_out_of_full_garbage_collections():
    """The WSGI application, as gunicorn serves it: after its first request the objects that live as long as the
    process (~130,000 here) are frozen, so a full collection no longer walks them (120-150 ms a time, measured)."""
    import os

    done = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    assert done.returncode == 0, done.stderr[-3000:]
    after_first, after_all, left_to_walk = map(int, done.stdout.split())
    assert after_first > 50_000  # frozen once the first page was served
    assert after_all >= after_first and left_to_walk < after_all / 10
