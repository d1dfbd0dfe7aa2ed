"""The timeline page: every visible task's span and milestones on the 2025-2045 axis, as server-rendered SVG.

The same filters as the list (TaskFilterSet, the list's query string), the tasks through access.visible_tasks.
Pages hold whole groups (sections or lead bodies) up to ROWS_PER_PAGE rows, so 10,000 tasks stay a bounded page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy

from . import access
from .choices import ScheduleState
from .models import Milestone, Section
from .duesoon import date_context, parse_due_soon
from .selectors import parse_as_of, task_list, task_queryset

AXIS = (date(2025, 1, 1), date(2046, 1, 1))  # the term and the vision to 2045
ZOOMS = {"all": gettext_lazy("2025–2045"), "term": gettext_lazy("Nhiệm kỳ 2025–2030")}
GROUPS = {"section": gettext_lazy("Theo mục"), "lead": gettext_lazy("Theo cơ quan chủ trì")}
ROWS_PER_PAGE = 120
LABEL_WIDTH, CHART_WIDTH, ROW_HEIGHT, HEAD_HEIGHT = 330, 860, 22, 24


def zoom_window(zoom: str) -> tuple[date, date, str]:
    """(start, end, zoom) of a zoom: "all", "term" or a year 2025-2045; anything else is "all"."""
    if zoom == "term":
        return date(2025, 1, 1), date(2031, 1, 1), zoom
    if zoom.isdigit() and 2025 <= int(zoom) <= 2045:
        return date(int(zoom), 1, 1), date(int(zoom) + 1, 1, 1), zoom
    return *AXIS, "all"


@dataclass
class Scale:
    start: date
    end: date

    def x(self, day: date) -> float:
        day = min(max(day, self.start), self.end)
        return round(LABEL_WIDTH + CHART_WIDTH * (day - self.start).days / (self.end - self.start).days, 1)

    def shows(self, first: date, last: date) -> bool:
        return first < self.end and last >= self.start

    def ticks(self) -> list[tuple[float, str]]:
        if (self.end - self.start).days <= 366:
            return [(self.x(date(self.start.year, month, 1)), f"{month:02d}/{self.start.year}") for month in range(1, 13)]
        step = 1 if self.end.year - self.start.year <= 8 else 5
        return [(self.x(date(year, 1, 1)), str(year)) for year in range(self.start.year, self.end.year + 1, step)]


@dataclass
class Row:
    pk: int
    number: int
    title: str
    state: str
    state_label: str
    url: str
    y: int = 0
    bar: tuple[float, float] | None = None  # (x, width)
    ongoing: bool = False
    points: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        text = f"{self.number}. {self.title}"
        return text if len(text) <= 48 else text[:47] + "…"


@dataclass
class Group:
    label: str
    rows: list[Row]
    continued: bool = False
    height: int = 0


def _pages(groups: list[tuple[str, object, int]]) -> list[list[tuple[str, object, int, int]]]:
    """Pages of (label, key, start, size) chunks: whole groups per page up to ROWS_PER_PAGE rows; a group longer than a
    page is split, its chunks after the first marked continued (start > 0). Only the groups' sizes are needed."""
    pages, current, size = [], [], 0
    for label, key, count in groups:
        for start in range(0, count, ROWS_PER_PAGE):
            chunk = min(ROWS_PER_PAGE, count - start)
            if current and size + chunk > ROWS_PER_PAGE:
                pages.append(current)
                current, size = [], 0
            current.append((label, key, start, chunk))
            size += chunk
    if current:
        pages.append(current)
    return pages


DRAWN = ("pk", "number", "title", "schedule_state", "start_date", "due_date", "next_due_date", "is_ongoing")


def _page_rows(queryset, group_field: str, chunks: list[tuple[str, object, int, int]], members: dict | None = None) -> dict[object, list[dict]]:
    """The drawn fields of a page's tasks by group, each group's in order of number.

    ``members`` (each group's task ids in order), when every task's place had to be read: the page's tasks by id.
    Otherwise a page holds at most one part of a longer group (a page of its own, or the last part of one ahead of
    whole groups): one query for the part, one for the whole groups, whatever the number of groups."""
    if members is not None:
        wanted = {key: members[key][start:start + size] for _label, key, start, size in chunks}
        found = {t["pk"]: t for t in queryset.filter(pk__in=[pk for pks in wanted.values() for pk in pks]).order_by().values(*DRAWN)}
        return {key: [found[pk] for pk in pks if pk in found] for key, pks in wanted.items()}  # a task deleted since is left out
    ordered = queryset.order_by("number", "pk")
    rows: dict[object, list[dict]] = {}
    whole = [key for _label, key, start, size in chunks if start == 0 and size < ROWS_PER_PAGE]
    for _label, key, start, size in chunks:
        if key not in whole:
            rows[key] = list(ordered.filter(**{group_field: key}).values(*DRAWN)[start:start + size])
    if whole:
        condition = Q(**{f"{group_field}__in": [key for key in whole if key is not None]})
        if None in whole:
            condition |= Q(**{f"{group_field}__isnull": True})
        for task in ordered.filter(condition).values(group_field, *DRAWN):
            rows.setdefault(task.pop(group_field), []).append(task)
    return rows


def timeline_view(request):
    """/timeline/: the filtered tasks the user may see, grouped, on the chosen zoom, one page of groups at a time."""
    as_of, error = parse_as_of(request.GET.get("as_of"))
    due_soon, due_soon_error = parse_due_soon(request.GET.get("due_soon"), as_of)
    for message in (error, due_soon_error):
        if message:
            messages.warning(request, message)
    start, end, zoom = zoom_window(request.GET.get("zoom", "all"))
    group_by = request.GET.get("group") if request.GET.get("group") in GROUPS else "section"
    scale = Scale(start, end)
    filterset = task_list(data=request.GET, as_of=as_of, queryset=access.visible_tasks(request.user, task_queryset(as_of=as_of, due_soon_days=due_soon.days, bodies="text")))
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    # The groups' sizes first (what paging needs), then the drawn fields of the page's tasks only: at 100,000 tasks
    # reading every row's place took 290 ms, the sizes and the page's rows 20 ms.
    members = None
    if group_by == "lead":
        # The lead body's name is a subquery per task: grouping by it costs as much as reading it, so it is read once.
        group_field, members = "lead_name", {}
        for name, _number, pk in sorted(queryset.order_by().values_list("lead_name", "number", "pk"), key=lambda t: (t[0] or "\uffff", t[1], t[2])):
            members.setdefault(name, []).append(pk)
        sizes = [(name or _("Chưa xác định cơ quan chủ trì"), name, len(pks)) for name, pks in members.items()]
    else:
        group_field = "section_id"
        counted = dict(queryset.order_by().values_list("section_id").annotate(size=Count("pk")))
        sizes = [(f"{section.numeral}. {section.title}", section.pk, counted[section.pk])
                 for section in Section.objects.filter(pk__in=counted).order_by("position", "numeral")]
    paginator = Paginator(_pages(sizes) or [[]], 1)
    page = paginator.get_page(request.GET.get("page"))
    chunks = page.object_list[0] if page.object_list else []
    drawn = _page_rows(queryset, group_field, chunks, members)
    ids = [t["pk"] for rows in drawn.values() for t in rows]
    milestones: dict[int, list] = {}
    for m in Milestone.objects.filter(task_id__in=ids).order_by("task_id", "position").values("task_id", "label", "due_date", "completed_on"):
        milestones.setdefault(m["task_id"], []).append(m)
    states = dict(ScheduleState.choices)
    groups = []
    for label, key, first, _size in chunks:
        rows = drawn.get(key, [])
        group = Group(label=label, rows=[], continued=first > 0)
        for index, t in enumerate(rows):
            row = Row(pk=t["pk"], number=t["number"], title=t["title"], state=t["schedule_state"] or "unscheduled",
                      state_label=states.get(t["schedule_state"], ""), url=reverse("portfolio:task_detail", args=[t["pk"]]),
                      y=HEAD_HEIGHT + index * ROW_HEIGHT)
            due = t["due_date"] or t["next_due_date"]
            first_day = t["start_date"] or AXIS[0]
            if due and scale.shows(min(first_day, due), due):
                x = scale.x(min(first_day, due))
                row.bar = (x, max(scale.x(due) - x, 3))
            elif t["is_ongoing"] and not due:
                row.ongoing = True
            for m in milestones.get(t["pk"], []):
                if scale.start <= m["due_date"] < scale.end:
                    row.points.append({"x": scale.x(m["due_date"]), "label": m["label"], "date": m["due_date"], "done": bool(m["completed_on"])})
            group.rows.append(row)
        group.height = HEAD_HEIGHT + len(rows) * ROW_HEIGHT + 4
        groups.append(group)
    query = request.GET.copy()
    for name in ("page", "zoom", "group"):
        query.pop(name, None)
    list_query = request.GET.copy()
    for name in ("page", "zoom", "group"):
        list_query.pop(name, None)
    as_of_x = scale.x(as_of) if start <= as_of < end else None
    years = [str(year) for year in range(2025, 2046)]
    context = {
        "filter": filterset, **date_context(request, as_of, error, due_soon),
        "groups": groups, "page_obj": page, "count": sum(size for _label, _key, size in sizes), "zoom": zoom, "zooms": [*ZOOMS.items(), *[(y, y) for y in years]],
        "group_by": group_by, "group_choices": GROUPS.items(), "ticks": scale.ticks(), "as_of_x": as_of_x,
        "width": LABEL_WIDTH + CHART_WIDTH + 10, "label_width": LABEL_WIDTH, "chart_end": LABEL_WIDTH + CHART_WIDTH,
        "base_query": query.urlencode(), "list_query": list_query.urlencode(), "row_height": ROW_HEIGHT,
        "legend": [(value, label) for value, label in ScheduleState.choices],
    }
    return render(request, "portfolio/timeline.html", context)
