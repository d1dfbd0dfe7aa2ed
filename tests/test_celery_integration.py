"""The reminder job through the real Redis broker and real Celery worker (and beat) processes."""

import email
import os
import signal
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.utils import timezone

from portfolio.choices import DigestState
from portfolio.models import Digest, Reminder, ReminderRun
from portfolio.reminder_selection import reminder_plan

from .conftest import ROOT
from .processes import Processes, RedisServer, wait_for
from .helpers import bodies, database_url, redis_available  # noqa: F401  (fixtures among them)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery_env(tmp_path):
    """A private redis-server, and the Celery processes the test starts: each in its own process group, all killed
    when the test ends, even when it fails."""
    processes = Processes(tmp_path)
    redis = RedisServer(processes)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CELERY_VISIBILITY_TIMEOUT="6",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
        PORTFOLIO_SUMMARY_DELAY_SECONDS="1",
        PORTFOLIO_MAIL_RETRY_BACKOFF="1",
        PORTFOLIO_MAIL_RETRY_BACKOFF_MAX="2",
        PORTFOLIO_MAIL_MAX_RETRIES="2",
        PORTFOLIO_REMINDER_CHECK_SECONDS="2",
        PORTFOLIO_SEND_STALE_SECONDS="4",
        PYTHONPATH=str(ROOT),
    )
    env.pop("PORTFOLIO_TEST_DB", None)

    def start(*args, **overrides):
        return processes.start("celery", [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel=INFO"], dict(env, **overrides))

    def worker(name, **overrides):
        return start("worker", "--pool=solo", "-n", f"{name}@%h", "--without-gossip", "--without-mingle", **overrides)

    def call(task, *args):
        import json

        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "config", "call", task, "--args", json.dumps(list(args))],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
        )

    try:
        redis.start()
        env.update(CELERY_BROKER_URL=redis.url(0), DJANGO_CACHE_URL=redis.url(1))
        yield {"worker": worker, "beat": lambda: start("beat", "-s", str(tmp_path / "beat-schedule")), "call": call, "mail": mail_dir,
               "logs": tmp_path, "processes": processes, "redis": redis}
    finally:
        processes.stop_all()


def messages(mail_dir: Path) -> list:
    found = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                found.append((str(make_header(decode_header(message["Subject"]))), message["To"]))
    return found


def body_messages(mail_dir):
    return [m for m in messages(mail_dir) if m[1] != "vanphong@example.vn"]


def test_beat_schedules_the_daily_job_and_the_worker_sends_each_digest_once(celery_env, bodies):
    celery_env["worker"]("w1")
    celery_env["beat"]()
    assert wait_for(lambda: len(messages(celery_env["mail"])) >= 6, timeout=90), celery_env["processes"].logs_text()
    time.sleep(6)  # beat keeps checking every 2 s: the job must not run again today
    sent = messages(celery_env["mail"])
    assert sorted(to for _s, to in sent) == sorted([f"so{n}@example.vn" for n in range(1, 6)] + ["vanphong@example.vn"])
    assert all(s.startswith("[Nhắc việc]") for s, _to in sent)
    assert ReminderRun.objects.filter(as_of=timezone.localdate()).count() == 1
    assert set(Digest.objects.values_list("state", flat=True)) == {DigestState.SENT}


def test_running_twice_and_two_workers_at_once_send_no_duplicate(celery_env, bodies):
    # What one run owes today, taken before any run: each body's overdue task, its task due this month at the steps
    # crossed, and in a report window (this test's outcome must not depend on the day it runs) its missing report.
    planned = sorted((body.agency.pk, item.task.pk, item.reason, step)
                     for body in reminder_plan(as_of=timezone.localdate()).bodies.values() for item in body.items for step in item.steps)
    assert {agency for agency, *_ in planned} == {b.pk for b in bodies} and len(planned) >= 10
    celery_env["worker"]("w1")
    celery_env["worker"]("w2")
    day = timezone.localdate().isoformat()
    celery_env["call"]("portfolio.tasks.run_reminders_task", day)
    celery_env["call"]("portfolio.tasks.run_reminders_task", day)
    assert wait_for(lambda: len(messages(celery_env["mail"])) >= 6, timeout=90)
    celery_env["call"]("portfolio.tasks.run_reminders_task", day)
    time.sleep(5)
    sent = body_messages(celery_env["mail"])
    assert len(sent) == 5 and len({to for _s, to in sent}) == 5
    assert Digest.objects.filter(agency__isnull=False).count() == 5
    # Every step owed recorded once, and nothing else.
    assert sorted(Reminder.objects.values_list("agency_id", "task_id", "reason", "step")) == planned
    assert Reminder.objects.values("digest").distinct().count() == 5


def test_a_worker_killed_while_sending_is_restarted_without_duplicates_or_losses(celery_env, bodies):
    slow = {"DJANGO_EMAIL_BACKEND": "tests.mailbackends.SlowFileBackend"}
    first = celery_env["worker"]("w1", **slow)
    celery_env["call"]("portfolio.tasks.run_reminders_task", timezone.localdate().isoformat())
    assert wait_for(lambda: len(body_messages(celery_env["mail"])) >= 1, timeout=60)
    os.killpg(first.pid, signal.SIGKILL)  # in the middle of the next send
    first.wait(timeout=10)
    done_before_restart = len(body_messages(celery_env["mail"]))
    assert done_before_restart < 5
    celery_env["worker"]("w2", **slow)
    assert wait_for(lambda: Digest.objects.filter(state=DigestState.SENT, agency__isnull=False).count() == 5, timeout=120)
    assert wait_for(lambda: len(body_messages(celery_env["mail"])) == 5, timeout=10)
    time.sleep(8)  # longer than the visibility timeout: nothing is delivered twice
    sent = body_messages(celery_env["mail"])
    assert sorted(to for _s, to in sent) == sorted(f"so{n}@example.vn" for n in range(1, 6))


def test_an_smtp_failure_is_retried_then_recorded_as_failed(celery_env, bodies):
    celery_env["worker"](
        "w1", DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", DJANGO_EMAIL_HOST="127.0.0.1", DJANGO_EMAIL_PORT="9", DJANGO_EMAIL_TIMEOUT="2"
    )
    celery_env["call"]("portfolio.tasks.run_reminders_task", timezone.localdate().isoformat())
    assert wait_for(lambda: Digest.objects.filter(state=DigestState.FAILED).count() == 6, timeout=120), list(Digest.objects.values_list("state", "attempts", "last_error"))
    digest = Digest.objects.filter(agency__isnull=False).first()
    assert digest.attempts == 3 and "Đã thử nhiều lần" in digest.last_error
    log = celery_env["processes"].logs_text(tail=10**6)
    assert "Retry in" in log
