"""Reads shared by the pages, the exports and the jobs: one definition of a task's schedule state."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractYear

from .choices import LEAD_SIDE_ROLES, Role, ScheduleState, WorkStatus
from .models import Agency, Assignment, Task

# Most urgent first: the order the list sorts the state column by.
STATE_RANK = {
    ScheduleState.OVERDUE: 0,
    ScheduleState.DUE_SOON: 1,
    ScheduleState.UNSCHEDULED: 2,
    ScheduleState.ON_TRACK: 3,
    ScheduleState.ONGOING: 4,
    ScheduleState.DONE_LATE: 5,
    ScheduleState.DONE_ON_TIME: 6,
}


def today() -> date:
    """Today in Cần Thơ (Asia/Ho_Chi_Minh), whatever the server's clock zone."""
    return datetime.now(ZoneInfo(settings.TIME_ZONE)).date()


def parse_as_of(value: str | None) -> tuple[date, str]:
    """The date a page is computed for (?as_of=YYYY-MM-DD), and an error message when the value is unusable."""
    if not value:
        return today(), ""
    try:
        return date.fromisoformat(value), ""
    except ValueError:
        return today(), f"Ngày «{value}» không hợp lệ (cần dạng YYYY-MM-DD); đang hiển thị theo hôm nay."


def schedule_state_conditions(as_of: date, due_soon_days: int | None = None, prefix: str = "") -> list[tuple[str, Q]]:
    """(state, condition) pairs, first match wins; ``prefix`` lets other models reach the task ("task__")."""
    days = settings.PORTFOLIO_DUE_SOON_DAYS if due_soon_days is None else due_soon_days
    f = lambda name: prefix + name  # noqa: E731
    done = Q(**{f("status"): WorkStatus.DONE}) & (
        Q(**{f("completed_on__isnull"): True}) | Q(**{f("completed_on__lte"): as_of})
    )
    no_due = Q(**{f("needs_review"): True}) | Q(**{f("next_due_date__isnull"): True})
    done_late = done & Q(**{f("completed_on__gt"): F(f("due_date"))})
    return [
        (ScheduleState.DONE_LATE, done_late & Q(**{f("due_date__isnull"): False})),
        (ScheduleState.DONE_ON_TIME, done),
        (ScheduleState.UNSCHEDULED, no_due & ~Q(**{f("is_ongoing"): True, f("needs_review"): False})),
        (ScheduleState.OVERDUE, Q(**{f("next_due_date__lt"): as_of})),
        (ScheduleState.ONGOING, Q(**{f("is_ongoing"): True})),
        (ScheduleState.DUE_SOON, Q(**{f("next_due_date__lte"): as_of + timedelta(days=days)})),
        (ScheduleState.ON_TRACK, Q()),
    ]


def schedule_state_expression(as_of: date, due_soon_days: int | None = None, prefix: str = "") -> Case:
    conditions = schedule_state_conditions(as_of, due_soon_days, prefix)
    return Case(*(When(q, then=Value(state)) for state, q in conditions[:-1]), default=Value(ScheduleState.ON_TRACK), output_field=CharField())


def schedule_rank_expression(as_of: date, due_soon_days: int | None = None) -> Case:
    conditions = schedule_state_conditions(as_of, due_soon_days)
    return Case(
        *(When(q, then=Value(STATE_RANK[state])) for state, q in conditions[:-1]),
        default=Value(STATE_RANK[ScheduleState.ON_TRACK]),
        output_field=IntegerField(),
    )


def _lead_subquery(field: str) -> Subquery:
    lead = Assignment.objects.filter(task=OuterRef("pk"), role=Role.LEAD).order_by("position").values(field)[:1]
    return Subquery(lead)


def task_queryset(*, as_of: date, due_soon_days: int | None = None) -> QuerySet[Task]:
    """Tasks with schedule_state, schedule_rank, lead_name and lead_id annotated and bodies prefetched."""
    return (
        Task.objects.select_related("section", "funding")
        .annotate(
            schedule_state=schedule_state_expression(as_of, due_soon_days),
            schedule_rank=schedule_rank_expression(as_of, due_soon_days),
            lead_name=_lead_subquery("agency__name"),
            lead_id=_lead_subquery("agency_id"),
        )
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("agency").order_by("position"))
        )
    )


def task_list(*, data, as_of: date, queryset: QuerySet[Task] | None = None):
    """The filtered task list the page, the export and the jobs share; returns the bound FilterSet."""
    from .filtersets import TaskFilterSet

    base = queryset if queryset is not None else task_queryset(as_of=as_of)
    return TaskFilterSet(data=data, queryset=base)


def count_by(queryset: QuerySet[Task], field: str) -> dict[str, int]:
    rows = queryset.order_by().values(field).annotate(n=Count("pk", distinct=True))
    return {row[field]: row["n"] for row in rows}


def programme_summary(*, as_of: date, tasks: QuerySet[Task] | None = None) -> dict:
    """Totals by schedule state, by work status and by due year, for a dashboard."""
    tasks = tasks if tasks is not None else Task.objects.all()
    states = count_by(tasks.annotate(state=schedule_state_expression(as_of)), "state")
    statuses = count_by(tasks, "status")
    years = count_by(tasks.annotate(year=ExtractYear("next_due_date")), "year")
    return {
        "total": sum(states.values()),
        "by_state": [(state, states.get(state.value, 0)) for state in ScheduleState],
        "by_status": [(status, statuses.get(status.value, 0)) for status in WorkStatus],
        "by_year": sorted(((year, n) for year, n in years.items() if year is not None)),
        "unscheduled_years": years.get(None, 0),
    }


def body_summary(*, as_of: date, task_ids: QuerySet | None = None, roles=LEAD_SIDE_ROLES) -> list[dict]:
    """Per lead-side body: tasks, done, overdue, due soon and share done on time, most overdue first."""
    assignments = Assignment.objects.filter(role__in=roles)
    if task_ids is not None:
        assignments = assignments.filter(task__in=task_ids)
    assignments = assignments.annotate(state=schedule_state_expression(as_of, prefix="task__"))
    counted = lambda *states: Count("task", filter=Q(state__in=states), distinct=True)  # noqa: E731
    rows = (
        assignments.order_by()
        .values("agency_id", "agency__name", "agency__short_name", "agency__kind")
        .annotate(
            total=Count("task", distinct=True),
            done_on_time=counted(ScheduleState.DONE_ON_TIME),
            done_late=counted(ScheduleState.DONE_LATE),
            overdue=counted(ScheduleState.OVERDUE),
            due_soon=counted(ScheduleState.DUE_SOON),
            on_track=counted(ScheduleState.ON_TRACK, ScheduleState.ONGOING),
            unscheduled=counted(ScheduleState.UNSCHEDULED),
        )
    )
    result = []
    for row in rows:
        done = row["done_on_time"] + row["done_late"]
        due_so_far = done + row["overdue"]
        row["done"] = done
        row["on_time_share"] = round(100 * row["done_on_time"] / due_so_far) if due_so_far else None
        row["name"] = row["agency__short_name"] or row["agency__name"]
        result.append(row)
    result.sort(key=lambda r: (-r["overdue"], -r["due_soon"], -r["total"], r["name"]))
    return result


def agency_tasks(*, agency: Agency) -> QuerySet[Task]:
    """Tasks where the body has any role."""
    return Task.objects.filter(pk__in=Assignment.objects.filter(agency=agency).values("task_id"))


def agency_roles(*, agency: Agency) -> list[tuple[str, int]]:
    counts = dict(agency.assignments.order_by().values("role").annotate(n=Count("task", distinct=True)).values_list("role", "n"))
    return [(role, counts[role.value]) for role in Role if role.value in counts]


HISTORY_LABELS = {"+": "Tạo mới", "~": "Sửa", "-": "Xóa"}


def _history_rows(records, describe):
    """Each history record with the fields it changed (old -> new), newest first."""
    rows = []
    records = list(records)
    by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = by_object.get(record.id)
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                changes.append((str(field.verbose_name), _display(field, change.old), _display(field, change.new)))
        by_object[record.id] = record
        if record.history_type == "~" and not changes:
            continue
        rows.append({
            "when": record.history_date,
            "who": record.history_user,
            "action": HISTORY_LABELS[record.history_type],
            "what": describe(record),
            "changes": changes,
        })
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows


def _display(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return str(value)


def task_history(*, task: Task) -> list[dict]:
    """Who changed what and when on a task, its bodies and its reports (from the audit trail)."""
    from .models import ProgressReport

    task_records = Task.history.filter(id=task.pk).select_related("history_user")
    assignment_records = Assignment.history.filter(task_id=task.pk).select_related("history_user", "agency")
    report_records = ProgressReport.history.filter(task_id=task.pk).select_related("history_user")
    rows = _history_rows(task_records, lambda r: "Nhiệm vụ")
    rows += _history_rows(assignment_records, lambda r: f"Phân công: {r.agency} ({dict(Role.choices)[r.role]})")
    rows += _history_rows(report_records, lambda r: f"Báo cáo kỳ {r.period}")
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows
