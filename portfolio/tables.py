"""django-tables2 Tables: the task list, rendered on the page and exported as it is shown."""

import django_tables2 as tables
from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .choices import FundingCategory, Role, ScheduleState, WorkStatus, labels
from .selectors import parse_bodies


class TaskTable(tables.Table):
    number = tables.Column(verbose_name=_("TT"), attrs={"td": {"class": "num"}})
    title = tables.Column(verbose_name=_("Nhiệm vụ"), attrs={"td": {"class": "title"}})
    lead_name = tables.Column(verbose_name=_("Cơ quan chủ trì"), order_by=("lead_sort", "number"))
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

    def __init__(self, *args, as_of_query: str = "", rows_queryset=None, agency_pages: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of_query = as_of_query
        self.rows_queryset = rows_queryset
        self.agency_pages = agency_pages  # bodies whose page the user may open (None: every body)

    def _task_href(self, record) -> str:
        return self.task_url.format(record.pk)

    def body_html(self) -> str:
        """The page's rows, rendered in Python.

        django-tables2's per-cell template rendering costs more than the rest of the page together at 50 rows;
        the cells are the same (escaped by format_html), the table keeps its columns, sorting and pagination.
        """
        columns = [(column.name, column.attrs["td"].as_html()) for column in self.columns]
        # Labels translated and addresses built once per page, not once per cell.
        self.labels = {"role": labels(Role), "state": labels(ScheduleState), "status": labels(WorkStatus), "funding": labels(FundingCategory)}
        self.task_url = reverse("portfolio:task_detail", args=[0]).replace("/0/", "/{}/") + (f"?{self.as_of_query}" if self.as_of_query else "")
        self.agency_url = reverse("portfolio:agency_detail", args=[0]).replace("/0/", "/{}/")
        rows = []
        for record in self.page_records():
            cells = "".join(f"<td {attrs}>{CELL_HTML[name](self, record)}</td>" for name, attrs in columns)
            rows.append(f"<tr>{cells}</tr>")
        if not rows:
            rows.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("".join(rows))

    def page_records(self):
        """The page's tasks in one query that computes the per-row subqueries (bodies, lead) for those rows only.

        The ids of the page are chosen in a subquery (filter, order, offset, limit), so a deep page costs what the
        first one does instead of evaluating the annotations of every row skipped. The outer query reads those ids
        from ``rows_queryset`` (the same annotations, no filter) when given: repeating the filters there let SQLite
        walk every matching row of an index instead of fetching the 50 by id.
        """
        queryset = self.data.data
        if getattr(self, "page", None) is None:  # not paginated (a Page's truth value would run the query)
            return list(queryset)
        per_page = self.paginator.per_page
        start = (self.page.number - 1) * per_page
        ids = queryset.values("pk")[start : start + per_page]
        if self.rows_queryset is None:
            return list(queryset.filter(pk__in=ids))
        return list(self.rows_queryset.filter(pk__in=ids).order_by(*queryset.query.order_by))

    def export_headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def export_rows(self):
        """The rows as shown (same order) as plain values, straight from one values_list query streamed in chunks.

        The first item is the number of rows (a window count in the same query), then one list per row.
        """
        names = [column.name for column in self.columns]
        converters = export_converters()
        plan = [converters.get(name) for name in names]
        queryset = self.data.data.annotate(rows_total=Window(Count("pk"))).values_list(*(EXPORT_FIELDS[name] for name in names), "rows_total")
        total = None
        for values in queryset.iterator(chunk_size=2000):
            if total is None:
                total = values[-1]
                yield total
            yield [convert(value) if convert and value is not None else value for value, convert in zip(values, plan)]
        if total is None:
            yield 0


def _link(href, text) -> str:
    return format_html('<a href="{}">{}</a>', href, text)


def _date(value, fmt="SHORT_DATE_FORMAT") -> str:
    return date_format(value, fmt) if value else "—"


def _others_html(record, roles) -> str:
    bodies = [b for b in parse_bodies(record.bodies_text) if b.role != Role.LEAD]
    if not bodies:
        return "—"
    items = "".join(
        f'<li title="{roles[b.role]}: {escape(b.name)}"><span class="role role-{b.role}">{roles[b.role]}</span> {escape(b.name)}</li>'
        for b in bodies
    )
    return f'<ul class="bodies">{items}</ul>'


def _funding_html(record, categories) -> str:
    short = categories.get(record.funding.category, record.funding_text) if record.funding else record.funding_text
    return format_html('<span title="{}">{}</span>', record.funding_text, short)


def _progress_html(record) -> str:
    return format_html('<progress value="{0}" max="100">{0}%</progress> <span class="pct">{0}%</span>', record.progress)


CELL_HTML = {
    "number": lambda table, r: _link(table._task_href(r), r.number),
    "title": lambda table, r: _link(table._task_href(r), r.title),
    "lead_name": lambda table, r: _link(table.agency_url.format(r.lead_id), r.lead_name)
    if r.lead_id and (table.agency_pages is None or r.lead_id in table.agency_pages) else escape(r.lead_name or "—"),
    "others": lambda table, r: _others_html(r, table.labels["role"]),
    "deadline_text": lambda table, r: escape(r.deadline_text),
    "next_due_date": lambda table, r: _date(r.next_due_date),
    "funding": lambda table, r: _funding_html(r, table.labels["funding"]),
    "status": lambda table, r: table.labels["status"][r.status],
    "schedule_state": lambda table, r: f'<span class="badge state-{r.schedule_state}">{table.labels["state"][r.schedule_state]}</span>',
    "progress": lambda table, r: _progress_html(r),
    "last_reported_at": lambda table, r: _date(timezone.localtime(r.last_reported_at), "SHORT_DATETIME_FORMAT") if r.last_reported_at else "—",
}

# The field each exported column reads; export_converters() turns some of them into the cell's value.
EXPORT_FIELDS = {
    "number": "number", "title": "title", "lead_name": "lead_name", "others": "bodies_text", "deadline_text": "deadline_text",
    "next_due_date": "next_due_date", "funding": "funding_text", "status": "status", "schedule_state": "schedule_state",
    "progress": "progress", "last_reported_at": "last_reported_at",
}
def export_converters() -> dict:
    """Per column, value -> cell, with the labels translated once for the whole export."""
    roles, statuses, states = labels(Role), labels(WorkStatus), labels(ScheduleState)
    zone = timezone.get_current_timezone()
    return {
        "others": lambda text: "; ".join(f"{roles[b.role]}: {b.name}" for b in parse_bodies(text) if b.role != Role.LEAD),
        "status": statuses.__getitem__,
        "schedule_state": states.__getitem__,
        "last_reported_at": lambda value: value.astimezone(zone).replace(tzinfo=None),
    }
