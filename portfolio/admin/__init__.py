"""Django admin: the full tool for the Office, a narrow one for agency reporters, read-only for leaders.

Every rule about who may do what comes from portfolio.access; every write goes
through portfolio.services, so the admin and the other entry points agree.
Importing this package registers every model admin, one module per concern:

- base.py: the shared bases (history pages, 404 outside what a user may see, Office-only writes, review desks)
- reference.py: programme, sections, agencies and aliases, funding sources
- tasks.py: tasks with their milestones, assignments, reports and comments
- reports.py: the review desk for progress reports
- targets.py: the Resolution's targets, figures and the review desk for target values
- reminders.py: reminder settings, digests, reminders, reminder runs
- users.py: users, groups, locked logins
"""

from . import base, reference, reminders, reports, targets, tasks, users  # noqa: F401  (registers on import)
from .base import HistoryAdmin, NotFoundAdmin, OfficeWritesAdmin, ReviewDeskAdmin

__all__ = ["HistoryAdmin", "NotFoundAdmin", "OfficeWritesAdmin", "ReviewDeskAdmin"]
