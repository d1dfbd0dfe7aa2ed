"""The app's models, one module per concern, all importable from portfolio.models (as migrations name them).

- base.py: TimeStamped, Reviewed (what the Office's review records), the natural-key managers, text bounds
- programme.py: Programme, Section, Agency, AgencyAlias, FundingSource, Task, Milestone, Assignment
- reporting.py: ProgressReport, ReportAttachment, TaskComment
- reminders.py: ReminderSettings, Digest, Reminder, ReminderRun
- targets.py: Target, TargetFigure, TargetValue, TargetReminder
- sharing.py: CalendarFeed, SavedView (a user's private calendar address and saved task lists)
"""

from .base import (
    COMMENT_MAX,
    ChangeAwareManager,
    NaturalKeyManager,
    REPORT_TEXT_MAX,
    Reviewed,
    TITLE_MAX,
    TimeStamped,
    bounded,
    shorten,
)
from .programme import Agency, AgencyAlias, Assignment, FundingSource, Milestone, Programme, Section, Task
from .reporting import ProgressReport, ReportAttachment, TaskComment, attachment_path
from .reminders import Digest, Reminder, ReminderRun, ReminderSettings, _default_thresholds
from .targets import Target, TargetFigure, TargetReminder, TargetValue
from .sharing import CalendarFeed, SavedView

__all__ = [
    "COMMENT_MAX",
    "ChangeAwareManager",
    "NaturalKeyManager",
    "REPORT_TEXT_MAX",
    "Reviewed",
    "TITLE_MAX",
    "TimeStamped",
    "bounded",
    "shorten",
    "Agency",
    "AgencyAlias",
    "Assignment",
    "FundingSource",
    "Milestone",
    "Programme",
    "Section",
    "Task",
    "ProgressReport",
    "ReportAttachment",
    "TaskComment",
    "attachment_path",
    "Digest",
    "Reminder",
    "ReminderRun",
    "ReminderSettings",
    "_default_thresholds",
    "Target",
    "TargetFigure",
    "TargetReminder",
    "TargetValue",
    "CalendarFeed",
    "SavedView",
]

