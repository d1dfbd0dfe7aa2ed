"""Reads shared by the pages, the exports and the jobs: one definition of a task's schedule state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Aggregate, Case, CharField, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext

from . import vietnamese
from .choices import LEAD_SIDE_ROLES, DigestState, Role, ScheduleState, WorkStatus
from .dateinput import parse_date_input
from .filtersets import TaskFilterSet
from .models import Agency, Assignment, Digest, Task
from .schedule import schedule_state_conditions, schedule_state_expression

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
    """Today in Cần Thơ (TIME_ZONE, Asia/Ho_Chi_Minh), whatever the server's clock zone: at 00:30 there it is already tomorrow in UTC terms."""
    return timezone.localdate()


def parse_as_of(value: str | None) -> tuple[date, str]:
    """The date a page is computed for (?as_of=dd/mm/yyyy or YYYY-MM-DD), and an error message when the value is unusable."""
    if not value:
        return today(), ""
    parsed = parse_date_input(value)
    if parsed is None:
        return today(), gettext("Ngày «%(value)s» không hợp lệ (cần dạng ngày/tháng/năm, ví dụ 22/11/2026); đang hiển thị theo hôm nay.") % {"value": value}
    return parsed, ""


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


class GroupConcat(Aggregate):
    """Values of a group joined by a separator: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


# Separators of the bodies column: ASCII record/unit separators never occur in names typed by people.
BODY_SEP, FIELD_SEP = "\x1e", "\x1f"


def bodies_subquery() -> Subquery:
    """Every body of the task with its role, in one text value: "position␟role␟agency id␟name" joined by ␞."""
    joined = Concat(
        Cast("position", CharField()), Value(FIELD_SEP), "role", Value(FIELD_SEP), Cast("agency_id", CharField()), Value(FIELD_SEP), "agency__name",
        output_field=TextField(),
    )
    bodies = (
        Assignment.objects.filter(task=OuterRef("pk")).order_by().values("task")
        .annotate(text=GroupConcat(joined, Value(BODY_SEP))).values("text")
    )
    return Subquery(bodies, output_field=TextField())


@dataclass(frozen=True)
class Body:
    role: str
    agency_id: int
    name: str


def parse_bodies(text: str | None) -> list[Body]:
    """The value of bodies_subquery() as Body tuples in the task's order (the database does not promise one)."""
    if not text:
        return []
    parts = sorted((part.split(FIELD_SEP, 3) for part in text.split(BODY_SEP)), key=lambda p: int(p[0]))
    return [Body(role, int(agency_id), name) for _position, role, agency_id, name in parts]


def task_queryset(*, as_of: date, due_soon_days: int | None = None, bodies: str = "prefetch") -> QuerySet[Task]:
    """Tasks with schedule_state, schedule_rank, lead_name and lead_id annotated, and their bodies.

    ``bodies="prefetch"`` loads the Assignment rows (one more query); ``bodies="text"`` annotates them as one
    text value per task (``bodies_text``, read with parse_bodies) so a page or an export is one query.
    """
    queryset = Task.objects.select_related("section", "funding").annotate(
        schedule_state=schedule_state_expression(as_of, due_soon_days),
        schedule_rank=schedule_rank_expression(as_of, due_soon_days),
        lead_name=_lead_subquery("agency__name"),
        lead_id=_lead_subquery("agency_id"),
    ).alias(lead_sort=_lead_subquery("agency__sort_key"))  # the list's sort by lead body, in Vietnamese order
    if bodies == "text":
        return queryset.annotate(bodies_text=bodies_subquery())
    return queryset.prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("agency").order_by("position"))
    )


def task_list(*, data, as_of: date, queryset: QuerySet[Task] | None = None):
    """The filtered task list the page, the export and the jobs share; returns the bound FilterSet."""
    base = queryset if queryset is not None else task_queryset(as_of=as_of)
    return TaskFilterSet(data=data, queryset=base)


def programme_summary(*, as_of: date, tasks: QuerySet[Task] | None = None, due_soon_days: int | None = None) -> dict:
    """Totals by schedule state, by work status and by due year, for a dashboard."""
    tasks = tasks if tasks is not None else Task.objects.filter(withdrawn_on__isnull=True)
    # One pass: counts by (state, status, year), summed three ways here.
    # Grouped by the due date itself (a programme has few distinct ones), the year is taken here: SQLite extracts
    # a year through a Python function per row.
    groups = (
        tasks.annotate(state=schedule_state_expression(as_of, due_soon_days))
        .order_by().values("state", "status", "next_due_date").annotate(n=Count("pk"))
    )
    states, statuses, years = Counter(), Counter(), Counter()
    for row in groups:
        states[row["state"]] += row["n"]
        statuses[row["status"]] += row["n"]
        years[row["next_due_date"].year if row["next_due_date"] else None] += row["n"]
    return {
        "total": sum(states.values()),
        "by_state": [(state, states.get(state.value, 0)) for state in ScheduleState],
        "by_status": [(status, statuses.get(status.value, 0)) for status in WorkStatus],
        "by_year": sorted(((year, n) for year, n in years.items() if year is not None)),
        "unscheduled_years": years.get(None, 0),
    }


BODY_STATE_KEYS = {
    ScheduleState.DONE_ON_TIME: "done_on_time", ScheduleState.DONE_LATE: "done_late", ScheduleState.OVERDUE: "overdue",
    ScheduleState.DUE_SOON: "due_soon", ScheduleState.ON_TRACK: "on_track", ScheduleState.ONGOING: "on_track",
    ScheduleState.UNSCHEDULED: "unscheduled",
}


def body_summary(*, as_of: date, task_ids: QuerySet | None = None, roles=LEAD_SIDE_ROLES, due_soon_days: int | None = None) -> list[dict]:
    """Per lead-side body: tasks, done, overdue, due soon and share done on time, most overdue first."""
    return body_rows_by_group(as_of=as_of, task_ids=task_ids, groups=(("", tuple(roles)),), due_soon_days=due_soon_days).get("", [])


def body_rows_by_group(*, as_of: date, task_ids: QuerySet | None, groups, due_soon_days: int | None) -> dict[str, list[dict]]:
    """body_summary's rows for each (key, roles) of ``groups``, in one query: {key: rows}."""
    roles = [role for _key, in_group in groups for role in in_group]
    assignments = Assignment.objects.filter(role__in=roles)
    if task_ids is not None:
        assignments = assignments.filter(task__in=task_ids)
    else:
        assignments = assignments.filter(task__withdrawn_on__isnull=True)
    group_of = Case(*(When(role__in=in_group, then=Value(key)) for key, in_group in groups), output_field=CharField())
    assignments = assignments.annotate(state=schedule_state_expression(as_of, due_soon_days, prefix="task__"), role_group=group_of)
    # One row per (group, body, state): a task has one state, so the body's counts add up without double counting.
    rows = (
        assignments.order_by()
        .values("role_group", "agency_id", "agency__name", "agency__short_name", "agency__kind", "state")
        .annotate(n=Count("task", distinct=True))
    )
    by_body: dict[tuple[str, int], dict] = {}
    for row in rows:
        body = by_body.get((row["role_group"], row["agency_id"]))
        if body is None:
            body = by_body[(row["role_group"], row["agency_id"])] = {
                "agency_id": row["agency_id"], "agency__name": row["agency__name"], "agency__short_name": row["agency__short_name"],
                "agency__kind": row["agency__kind"], "total": 0, **{key: 0 for key in BODY_STATE_KEYS.values()},
            }
        body["total"] += row["n"]
        body[BODY_STATE_KEYS[row["state"]]] += row["n"]
    result: dict[str, list[dict]] = {}
    for (key, _agency), row in by_body.items():
        done = row["done_on_time"] + row["done_late"]
        due_so_far = done + row["overdue"]
        row["done"] = done
        row["on_time_share"] = round(100 * row["done_on_time"] / due_so_far) if due_so_far else None
        row["name"] = row["agency__short_name"] or row["agency__name"]
        result.setdefault(key, []).append(row)
    for rows_of_group in result.values():
        rows_of_group.sort(key=lambda r: (-r["overdue"], -r["due_soon"], -r["total"], vietnamese.sort_key(r["name"]), r["name"]))
    return result


def agency_tasks(*, agency: Agency) -> QuerySet[Task]:
    """Tasks where the body has any role (withdrawn ones left out)."""
    return Task.objects.filter(pk__in=Assignment.objects.filter(agency=agency).values("task_id"), withdrawn_on__isnull=True)


def agency_roles(*, agency: Agency) -> list[tuple[str, int]]:
    counts = dict(agency.assignments.order_by().values("role").annotate(n=Count("task", distinct=True)).values_list("role", "n"))
    return [(role, counts[role.value]) for role in Role if role.value in counts]


# ---- the Resolution's targets ------------------------------------------------

def goal_of(figure) -> "Goal":
    """What a stored figure asks for, as the pure assessment reads it."""
    from .assessment import Goal

    return Goal(
        comparison=figure.comparison, value=figure.value, value_high=figure.value_high, year=figure.year, yearly=figure.yearly,
        baseline_value=figure.baseline_value, baseline_year=figure.baseline_year,
    )


def reading_of(value) -> "Reading":
    from .assessment import Reading

    return Reading(period_kind=value.period_kind, year=value.year, value=value.value, achieved=value.achieved)


def vn_number(value) -> str:
    """A number as Vietnamese writes it: 717.000 and 10,5 (no trailing zeros)."""
    if value is None:
        return ""
    value = value.normalize() if hasattr(value, "normalize") else value
    text = f"{value:f}" if hasattr(value, "normalize") else str(value)
    whole, _dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    grouped = ""
    while len(whole) > 3:
        grouped = "." + whole[-3:] + grouped
        whole = whole[:-3]
    return sign + whole + grouped + ("," + fraction if fraction else "")


COMPARISON_WORDS = {
    "at_least": "Tối thiểu {v}", "more_than": "Trên {v}", "about": "Khoảng {v}", "below": "Dưới {v}", "at_most": "Tối đa {v}",
    "between": "{v} - {h}", "maintain": "Duy trì {v}", "qualitative": "Hoàn thành",
}


def goal_text(figure) -> str:
    """The figure's target as the review table writes it: "Tối thiểu 717.000 (năm 2030)", "10 - 15 (hằng năm)"."""
    pattern = COMPARISON_WORDS[figure.comparison]
    if figure.comparison == "at_least" and figure.value_high is not None:
        pattern = "Từ {v} - {h} trở lên"
    text = pattern.format(v=vn_number(figure.value), h=vn_number(figure.value_high))
    when = gettext("hằng năm") if figure.yearly else gettext("năm %(year)s") % {"year": figure.year}
    return f"{text} ({when})"


@dataclass
class FigureRow:
    """A figure with its latest accepted value and its assessment for a date: one row of the review table."""

    figure: object
    result: object
    values: list

    @property
    def outcome_label(self) -> str:
        from .choices import Assessment

        return str(Assessment(self.result.outcome).label)

    @property
    def latest_text(self) -> str:
        reading = self.result.reading
        if reading is None:
            return ""
        if self.figure.comparison == "qualitative":
            return gettext("Đã hoàn thành") if reading.achieved else gettext("Chưa hoàn thành")
        period = gettext("6 tháng đầu năm %(year)s") if reading.period_kind == "first_half" else gettext("năm %(year)s")
        return f"{vn_number(reading.value)} ({period % {'year': reading.year}})"

    @property
    def share_text(self) -> str:
        return "" if self.result.share is None else f"{vn_number(self.result.share)}%"

    @property
    def goal_text(self) -> str:
        return goal_text(self.figure)


def figure_rows(*, figures, as_of: date) -> list[FigureRow]:
    """Each figure with its accepted values and its assessment on ``as_of``; two queries whatever the number of figures."""
    from .assessment import assess
    from .choices import ReviewState
    from .models import TargetValue

    figures = list(figures.select_related("target", "agency").order_by("target__number", "position"))
    values: dict[int, list] = {}
    accepted = TargetValue.objects.filter(figure__in=[f.pk for f in figures], review_state=ReviewState.ACCEPTED).order_by("year", "period_kind", "reviewed_at", "pk")
    for value in accepted:
        values.setdefault(value.figure_id, []).append(value)
    rows = []
    for figure in figures:
        own = values.get(figure.pk, [])
        rows.append(FigureRow(figure, assess(goal_of(figure), [reading_of(v) for v in own], as_of), own))
    return rows


def assessment_counts(rows: list[FigureRow]) -> list[tuple]:
    """(Assessment, count) in the order of the choices, for a dashboard."""
    from .choices import Assessment

    counts = Counter(row.result.outcome for row in rows)
    return [(outcome, counts.get(outcome.value, 0)) for outcome in Assessment]


def target_table(rows) -> list[dict]:
    """Rows grouped as the review table prints them: a group heading, each target, its figures."""
    from itertools import groupby

    from .choices import TargetGroup

    groups = []
    labels = dict(TargetGroup.choices)
    for group, in_group in groupby(rows, key=lambda r: r.figure.target.group):
        targets = []
        for target, figures in groupby(in_group, key=lambda r: r.figure.target):
            targets.append({"target": target, "rows": list(figures)})
        groups.append({"label": labels[group], "targets": targets})
    return groups


def digests_stuck(*, now: datetime | None = None) -> QuerySet:
    """Digests nobody will send without help: "sending" past its lease (the worker died holding it), pending and
    never tried for longer than PORTFOLIO_PENDING_REQUEUE_SECONDS (its message was lost), or pending after a failed
    try for longer than the longest retry wait plus that margin (its retry was lost)."""
    now = now or timezone.now()
    requeue = timedelta(seconds=settings.PORTFOLIO_PENDING_REQUEUE_SECONDS)
    return Digest.objects.filter(
        Q(state=DigestState.SENDING, claimed_at__lt=now - timedelta(seconds=settings.PORTFOLIO_SEND_STALE_SECONDS))
        | Q(state=DigestState.PENDING, claimed_at__isnull=True, created_at__lt=now - requeue)
        | Q(state=DigestState.PENDING, claimed_at__lt=now - requeue - timedelta(seconds=settings.PORTFOLIO_MAIL_RETRY_BACKOFF_MAX))
    )
