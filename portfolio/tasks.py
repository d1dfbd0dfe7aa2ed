"""Celery tasks: take ids, re-read state, call one service."""

from datetime import date

from celery import shared_task
from django.conf import settings

from .services.reminders import (
    MailTemporaryError,
    digest_mark_failed,
    digest_send,
    digests_requeue,
    digests_send,
    reminder_run,
    reminders_due_now,
)
from .services.uploads import uploads_clear_stale


def retry_countdown(retries: int) -> int:
    """Exponential backoff, capped well under the broker's visibility timeout."""
    return min(settings.PORTFOLIO_MAIL_RETRY_BACKOFF * 2**retries, settings.PORTFOLIO_MAIL_RETRY_BACKOFF_MAX)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_reminders_task(as_of: str | None = None) -> str:
    """Beat calls this every quarter hour; it runs once a day, after the Office's chosen time (or for ``as_of``).

    A check that finds the day already done queues again the digests stuck pending or sending past their lease
    (digests_requeue).
    """
    day = date.fromisoformat(as_of) if as_of else reminders_due_now()
    if day is None:
        return f"not due; requeued {digests_requeue()}"
    plan, run = reminder_run(as_of=day)
    return run.summary


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def send_digest_task(self, digest_id: int) -> str:
    """Send one digest; a temporary SMTP failure is retried with backoff, then recorded as failed."""
    max_retries = settings.PORTFOLIO_MAIL_MAX_RETRIES
    if self.request.is_eager:
        # No broker (the embedded default): try again in-process, no waiting.
        for attempt in range(max_retries + 1):
            try:
                return digest_send(digest_id=digest_id)
            except MailTemporaryError as error:
                last = str(error)
        digest_mark_failed(digest_id=digest_id, error=last)
        return "failed"
    try:
        return digest_send(digest_id=digest_id)
    except MailTemporaryError as error:
        if self.request.retries >= max_retries:
            digest_mark_failed(digest_id=digest_id, error=str(error))
            return "failed"
        raise self.retry(exc=error, countdown=retry_countdown(self.request.retries), max_retries=max_retries)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_digests_task(digest_ids: list[int]) -> dict:
    """Send the day's digests over one connection; one that cannot go now is retried on its own (send_digest_task)."""
    return digests_send(digest_ids=digest_ids)


@shared_task
def clear_stale_uploads_task() -> int:
    """Beat calls this hourly: uploads whose preview nobody answered do not stay on disk (uploads_clear_stale)."""
    return uploads_clear_stale()
