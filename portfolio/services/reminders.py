"""Writes of the reminder job: claim what is due (once, under unique constraints), then send it."""

from __future__ import annotations

import logging
import smtplib
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from celery import current_app
from kombu.exceptions import OperationalError

from ..bulkinsert import insert_rows
from ..choices import DigestState, ReminderReason, WorkStatus, labels
from ..models import Digest, Reminder, ReminderRun, ReminderSettings, TargetReminder, Task
from ..reminder_selection import BodyPlan, Config, Plan, reminder_plan
from ..selectors import digests_stuck

# The sends are queued by the tasks' registered names (portfolio/tasks.py imports this module, not the reverse).
SEND_DIGEST, SEND_DIGESTS = "portfolio.tasks.send_digest_task", "portfolio.tasks.send_digests_task"


def _task(name: str):
    """A Celery task by its registered name, the way Celery calls a task without importing its module; a name that is
    not registered raises KeyError rather than falling back to a broker send that the eager mode would not run."""
    return current_app.tasks[name]


logger = logging.getLogger(__name__)


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


def _figure_rows(body: BodyPlan) -> list[dict]:
    """The target figures whose values the body owes, as the e-mail lists them."""
    return [
        {"figure": item.figure.pk, "target": item.figure.target.number, "measure": item.figure.measure, "unit": item.figure.unit,
         "period": item.period_label, "due": item.due_date.isoformat()}
        for item in sorted(body.figures, key=lambda i: (i.due_date, i.figure.target.number, i.figure.position))
    ]


def _new_digest(body: BodyPlan, as_of: date) -> Digest:
    emails = body.agency.email_list
    payload = {"message": _message_rows(body)} if emails else {"items": [_item_payload(i) for i in body.items]}
    if body.figures:
        payload["targets"] = _figure_rows(body)
    return Digest(
        agency=body.agency, sent_on=as_of, recipients="\n".join(emails),
        state=DigestState.PENDING if emails else DigestState.NO_ADDRESS, payload=payload,
    )


def _reminders_of(digest: Digest, body: BodyPlan) -> list[Reminder]:
    return [
        Reminder(digest=digest, agency=body.agency, task=item.task, reason=item.reason, step=step, due_date=item.due_date)
        for item in body.items
        for step in item.steps
    ]


def _target_reminders_of(digest: Digest, body: BodyPlan) -> list[TargetReminder]:
    return [
        TargetReminder(digest=digest, agency=body.agency, figure=item.figure, step=item.step, due_date=item.due_date)
        for item in body.figures
    ]


def digests_claim(*, plan: Plan, as_of: date, office: str) -> list[Digest]:
    """Record every body's digest for the day, the Office's summary and every reminder in them, in bulk and in one
    transaction; returns the bodies' digests.

    If another run (or worker) claimed some of these bodies or steps meanwhile, the unique constraints refuse
    the whole batch and the bodies are claimed one by one instead (digest_claim), so each goes out once.
    """
    bodies = list(plan.bodies.values())
    try:
        with transaction.atomic():
            digests = Digest.objects.bulk_create([*(_new_digest(body, as_of) for body in bodies), _summary_digest(plan, as_of, office)])[:-1]
            sending = [(digest, body) for digest, body in zip(digests, bodies) if digest.state == DigestState.PENDING]
            # One statement each however many (a report day at province scale records some 90,000 reminders).
            insert_rows(Reminder, (r for digest, body in sending for r in _reminders_of(digest, body)))
            insert_rows(TargetReminder, (r for digest, body in sending for r in _target_reminders_of(digest, body)))
        return digests
    except IntegrityError:
        claimed = [d for d in (digest_claim(body=body, as_of=as_of) for body in bodies) if d]
        summary_claim(plan=plan, as_of=as_of, office=office)
        return claimed


def digest_claim(*, body: BodyPlan, as_of: date) -> Digest | None:
    """Record a body's digest for the day and every reminder in it, in one transaction; None if already done today."""
    try:
        with transaction.atomic():
            digest = _new_digest(body, as_of)
            digest.save()
            if digest.state == DigestState.PENDING:
                Reminder.objects.bulk_create(_reminders_of(digest, body))
                TargetReminder.objects.bulk_create(_target_reminders_of(digest, body))
    except IntegrityError:
        return None  # another run (or worker) already claimed this body today, or these steps were sent
    return digest


def _task_row(task: Task) -> dict:
    return {"pk": task.pk, "number": task.number, "title": task.title, "deadline_text": task.deadline_text}


def _summary_digest(plan: Plan, as_of: date, office: str) -> Digest:
    recipients = [e.strip() for e in office.replace(",", "\n").splitlines() if e.strip()]

    def row(task) -> dict:  # what the e-mail shows of a task, kept so that sending reads no task (none without an address)
        return {"row": _task_row(task)} if recipients else {}

    payload = {
        "central": [{**_item_payload(i), **row(i.task)} for i in plan.central],
        "escalations": [{**_item_payload(i), **row(i.task)} for i in plan.escalations],
        "needs_review": [{"task": t.pk, **row(t)} for t in plan.needs_review],
        "totals": plan.totals(),
    }
    return Digest(agency=None, sent_on=as_of, recipients="\n".join(recipients), state=DigestState.PENDING if recipients else DigestState.NO_ADDRESS,
                  payload=payload)


def summary_claim(*, plan: Plan, as_of: date, office: str | None = None) -> Digest | None:
    """The Office's summary of the day alone (when the day's batch met a conflict); ``office``: its addresses (read
    from ReminderSettings when not given). None if already claimed today."""
    office = ReminderSettings.current().office_emails if office is None else office
    try:
        with transaction.atomic():
            digest = _summary_digest(plan, as_of, office)
            digest.save()
            return digest
    except IntegrityError:
        return None


def reminder_run(*, as_of: date, dry_run: bool = False) -> tuple[Plan, ReminderRun | None]:
    """The daily job: select, claim each body's digest, then queue every send still owed (also earlier ones left over).

    The run is recorded as finished only once the broker has taken the sends: a run whose sends could not be queued
    (the broker is down) stays unfinished, so the next beat check runs it again (claiming nothing twice) and queues them.
    """
    config = ReminderSettings.current()
    plan = reminder_plan(as_of=as_of, config=Config.from_settings(config))
    if dry_run:
        return plan, None
    claimed = digests_claim(plan=plan, as_of=as_of, office=config.office_emails)
    totals = plan.totals()
    # Each attempt is a row of its own; one whose sends could not be queued stays unfinished until an attempt queues them.
    run = ReminderRun.objects.create(as_of=as_of, digests=len(claimed), summary=" ".join(f"{k}={v}" for k, v in totals.items()))
    lease = timezone.now() - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS)
    owed = list(
        Digest.objects.filter(Q(state=DigestState.PENDING) | Q(state=DigestState.SENDING, claimed_at__lt=lease), sent_on__lte=as_of)
        .order_by("pk").values_list("pk", "agency_id")
    )

    def hand_over():
        _queue(owed, summary_countdown=settings.PORTFOLIO_SUMMARY_DELAY_SECONDS)
        run.finished_at = timezone.now()
        # This attempt's sends and those of the day's earlier attempts that could not hand theirs over are now queued.
        ReminderRun.objects.filter(as_of=as_of, finished_at__isnull=True).update(finished_at=run.finished_at)

    transaction.on_commit(hand_over)
    return plan, run


def _queue(digests: list[tuple[int, int | None]], *, summary_countdown: int) -> int:
    """Hand (pk, agency_id) digests to the broker: the bodies' in one task over one connection, summaries on their own.

    Raises if the broker cannot take them (kombu's OperationalError once the publish retries are spent).
    """
    bodies = [pk for pk, agency_id in digests if agency_id]
    if bodies:  # one task sends them all over one connection (digests_send); each is still claimed and sent once
        _task(SEND_DIGESTS).delay(bodies)
    for pk, agency_id in digests:
        if not agency_id:
            # The summary goes last, so it can say what became of the bodies' digests.
            _task(SEND_DIGEST).apply_async((pk,), countdown=summary_countdown)
    return len(digests)


def digests_requeue(*, now=None) -> int:
    """The beat check's repair: queue again every digest stuck pending, or sending past its lease (digests_stuck).

    A digest taken back from a dead worker may have left in the moment it died: that one message can go twice,
    none is lost. Each is still claimed by a conditional UPDATE, so a copy already queued does nothing.
    """
    stuck = list(digests_stuck(now=now).order_by("pk").values_list("pk", "agency_id"))
    return _queue(stuck, summary_countdown=0) if stuck else 0


def digests_resend(*, digest_ids: list[int]) -> int:
    """The Office's "send again" for failed digests: each goes back to pending once (a second request finds it no
    longer failed) and is queued when the transaction commits. Returns how many were queued."""
    def queue(pk):
        try:
            _task(SEND_DIGEST).delay(pk)
        except OperationalError as error:  # the broker is down: the digest stays pending, the beat check queues it
            logger.error("Không xếp được thư %s vào hàng gửi lại: %s", pk, error)

    queued = 0
    with transaction.atomic():
        for pk in digest_ids:
            if Digest.objects.filter(pk=pk, state=DigestState.FAILED).update(state=DigestState.PENDING, last_error="", claimed_at=None):
                transaction.on_commit(lambda pk=pk: queue(pk))
                queued += 1
    return queued


def _task_rows(tasks: dict, entries) -> list[dict]:
    """The summary's rows: each task as kept in the digest (or, in older digests, as read now)."""
    rows = []
    for entry in entries:
        task = entry.get("row") or tasks.get(entry["task"])
        if task:
            row = {"task": task, **{k: v for k, v in entry.items() if k not in ("task", "row")}}
            if row.get("due"):
                row["due"] = date.fromisoformat(row["due"])
            if row.get("days") is not None and row["days"] < 0:
                row["overdue_days"] = -row["days"]
            rows.append(row)
    return rows


def _digest_rows(digest: Digest) -> list[dict]:
    """The e-mail's rows: from the digest itself (kept when claimed), else from its reminders (older digests)."""
    if "message" in digest.payload:
        statuses, reasons = labels(WorkStatus), labels(ReminderReason)
        return [
            {"task": {**row["task"], "get_status_display": statuses.get(row["task"]["status"], row["task"]["status"])},
             "reason": reasons.get(row["reason"], row["reason"]), "due": date.fromisoformat(row["due"]) if row["due"] else None}
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
        figures = [{**row, "due": date.fromisoformat(row["due"])} for row in digest.payload.get("targets", [])]
        context = {"digest": digest, "agency": digest.agency, "items": items, "figures": figures, "base_url": base_url}
        template = "portfolio/email/digest"
        subject = f"[Nhắc việc] {digest.agency.name}: {len(items) + len(figures)} nội dung cần thực hiện ({digest.sent_on:%d/%m/%Y})"
    else:
        day = digest.sent_on
        both = Digest.objects.filter(  # the day's digests and this month's earlier failures, in one query
            Q(sent_on=day, agency__isnull=False) | Q(state=DigestState.FAILED, sent_on__lt=day, sent_on__gte=day.replace(day=1))
        ).select_related("agency").order_by("agency__name", "sent_on")
        digests, failed_earlier = [], []
        for other in both:
            (digests if other.sent_on == day else failed_earlier).append(other)
        central, escalations = digest.payload.get("central", []), digest.payload.get("escalations", [])
        needs_review = [entry if isinstance(entry, dict) else {"task": entry} for entry in digest.payload.get("needs_review", [])]
        ids = {entry["task"] for entry in (*central, *escalations, *needs_review) if "row" not in entry}
        tasks = Task.objects.in_bulk(ids) if ids else {}  # older digests: one query for the three lists
        context = {
            "digest": digest, "digests": digests, "failed_earlier": failed_earlier, "base_url": base_url,
            "totals": digest.payload.get("totals", {}),
            "central": _task_rows(tasks, central), "escalations": _task_rows(tasks, escalations), "needs_review": _task_rows(tasks, needs_review),
        }
        template = "portfolio/email/summary"
        subject = f"[Nhắc việc] Tổng hợp ngày {digest.sent_on:%d/%m/%Y}"
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, digest.recipients.split())
    message.attach_alternative(html, "text/html")
    return message


def _deliver(digest: Digest, mail_connection, mark_sent: bool = True) -> str:
    """Send a claimed digest and record the outcome; a temporary failure leaves it pending and raises.

    ``mark_sent`` False: the caller marks it sent (digests_send does it together with the next claim).
    """
    message = digest_message(digest)
    try:
        mail_connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        if any(not 400 <= code < 500 for code, _text in error.recipients.values()):
            refused = "Địa chỉ bị máy chủ thư từ chối: " + ", ".join(error.recipients)
            Digest.objects.filter(pk=digest.pk).update(state=DigestState.FAILED, last_error=refused)
            return DigestState.FAILED
        # 4xx ("try again later": greylisting, a full queue): temporary, retried like a dropped connection.
        failure = "SMTPRecipientsRefused: " + ", ".join(f"{a} {code}" for a, (code, _text) in error.recipients.items())
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.PENDING, last_error=failure)
        raise MailTemporaryError(failure) from error
    except (smtplib.SMTPException, OSError) as error:
        failure = f"{type(error).__name__}: {error}"
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.PENDING, last_error=failure)
        raise MailTemporaryError(failure) from error
    if mark_sent:
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.SENT, sent_at=timezone.now(), last_error="")
    return DigestState.SENT


def digest_send(*, digest_id: int) -> str:
    """Send one digest if nobody has sent or is sending it; a second worker finds it taken and does nothing."""
    if not _hand_over(sent=None, take=digest_id):
        return Digest.objects.values_list("state", flat=True).get(pk=digest_id)
    return _deliver(Digest.objects.select_related("agency").get(pk=digest_id), get_connection())


HAND_OVER_SQL = """
UPDATE {table} SET
    state = CASE WHEN id = %(sent)s THEN %(sent_state)s ELSE %(sending)s END,
    sent_at = CASE WHEN id = %(sent)s THEN %(now)s ELSE sent_at END,
    last_error = CASE WHEN id = %(sent)s THEN '' ELSE last_error END,
    claimed_at = CASE WHEN id = %(take)s THEN %(now)s ELSE claimed_at END,
    attempts = CASE WHEN id = %(take)s THEN attempts + 1 ELSE attempts END
WHERE id IN (%(sent)s, %(take)s)
  AND (id = %(sent)s OR state = %(pending)s OR (state = %(sending)s AND claimed_at < %(stale)s))
"""


def _hand_over(*, sent: int | None, take: int | None) -> bool:
    """Mark ``sent`` as sent and claim ``take`` for sending, in one UPDATE (atomic on every database).

    True if ``take`` was claimed: it was pending, or left "sending" by a worker that died and older than
    PORTFOLIO_SEND_STALE_SECONDS (kept below the broker's visibility timeout), so nobody else has it. Written in
    SQL: the same statement through the ORM's CASE expressions cost a millisecond of Python per message.
    """
    if sent is None and take is None:
        return False
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "sent": sent, "take": take, "now": adapt(now), "stale": adapt(now - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS)),
        "sent_state": DigestState.SENT.value, "sending": DigestState.SENDING.value, "pending": DigestState.PENDING.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_OVER_SQL.format(table=connection.ops.quote_name(Digest._meta.db_table)), params)
        rows = cursor.rowcount
    return take is not None and rows == 1 + (sent is not None)


def digests_send(*, digest_ids: list[int]) -> dict[str, int]:
    """Send the day's digests over one mail connection, holding one digest at a time.

    The digests are read in one query; each is claimed just before its message goes and marked sent right after,
    the mark and the next claim in one UPDATE, so a worker that dies resends at most the message it was sending
    and holds no other digest meanwhile (one another worker holds is skipped). A digest the mail server cannot
    take now goes to its own task (send_digest_task), which retries with backoff; that first try does not count
    as one of its attempts.
    """
    outcome: dict[str, int] = {}
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        for digest_id in digest_ids:  # the server is down: every digest retries on its own
            _task(SEND_DIGEST).delay(digest_id)
        return {"retrying": len(digest_ids)}
    digests = Digest.objects.select_related("agency").in_bulk(digest_ids)
    later, held = [], None  # held: sent, not yet marked
    try:
        for digest_id in digest_ids:
            if digest_id not in digests:
                continue
            taken, held = _hand_over(sent=held, take=digest_id), None
            if not taken:
                continue
            digest = digests[digest_id]
            try:
                state = _deliver(digest, connection, mark_sent=False)
            except MailTemporaryError:
                Digest.objects.filter(pk=digest.pk).update(attempts=F("attempts") - 1)
                later.append(digest.pk)
                state = "retrying"
            if state == DigestState.SENT:
                held = digest.pk
            outcome[state] = outcome.get(state, 0) + 1
    finally:
        if held is not None:
            _hand_over(sent=held, take=None)
        connection.close()
    for digest_id in later:
        _task(SEND_DIGEST).delay(digest_id)
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

