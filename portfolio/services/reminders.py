"""Writes of the reminder job: claim what is due (once, under unique constraints), then send it."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from ..choices import DigestState, ReminderReason, WorkStatus
from ..models import Digest, Reminder, ReminderRun, ReminderSettings, Task
from ..reminders import BodyPlan, Plan, reminder_plan


class MailTemporaryError(Exception):
    """The mail server could not take the message now; the send is retried."""


def _item_payload(item) -> dict:
    return {"task": item.task.pk, "reason": item.reason, "due": item.due_date.isoformat() if item.due_date else None, "days": item.days_left, "note": item.note}


def _message_rows(body: BodyPlan) -> list[dict]:
    """What the body's e-mail lists, kept in the digest so sending it reads nothing else: one row per task and reason."""
    rows, seen = [], set()
    for item in sorted(body.items, key=lambda i: (i.task.number, i.reason)):
        if (item.task.pk, item.reason) in seen:
            continue
        seen.add((item.task.pk, item.reason))
        task = item.task
        rows.append({
            "task": {"pk": task.pk, "number": task.number, "title": task.title, "deadline_text": task.deadline_text,
                     "status": task.status, "progress": task.progress},
            "reason": item.reason, "due": item.due_date.isoformat() if item.due_date else None,
        })
    return rows


def _new_digest(body: BodyPlan, as_of: date) -> Digest:
    emails = body.agency.email_list
    return Digest(
        agency=body.agency, sent_on=as_of, recipients="\n".join(emails),
        state=DigestState.PENDING if emails else DigestState.NO_ADDRESS,
        payload={"message": _message_rows(body)} if emails else {"items": [_item_payload(i) for i in body.items]},
    )


def _reminders_of(digest: Digest, body: BodyPlan) -> list[Reminder]:
    return [
        Reminder(digest=digest, agency=body.agency, task=item.task, reason=item.reason, step=step, due_date=item.due_date)
        for item in body.items
        for step in item.steps
    ]


def digests_claim(*, plan: Plan, as_of: date) -> list[Digest]:
    """Record every body's digest for the day and every reminder in them, in bulk and in one transaction.

    If another run (or worker) claimed some of these bodies or steps meanwhile, the unique constraints refuse
    the whole batch and the bodies are claimed one by one instead (digest_claim), so each goes out once.
    """
    bodies = list(plan.bodies.values())
    try:
        with transaction.atomic():
            digests = Digest.objects.bulk_create([_new_digest(body, as_of) for body in bodies])
            Reminder.objects.bulk_create(
                [r for digest, body in zip(digests, bodies) if digest.state == DigestState.PENDING for r in _reminders_of(digest, body)],
                batch_size=1000,
            )
        return digests
    except IntegrityError:
        return [d for d in (digest_claim(body=body, as_of=as_of) for body in bodies) if d]


def digest_claim(*, body: BodyPlan, as_of: date) -> Digest | None:
    """Record a body's digest for the day and every reminder in it, in one transaction; None if already done today."""
    try:
        with transaction.atomic():
            digest = _new_digest(body, as_of)
            digest.save()
            if digest.state == DigestState.PENDING:
                Reminder.objects.bulk_create(_reminders_of(digest, body))
    except IntegrityError:
        return None  # another run (or worker) already claimed this body today, or these steps were sent
    return digest


def summary_claim(*, plan: Plan, as_of: date) -> Digest | None:
    office = ReminderSettings.current().office_emails
    recipients = [e.strip() for e in office.replace(",", "\n").splitlines() if e.strip()]
    payload = {
        "central": [_item_payload(i) for i in plan.central],
        "escalations": [_item_payload(i) for i in plan.escalations],
        "needs_review": [t.pk for t in plan.needs_review],
        "totals": plan.totals(),
    }
    try:
        with transaction.atomic():
            return Digest.objects.create(
                agency=None, sent_on=as_of, recipients="\n".join(recipients),
                state=DigestState.PENDING if recipients else DigestState.NO_ADDRESS, payload=payload,
            )
    except IntegrityError:
        return None


def reminder_run(*, as_of: date, dry_run: bool = False) -> tuple[Plan, ReminderRun | None]:
    """The daily job: select, claim each body's digest, then queue every pending send (also earlier ones left over)."""
    from ..tasks import send_digest_task, send_digests_task

    plan = reminder_plan(as_of=as_of)
    if dry_run:
        return plan, None
    claimed = digests_claim(plan=plan, as_of=as_of)
    summary_claim(plan=plan, as_of=as_of)
    totals = plan.totals()
    run = ReminderRun.objects.create(
        as_of=as_of, finished_at=timezone.now(), digests=len(claimed),
        summary=" ".join(f"{k}={v}" for k, v in totals.items()),
    )
    pending = Digest.objects.filter(state=DigestState.PENDING, sent_on__lte=as_of)
    bodies = list(pending.filter(agency__isnull=False).order_by("pk").values_list("pk", flat=True))
    if bodies:  # one task sends them all over one connection (digests_send); each is still claimed and sent once
        transaction.on_commit(lambda: send_digests_task.delay(bodies))
    for digest_id in pending.filter(agency__isnull=True).values_list("pk", flat=True):
        # The summary goes last, so it can say what became of the bodies' digests.
        transaction.on_commit(lambda pk=digest_id: send_digest_task.apply_async((pk,), countdown=settings.PORTFOLIO_SUMMARY_DELAY_SECONDS))
    return plan, run


def _task_rows(task_ids, extra=None) -> list[dict]:
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=task_ids).select_related("section")}
    rows = []
    for entry in extra or [{"task": pk} for pk in task_ids]:
        task = tasks.get(entry["task"])
        if task:
            row = {"task": task, **{k: v for k, v in entry.items() if k != "task"}}
            if row.get("due"):
                row["due"] = date.fromisoformat(row["due"])
            if row.get("days") is not None and row["days"] < 0:
                row["overdue_days"] = -row["days"]
            rows.append(row)
    return rows


REASON_LABELS = dict(ReminderReason.choices)
STATUS_LABELS = dict(WorkStatus.choices)


def _digest_rows(digest: Digest) -> list[dict]:
    """The e-mail's rows: from the digest itself (kept when claimed), else from its reminders (older digests)."""
    if "message" in digest.payload:
        return [
            {"task": {**row["task"], "get_status_display": STATUS_LABELS.get(row["task"]["status"], row["task"]["status"])},
             "reason": REASON_LABELS.get(row["reason"], row["reason"]), "due": date.fromisoformat(row["due"]) if row["due"] else None}
            for row in digest.payload["message"]
        ]
    rows, seen = [], set()
    for reminder in digest.reminders.select_related("task").order_by("task__number", "reason"):
        if (reminder.task_id, reminder.reason) not in seen:
            seen.add((reminder.task_id, reminder.reason))
            rows.append({"task": reminder.task, "reason": reminder.get_reason_display(), "due": reminder.due_date})
    return rows


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail of a digest, in Vietnamese, HTML with a plain-text alternative."""
    base_url = settings.PORTFOLIO_BASE_URL.rstrip("/")
    if digest.agency_id:
        items = []
        for row in _digest_rows(digest):
            days = (row["due"] - digest.sent_on).days if row["due"] else None
            items.append({**row, "days": days, "overdue": days is not None and days < 0, "abs_days": abs(days) if days is not None else None})
        context = {"digest": digest, "agency": digest.agency, "items": items, "base_url": base_url}
        template = "portfolio/email/digest"
        subject = f"[Nhắc việc] {digest.agency.name}: {len(items)} nội dung cần thực hiện ({digest.sent_on:%d/%m/%Y})"
    else:
        digests = list(Digest.objects.filter(sent_on=digest.sent_on, agency__isnull=False).select_related("agency").order_by("agency__name"))
        failed_earlier = list(Digest.objects.filter(state=DigestState.FAILED, sent_on__lt=digest.sent_on, sent_on__gte=digest.sent_on.replace(day=1)).select_related("agency"))
        context = {
            "digest": digest, "digests": digests, "failed_earlier": failed_earlier, "base_url": base_url,
            "totals": digest.payload.get("totals", {}),
            "central": _task_rows([e["task"] for e in digest.payload.get("central", [])], digest.payload.get("central")),
            "escalations": _task_rows([e["task"] for e in digest.payload.get("escalations", [])], digest.payload.get("escalations")),
            "needs_review": _task_rows(digest.payload.get("needs_review", [])),
        }
        template = "portfolio/email/summary"
        subject = f"[Nhắc việc] Tổng hợp ngày {digest.sent_on:%d/%m/%Y}"
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, digest.recipients.split())
    message.attach_alternative(html, "text/html")
    return message


def _takeable(now) -> Q:
    """Pending, or left "sending" by a worker that died: taken again once older than PORTFOLIO_SEND_STALE_SECONDS
    (kept below the broker's visibility timeout)."""
    stale = now - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS)
    return Q(state=DigestState.PENDING) | Q(state=DigestState.SENDING, claimed_at__lt=stale)


def _claim_for_sending(digest_id: int) -> bool:
    """Take the digest for sending with one conditional UPDATE, atomic on every database."""
    now = timezone.now()
    return bool(Digest.objects.filter(_takeable(now), pk=digest_id).update(state=DigestState.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def _deliver(digest: Digest, connection) -> str:
    """Send a claimed digest and record the outcome; a temporary failure leaves it pending and raises."""
    message = digest_message(digest)
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        refused = "Địa chỉ bị máy chủ thư từ chối: " + ", ".join(error.recipients)
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.FAILED, last_error=refused)
        return DigestState.FAILED
    except (smtplib.SMTPException, OSError) as error:
        failure = f"{type(error).__name__}: {error}"
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.PENDING, last_error=failure)
        raise MailTemporaryError(failure) from error
    Digest.objects.filter(pk=digest.pk).update(state=DigestState.SENT, sent_at=timezone.now(), last_error="")
    return DigestState.SENT


def digest_send(*, digest_id: int) -> str:
    """Send one digest if nobody has sent or is sending it; a second worker finds it taken and does nothing."""
    if not _claim_for_sending(digest_id):
        return Digest.objects.values_list("state", flat=True).get(pk=digest_id)
    return _deliver(Digest.objects.select_related("agency").get(pk=digest_id), get_connection())


SEND_CHUNK = 50  # digests claimed together: sent well within the stale time, so nobody retakes them meanwhile


def digests_send(*, digest_ids: list[int]) -> dict[str, int]:
    """Send the day's digests over one mail connection, a chunk at a time.

    Each chunk is claimed with one conditional UPDATE (a digest another worker holds is skipped) and each digest is
    marked sent right after its message goes, so a worker that dies resends at most the message it was sending.
    A digest the mail server cannot take now goes to its own task (send_digest_task), which retries with backoff;
    that first try does not count as one of its attempts.
    """
    from ..tasks import send_digest_task

    outcome: dict[str, int] = {}
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        for digest_id in digest_ids:  # the server is down: every digest retries on its own
            send_digest_task.delay(digest_id)
        return {"retrying": len(digest_ids)}
    later = []
    try:
        for start in range(0, len(digest_ids), SEND_CHUNK):
            chunk, now = digest_ids[start : start + SEND_CHUNK], timezone.now()
            Digest.objects.filter(_takeable(now), pk__in=chunk).update(state=DigestState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
            for digest in Digest.objects.filter(pk__in=chunk, state=DigestState.SENDING, claimed_at=now).select_related("agency"):
                try:
                    state = _deliver(digest, connection)
                except MailTemporaryError:
                    Digest.objects.filter(pk=digest.pk).update(attempts=F("attempts") - 1)
                    later.append(digest.pk)
                    state = "retrying"
                outcome[state] = outcome.get(state, 0) + 1
    finally:
        connection.close()
    for digest_id in later:
        send_digest_task.delay(digest_id)
    return outcome


def digest_mark_failed(*, digest_id: int, error: str) -> None:
    Digest.objects.filter(pk=digest_id, state=DigestState.PENDING).update(state=DigestState.FAILED, last_error=f"Đã thử nhiều lần không gửi được: {error}")


def reminders_due_now(*, now=None) -> date | None:
    """The date to run for if the daily time has passed and today's run has not finished; else None."""
    now = timezone.localtime(now)
    config = ReminderSettings.current()
    if now.time() < config.run_at:
        return None
    if ReminderRun.objects.filter(as_of=now.date(), finished_at__isnull=False).exists():
        return None
    return now.date()

