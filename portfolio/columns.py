"""The task columns, each declared once: its header, its cell on the list page, its sort keys, the field the
exports read with its converter, and its Excel width.

The list page (tables.TaskTable), the filtered export and the meeting workbook's catalogue (excel/meeting.py) all
read these declarations. Adding a column to the list and its export is one ``TaskColumn(...)`` in COLUMNS; the
meeting workbook keeps the appendix's layout (MEETING_COLUMNS), where a list column is reused with its appendix
header and width.

A cell renderer takes the table (its per-page labels and addresses, see TaskTable.body_html) and the record and
returns HTML: every text from the data goes through ``escape`` or ``format_html``. A converter factory takes the
export's Labels (translated once per export) and returns value -> cell, called for non-empty values only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from django.db.models import Case, DateField, F, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from .choices import FundingCategory, Role, ScheduleState, WorkStatus, labels
from .excel.columns import APPENDIX_HEADERS
from .selectors import FIELD_SEP, parse_bodies


@dataclass
class Labels:
    """What the cells of one page or one export translate or compute once, not once per cell."""

    as_of: date
    role: dict = dataclasses.field(default_factory=lambda: labels(Role))
    state: dict = dataclasses.field(default_factory=lambda: labels(ScheduleState))
    status: dict = dataclasses.field(default_factory=lambda: labels(WorkStatus))
    funding: dict = dataclasses.field(default_factory=lambda: labels(FundingCategory))
    zone: Any = dataclasses.field(default_factory=timezone.get_current_timezone)


@dataclass(frozen=True)
class TaskColumn:
    name: str  # the table's column name, and its value in ?cols=
    header: str
    field: Any  # what the exports read: a field or annotation of selectors.task_queryset, or an expression over them
    width: float  # in the Excel exports
    cell: Callable[[Any, Any], str] | None = None  # (table, record) -> HTML; None: not on the list page
    order_by: tuple[str, ...] = ()  # sort keys of the list page; the task number always breaks ties
    convert: Callable[[Labels], Callable[[Any], Any]] | None = None  # labels -> (value -> cell); None: the value itself
    td_class: str = ""
    default: bool = True  # shown when the user has not chosen columns

    def in_meeting(self, header: str, width: float, **changes) -> "TaskColumn":
        """The same column in the meeting workbook's appendix layout: its header and width there (and any change)."""
        return dataclasses.replace(self, header=header, width=width, **changes)

    def converter(self, context: Labels):
        return self.convert(context) if self.convert else None


def _link(href, text) -> str:
    return format_html('<a href="{}">{}</a>', href, text)


def _date(value, fmt="SHORT_DATE_FORMAT") -> str:
    return date_format(value, fmt) if value else "—"


def _lead_cell(table, r) -> str:
    # The name wraps in its column, never cut; its full name is also its tooltip, as in the other bodies' column.
    if r.lead_id and (table.agency_pages is None or r.lead_id in table.agency_pages):
        return format_html('<a href="{}" title="{}">{}</a>', table.agency_url.format(r.lead_id), r.lead_name, r.lead_name)
    return escape(r.lead_name or "—")


def _others_cell(table, r) -> str:
    roles = table.labels.role
    bodies = [b for b in parse_bodies(r.bodies_text) if b.role != Role.LEAD]
    if not bodies:
        return "—"
    items = "".join(
        f'<li title="{roles[b.role]}: {escape(b.name)}"><span class="role role-{b.role}">{roles[b.role]}</span> {escape(b.name)}</li>'
        for b in bodies
    )
    return f'<ul class="bodies">{items}</ul>'


def _funding_cell(table, r) -> str:
    short = table.labels.funding.get(r.funding.category, r.funding_text) if r.funding else r.funding_text
    return format_html('<span title="{}">{}</span>', r.funding_text, short)


def _days_overdue(as_of: date, state: str, due: date | None) -> int | None:
    return (as_of - due).days if state == ScheduleState.OVERDUE and due else None


def _days_overdue_cell(days: int | None) -> str:
    return format_html('<span class="late">{}</span>', days) if days else "—"


def _others_text(context: Labels):
    roles = context.role
    return lambda text: "; ".join(f"{roles[b.role]}: {b.name}" for b in parse_bodies(text) if b.role != Role.LEAD)


def _report_text(value: str) -> str:
    parts = zip(("Kết quả", "Khó khăn", "Đề xuất"), value.split(FIELD_SEP))
    return "\n".join(f"{label}: {text}" for label, text in parts if text)


NUMBER = TaskColumn("number", _("TT"), "number", 6, lambda t, r: _link(t.task_href(r), r.number), ("number",), td_class="num")
TITLE = TaskColumn("title", _("Nhiệm vụ"), "title", 60, lambda t, r: _link(t.task_href(r), r.title), ("title",), td_class="title")
LEAD = TaskColumn("lead_name", _("Cơ quan chủ trì"), "lead_name", 28, _lead_cell, ("lead_sort",), td_class="lead")  # Vietnamese order
OTHERS = TaskColumn("others", _("Cơ quan khác"), "bodies_text", 40, _others_cell, ("partners_text",), _others_text)
DEADLINE_TEXT = TaskColumn("deadline_text", _("Thời hạn (nguyên văn)"), "deadline_text", 22, lambda t, r: escape(r.deadline_text), ("deadline_text",))
DUE = TaskColumn("next_due_date", _("Hạn"), "next_due_date", 12, lambda t, r: _date(r.next_due_date), ("next_due_date",), td_class="date")
DAYS_OVERDUE = TaskColumn(
    "days_overdue", _("Số ngày quá hạn"),
    Case(When(schedule_state=ScheduleState.OVERDUE, then=F("next_due_date")), default=None, output_field=DateField()), 10,
    lambda t, r: _days_overdue_cell(_days_overdue(t.labels.as_of, r.schedule_state, r.next_due_date)),
    ("schedule_rank", "-next_due_date"), lambda c: lambda due: (c.as_of - due).days, td_class="num days",
)
FUNDING = TaskColumn("funding", _("Nguồn lực"), "funding_text", 26, _funding_cell, ("funding__category", "funding_text"))
STATUS = TaskColumn("status", _("Tình trạng"), "status", 16, lambda t, r: t.labels.status[r.status], ("status",), lambda c: c.status.__getitem__)
STATE = TaskColumn(
    "schedule_state", _("Đánh giá tiến độ"), "schedule_state", 18,
    lambda t, r: f'<span class="badge state-{r.schedule_state}">{t.labels.state[r.schedule_state]}</span>',
    ("schedule_rank", "next_due_date"), lambda c: c.state.__getitem__,
)
PROGRESS = TaskColumn(
    "progress", _("Tiến độ"), "progress", 10,
    lambda t, r: format_html('<progress value="{0}" max="100">{0}%</progress> <span class="pct">{0}%</span>', r.progress), ("progress",),
)
LAST_REPORTED = TaskColumn(
    "last_reported_at", _("Cập nhật lần cuối"), "last_reported_at", 16,
    lambda t, r: _date(timezone.localtime(r.last_reported_at), "SHORT_DATETIME_FORMAT") if r.last_reported_at else "—",
    ("last_reported_at",), lambda c: lambda value: value.astimezone(c.zone).replace(tzinfo=None),
)

# The list page's and the filtered export's columns, in their order.
COLUMNS: tuple[TaskColumn, ...] = (
    NUMBER, TITLE, LEAD, OTHERS, DEADLINE_TEXT, DUE, DAYS_OVERDUE, FUNDING, STATUS, STATE, PROGRESS, LAST_REPORTED,
)
BY_NAME = {column.name: column for column in COLUMNS}
DEFAULT_NAMES = tuple(column.name for column in COLUMNS if column.default)


def chosen_columns(names) -> tuple[str, ...]:
    """The columns a user asked for (?cols=, repeated or comma-separated), known ones only, in the list's order;
    none asked for or none known: the default set. The number and the title are always shown."""
    asked = {name.strip() for value in names for name in value.split(",")}
    known = asked & BY_NAME.keys()
    if not known:
        return DEFAULT_NAMES
    known |= {"number", "title"}
    return tuple(column.name for column in COLUMNS if column.name in known)


# The meeting workbook's catalogue: the appendix's six columns (its headers, its texts verbatim: the programme
# workbook reader finds them by these headers) and the tracking columns. Fitted to the width of an A4 landscape page
# at about 90% and written in 10 pt: at least 9 pt on paper.
_TT, _TASK, _LEAD, _PARTNERS, _DEADLINE, _FUNDING = APPENDIX_HEADERS
MEETING_COLUMNS: tuple[TaskColumn, ...] = (
    NUMBER.in_meeting(_TT, 4),
    TITLE.in_meeting(_TASK, 27),
    TaskColumn("lead_text", _LEAD, "lead_text", 14),
    TaskColumn("partners_text", _PARTNERS, "partners_text", 18),
    DEADLINE_TEXT.in_meeting(_DEADLINE, 10),
    FUNDING.in_meeting(_FUNDING, 11),
    STATUS.in_meeting("TÌNH TRẠNG", 9.5),
    PROGRESS.in_meeting("TIẾN ĐỘ (%)", 6),
    DUE.in_meeting("HẠN (dd/mm/yyyy)", 10.5),
    STATE.in_meeting("ĐÁNH GIÁ TIẾN ĐỘ", 9.5),
    TaskColumn("report", "KẾT QUẢ / KHÓ KHĂN / ĐỀ XUẤT", "report", 14, convert=lambda c: _report_text),
    LAST_REPORTED.in_meeting("CẬP NHẬT LẦN CUỐI", 10.5, convert=lambda c: lambda value: timezone.localtime(value).date()),
)
