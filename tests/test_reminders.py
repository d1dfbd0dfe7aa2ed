"""The reminder job's selection rules with an injected date, and its sending (eager mode: no broker)."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from portfolio.choices import AgencyKind, Comparison, DigestState, ReminderReason, ReviewState, Role, TargetGroup, WorkStatus
from portfolio.models import Agency, Assignment, Digest, ProgressReport, Programme, Reminder, ReminderSettings, Section, Target, TargetFigure, TargetReminder, Task
from portfolio.reminder_selection import Config, reminder_plan
from portfolio.reminder_settings import parse_day_months, parse_thresholds
from portfolio.services import task_apply_schedule
from portfolio.services.reminders import reminder_run

DUE = date(2026, 12, 31)


@pytest.fixture
def world(db):
    """A small programme of its own, with bodies that have addresses."""
    Programme.objects.all().delete()
    programme = Programme.objects.create(code="TEST", title="Chương trình thử")
    section = Section.objects.create(programme=programme, numeral="I", title="Mục I")
    bodies = {
        "lead": Agency.objects.create(name="Ban Thường vụ (thử)", kind=AgencyKind.PARTY, emails="btv@example.vn"),
        "advising": Agency.objects.create(name="Ban Tổ chức (thử)", kind=AgencyKind.PARTY, emails="btc@example.vn"),
        "coordinating": Agency.objects.create(name="Sở Xây dựng (thử)", kind=AgencyKind.GOVERNMENT, emails="sxd@example.vn, vp.sxd@example.vn"),
        "central": Agency.objects.create(name="Bộ Xây dựng (thử)", kind=AgencyKind.CENTRAL),
        "silent": Agency.objects.create(name="Sở không có thư (thử)", kind=AgencyKind.GOVERNMENT),
        "unit": Agency.objects.create(name="Sở Nội vụ (thử)", kind=AgencyKind.GOVERNMENT, emails="snv@example.vn"),
    }
    settings_row = ReminderSettings.current()
    settings_row.office_emails = "vanphong@example.vn"
    settings_row.save()
    numbers = iter(range(1, 1000))

    def make(deadline="Năm 2026", roles=(("lead", Role.LEAD),), **fields):
        task = Task.objects.create(programme=programme, section=section, number=next(numbers), title=f"Nhiệm vụ thử {deadline}", lead_text="x", deadline_text=deadline)
        task_apply_schedule(task=task)
        for name, value in fields.items():
            setattr(task, name, value)
        task.save()
        for position, (key, role) in enumerate(roles):
            Assignment.objects.create(task=task, agency=bodies[key], role=role, position=position)
        return task

    return bodies, make


def items(plan, agency, reason=None):
    body = plan.bodies.get(agency.pk)
    found = [(i.task.pk, i.reason, i.steps) for i in body.items] if body else []
    return [i for i in found if reason is None or i[1] == reason]


@pytest.mark.parametrize(
    "days_before, expected",
    [
        (91, None), (90, ("2026-12-31/90",)), (89, ("2026-12-31/90",)),
        (31, ("2026-12-31/90",)), (30, ("2026-12-31/90", "2026-12-31/30")), (29, ("2026-12-31/90", "2026-12-31/30")),
        (8, ("2026-12-31/90", "2026-12-31/30")), (7, ("2026-12-31/90", "2026-12-31/30", "2026-12-31/7")), (0, ("2026-12-31/90", "2026-12-31/30", "2026-12-31/7")),
    ],
)
def test_due_soon_thresholds_on_a_fresh_database(world, days_before, expected):
    bodies, make = world
    task = make()
    plan = reminder_plan(as_of=DUE - timedelta(days=days_before), config=Config())
    assert items(plan, bodies["lead"], ReminderReason.DUE_SOON) == ([(task.pk, ReminderReason.DUE_SOON, expected)] if expected else [])


@pytest.mark.parametrize("days_before, expected", [(89, None), (31, None), (30, ("2026-12-31/30",)), (8, ("2026-12-31/30",)), (7, ("2026-12-31/30", "2026-12-31/7"))])
def test_due_soon_each_threshold_once_after_the_90_day_reminder(world, days_before, expected):
    bodies, make = world
    task = make()
    reminder_run(as_of=DUE - timedelta(days=90))
    plan = reminder_plan(as_of=DUE - timedelta(days=days_before), config=Config())
    assert items(plan, bodies["lead"], ReminderReason.DUE_SOON) == ([(task.pk, ReminderReason.DUE_SOON, expected)] if expected else [])


@pytest.mark.parametrize(
    "days_after, cycle",
    [(0, None), (1, 0), (2, None), (7, None), (8, 1), (9, None), (15, 2)],
)
def test_overdue_on_the_first_day_then_every_7_days(world, days_after, cycle):
    bodies, make = world
    task = make()
    day = DUE + timedelta(days=1)
    while day < DUE + timedelta(days=days_after):
        reminder_run(as_of=day)  # the job ran every day before
        day += timedelta(days=1)
    plan = reminder_plan(as_of=DUE + timedelta(days=days_after), config=Config())
    found = [i for i in items(plan, bodies["lead"]) if i[1] == ReminderReason.OVERDUE]
    assert found == ([(task.pk, ReminderReason.OVERDUE, (f"2026-12-31/quá hạn/{cycle}",))] if cycle is not None else [])


def test_overdue_after_downtime_is_caught_up_once(world, django_capture_on_commit_callbacks):
    """The job did not run for the first 10 overdue days: the first run after sends the current overdue step once
    (not the missed ones as well), and the runs of the following days send nothing more until the next step."""
    bodies, make = world
    task = make()
    overdue = lambda: list(Reminder.objects.filter(agency=bodies["lead"], reason=ReminderReason.OVERDUE).values_list("task", "step"))  # noqa: E731
    to_lead = lambda: [m for m in mail.outbox if m.to == ["btv@example.vn"]]  # noqa: E731
    for day in (DUE + timedelta(days=10), DUE + timedelta(days=10), DUE + timedelta(days=11), DUE + timedelta(days=14)):
        with django_capture_on_commit_callbacks(execute=True):
            reminder_run(as_of=day)
        assert overdue() == [(task.pk, "2026-12-31/quá hạn/1")] and len(to_lead()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=DUE + timedelta(days=15))  # the next step, 7 days on
    assert sorted(step for _t, step in overdue()) == ["2026-12-31/quá hạn/1", "2026-12-31/quá hạn/2"] and len(to_lead()) == 2


def test_the_next_open_milestone_drives_reminders(world):
    """"Năm 2027 và 2030": the 2027 milestone drives the reminders (due soon before it, overdue after it while it is
    open), the 2030 one not yet."""
    bodies, make = world
    task = make("Năm 2027 và 2030")
    deadlines = lambda plan: [i for i in items(plan, bodies["lead"]) if i[1] != ReminderReason.MISSING_REPORT]  # noqa: E731
    assert deadlines(reminder_plan(as_of=date(2027, 12, 1), config=Config())) == [(task.pk, ReminderReason.DUE_SOON, ("2027-12-31/90", "2027-12-31/30"))]
    assert deadlines(reminder_plan(as_of=date(2028, 1, 1), config=Config())) == [(task.pk, ReminderReason.OVERDUE, ("2027-12-31/quá hạn/0",))]


def test_phase_two_task_is_chased_for_phase_one_first(world):
    bodies, make = world
    task = make("2026 - 2030, giai đoạn 2 đến năm 2045")
    plan = reminder_plan(as_of=date(2030, 12, 1), config=Config())
    assert items(plan, bodies["lead"], ReminderReason.DUE_SOON) == [(task.pk, ReminderReason.DUE_SOON, ("2030-12-31/90", "2030-12-31/30"))]


def test_ongoing_task_owes_yearly_reports_not_due_soon(world):
    bodies, make = world
    task = make("Thực hiện thường xuyên giai đoạn 2025 - 2030")
    assert items(reminder_plan(as_of=date(2030, 11, 1), config=Config()), bodies["lead"]) == []
    assert items(reminder_plan(as_of=date(2026, 11, 30), config=Config()), bodies["lead"]) == []
    assert items(reminder_plan(as_of=date(2026, 12, 1), config=Config()), bodies["lead"]) == [(task.pk, ReminderReason.MISSING_REPORT, ("2026-12-15/trước hạn",))]
    assert items(reminder_plan(as_of=date(2026, 12, 16), config=Config()), bodies["lead"]) == [(task.pk, ReminderReason.MISSING_REPORT, ("2026-12-15/sau hạn",))]


def test_missing_report_not_sent_when_the_body_reported(world, django_user_model):
    bodies, make = world
    task = make("Thực hiện thường xuyên giai đoạn 2025 - 2030")
    user = django_user_model.objects.create_user("bc")
    ProgressReport.objects.create(task=task, agency=bodies["lead"], period="Năm 2026", status=WorkStatus.IN_PROGRESS, percent=50, submitted_by=user)
    from django.utils import timezone

    today = timezone.localdate()
    plan = reminder_plan(as_of=date(today.year, 12, 16) if today <= date(today.year, 12, 15) else today, config=Config())
    assert [i for i in items(plan, bodies["lead"]) if i[1] == ReminderReason.MISSING_REPORT] == []


def test_a_report_counts_for_the_period_it_was_made_in_and_a_report_day_reads_a_fixed_number_of_queries(world, django_user_model):
    """On a report day every open task is checked against the reports made in the period, in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    bodies, make = world
    user = django_user_model.objects.create_user("bc")
    day, ongoing = date(2026, 12, 10), "Thực hiện thường xuyên giai đoạn 2025 - 2030"  # the period runs 16/12/2025 - 15/12/2026

    def reported(body, made, review=ReviewState.SUBMITTED):
        task = make(ongoing)
        report = ProgressReport.objects.create(task=task, agency=bodies[body], period="Năm 2026", status=WorkStatus.IN_PROGRESS, percent=50,
                                               submitted_by=user, review_state=review)
        ProgressReport.objects.filter(pk=report.pk).update(created_at=made.replace(tzinfo=timezone.get_current_timezone()))
        return task

    def chased():
        with CaptureQueriesContext(connection) as captured:
            plan = reminder_plan(as_of=day, config=Config())
        return sorted(i[0] for i in items(plan, bodies["lead"], ReminderReason.MISSING_REPORT)), len(captured)

    reported("lead", datetime(2025, 12, 16, 0, 30))  # the period's first morning: counts
    reported("lead", datetime(2026, 12, 10, 23, 50))  # the day itself: counts
    owing = [
        reported("lead", datetime(2025, 12, 15, 23, 50)),  # the previous period's
        reported("lead", datetime(2026, 12, 11, 8, 0)),  # after the day the job runs for
        reported("lead", datetime(2026, 6, 1, 9, 0), ReviewState.RETURNED),
        reported("coordinating", datetime(2026, 6, 1, 9, 0)),  # another body's report
    ]
    first, queries = chased()
    assert first == sorted(t.pk for t in owing)
    for _ in range(4):
        make(ongoing, roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD)))
    make(ongoing, roles=(("central", Role.LEAD), ("coordinating", Role.COORDINATING)))
    make(ongoing, delegate=bodies["unit"])
    again, more_queries = chased()
    assert again == first and more_queries == queries


def test_quarterly_reporting_periods_when_the_office_adds_them(world):
    bodies, make = world
    task = make("Thực hiện thường xuyên giai đoạn 2025 - 2030")
    config = Config(report_due=parse_day_months("15/03, 15/06, 15/09, 15/12"))
    assert items(reminder_plan(as_of=date(2027, 6, 2), config=config), bodies["lead"]) == [(task.pk, ReminderReason.MISSING_REPORT, ("2027-06-15/trước hạn",))]


def test_the_body_that_does_the_work_is_chased(world):
    bodies, make = world
    advised = make(roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD), ("coordinating", Role.COORDINATING)))
    delegated = make(roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD)), delegate=bodies["unit"])
    plan = reminder_plan(as_of=date(2026, 12, 1), config=Config())
    assert {i[0] for i in items(plan, bodies["advising"])} == {advised.pk}
    assert {i[0] for i in items(plan, bodies["unit"])} == {delegated.pk}
    assert items(plan, bodies["lead"]) == [] and items(plan, bodies["coordinating"]) == []


def test_central_agency_tasks_go_to_the_office_and_the_coordinator(world):
    bodies, make = world
    task = make(roles=(("central", Role.LEAD), ("coordinating", Role.COORDINATING)))
    plan = reminder_plan(as_of=date(2026, 12, 1), config=Config())
    assert bodies["central"].pk not in plan.bodies
    assert [i.task.pk for i in plan.central] == [task.pk]
    follow = plan.bodies[bodies["coordinating"].pk].items[0]
    assert len(plan.bodies[bodies["coordinating"].pk].items) == 1  # no report is chased for the central agency's work
    assert follow.reason == ReminderReason.FOLLOW_CENTRAL and "Theo dõi, phối hợp" in follow.note


def test_completed_and_needs_review_tasks_are_never_chased(world):
    bodies, make = world
    make(status=WorkStatus.DONE, progress=100, completed_on=date(2026, 6, 1))
    unclear = make("Khi có chủ trương")
    plan = reminder_plan(as_of=date(2027, 3, 1), config=Config())
    assert plan.bodies == {}
    assert plan.needs_review == [unclear]


def test_a_run_sends_one_digest_per_body_and_a_second_run_sends_nothing(world, django_capture_on_commit_callbacks):
    bodies, make = world
    make(roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD)))
    make("Năm 2025", roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD)))
    make(roles=(("silent", Role.LEAD),))
    as_of = date(2026, 12, 1)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=as_of)
    to_advising = [m for m in mail.outbox if m.to == ["btc@example.vn"]]
    assert len(to_advising) == 1
    message = to_advising[0]
    assert "[Nhắc việc] Ban Tổ chức (thử)" in message.subject
    assert "quá hạn 335 ngày" in message.body and "còn 30 ngày" in message.body
    assert "Năm 2025" in message.body and "31/12/2025" in message.body and "Chưa triển khai" in message.body
    assert "http://127.0.0.1:8000/tasks/" in message.body
    assert message.alternatives[0][1] == "text/html" and "<table" in message.alternatives[0][0]
    summary = [m for m in mail.outbox if m.to == ["vanphong@example.vn"]]
    assert len(summary) == 1 and "Sở không có thư (thử): Không có địa chỉ" in summary[0].body
    assert Digest.objects.get(agency=bodies["silent"]).state == DigestState.NO_ADDRESS
    sent = len(mail.outbox)
    reminders = Reminder.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=as_of)
    assert len(mail.outbox) == sent and Reminder.objects.count() == reminders


def test_a_body_claimed_by_another_run_is_skipped_and_the_others_still_go_out(world, django_capture_on_commit_callbacks):
    """The bulk claim is refused as a whole when another run got there first; the rest are then claimed one by one."""
    bodies, make = world
    make(roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD)))
    make(roles=(("coordinating", Role.LEAD),))
    as_of = date(2026, 12, 1)
    Digest.objects.create(agency=bodies["advising"], sent_on=as_of, recipients="btc@example.vn", state=DigestState.SENT)  # the other run
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=as_of)
    assert [m.to for m in mail.outbox if m.to != ["vanphong@example.vn"]] == [["sxd@example.vn", "vp.sxd@example.vn"]]
    assert Digest.objects.filter(agency=bodies["advising"], sent_on=as_of).count() == 1
    assert not Reminder.objects.filter(agency=bodies["advising"]).exists()


def test_a_digest_the_server_drops_in_the_batch_is_retried_on_its_own(world, settings, django_capture_on_commit_callbacks):
    from tests.mailbackends import FlakyOnceBackend

    bodies, make = world
    make(roles=(("lead", Role.LEAD), ("advising", Role.ADVISING_LEAD)))
    make(roles=(("coordinating", Role.LEAD),))
    settings.EMAIL_BACKEND = "tests.mailbackends.FlakyOnceBackend"
    FlakyOnceBackend.failed = False
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=date(2026, 12, 1))
    assert FlakyOnceBackend.failed
    to = sorted(tuple(m.to) for m in mail.outbox if m.to != ["vanphong@example.vn"])
    assert to == [("btc@example.vn",), ("sxd@example.vn", "vp.sxd@example.vn")]  # each once, the dropped one included
    dropped = Digest.objects.get(agency=bodies["advising"])
    assert dropped.state == DigestState.SENT and dropped.attempts == 1  # the batch's try is not one of its attempts


def test_the_run_claims_in_bulk(world, django_capture_on_commit_callbacks):
    """Selection, claims and sends: a fixed number of queries plus one per body e-mailed (marked sent as it goes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bodies, make = world

    def queries(day):
        mail.outbox = []
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
            reminder_run(as_of=day)
        return len(captured), len(mail.outbox) - 1  # less the Office's summary

    make(roles=(("lead", Role.LEAD),))
    one, sent_one = queries(date(2026, 12, 1))
    make(roles=(("coordinating", Role.LEAD),))
    make(roles=(("unit", Role.LEAD),))
    three, sent_three = queries(date(2026, 12, 2))
    assert (sent_one, sent_three) == (1, 2)  # the first task's body was already reminded at this step
    assert three - one == sent_three - sent_one, (one, three)
    # Issue 23: at most 20 queries besides one per e-mail sent (each body's and the Office's summary).
    assert three <= 20 + sent_three + 1, three
    # A report day (every open task checked for its report, the target figures for their values): the same bound.
    target = Target.objects.create(programme=Programme.objects.get(code="TEST"), number=1, group=TargetGroup.choices[0][0], text="Chỉ tiêu thử")
    figure = TargetFigure.objects.create(target=target, position=1, measure="Tỷ lệ thử", unit="%", comparison=Comparison.choices[0][0], yearly=True,
                                         phrase="Tỷ lệ thử", agency=bodies["unit"])
    report_day, sent_report_day = queries(date(2026, 12, 10))
    assert TargetReminder.objects.filter(figure=figure, agency=bodies["unit"]).exists()  # the figure was chased in the same run
    assert report_day <= 20 + sent_report_day + 1, report_day


def test_a_refused_or_unreachable_mail_server_is_recorded_as_failed(world, settings, django_capture_on_commit_callbacks):
    bodies, make = world
    make(roles=(("lead", Role.LEAD),))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=date(2026, 12, 1))
    digest = Digest.objects.get(agency=bodies["lead"])
    assert digest.state == DigestState.FAILED
    assert digest.attempts == settings.PORTFOLIO_MAIL_MAX_RETRIES + 1
    assert "Đã thử nhiều lần" in digest.last_error


def test_settings_validation_names_the_field(db):
    with pytest.raises(ValueError, match="số ngày nguyên"):
        parse_thresholds("90, ba mươi")
    with pytest.raises(ValueError, match="31/02"):
        parse_day_months("31/02")
    row = ReminderSettings(due_soon_thresholds="0", report_due_dates="15-12")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert set(error.value.message_dict) == {"due_soon_thresholds", "report_due_dates"}


def test_send_reminders_dry_run_on_the_programme_matches_the_list(programme, client, django_user_model):
    out = io.StringIO()
    call_command("send_reminders", "--as-of", "2026-11-22", "--dry-run", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last == "TOTAL overdue=12 due_soon=8 missing_reports=0 bodies=7"
    assert Digest.objects.count() == 0 and Reminder.objects.count() == 0
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True))
    for state, count in (("overdue", 12), ("due_soon", 8)):
        response = client.get(f"/tasks/?as_of=2026-11-22&schedule_state={state}")
        assert response.context["table"].paginator.count == count


def test_the_batch_skips_a_digest_another_worker_holds_and_takes_one_a_dead_worker_left(world, settings):
    """Each digest is claimed just before its message and marked sent with the next claim: one being sent by a live
    worker is left to it, one left "sending" longer than PORTFOLIO_SEND_STALE_SECONDS is taken again, once."""
    from django.utils import timezone

    from portfolio.services.reminders import digests_send

    bodies, _make = world
    now = timezone.now()
    live = Digest.objects.create(agency=bodies["lead"], sent_on=DUE, recipients="btv@example.vn", state=DigestState.SENDING, claimed_at=now, attempts=1)
    dead = Digest.objects.create(agency=bodies["advising"], sent_on=DUE, recipients="btc@example.vn", state=DigestState.SENDING,
                                 claimed_at=now - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS + 5), attempts=1)
    fresh = Digest.objects.create(agency=bodies["unit"], sent_on=DUE, recipients="snv@example.vn")
    done = Digest.objects.create(agency=bodies["coordinating"], sent_on=DUE, recipients="sxd@example.vn", state=DigestState.SENT, attempts=1)
    outcome = digests_send(digest_ids=[live.pk, dead.pk, fresh.pk, done.pk])
    assert outcome == {DigestState.SENT: 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["btc@example.vn", "snv@example.vn"]
    states = {d.pk: (d.state, d.attempts, d.sent_at is not None) for d in Digest.objects.all()}
    assert states == {
        live.pk: (DigestState.SENDING, 1, False), dead.pk: (DigestState.SENT, 2, True),
        fresh.pk: (DigestState.SENT, 1, True), done.pk: (DigestState.SENT, 1, False),
    }
    assert digests_send(digest_ids=[dead.pk, fresh.pk]) == {} and len(mail.outbox) == 2  # nothing goes twice

    # The digest the live worker held is sent later: by that worker, or, if it dies too, by the beat check once its
    # lease has run out.
    from portfolio.services.reminders import digests_requeue

    assert digests_requeue() == 0 and len(mail.outbox) == 2  # its lease still runs
    Digest.objects.filter(pk=live.pk).update(claimed_at=now - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS + 1))
    assert digests_requeue() == 1
    assert [m.to[0] for m in mail.outbox[2:]] == ["btv@example.vn"]
    assert set(Digest.objects.values_list("state", flat=True)) == {DigestState.SENT} and digests_requeue() == 0


def test_reminder_plan_leaves_out_a_withdrawn_task(world):
    """Finding 3: a task withdrawn from the programme (kept for its reports) is chased no more."""
    bodies, make = world
    kept, withdrawn = make(), make()
    withdrawn.withdrawn_on, withdrawn.withdrawn_in = date(2026, 11, 1), "ban-sua-doi.txt"
    withdrawn.save()
    plan = reminder_plan(as_of=DUE + timedelta(days=1), config=Config())
    assert {task_id for task_id, _reason, _steps in items(plan, bodies["lead"])} == {kept.pk}


def test_beat_check_takes_back_a_digest_stuck_sending_past_its_lease_and_a_lost_pending_one(world, settings, django_capture_on_commit_callbacks):
    """A worker that died holding a digest leaves it "sending"; a broker that lost its message leaves it pending. The
    next beat check (the daily run already done) queues both again, each sent once; live ones are left alone."""
    from django.utils import timezone

    from portfolio.models import ReminderRun
    from portfolio.tasks import run_reminders_task

    bodies, _make = world
    now = timezone.now()
    ReminderRun.objects.create(as_of=timezone.localdate(), finished_at=now)
    lease = timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS)
    old = now - timedelta(seconds=settings.PORTFOLIO_PENDING_REQUEUE_SECONDS + 5)
    dead = Digest.objects.create(agency=bodies["lead"], sent_on=DUE, recipients="btv@example.vn", state=DigestState.SENDING, claimed_at=now - lease - timedelta(seconds=5), attempts=1)
    live = Digest.objects.create(agency=bodies["advising"], sent_on=DUE, recipients="btc@example.vn", state=DigestState.SENDING, claimed_at=now, attempts=1)
    lost = Digest.objects.create(agency=bodies["unit"], sent_on=DUE, recipients="snv@example.vn")
    queued = Digest.objects.create(agency=bodies["coordinating"], sent_on=DUE, recipients="sxd@example.vn")
    Digest.objects.filter(pk__in=[lost.pk, dead.pk, live.pk]).update(created_at=old)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run_reminders_task()
    assert sorted(m.to[0] for m in mail.outbox) == ["btv@example.vn", "snv@example.vn"]
    states = dict(Digest.objects.values_list("pk", "state"))
    assert states == {dead.pk: DigestState.SENT, lost.pk: DigestState.SENT, live.pk: DigestState.SENDING, queued.pk: DigestState.PENDING}


def test_reminder_run_whose_sends_the_broker_refuses_is_not_finished_and_the_next_check_sends_them(world, monkeypatch, django_capture_on_commit_callbacks):
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from portfolio.models import ReminderRun
    from portfolio.services.reminders import reminders_due_now
    from portfolio.tasks import run_reminders_task, send_digests_task

    bodies, make = world
    make("Năm 2025", roles=(("lead", Role.LEAD),))
    ReminderSettings.objects.update(run_at=time(0, 0))
    real_delay = send_digests_task.delay

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_digests_task, "delay", broker_down)
    with pytest.raises(OperationalError), django_capture_on_commit_callbacks(execute=True):
        run_reminders_task()
    assert not ReminderRun.objects.filter(finished_at__isnull=False).exists()
    assert reminders_due_now() == timezone.localdate()  # the next beat check runs it again
    assert mail.outbox == [] and Digest.objects.get(agency=bodies["lead"]).state == DigestState.PENDING
    monkeypatch.setattr(send_digests_task, "delay", real_delay)
    with django_capture_on_commit_callbacks(execute=True):
        run_reminders_task()
    assert [m.to for m in mail.outbox if m.to != ["vanphong@example.vn"]] == [["btv@example.vn"]]
    # Each attempt is recorded; the second queued the first one's digest too, so both are finished, with one digest between them.
    assert [(r.digests, r.finished_at is not None) for r in ReminderRun.objects.order_by("pk")] == [(1, True), (0, True)]
    assert reminders_due_now() is None


def test_healthz_reports_digests_stuck_pending_or_sending_past_their_lease(world, client, settings):
    from django.utils import timezone

    bodies, _make = world
    now = timezone.now()
    Digest.objects.create(agency=bodies["lead"], sent_on=DUE, recipients="btv@example.vn", state=DigestState.SENDING, claimed_at=now)
    Digest.objects.create(agency=bodies["unit"], sent_on=DUE, recipients="snv@example.vn")
    assert client.get("/healthz").json()["stuck_digests"] == 0
    Digest.objects.update(created_at=now - timedelta(seconds=settings.PORTFOLIO_PENDING_REQUEUE_SECONDS + 5),
                          claimed_at=now - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS + 5))
    Digest.objects.filter(agency=bodies["unit"]).update(claimed_at=None)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["stuck_digests"] == 2


def test_digest_admin_resend_action_sends_a_failed_digest_once(world, client, django_user_model, django_capture_on_commit_callbacks):
    bodies, _make = world
    failed = Digest.objects.create(agency=bodies["lead"], sent_on=DUE, recipients="btv@example.vn", state=DigestState.FAILED,
                                   attempts=6, last_error="Đã thử nhiều lần không gửi được: timeout")
    sent = Digest.objects.create(agency=bodies["unit"], sent_on=DUE, recipients="snv@example.vn", state=DigestState.SENT)
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True, is_staff=True))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/admin/portfolio/digest/", {"action": "resend_failed", "_selected_action": [failed.pk, sent.pk]}, follow=True)
        assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["btv@example.vn"]]
    failed.refresh_from_db()
    assert failed.state == DigestState.SENT and failed.last_error == ""


def test_digest_admin_resend_with_the_broker_down_leaves_it_pending_for_the_beat_check(world, client, django_user_model, monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from portfolio.tasks import send_digest_task

    bodies, _make = world
    failed = Digest.objects.create(agency=bodies["lead"], sent_on=DUE, recipients="btv@example.vn", state=DigestState.FAILED, attempts=6)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_digest_task, "delay", broker_down)
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True, is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/portfolio/digest/", {"action": "resend_failed", "_selected_action": [failed.pk]})
    assert response.status_code == 302 and mail.outbox == []
    failed.refresh_from_db()
    assert failed.state == DigestState.PENDING  # digests_stuck finds it: the beat check queues it when the broker is back


def test_the_days_digests_are_inserted_row_by_row_not_as_postgresql_arrays(world, django_capture_on_commit_callbacks):
    """A digest keeps its e-mail's rows (ten thousand for a body that leads ten thousand tasks); sent as PostgreSQL
    arrays (Django's UNNEST bulk insert) one such payload took the claim from 7 MB to 98 MB. RowJSONField opts out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("UNNEST is PostgreSQL's bulk insert; the suite runs on PostgreSQL in CI")
    _bodies, make = world
    make(roles=(("lead", Role.LEAD),))
    make(roles=(("unit", Role.LEAD),))
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=date(2026, 12, 1))
    inserts = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "portfolio_digest"')]
    assert len(inserts) == 1 and Digest.objects.filter(sent_on=date(2026, 12, 1)).count() == 3  # two bodies and the summary, one statement
    assert "UNNEST" not in inserts[0].upper()
