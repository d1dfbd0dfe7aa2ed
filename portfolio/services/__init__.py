"""Writes: every change to the data goes through a function here (validate, then save, in one transaction)."""

from .programme import (  # noqa: F401
    FIXTURE_MODELS,
    ImportResult,
    agency_edited,
    agency_refresh_tasks,
    programme_diff,
    programme_fixture_json,
    programme_import,
    task_apply_schedule,
)
from .reports import (  # noqa: F401
    ConflictError,
    attachment_add,
    attachment_validate,
    lock_version,
    progress_report_decide,
    progress_report_review,
    progress_report_submit,
    progress_reports_accept,
    task_apply_accepted_report,
    task_comment_add,
    task_comment_delete,
)
from .tasks import (  # noqa: F401
    milestone_complete,
    task_complete,
    task_delegate,
    task_edit,
    task_edit_dates,
    task_edited,
    task_refresh_next_due,
    task_refresh_search_text,
    task_reopen,
    task_set_state,
    task_state_validate,
)
