"""django-tables2 Tables: the task list, rendered on the page and exported as it is shown."""

import django_tables2 as tables
from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .choices import Role, ScheduleState, WorkStatus
from .selectors import parse_bodies

STATE_LABELS = dict(ScheduleState.choices)
ROLE_LABELS = dict(Role.choices)


class TaskTable(tables.Table):
    number = tables.Column(verbose_name=_("TT"), attrs={"td": {"class": "num"}})
    title = tables.Column(verbose_name=_("Nhiệm vụ"), attrs={"td": {"class": "title"}})
    lead_name = tables.Column(verbose_name=_("Cơ quan chủ trì"), order_by=("lead_name", "number"))
    others = tables.Column(verbose_name=_("Cơ quan khác"), accessor="pk", order_by=("partners_text", "number"))
    deadline_text = tables.Column(verbose_name=_("Thời hạn (nguyên văn)"), order_by=("deadline_text", "number"))
    next_due_date = tables.DateColumn(verbose_name=_("Hạn"), short=True, order_by=("next_due_date", "number"))
    funding = tables.Column(verbose_name=_("Nguồn lực"), accessor="funding_text", order_by=("funding__category", "funding_text", "number"))
    status = tables.Column(verbose_name=_("Tình trạng"), order_by=("status", "number"))
    schedule_state = tables.Column(verbose_name=_("Đánh giá tiến độ"), order_by=("schedule_rank", "next_due_date", "number"))
    progress = tables.Column(verbose_name=_("Tiến độ"), order_by=("progress", "number"))
    last_reported_at = tables.DateTimeColumn(verbose_name=_("Cập nhật lần cuối"), short=True, order_by=("last_reported_at", "number"))

    class Meta:
        sequence = (
            "number", "title", "lead_name", "others", "deadline_text", "next_due_date",
            "funding", "status", "schedule_state", "progress", "last_reported_at",
        )
        order_by = ("number",)
        attrs = {"class": "tasks", "id": "task-table"}
        empty_text = _("Không có nhiệm vụ nào khớp với bộ lọc.")
        template_name = "portfolio/table.html"
        # The page size is chosen by the view from a fixed list, never taken from the URL as is.
        per_page_field = "table_per_page_unused"

    def __init__(self, *args, as_of_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of_query = as_of_query

    def _task_href(self, record) -> str:
        url = reverse("portfolio:task_detail", args=[record.pk])
        return f"{url}?{self.as_of_query}" if self.as_of_query else url

    def body_html(self) -> str:
        """The page's rows, rendered in Python.

        django-tables2's per-cell template rendering costs more than the rest of the page together at 50 rows;
        the cells are the same (escaped by format_html), the table keeps its columns, sorting and pagination.
        """
        columns = [(column.name, column.attrs["td"].as_html()) for column in self.columns]
        rows = []
        for row in self.page.object_list if self.page else self.rows:
            record = row.record
            cells = "".join(f"<td {attrs}>{CELL_HTML[name](self, record)}</td>" for name, attrs in columns)
            rows.append(f"<tr>{cells}</tr>")
        if not rows:
            rows.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("".join(rows))

    def export_headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def export_rows(self):
        """The rows as shown (same order) as plain values, straight from one values_list query streamed in chunks.

        The first item is the number of rows (a window count in the same query), then one list per row.
        """
        names = [column.name for column in self.columns]
        fields = sorted({field for name in names for field in EXPORT_FIELDS[name]})
        position = {field: i for i, field in enumerate(fields)}
        getters = [EXPORT_VALUES[name] for name in names]
        queryset = self.data.data.annotate(rows_total=Window(Count("pk"))).values_list(*fields, "rows_total")
        total = None
        for values in queryset.iterator(chunk_size=2000):
            if total is None:
                total = values[-1]
                yield total
            yield [getter(values, position) for getter in getters]
        if total is None:
            yield 0


def _link(href, text) -> str:
    return format_html('<a href="{}">{}</a>', href, text)


def _date(value, fmt="SHORT_DATE_FORMAT") -> str:
    return date_format(value, fmt) if value else "—"


def _others_html(record) -> str:
    bodies = [b for b in parse_bodies(record.bodies_text) if b.role != Role.LEAD]
    if not bodies:
        return "—"
    items = "".join(
        format_html('<li title="{}: {}"><span class="role role-{}">{}</span> {}</li>', ROLE_LABELS[b.role], b.name, b.role, ROLE_LABELS[b.role], b.name)
        for b in bodies
    )
    return f'<ul class="bodies">{items}</ul>'


def _funding_html(record) -> str:
    short = record.funding.get_category_display() if record.funding else record.funding_text
    return format_html('<span title="{}">{}</span>', record.funding_text, short)


def _progress_html(record) -> str:
    return format_html('<progress value="{0}" max="100">{0}%</progress> <span class="pct">{0}%</span>', record.progress)


CELL_HTML = {
    "number": lambda table, r: _link(table._task_href(r), r.number),
    "title": lambda table, r: _link(table._task_href(r), r.title),
    "lead_name": lambda table, r: _link(reverse("portfolio:agency_detail", args=[r.lead_id]), r.lead_name) if r.lead_id else escape(r.lead_name or "—"),
    "others": lambda table, r: _others_html(r),
    "deadline_text": lambda table, r: escape(r.deadline_text),
    "next_due_date": lambda table, r: _date(r.next_due_date),
    "funding": lambda table, r: _funding_html(r),
    "status": lambda table, r: escape(r.get_status_display()),
    "schedule_state": lambda table, r: format_html('<span class="badge state-{}">{}</span>', r.schedule_state, STATE_LABELS[r.schedule_state]),
    "progress": lambda table, r: _progress_html(r),
    "last_reported_at": lambda table, r: _date(timezone.localtime(r.last_reported_at), "SHORT_DATETIME_FORMAT") if r.last_reported_at else "—",
}

# The fields each exported column reads, and how it turns them into a cell value.
EXPORT_FIELDS = {
    "number": ("number",), "title": ("title",), "lead_name": ("lead_name",), "others": ("bodies_text",),
    "deadline_text": ("deadline_text",), "next_due_date": ("next_due_date",), "funding": ("funding_text",),
    "status": ("status",), "schedule_state": ("schedule_state",), "progress": ("progress",), "last_reported_at": ("last_reported_at",),
}
STATUS_LABELS = dict(WorkStatus.choices)


def _others_text(text) -> str:
    return "; ".join(f"{ROLE_LABELS[b.role]}: {b.name}" for b in parse_bodies(text) if b.role != Role.LEAD)


def _local_naive(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


EXPORT_VALUES = {
    "number": lambda v, p: v[p["number"]],
    "title": lambda v, p: v[p["title"]],
    "lead_name": lambda v, p: v[p["lead_name"]],
    "others": lambda v, p: _others_text(v[p["bodies_text"]]),
    "deadline_text": lambda v, p: v[p["deadline_text"]],
    "next_due_date": lambda v, p: v[p["next_due_date"]],
    "funding": lambda v, p: v[p["funding_text"]],
    "status": lambda v, p: str(STATUS_LABELS[v[p["status"]]]),
    "schedule_state": lambda v, p: str(STATE_LABELS[v[p["schedule_state"]]]),
    "progress": lambda v, p: v[p["progress"]],
    "last_reported_at": lambda v, p: _local_naive(v[p["last_reported_at"]]),
}
