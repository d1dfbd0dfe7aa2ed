"""The fault suite: the reminders broken for real, with real processes (issue 17).

Each test has its own redis-server (a free port, no persistence), its own SMTP server (aiosmtpd in a thread) that
counts the messages it received per address, and its own Celery worker (prefork, as deployed) and beat, all killed
when the test ends. Each asserts that every body got its digest exactly once (the one message in flight when a
worker died: at most twice, as the README says) and that no digest is left pending or sending.
"""

import os
import signal
import subprocess
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from portfolio.choices import DigestState
from portfolio.models import Digest, ReminderRun

from .conftest import ROOT
from .processes import Processes, RedisServer, SmtpHandler, children, free_port, python, wait_for
from .helpers import bodies, database_url  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
OFFICE = "vanphong@example.vn"
BODIES = [f"so{n}@example.vn" for n in range(1, 6)]


@pytest.fixture
def fault_env(tmp_path):
    processes = Processes(tmp_path)
    redis = RedisServer(processes)
    smtp = SmtpHandler()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    try:
        redis.start()
        controller.start()
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url(),
            DATABASE_CONN_MAX_AGE="0",
            CELERY_BROKER_URL=redis.url(0),
            DJANGO_CACHE_URL=redis.url(1),
            CELERY_VISIBILITY_TIMEOUT="30",
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            DJANGO_EMAIL_HOST="127.0.0.1",
            DJANGO_EMAIL_PORT=str(controller.port),
            DJANGO_EMAIL_TIMEOUT="2",
            PORTFOLIO_SUMMARY_DELAY_SECONDS="1",
            PORTFOLIO_MAIL_RETRY_BACKOFF="1",
            PORTFOLIO_MAIL_RETRY_BACKOFF_MAX="2",
            PORTFOLIO_MAIL_MAX_RETRIES="30",
            PORTFOLIO_REMINDER_CHECK_SECONDS="2",
            PORTFOLIO_SEND_STALE_SECONDS="5",
            PORTFOLIO_PENDING_REQUEUE_SECONDS="4",
            PYTHONPATH=str(ROOT),
        )
        env.pop("PORTFOLIO_TEST_DB", None)

        def worker(name="w1"):
            return processes.start("worker", [python(), "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
                                              "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--loglevel=INFO"], env)

        def beat():
            return processes.start("beat", [python(), "-m", "celery", "-A", "config", "beat", "-s", str(tmp_path / "beat-schedule"), "--loglevel=INFO"], env)

        yield SimpleNamespace(redis=redis, smtp=smtp, env=env, worker=worker, beat=beat, processes=processes)
    finally:
        processes.stop_all()
        controller.stop()


def all_sent() -> bool:
    return Digest.objects.count() == 6 and not Digest.objects.exclude(state=DigestState.SENT).exists()


def assert_each_once(smtp, in_flight=None):
    """Every body and the Office got exactly one message; ``in_flight``, the address whose message was on the wire
    when its worker died, one or two."""
    received = dict(smtp.received)
    for address in [*BODIES, OFFICE]:
        allowed = (1, 2) if address == in_flight else (1,)
        assert received.get(address) in allowed, (address, received)
    assert set(received) == {*BODIES, OFFICE}
    assert not Digest.objects.filter(state__in=[DigestState.PENDING, DigestState.SENDING]).exists()


def test_faults_a_prefork_child_killed_mid_send_is_taken_back_after_its_lease(fault_env, bodies):  # noqa: F811
    """The pool process holding the SMTP connection is SIGKILLed after the server received a message and before it
    answered: the rest go out with the redelivered batch, the one held "sending" is taken back once its lease runs
    out (the next beat check), so it may arrive twice, and nothing is lost."""
    smtp = fault_env.smtp
    smtp.hold_address = BODIES[2]
    worker = fault_env.worker()
    fault_env.beat()
    assert wait_for(lambda: smtp.holding, timeout=90), fault_env.processes.logs_text()
    pool = children(worker.pid)
    assert len(pool) == 1, pool
    os.kill(pool[0], signal.SIGKILL)
    smtp.released = True
    assert wait_for(all_sent, timeout=120), (list(Digest.objects.values_list("recipients", "state")), fault_env.processes.logs_text())
    wait_for(lambda: False, timeout=6)  # three more beat checks: nothing else goes
    assert_each_once(smtp, in_flight=BODIES[2])
    assert worker.poll() is None  # the worker replaced its pool process and went on


def test_faults_smtp_refusing_then_stalling_then_recovering_sends_each_digest_once(fault_env, bodies):  # noqa: F811
    smtp = fault_env.smtp
    smtp.mode = "refuse"
    fault_env.worker()
    fault_env.beat()
    assert wait_for(lambda: all(smtp.attempts[a] >= 2 for a in BODIES), timeout=90), (smtp.attempts, fault_env.processes.logs_text())
    smtp.mode = "stall"
    assert wait_for(lambda: sum(smtp.attempts.values()) >= sum(2 for _ in BODIES) + 3, timeout=60)
    smtp.mode = "accept"
    assert wait_for(all_sent, timeout=120), (list(Digest.objects.values_list("recipients", "state", "last_error")), fault_env.processes.logs_text())
    wait_for(lambda: False, timeout=4)
    assert_each_once(smtp)


def test_faults_redis_stopped_the_run_is_not_done_pages_work_and_all_goes_once_when_it_returns(fault_env, bodies, client, django_user_model, settings, monkeypatch):  # noqa: F811
    from config.celery import app

    redis = fault_env.redis
    redis.stop()
    result = subprocess.run([python(), "manage.py", "send_reminders"], cwd=ROOT, env=fault_env.env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Lần chạy chưa được ghi là xong" in result.stderr, result.stdout + result.stderr
    assert not ReminderRun.objects.filter(finished_at__isnull=False).exists()  # not recorded as done
    assert set(Digest.objects.values_list("state", flat=True)) == {DigestState.PENDING}

    # The site, with its cache and broker in the stopped Redis: pages and saves work, /healthz says what is wrong.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url(1)}}
    settings.CELERY_BROKER_URL = redis.url(0)
    monkeypatch.setattr(app.conf, "broker_url", redis.url(0))
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True, is_staff=True))
    assert client.get("/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["broker"] == "error"

    redis.start()
    assert client.get("/healthz").json()["broker"] == "ok"
    fault_env.worker()
    fault_env.beat()
    assert wait_for(all_sent, timeout=120), (list(Digest.objects.values_list("recipients", "state")), fault_env.processes.logs_text())
    wait_for(lambda: False, timeout=4)
    assert_each_once(fault_env.smtp)
    # Each attempt is a run row; the one that queued the sends finished the day's earlier one too: none left unfinished.
    runs = ReminderRun.objects.filter(as_of=timezone.localdate())
    assert runs.exists() and not runs.filter(finished_at=None).exists()


def test_faults_redis_lost_while_retries_wait_nothing_is_left_pending(fault_env, bodies):  # noqa: F811
    """The mail server refuses, so every digest waits for its retry in the broker; Redis is then stopped and started
    empty (no persistence: the retries are gone). The worker reconnects (or, if it died, is restarted as the compose
    file's restart policy would), the beat check queues the stranded digests again, each goes once."""
    smtp, redis = fault_env.smtp, fault_env.redis
    smtp.mode = "refuse"
    worker = fault_env.worker()
    fault_env.beat()
    assert wait_for(lambda: all(smtp.attempts[a] >= 1 for a in [*BODIES, OFFICE]), timeout=90), fault_env.processes.logs_text()
    redis.stop()
    wait_for(lambda: False, timeout=3)
    redis.start()
    smtp.mode = "accept"
    # kombu's Redis transport may crash the worker here ("AttributeError: 'NoneType' object has no attribute
    # 'hostname'" while restoring the unacknowledged retries of a closed channel): the restart policy brings it back.
    wait_for(lambda: all_sent() or worker.poll() is not None, timeout=60)
    if worker.poll() is not None:
        fault_env.worker("w2")
    assert wait_for(all_sent, timeout=120), (list(Digest.objects.values_list("recipients", "state")), fault_env.processes.logs_text())
    wait_for(lambda: False, timeout=4)
    assert_each_once(smtp)


def test_faults_beat_down_over_the_daily_time_catches_up_once(fault_env, bodies):  # noqa: F811
    """Beat was down when the daily time came (run_at 00:00, long past): the worker alone sends nothing; beat started
    late runs the day once, and beat restarted again sends nothing more."""
    smtp = fault_env.smtp
    fault_env.worker()
    wait_for(lambda: False, timeout=4)
    assert sum(smtp.received.values()) == 0 and not ReminderRun.objects.exists()
    beat = fault_env.beat()
    assert wait_for(all_sent, timeout=90), fault_env.processes.logs_text()
    fault_env.processes.kill(beat, signal.SIGTERM)
    fault_env.beat()
    wait_for(lambda: False, timeout=6)  # the restarted beat's checks find the day done
    assert_each_once(smtp)
    assert ReminderRun.objects.filter(as_of=timezone.localdate(), finished_at__isnull=False).count() == 1
