"""Who is reminded of what on a given day: the selection rules of the daily reminder job (reads only).

A task is chased with the body that does the work (the delegated unit; else
the advising or implementing lead named in the row; else the lead). Each
(body, task, reason, step) is sent once: the steps already recorded in
Reminder are left out, so a second run the same day finds nothing to do and a
run after downtime catches up on what is still due.
"""


from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .choices import AgencyKind, ReminderReason, ReviewState, Role, WorkStatus
from .models import Agency, Assignment, ProgressReport, Reminder, ReminderSettings, TargetFigure, TargetReminder, TargetValue, Task
from .reminder_settings import parse_day_months, parse_thresholds

RESPONSIBLE_ROLES = (Role.ADVISING_LEAD, Role.IMPLEMENTING_LEAD)
TASK_FIELDS = (
    "id", "number", "title", "deadline_text", "start_date", "next_due_date", "is_ongoing", "needs_review", "status", "progress",
    "completed_on", "delegate_id",
)


@dataclass(frozen=True)
class Config:
    thresholds: tuple[int, ...] = (90, 30, 7)
    overdue_repeat_days: int = 7
    escalation_days: int = 90
    report_due: tuple[tuple[int, int], ...] = ((15, 12),)
    report_remind_before_days: int = 14

    @classmethod
    def from_settings(cls, settings: ReminderSettings) -> "Config":
        return cls(
            thresholds=parse_thresholds(settings.due_soon_thresholds),
            overdue_repeat_days=settings.overdue_repeat_days,
            escalation_days=settings.escalation_days,
            report_due=parse_day_months(settings.report_due_dates),
            report_remind_before_days=settings.report_remind_before_days,
        )


@dataclass
class Item:
    """One task in a digest, with the steps that will be recorded as sent."""

    task: Task
    reason: str
    steps: tuple[str, ...]
    due_date: date | None
    days_left: int | None = None  # negative when overdue
    urgency: str = ""  # due_soon / overdue / missing_report, also for items followed for a central agency
    note: str = ""


@dataclass
class FigureItem:
    """A target figure whose value for a period the tracking body has not reported by a reporting date."""

    figure: TargetFigure
    step: str
    due_date: date
    period_kind: str
    year: int

    @property
    def period_label(self) -> str:
        return f"{'6 tháng đầu năm' if self.period_kind == 'first_half' else 'năm'} {self.year}"


@dataclass
class BodyPlan:
    agency: Agency
    items: list[Item] = field(default_factory=list)
    figures: list[FigureItem] = field(default_factory=list)

    def count(self, urgency: str) -> int:
        return len({i.task.pk for i in self.items if i.urgency == urgency})


@dataclass
class Plan:
    as_of: date
    bodies: dict[int, BodyPlan] = field(default_factory=dict)
    central: list[Item] = field(default_factory=list)
    needs_review: list[Task] = field(default_factory=list)
    escalations: list[Item] = field(default_factory=list)

    def add(self, agency: Agency, item: Item) -> None:
        self.bodies.setdefault(agency.pk, BodyPlan(agency)).items.append(item)

    def add_figure(self, agency: Agency, item: FigureItem) -> None:
        self.bodies.setdefault(agency.pk, BodyPlan(agency)).figures.append(item)

    def totals(self) -> dict[str, int]:
        tasks: dict[str, set[int]] = defaultdict(set)
        for body in self.bodies.values():
            for item in body.items:
                tasks[item.urgency].add(item.task.pk)
        for item in self.central:
            tasks[item.urgency].add(item.task.pk)
        return {
            "overdue": len(tasks["overdue"]),
            "due_soon": len(tasks["due_soon"]),
            "missing_reports": len(tasks["missing_report"]),
            "missing_values": len({(f.figure.pk, f.step) for body in self.bodies.values() for f in body.figures}),
            "bodies": len(self.bodies),
        }


def responsible_of(delegate, bodies: list[tuple[str, object]]) -> list:
    """The body that does the work: the delegated unit; else the advising or implementing lead; else the lead.

    ``bodies`` are (role, body) pairs in the task's order; a body is whatever the caller holds (Agency, name).
    """
    if delegate:
        return [delegate]
    named = [body for role, body in bodies if role in RESPONSIBLE_ROLES]
    return named or [body for role, body in bodies if role == Role.LEAD]


def coordinators(assigned: list[tuple[str, Agency]]) -> list[Agency]:
    """The task's coordinating bodies that are not central, from its (role, body) pairs."""
    return [agency for role, agency in assigned if role == Role.COORDINATING and agency.kind != AgencyKind.CENTRAL]


def _schedule_items(task: Task, as_of: date, config: Config) -> list[Item]:
    """Due-soon and overdue items for a task on a day, before removing the steps already sent."""
    due = task.next_due_date
    if due is None:
        return []
    days_left = (due - as_of).days
    if days_left < 0:
        cycle = (-days_left - 1) // config.overdue_repeat_days
        return [Item(task, ReminderReason.OVERDUE, (f"{due.isoformat()}/quá hạn/{cycle}",), due, days_left, "overdue")]
    crossed = [t for t in config.thresholds if days_left <= t]
    if task.is_ongoing or not crossed:
        return []  # an ongoing task is not "due soon": it owes periodic reports instead
    return [Item(task, ReminderReason.DUE_SOON, tuple(f"{due.isoformat()}/{t}" for t in crossed), due, days_left, "due_soon")]


def report_periods(as_of: date, config: Config) -> list[tuple[date, date]]:
    """(start, due) of the reporting periods whose reminder window may include ``as_of``."""
    dues = sorted(date(year, month, day) for year in (as_of.year - 1, as_of.year, as_of.year + 1) for day, month in config.report_due)
    return [(dues[i - 1] + timedelta(days=1), dues[i]) for i in range(1, len(dues))]


def report_windows(as_of: date, config: Config) -> list[tuple[date, date, str]]:
    """(start, due, step) of the reporting periods whose reminder window holds ``as_of``: before or after the due date."""
    before = timedelta(days=config.report_remind_before_days)
    windows = []
    for start, due in report_periods(as_of, config):
        if due - before <= as_of <= due:
            windows.append((start, due, f"{due.isoformat()}/trước hạn"))
        elif due < as_of <= due + before:
            windows.append((start, due, f"{due.isoformat()}/sau hạn"))
    return windows


def _report_items(task: Task, bodies: list[Agency], as_of: date, windows, reported) -> list[tuple[Agency, Item]]:
    """Missing-report items of a task for its responsible ``bodies``; ``reported(task_id, agency_id, start)``: reported since start."""
    result = []
    for start, due, step in windows:
        if task.start_date and task.start_date > due:
            continue
        for agency in bodies:
            if not reported(task.pk, agency.pk, start):
                item = Item(task, ReminderReason.MISSING_REPORT, (step,), due, (due - as_of).days, "missing_report",
                            note=f"Báo cáo kỳ đến {due:%d/%m/%Y}")
                result.append((agency, item))
    return result


def figure_period(due: date) -> tuple[str, int]:
    """The period a reporting date asks values for: the first half up to June, else the whole year."""
    return ("first_half" if due.month <= 6 else "year"), due.year


def _figure_items(plan: Plan, as_of: date, windows, agencies: dict[int, Agency]) -> None:
    """At each reporting date, the figures whose tracking body has not reported the period's value nor been reminded
    of it at this step: one query, each figure read with whether each period was reported and each step sent."""
    periods = {figure_period(due) for _start, due, _step in windows}
    steps = {step for _start, _due, step in windows}
    values = TargetValue.objects.filter(figure=OuterRef("pk")).exclude(review_state=ReviewState.RETURNED)
    sent = TargetReminder.objects.filter(figure=OuterRef("pk"), agency=OuterRef("agency"))
    reported_as = {period: f"reported_{i}" for i, period in enumerate(sorted(periods))}
    sent_as = {step: f"sent_{i}" for i, step in enumerate(sorted(steps))}
    figures = list(
        TargetFigure.objects.filter(agency__isnull=False).select_related("target").order_by("target__number", "position")
        .annotate(**{name: Exists(values.filter(period_kind=kind, year=year)) for (kind, year), name in reported_as.items()})
        .annotate(**{name: Exists(sent.filter(step=step)) for step, name in sent_as.items()})
    )
    for _start, due, step in windows:
        kind, year = figure_period(due)
        for figure in figures:
            if not figure.yearly and figure.year < year:
                continue  # due in an earlier year: judged already, not chased again
            agency = agencies.get(figure.agency_id)
            if agency is None or getattr(figure, reported_as[kind, year]) or getattr(figure, sent_as[step]):
                continue
            plan.add_figure(agency, FigureItem(figure, step, due, kind, year))


def reminder_plan(*, as_of: date, config: Config | None = None) -> Plan:
    """Everything due to every body on ``as_of``; a fixed number of queries whatever the number of tasks.

    A province has tens of thousands of open tasks, and on a day in a report window every one is checked: the
    bodies, reports and steps sent are read as plain rows, the tasks a chunk at a time (only what the rules and the
    e-mails read), and only the tasks that end up in the plan are kept.
    """
    config = config or Config.from_settings(ReminderSettings.current())
    plan = Plan(as_of=as_of)
    open_tasks = Task.objects.filter(withdrawn_on__isnull=True).exclude(status=WorkStatus.DONE, completed_on__lte=as_of).exclude(status=WorkStatus.DONE, completed_on__isnull=True)
    windows = report_windows(as_of, config)
    if not windows:
        # Outside every report window only due dates matter: tasks due later than the largest threshold owe nothing today.
        horizon = as_of + timedelta(days=max(config.thresholds))
        open_tasks = open_tasks.filter(Q(needs_review=True) | Q(next_due_date__lte=horizon))
    open_ids = open_tasks.values("pk")
    rows = list(Assignment.objects.filter(task__in=open_ids).order_by("task_id", "position").values_list("task_id", "role", "agency_id"))
    agencies = Agency.objects.only("id", "name", "short_name", "kind", "emails").in_bulk()  # read after: every body a row names is there
    assigned = defaultdict(list)  # task id -> [(role, body)] in the task's order
    for task_id, role, agency_id in rows:
        assigned[task_id].append((role, agencies[agency_id]))
    del rows
    # For each report period whose window holds the day: who reported on which task since the period began.
    until = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    reported_since = {
        start: set(
            ProgressReport.objects.filter(created_at__gte=datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone()), created_at__lt=until)
            .exclude(review_state=ReviewState.RETURNED).order_by().values_list("task_id", "agency_id").distinct()
        )
        for start, _due, _step in windows
    }

    def reported(task_id, agency_id, start):
        return (task_id, agency_id) in reported_since[start]

    sent = set(Reminder.objects.filter(task__in=open_ids).order_by().values_list("agency_id", "task_id", "reason", "step"))

    def unsent(agency: Agency, item: Item) -> Item | None:
        steps = tuple(s for s in item.steps if (agency.pk, item.task.pk, item.reason, s) not in sent)
        if not steps:
            return None
        item.steps = steps
        return item

    for task in open_tasks.only(*TASK_FIELDS).order_by("number").iterator(chunk_size=2000):
        if task.needs_review:
            plan.needs_review.append(task)
            continue
        pairs = assigned.get(task.pk, [])
        bodies = responsible_of(agencies.get(task.delegate_id), pairs)
        central = bool(bodies) and all(b.kind == AgencyKind.CENTRAL for b in bodies)
        schedule = _schedule_items(task, as_of, config)
        for item in schedule:
            if item.urgency == "overdue" and -item.days_left > config.escalation_days:
                plan.escalations.append(item)
            if central:
                plan.central.append(item)
                for agency in coordinators(pairs):
                    follow = Item(task, ReminderReason.FOLLOW_CENTRAL, item.steps, item.due_date, item.days_left, item.urgency,
                                  note="Theo dõi, phối hợp (nhiệm vụ do cơ quan Trung ương chủ trì)")
                    follow = unsent(agency, follow)
                    if follow:
                        plan.add(agency, follow)
                continue
            for agency in bodies:
                chased = unsent(agency, Item(task, item.reason, item.steps, item.due_date, item.days_left, item.urgency))
                if chased:
                    plan.add(agency, chased)
        if not central and windows:
            for agency, item in _report_items(task, bodies, as_of, windows, reported):
                item = unsent(agency, item)
                if item:
                    plan.add(agency, item)
    if windows:
        _figure_items(plan, as_of, windows, agencies)
    return plan
