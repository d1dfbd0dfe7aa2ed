"""Writes of a task's state: complete, reopen, complete a milestone, edit its dates.

The admin, the review of reports and the imports call these, so a task is never completed without a date, with a
date in the future, or left due for a step already done. The database constraints are the last guard, not the
message a user reads: every rule here raises a ValidationError naming the field it is about.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import catalogue
from ..access import is_office
from ..choices import WorkStatus
from ..deadlines import parse_deadline
from ..models import Milestone, Task, TaskComment


def work_state_errors(*, status: str, percent: int | None, completed_on: date | None, as_of: date | None = None) -> dict[str, str]:
    """The one rule of a state of work (a task's or a report's), as {field: message}; fields "status", "percent", "completed_on".

    Done needs a completion date that is not after ``as_of`` (today in Cần Thơ) and 100%; another status has no date.
    """
    errors = {}
    if status == WorkStatus.DONE and not completed_on:
        errors["completed_on"] = _("Khi tình trạng là «Hoàn thành» phải ghi ngày hoàn thành.")
    elif completed_on and status != WorkStatus.DONE:
        errors["completed_on"] = _("Chỉ ghi ngày hoàn thành khi tình trạng là «Hoàn thành».")
    elif completed_on and completed_on > (as_of := as_of or timezone.localdate()):  # today read only when a date is given
        errors["completed_on"] = _("Ngày hoàn thành không thể ở tương lai (hôm nay là %(today)s).") % {"today": f"{as_of:%d/%m/%Y}"}
    if status == WorkStatus.DONE and percent is not None and percent != 100:
        errors["percent"] = _("Nhiệm vụ hoàn thành phải có tiến độ 100%.")
    return errors


# A task names its percentage "progress"; a report, "percent".
TASK_FIELDS = {"status": "status", "percent": "progress", "completed_on": "completed_on"}


def task_state_validate(*, status: str, progress: int | None, completed_on: date | None, as_of: date | None = None) -> None:
    """The rule of work_state_errors with a task's field names (for a form or a service)."""
    errors = work_state_errors(status=status, percent=progress, completed_on=completed_on, as_of=as_of)
    if errors:
        raise ValidationError({TASK_FIELDS[name]: message for name, message in errors.items()})


def milestone_validate(*, completed_on: date | None, as_of: date | None = None) -> None:
    as_of = as_of or timezone.localdate()
    if completed_on and completed_on > as_of:
        raise ValidationError(
            {"completed_on": _("Ngày hoàn thành mốc không thể ở tương lai (hôm nay là %(today)s).") % {"today": f"{as_of:%d/%m/%Y}"}}
        )


def task_next_due(*, task: Task) -> date | None:
    """The first milestone not yet completed, else the task's final due date (deadlines.next_open_due on stored rows)."""
    open_steps = [m for m in task.milestones.order_by("position") if m.completed_on is None]
    return open_steps[0].due_date if open_steps else task.due_date


STATE_FIELDS = ("status", "progress", "completed_on")


def _save(task: Task) -> Task:
    """Check the state's own fields (a status among the choices, 0-100%), then save; the rest is the caller's form's."""
    task.clean_fields(exclude=[f.name for f in Task._meta.concrete_fields if f.name not in STATE_FIELDS])
    task.save()
    return task


def task_set_state(*, task: Task, status: str, progress: int, completed_on: date | None = None, as_of: date | None = None) -> Task:
    """Set status, progress and completion together, by the rule; saves the task (and whatever else was edited on it)."""
    task_state_validate(status=status, progress=progress, completed_on=completed_on, as_of=as_of)
    task.status, task.progress, task.completed_on = status, progress, completed_on if status == WorkStatus.DONE else None
    return _save(task)


def task_complete(*, task: Task, completed_on: date | None, as_of: date | None = None) -> Task:
    """The task is done on ``completed_on`` (required, not in the future): status "Hoàn thành", 100%."""
    return task_set_state(task=task, status=WorkStatus.DONE, progress=100, completed_on=completed_on, as_of=as_of)


def task_reopen(*, task: Task, status: str = WorkStatus.IN_PROGRESS, progress: int | None = None) -> Task:
    """A completed task is open again: its completion date is cleared."""
    if status == WorkStatus.DONE:
        raise ValidationError({"status": _("Mở lại nhiệm vụ phải chọn một tình trạng khác «Hoàn thành».")})
    progress = task.progress if progress is None else progress
    return task_set_state(task=task, status=status, progress=min(progress, 100), completed_on=None)


@transaction.atomic
def milestone_complete(*, milestone: Milestone, completed_on: date | None, as_of: date | None = None) -> Milestone:
    """Mark a step done (or open again with ``completed_on=None``); the task's next due date moves to the next open step."""
    milestone_validate(completed_on=completed_on, as_of=as_of)
    milestone.completed_on = completed_on
    milestone.save(update_fields=["completed_on", "updated_at"])
    task_refresh_next_due(task=milestone.task)
    return milestone


def task_refresh_next_due(*, task: Task) -> Task:
    """Recompute the next due date (and so the schedule state, computed from it) from the stored milestones."""
    next_due = task_next_due(task=task)
    if next_due != task.next_due_date:
        task.next_due_date = next_due
        task.version += 1
        task.save(update_fields=["next_due_date", "version", "updated_at"])
    return task


def task_edit_dates(*, task: Task, deadline_text: str | None = None) -> Task:
    """Derive the dates and milestones from the deadline text (the text is the truth); does not save the task.

    A step that is still there (same due date) keeps its completion, so a revision of the wording does not reopen it.
    """
    if deadline_text is not None:
        task.deadline_text = deadline_text
    schedule = parse_deadline(task.deadline_text)
    task.start_date = schedule.start
    task.due_date = schedule.due
    task.is_ongoing = schedule.ongoing
    task.is_conditional = schedule.conditional
    task.needs_review = schedule.needs_review
    task.review_note = schedule.review_reason
    done = dict(task.milestones.filter(completed_on__isnull=False).values_list("due_date", "completed_on")) if task.pk else {}
    task.milestones.all().delete()
    steps = [
        Milestone(task=task, position=i, label=m.label, due_date=m.due, is_conditional=m.conditional, completed_on=done.get(m.due))
        for i, m in enumerate(schedule.milestones, start=1)
    ]
    Milestone.objects.bulk_create(steps)
    open_steps = [m.due_date for m in steps if m.completed_on is None]
    task.next_due_date = open_steps[0] if open_steps else schedule.due
    return task


def task_search_text(*, task: Task, names) -> str:
    """The diacritics-free text the list's free-text filter searches: the task's words and its bodies' names and short
    names (``names``: (name, short_name) pairs in the order of the task's assignments)."""
    parts = [task.title, task.lead_text, task.partners_text, task.deadline_text, task.funding_text]
    parts += [name for pair in names for name in pair if name]
    return catalogue.ascii_fold(" ".join(parts))


def task_refresh_search_text(*, task: Task) -> None:
    """Rebuild the diacritics-free text the list's free-text filter searches; saves only that field, and only when it
    changed: every save of the task's admin page comes here (an agency's report too), and a write marks the data as
    changed (freshness.py), which would throw away the dashboard's and the meeting workbook's kept summaries."""
    text = task_search_text(task=task, names=task.assignments.values_list("agency__name", "agency__short_name"))
    if text != task.search_text:
        task.search_text = text
        Task.objects.filter(pk=task.pk).update(search_text=text)


def task_office_save(*, task: Task, user, changed: set[str], was_done: bool, created: bool = False) -> Task:
    """The Office's edit of a task's own fields (the admin form): the version moves on, a changed delegate records who
    named it and when, and the state goes through task_complete, task_reopen or task_set_state (their rule)."""
    if not created:
        task.version += 1
        if "delegate" in changed:
            task.delegated_by = user if task.delegate else None
            task.delegated_at = timezone.now() if task.delegate else None
    if task.status == WorkStatus.DONE:
        return task_complete(task=task, completed_on=task.completed_on)
    if was_done:
        return task_reopen(task=task, status=task.status, progress=task.progress)
    return task_set_state(task=task, status=task.status, progress=task.progress, completed_on=task.completed_on)


def task_after_rows_saved(*, task: Task, changed: set[str], by_office: bool) -> Task:
    """After a task's rows (bodies, milestones) were saved with it: a new deadline text is read again into dates and
    milestones, the next due date follows the milestones as edited by hand (the Office's edits), and the search text
    follows the bodies."""
    if by_office:
        if "deadline_text" in changed:
            task_edit_dates(task=task)
            task.save()
        task_refresh_next_due(task=task)
    task_refresh_search_text(task=task)
    return task


def task_comment_remove(*, comment: TaskComment, user) -> None:
    """Only the Office removes a comment."""
    if not is_office(user):
        raise PermissionDenied(_("Chỉ Văn phòng Thành ủy được xóa ý kiến."))
    comment.delete()
