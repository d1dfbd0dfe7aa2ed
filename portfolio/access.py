"""Who may see and do what: the three kinds of user (Django groups) plus the per-agency rule.

Office staff see and edit everything; viewers read everything; agency reporters
see the tasks where one of their agencies has any role (or is the delegated
unit), report only where it is on the lead side, and comment where it coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .backends import group_names
from .choices import LEAD_SIDE_ROLES, UserKind
from .models import Agency, Assignment, Target, TargetFigure, Task


def _groups(user) -> set[str]:
    if not hasattr(user, "_portfolio_groups"):
        if not user.is_authenticated:
            user._portfolio_groups = set()
        else:
            known = group_names(user)  # read with the user by backends.UserBackend
            user._portfolio_groups = known if known is not None else set(user.groups.values_list("name", flat=True))
    return user._portfolio_groups


def is_office(user) -> bool:
    return user.is_authenticated and (user.is_superuser or UserKind.OFFICE.value in _groups(user))


def is_viewer(user) -> bool:
    return user.is_authenticated and UserKind.VIEWER.value in _groups(user)


def sees_everything(user) -> bool:
    return is_office(user) or is_viewer(user)


def agency_ids(user) -> set[int]:
    """The agencies the user reports for."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_portfolio_agency_ids"):
        user._portfolio_agency_ids = set(user.agencies.values_list("pk", flat=True))
    return user._portfolio_agency_ids


def _own(user, roles=None) -> Q:
    ids = agency_ids(user)
    condition = Q(agency_id__in=ids)
    if roles is not None:
        condition &= Q(role__in=roles)
    tasks = Assignment.objects.filter(condition).values("task_id")
    return Q(pk__in=tasks) | Q(delegate_id__in=ids)


def visible_tasks(user, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    queryset = queryset if queryset is not None else Task.objects.all()
    if sees_everything(user):
        return queryset
    if not agency_ids(user):
        return queryset.none()
    return queryset.filter(_own(user))


def reportable_tasks(user, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """Tasks the user may report on: the Office any; a reporter where its agency is lead-side or delegated."""
    queryset = queryset if queryset is not None else Task.objects.all()
    if is_office(user):
        return queryset
    if is_viewer(user) or not agency_ids(user):
        return queryset.none()
    return queryset.filter(_own(user, LEAD_SIDE_ROLES))


def reporting_agencies(user, task: Task) -> QuerySet[Agency]:
    """The agencies the user may report for on this task (the dropdown of the report form)."""
    lead_side = Q(assignments__task=task, assignments__role__in=LEAD_SIDE_ROLES) | Q(delegated_tasks=task)
    agencies = Agency.objects.filter(lead_side).distinct()
    if is_office(user):
        return agencies
    return agencies.filter(pk__in=agency_ids(user))


def can_view_task(user, task: Task) -> bool:
    return visible_tasks(user, Task.objects.filter(pk=task.pk)).exists()


def can_report(user, task: Task) -> bool:
    return reportable_tasks(user, Task.objects.filter(pk=task.pk)).exists()


def can_comment(user, task: Task) -> bool:
    """Any body with a role on the task may comment; viewers may not write anything."""
    return not is_viewer(user) and (is_office(user) or visible_tasks(user, Task.objects.filter(pk=task.pk)).exists())


def commenting_agencies(user, task: Task) -> QuerySet[Agency]:
    agencies = Agency.objects.filter(Q(assignments__task=task) | Q(delegated_tasks=task)).distinct()
    return agencies if is_office(user) else agencies.filter(pk__in=agency_ids(user))



# ---- one rule per model: which rows a user may see ----------------------------------------------------------------
#
# Every admin view (list, change, delete, history, each history version, autocomplete) and the site's views ask
# scope() for querysets and can_see() for one record, so a record outside a user's work answers 404 everywhere.

EVERYONE = "everyone"  # reference data every signed-in user reads (programme, sections, body names, funding)
OVERSIGHT = "oversight"  # the Office and leaders only (reminder runs and settings)
OFFICE_ONLY = "office"  # the Office only (users, groups, login records, anything without a rule)


@dataclass(frozen=True)
class ThroughTask:
    """Rows that belong to a task (``path`` leads from the row to it; "" is the task itself): visible with the task."""

    path: str


@dataclass(frozen=True)
class ToAgency:
    """Rows addressed to one agency (its reminders and their e-mails, the figures it tracks and their values):
    that agency's own reporters."""

    path: str


@dataclass(frozen=True)
class Through:
    """Rows visible through another model's visible rows: ``rows(user)`` is a queryset of ``field`` values, the ids."""

    rows: object  # (user) -> QuerySet of ids
    field: str


def _rules() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from . import models as m

    return {
        m.Programme: EVERYONE, m.Section: EVERYONE, m.Agency: EVERYONE, m.AgencyAlias: EVERYONE, m.FundingSource: EVERYONE,
        m.Task: ThroughTask(""), m.Milestone: ThroughTask("task"), m.Assignment: ThroughTask("task"),
        m.ProgressReport: ThroughTask("task"), m.TaskComment: ThroughTask("task"), m.ReportAttachment: ThroughTask("report__task"),
        m.Digest: ToAgency("agency"), m.Reminder: ToAgency("agency"),
        m.TargetFigure: ToAgency("agency"), m.TargetValue: ToAgency("figure__agency"), m.TargetReminder: ToAgency("agency"),
        # A target with a figure the user's agency tracks (its text is the Resolution's, but its page shows values).
        m.Target: Through(lambda user: scope(user, m.TargetFigure.objects.all()).values("target_id"), "target_id"),
        m.ReminderRun: OVERSIGHT, m.ReminderSettings: OVERSIGHT,
        get_user_model(): OFFICE_ONLY, Group: OFFICE_ONLY,
    }


_RULES: dict = {}


def rule_for(model):
    """The rule of a model, or of the model a simple-history record tracks; a model without a rule is the Office's."""
    if not _RULES:
        _RULES.update(_rules())
    model = getattr(model, "instance_type", model)
    return _RULES.get(model, OFFICE_ONLY)


def _constant(user, rule) -> bool | None:
    """The answer when it does not depend on the row: True, False, or None (ask the row)."""
    if is_office(user):
        return True
    if rule == OFFICE_ONLY or not user.is_authenticated:
        return False
    if rule == EVERYONE or is_viewer(user):
        return True
    if rule == OVERSIGHT or not agency_ids(user):
        return False
    return None


def scope(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the user may see."""
    rule = rule_for(queryset.model)
    answer = _constant(user, rule)
    if answer is not None:
        return queryset if answer else queryset.none()
    if isinstance(rule, ThroughTask):
        tasks = visible_tasks(user).values("pk")
        return queryset.filter(**{f"{rule.path}__in" if rule.path else "pk__in": tasks})
    if isinstance(rule, Through):
        return queryset.filter(pk__in=rule.rows(user))
    return queryset.filter(**{f"{rule.path}__in": agency_ids(user)})


def _follow(obj, path: str):
    """The id at the end of ``path`` from this record, read from its own foreign keys (a record rebuilt from history
    has no row of its own)."""
    first, _sep, rest = path.partition("__")
    value = getattr(obj, f"{first}_id")
    if rest and value is not None:
        model = obj._meta.get_field(first).related_model
        value = model._default_manager.filter(pk=value).values_list(f"{rest}_id", flat=True).first()
    return value


def once_per_request(request, key: tuple, compute):
    """compute() the first time a request asks ``key``, its answer after: the admin asks the same question of the
    same record many times while it builds one page (a task's page asked whether the user sees, reports on and
    comments on the task 16 times, a query each). Kept on the request, so never across requests."""
    memo = request.__dict__.setdefault("_portfolio_access_answers", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def can_see_in_request(request, obj) -> bool:
    """can_see(request.user, obj), once per request and record. The key holds the record's own foreign keys: a
    record rebuilt from its history may point elsewhere than the live one of the same key."""
    if obj.pk is None:
        return can_see(request.user, obj)
    links = tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields if field.is_relation)
    return once_per_request(request, ("see", obj._meta.label, obj.pk, links), lambda: can_see(request.user, obj))


def can_see(user, obj) -> bool:
    """Whether the user may see this record (a live one, or a deleted one rebuilt from its history)."""
    rule = rule_for(type(obj))
    answer = _constant(user, rule)
    if answer is not None:
        return answer
    if isinstance(rule, ThroughTask):
        task_id = obj.pk if not rule.path else _follow(obj, rule.path)
        return task_id is not None and visible_tasks(user, Task.objects.filter(pk=task_id)).exists()
    if isinstance(rule, Through):
        return rule.rows(user).filter(**{rule.field: obj.pk}).exists()
    return _follow(obj, rule.path) in agency_ids(user)


def sees_agency_details(user, agency: Agency) -> bool:
    """A body's people and addresses (members, e-mails, its history): the Office, leaders, and the body's own reporters."""
    return sees_everything(user) or agency.pk in agency_ids(user)


def may_import(user) -> bool:
    """Who may upload a workbook: the Office and agency reporters (a leader only reads)."""
    return user.is_authenticated and (is_office(user) or (not is_viewer(user) and bool(agency_ids(user))))


def agency_pages(user) -> set[int] | None:
    """The bodies whose page (and reporting workbook) the user may open; None means every body."""
    return None if sees_everything(user) else agency_ids(user)


def may_open_agency(user, agency_id: int) -> bool:
    pages = agency_pages(user)
    return pages is None or agency_id in pages


def may_report_for(user, agency: Agency) -> bool:
    """Who may download and send back a body's reporting workbook: the Office, and the body's own reporters."""
    return is_office(user) or (not is_viewer(user) and agency.pk in agency_ids(user))


# ---- the Resolution's targets: the same three kinds of user, the tracking body in place of the lead ----

def visible_figures(user, queryset: QuerySet[TargetFigure] | None = None) -> QuerySet[TargetFigure]:
    """Office and viewers see every figure; a reporter the figures its agencies track."""
    return scope(user, queryset if queryset is not None else TargetFigure.objects.all())


def visible_targets(user, queryset: QuerySet[Target] | None = None) -> QuerySet[Target]:
    """The targets with at least one figure the user sees."""
    return scope(user, queryset if queryset is not None else Target.objects.all())


def reportable_figures(user, queryset: QuerySet[TargetFigure] | None = None) -> QuerySet[TargetFigure]:
    """Figures the user may report a value for: the Office any; a reporter those its agencies track; viewers none."""
    queryset = queryset if queryset is not None else TargetFigure.objects.all()
    if is_office(user):
        return queryset
    if is_viewer(user) or not agency_ids(user):
        return queryset.none()
    return queryset.filter(agency_id__in=agency_ids(user))


def can_report_figure(user, figure: TargetFigure) -> bool:
    return reportable_figures(user, TargetFigure.objects.filter(pk=figure.pk)).exists()


def figure_reporting_agencies(user, figure: TargetFigure) -> QuerySet[Agency]:
    """The agencies the user may report a figure's value for: its tracking body (any body, for the Office)."""
    if is_office(user):
        return Agency.objects.all()
    return Agency.objects.filter(pk=figure.agency_id, pk__in=agency_ids(user)) if figure.agency_id else Agency.objects.none()


def can_review_target_values(user) -> bool:
    return is_office(user)


def can_edit_targets(user) -> bool:
    """Who tracks a figure, its baseline, the tasks serving a target: the Office."""
    return is_office(user)


def can_export_official_report(user) -> bool:
    """The official report covers the whole programme: the Office and the leaders who read everything."""
    return sees_everything(user)
