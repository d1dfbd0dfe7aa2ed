"""django-tables2 Tables: the task list, rendered on the page and exported as it is shown."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .choices import Role, ScheduleState

STATE_LABELS = dict(ScheduleState.choices)
ROLE_LABELS = dict(Role.choices)


def _date(value):
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def other_bodies(record) -> list:
    """Every body but the lead, in the order of the cell."""
    return [a for a in record.assignments.all() if a.role != Role.LEAD]


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

    def _task_link(self, record, text):
        url = reverse("portfolio:task_detail", args=[record.pk])
        return format_html('<a href="{}{}">{}</a>', url, f"?{self.as_of_query}" if self.as_of_query else "", text)

    def render_number(self, value, record):
        return self._task_link(record, value)

    def render_title(self, value, record):
        return self._task_link(record, value)



    def export_rows(self):
        """The rows as shown (same order), as plain values, streamed in chunks: no per-cell template work."""
        names = [column.name for column in self.columns]
        for task in self.data.data.iterator(chunk_size=2000):
            yield [EXPORT_VALUES[name](task) for name in names]

    def export_headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def render_lead_name(self, value, record):
        if not record.lead_id:
            return value
        return format_html('<a href="{}">{}</a>', reverse("portfolio:agency_detail", args=[record.lead_id]), value)

    def render_others(self, record):
        bodies = other_bodies(record)
        if not bodies:
            return "—"
        return format_html(
            '<ul class="bodies">{}</ul>',
            format_html_join(
                "",
                '<li title="{}: {}"><span class="role role-{}">{}</span> {}</li>',
                ((ROLE_LABELS[a.role], a.agency.name, a.role, ROLE_LABELS[a.role], a.agency) for a in bodies),
            ),
        )


    def render_funding(self, value, record):
        short = record.funding.get_category_display() if record.funding else value
        return format_html('<span title="{}">{}</span>', value, short)

    def render_status(self, record):
        return record.get_status_display()


    def render_schedule_state(self, value):
        return format_html('<span class="badge state-{}">{}</span>', value, STATE_LABELS[value])


    def render_progress(self, value):
        return format_html('<progress value="{0}" max="100">{0}%</progress> <span class="pct">{0}%</span>', value)





EXPORT_VALUES = {
    "number": lambda t: t.number,
    "title": lambda t: t.title,
    "lead_name": lambda t: t.lead_name,
    "others": lambda t: "; ".join(f"{ROLE_LABELS[a.role]}: {a.agency.name}" for a in other_bodies(t)),
    "deadline_text": lambda t: t.deadline_text,
    "next_due_date": lambda t: t.next_due_date,
    "funding": lambda t: t.funding_text,
    "status": lambda t: str(t.get_status_display()),
    "schedule_state": lambda t: str(STATE_LABELS[t.schedule_state]),
    "progress": lambda t: t.progress,
    "last_reported_at": lambda t: timezone.localtime(t.last_reported_at).replace(tzinfo=None) if t.last_reported_at else None,
}
