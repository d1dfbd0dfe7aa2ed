"""The dashboard's and an agency page's numbers, lists, body tables and charts, for the views."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext as _

from . import access
from .bodygroups import body_groups
from .charts import dashboard_charts
from .choices import LEAD_SIDE_ROLES, ScheduleState
from .freshness import cached
from .schedule import in_schedule_state
from .selectors import programme_summary, task_queryset


def bar_labels() -> dict[str, str]:
    """Each bar state of the body charts in words, in the current language."""
    labels = {state.value: str(state.label) for state in ScheduleState}
    labels["on_track"] = _("Trong hạn, thường xuyên")
    return labels


def dashboard_context(as_of, tasks=None, due_soon_days: int | None = None) -> dict:
    """Numbers, lists and chart data of a dashboard; ``tasks`` restricts it to a body's tasks.

    The whole programme's dashboard is kept until the data changes (freshness.cached): at province scale its
    aggregates cost more than any other page, and the Office opens it far more often than the data changes.
    """
    if tasks is None:
        return cached(f"dashboard:{as_of.isoformat()}:{due_soon_days}:{get_language()}", lambda: _compute_dashboard(as_of, None, due_soon_days))
    return _compute_dashboard(as_of, tasks, due_soon_days)


def _compute_dashboard(as_of, tasks=None, due_soon_days: int | None = None) -> dict:
    base = task_queryset(as_of=as_of, due_soon_days=due_soon_days)
    if tasks is not None:
        base = base.filter(pk__in=tasks.values("pk"))
    summary = programme_summary(as_of=as_of, tasks=tasks, due_soon_days=due_soon_days)
    groups = body_groups(as_of=as_of, task_ids=tasks.values("pk") if tasks is not None else None, due_soon_days=due_soon_days)
    return {
        "summary": summary,
        "body_groups": groups,
        # The leads, one per task: the bodies answerable for the programme's numbers.
        "bodies": next((group.bodies for group in groups if group.key == "lead"), []),
        "overdue": list(in_schedule_state(base, ScheduleState.OVERDUE).prefetch_related(None).order_by("next_due_date", "number")[:25]),
        "due_soon_tasks": list(in_schedule_state(base, ScheduleState.DUE_SOON).prefetch_related(None).order_by("next_due_date", "number")[:25]),
        **charts(by_year=summary["by_year"], body_groups=groups),
        "lead_side_roles": LEAD_SIDE_ROLES,
    }


def charts(*, by_year, body_groups) -> dict:
    """dashboard_charts, each group's body chart also drawn as its SVG markup (``chart_svg``)."""
    context = dashboard_charts(by_year=by_year, body_groups=body_groups, state_labels=bar_labels())
    for group in body_groups:
        group.chart_svg = body_chart_svg(group.chart, group.label)
    return context


def body_chart_svg(chart: dict, label: str) -> str:
    """A body chart (charts.body_chart) as SVG, drawn in Python and kept with the dashboard's summary: at province
    scale its 30 bars per group are thousands of template nodes, more than the rest of the page together."""
    label_x = chart["label_x"]
    rows = []
    for row in chart["rows"]:
        name = escape(row["body"]["agency__name"])
        lines = "".join(f'<tspan x="{label_x}" y="{y}">{escape(line)}</tspan>' for line, y in row["lines"])
        segments = "".join(
            f'<g class="segment"><rect x="{s["x"]}" y="{row["bar_y"]}" width="{s["width"]}" height="18" class="fill-{escape(s["state"])}">'
            f'<title>{name} — {escape(s["label"])}: {int(s["count"])}</title></rect>'
            + (f'<text x="{s["text_x"]}" y="{row["text_y"]}" text-anchor="middle" class="in-bar">{int(s["count"])}</text>' if s["labelled"] else "")
            + "</g>"
            for s in row["segments"]
        )
        rows.append(f'<g class="body-row"><text class="axis" text-anchor="end">{lines}</text>{segments}'
                    f'<text x="{row["total_x"]}" y="{row["text_y"]}" class="value">{int(row["body"]["total"])}</text></g>')
    aria = escape(_("Biểu đồ đánh giá tiến độ: %(label)s") % {"label": label})
    width, height = chart["width"], chart["height"]
    return mark_safe(f'<svg class="chart bodies-chart" role="img" aria-label="{aria}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
                     + "".join(rows) + "</svg>")


def body_rows_html(bodies, date_query: str, as_of_query: str, pages: set[int] | None = None, role: str = "") -> str:
    """The per-body table's rows, rendered in Python: a province has a thousand bodies, and per-row template tags
    (five URLs each) cost more than every query of the page together. A body's name links to its page only where
    the user may open it (``pages``; None: every body). The list's links ask for the body in ``role`` (a value of
    the list's role filter), so the list shows the tasks the row counts."""
    # The addresses' fixed parts are escaped once per table; per row only the name is escaped (the rest are numbers).
    list_url = escape(reverse("portfolio:task_list") + "?agency=")
    tail = escape(f"{f'&role={role}' if role else ''}&{date_query}")
    detail = escape(reverse("portfolio:agency_detail", args=[0]).replace("/0/", "/{}/")) + (escape(f"?{as_of_query}") if as_of_query else "")
    rows = []
    for body in bodies:
        agency_id = int(body["agency_id"])
        listed = f"{list_url}{agency_id}{tail}"
        overdue, due_soon = int(body["overdue"]), int(body["due_soon"])
        overdue_cell = f'<a class="bad" href="{listed}&amp;schedule_state=overdue">{overdue}</a>' if overdue else "0"
        due_soon_cell = f'<a href="{listed}&amp;schedule_state=due_soon">{due_soon}</a>' if due_soon else "0"
        share = "—" if body["on_time_share"] is None else f"{int(body['on_time_share'])}%"
        name = escape(body["agency__name"])
        if pages is None or agency_id in pages:
            name = f'<a href="{detail.format(agency_id)}">{name}</a>'
        rows.append(
            f'<tr><th scope="row">{name}</th><td class="n"><a href="{listed}">{int(body["total"])}</a></td><td class="n">{int(body["done"])}</td>'
            f'<td class="n">{overdue_cell}</td><td class="n">{due_soon_cell}</td><td class="n">{share}</td></tr>'
        )
    if not rows:
        return format_html('<tr><td colspan="6">{}</td></tr>', _("Chưa có cơ quan chủ trì nào."))
    return mark_safe("".join(rows))


def group_rows_html(context, request, *, whole_programme: bool = False) -> None:
    """Each body group's table rows (body_rows_html) on the group, for dashboard_body.html.

    ``whole_programme``: the groups are the whole programme's (dashboard_context without ``tasks``); for a user who
    may open every body's page the rows are then kept with that summary, as the same for every such user."""
    pages = access.agency_pages(request.user)
    for group in context["body_groups"]:
        def render(group=group):
            return body_rows_html(group.bodies, context["date_query"], context["as_of_query"], pages, role=group.key)

        if whole_programme and pages is None:
            key = f"body-rows:{group.key}:{get_language()}:{context['date_query']}:{context['as_of_query']}"
            group.rows_html = cached(key, render)
        else:
            group.rows_html = render()
