"""Who may see and do what: the three kinds of user (Django groups) plus the per-agency rule.

Office staff see and edit everything; viewers read everything; agency reporters
see the tasks where one of their agencies has any role (or is the delegated
unit), report only where it is on the lead side, and comment where it coordinates.
"""

from __future__ import annotations

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


# ---- the Resolution's targets: the same three kinds of user, the tracking body in place of the lead ----

def visible_figures(user, queryset: QuerySet[TargetFigure] | None = None) -> QuerySet[TargetFigure]:
    """Office and viewers see every figure; a reporter the figures its agencies track."""
    queryset = queryset if queryset is not None else TargetFigure.objects.all()
    if sees_everything(user):
        return queryset
    return queryset.filter(agency_id__in=agency_ids(user)) if agency_ids(user) else queryset.none()


def visible_targets(user, queryset: QuerySet[Target] | None = None) -> QuerySet[Target]:
    """The targets with at least one figure the user sees."""
    queryset = queryset if queryset is not None else Target.objects.all()
    if sees_everything(user):
        return queryset
    return queryset.filter(pk__in=visible_figures(user).values("target_id"))


def reportable_figures(user, queryset: QuerySet[TargetFigure] | None = None) -> QuerySet[TargetFigure]:
    """Figures the user may report a value for: the Office any; a reporter those its agencies track; viewers none."""
    queryset = queryset if queryset is not None else TargetFigure.objects.all()
    if is_office(user):
        return queryset
    if is_viewer(user) or not agency_ids(user):
        return queryset.none()
    return queryset.filter(agency_id__in=agency_ids(user))


def can_view_figure(user, figure: TargetFigure) -> bool:
    return visible_figures(user, TargetFigure.objects.filter(pk=figure.pk)).exists()


def can_view_target(user, target: Target) -> bool:
    return visible_targets(user, Target.objects.filter(pk=target.pk)).exists()


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
