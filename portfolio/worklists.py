"""Reads for the day's work: the Office's review queue and each agency user's "Việc của tôi" (to-do list).

Reads only; the review queue's decisions are written by services.reports, the reports by the admin's report form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from . import access
from .choices import ReviewState, ScheduleState, WorkStatus
from .models import ProgressReport, ReminderSettings, Task
from .reminder_selection import Config, report_periods
from .schedule import in_schedule_state
from .selectors import task_queryset

WAITING_LONG_DAYS = 7  # a report waiting longer than this is counted apart on the dashboard


def reports_awaiting_review() -> QuerySet[ProgressReport]:
    """Reports the Office has not decided on, oldest first, each with its task (state and deadline), its files and the
    task's earlier reviewed reports."""
    earlier = ProgressReport.objects.exclude(review_state=ReviewState.SUBMITTED).select_related("agency", "reviewed_by").order_by("-reviewed_at", "-pk")
    return (
        ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED, task__withdrawn_on__isnull=True)
        .select_related("task", "agency", "submitted_by")
        .prefetch_related("attachments", Prefetch("task__reports", queryset=earlier, to_attr="reviewed_reports"))
        .order_by("created_at", "pk")
    )


def review_counts(*, now: datetime | None = None) -> dict[str, int]:
    """The dashboard's numbers of the review queue: awaiting, awaiting for more than a week, returned and not yet resent."""
    now = now or timezone.now()
    # The two waiting counts in one pass over report_state_created (the reports alone, not joined to their tasks: at
    # 200,000 waiting reports on SQLite 20 ms, against 100 ms), less those of withdrawn tasks, reached from the few
    # withdrawn tasks (index task_withdrawn). The returned ones (few) through report_returned_idx.
    waiting = ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED)
    long_ago = now - timedelta(days=WAITING_LONG_DAYS)
    # Counted on created_at (never null), a column of the index: PostgreSQL answers from the index alone (at 200,000
    # waiting reports 22 ms in one process; counting the ids read every report, 46 ms in three).
    counted = {"waiting": Count("created_at"), "waiting_long": Count("created_at", filter=Q(created_at__lt=long_ago))}
    counts = waiting.aggregate(**counted)
    withdrawn = waiting.filter(task__in=Task.objects.filter(withdrawn_on__isnull=False).values("pk")).aggregate(**counted)
    counts = {name: counts[name] - withdrawn[name] for name in counted}
    return {**counts, "returned_open": returned_reports(ProgressReport.objects.all()).count()}


def _newer_report() -> QuerySet[ProgressReport]:
    """A newer report of the same body on the same task as the outer one (which answers it if it was returned)."""
    return ProgressReport.objects.filter(task=OuterRef("task"), agency=OuterRef("agency"), created_at__gt=OuterRef("created_at"))


def returned_reports(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """Returned reports no newer report of the same body on the same task has answered yet."""
    return reports.filter(review_state=ReviewState.RETURNED, task__withdrawn_on__isnull=True).exclude(Exists(_newer_report()))


@dataclass
class MyWork:
    """What an agency user has to do, each item with one action."""

    returned: list[ProgressReport] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)
    due_soon: list[Task] = field(default_factory=list)
    missing: list[tuple[Task, date]] = field(default_factory=list)  # (task, due date of the period without a report)
    waiting: list[ProgressReport] = field(default_factory=list)  # sent, awaiting the Office: shown, nothing to do

    @property
    def count(self) -> int:
        return len(self.returned) + len(self.overdue) + len(self.due_soon) + len(self.missing)


def current_period(as_of: date, config: Config) -> tuple[date, date]:
    """(start, due) of the reporting period ``as_of`` falls in (15/12 to 15/12 by default)."""
    for start, due in report_periods(as_of, config):
        if start <= as_of <= due:
            return start, due
    raise ValueError(as_of)  # report_periods covers the year before and after: unreachable


def my_work(*, user, as_of: date) -> MyWork:
    """The user's own agencies' items only: returned reports, their lead-side tasks overdue or due soon, and those
    without a report for the current reporting period."""
    agencies = access.agency_ids(user)
    work = MyWork()
    if not agencies or access.is_viewer(user):
        return work
    own_reports = ProgressReport.objects.filter(agency_id__in=agencies).select_related("task", "agency", "reviewed_by")
    work.returned = list(returned_reports(own_reports).order_by("-reviewed_at", "-pk"))
    work.waiting = list(own_reports.filter(review_state=ReviewState.SUBMITTED, task__withdrawn_on__isnull=True).order_by("-created_at"))
    mine = access.reportable_tasks(user, task_queryset(as_of=as_of).filter(withdrawn_on__isnull=True)).prefetch_related(None)
    work.overdue = list(in_schedule_state(mine, ScheduleState.OVERDUE).order_by("next_due_date", "number"))
    work.due_soon = list(in_schedule_state(mine, ScheduleState.DUE_SOON).order_by("next_due_date", "number"))
    settings_row = ReminderSettings.objects.order_by("pk").first()
    config = Config.from_settings(settings_row) if settings_row else Config()
    start, due = current_period(as_of, config)
    since = datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
    reported = ProgressReport.objects.filter(task=OuterRef("pk"), agency_id__in=agencies, created_at__gte=since).exclude(review_state=ReviewState.RETURNED)
    open_tasks = mine.exclude(status=WorkStatus.DONE).exclude(start_date__gt=due).exclude(Exists(reported)).order_by("number")
    unreported = {task.pk for task in open_tasks}
    for task in work.overdue + work.due_soon:
        task.unreported = task.pk in unreported  # said on its line: one item, one action
    # A task already listed (returned, overdue, due soon) is not listed again.
    listed = {report.task_id for report in work.returned} | {task.pk for task in work.overdue + work.due_soon}
    work.missing = [(task, due) for task in open_tasks if task.pk not in listed]
    return work
