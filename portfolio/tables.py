"""django-tables2 Tables: the task list, rendered on the page and exported as it is shown."""

from datetime import date

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .columns import BY_NAME, COLUMNS, DEFAULT_NAMES, Labels, TaskColumn
from .freshness import kept_count


def _table_column(column: TaskColumn) -> tables.Column:
    order_by = column.order_by + ("number",) if column.order_by and column.order_by[-1] != "number" else column.order_by
    return tables.Column(verbose_name=column.header, accessor="pk", order_by=order_by or None, orderable=bool(order_by),
                         attrs={"td": {"class": column.td_class}} if column.td_class else {})


class KeptCountPaginator(Paginator):
    """The list's paginator: its number of rows is counted once for a filter and kept until the data changes
    (freshness.kept_count), not counted again for every page and every reader."""

    @cached_property
    def count(self) -> int:
        data = getattr(self.object_list, "data", None)  # the table's rows (BoundRows) over its TableQuerysetData
        if isinstance(getattr(data, "data", None), QuerySet):
            data._length = kept_count(data.data)  # what len(table.data) answers from now on
            return data._length
        return super().count


class TaskTableBase(tables.Table):
    """The task list's behaviour; TaskTable below adds one django-tables2 column per declaration of columns.COLUMNS,
    whose cells are rendered by those declarations."""

    class Meta:
        order_by = ("number",)
        attrs = {"class": "tasks", "id": "task-table"}
        empty_text = _("Không có nhiệm vụ nào khớp với bộ lọc.")
        template_name = "portfolio/table.html"
        # The page size is chosen by the view from a fixed list, never taken from the URL as is.
        per_page_field = "table_per_page_unused"

    def __init__(self, *args, as_of: date, columns=DEFAULT_NAMES, as_of_query: str = "", rows_queryset=None,
                 agency_pages: set[int] | None = None, **kwargs):
        """``columns``: the names of the columns shown (columns.chosen_columns), the others are excluded."""
        super().__init__(*args, exclude=[name for name in BY_NAME if name not in columns], **kwargs)
        self.as_of = as_of
        self.as_of_query = as_of_query
        self.rows_queryset = rows_queryset
        self.agency_pages = agency_pages  # bodies whose page the user may open (None: every body)

    def task_href(self, record) -> str:
        return self.task_url.format(record.pk)

    def body_html(self) -> str:
        """The page's rows, rendered in Python.

        django-tables2's per-cell template rendering costs more than the rest of the page together at 50 rows;
        the cells are the same (escaped by format_html), the table keeps its columns, sorting and pagination.
        """
        # data-label: the column's name, written before the value when the rows are shown as cards (phones).
        columns = [
            (BY_NAME[column.name].cell, format_html('{} data-label="{}"', column.attrs["td"].as_html(), column.header))
            for column in self.columns
        ]
        # Labels translated and addresses built once per page, not once per cell.
        self.labels = Labels(as_of=self.as_of)
        self.task_url = reverse("portfolio:task_detail", args=[0]).replace("/0/", "/{}/") + (f"?{self.as_of_query}" if self.as_of_query else "")
        self.agency_url = reverse("portfolio:agency_detail", args=[0]).replace("/0/", "/{}/")
        rows = []
        for record in self.page_records():
            cells = "".join(f"<td {attrs}>{cell(self, record)}</td>" for cell, attrs in columns)
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

    def export_widths(self) -> list[float]:
        return [BY_NAME[column.name].width for column in self.columns]

    def export_rows(self):
        """The rows as shown (same order) as plain values, straight from one values_list query streamed in chunks.

        The first item is the number of rows (a window count in the same query), then one list per row.
        """
        shown = [BY_NAME[column.name] for column in self.columns]
        context = Labels(as_of=self.as_of)
        plan = [column.converter(context) for column in shown]
        queryset = self.data.data.annotate(rows_total=Window(Count("pk"))).values_list(*(column.field for column in shown), "rows_total")
        total = None
        for values in queryset.iterator(chunk_size=2000):
            if total is None:
                total = values[-1]
                yield total
            yield [convert(value) if convert and value is not None else value for value, convert in zip(values, plan)]
        if total is None:
            yield 0


TaskTable = type(tables.Table)(
    "TaskTable", (TaskTableBase,),
    {"__module__": __name__, **{column.name: _table_column(column) for column in COLUMNS},
     "Meta": type("Meta", (TaskTableBase.Meta,), {"sequence": tuple(column.name for column in COLUMNS)})},
)
