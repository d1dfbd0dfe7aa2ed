"""The dashboard's chart geometry: bar widths, heights, offsets and label lines in the SVG's units (pure functions, no Django).

The charts are drawn at their own size (one SVG unit is one CSS pixel, ``width`` set on the element): at 100% zoom
on a 1366 px screen their text is the size written here, never scaled down to fit a column.
"""

import textwrap

# A body's bar: its tasks by assessment, in this order from the left.
BODY_BAR_STATES = ("done_on_time", "done_late", "overdue", "due_soon", "on_track", "unscheduled")
BODY_CHART_WIDTH = 620  # fits one column of the dashboard at 1366 px
BODY_LABEL_WIDTH = 250  # the names, right-aligned against the bars
BODY_BAR_WIDTH = 300  # the longest body's bar; its total is written after it
BODY_LABEL_CHARS = 34  # a line of a name at 13 px in BODY_LABEL_WIDTH
LINE_HEIGHT = 16
ROW_GAP = 10
SEGMENT_LABEL_MIN = 22  # a segment narrower than this has its count in its tooltip only
YEAR_BAR_HEIGHT = 150  # the busiest year's bar
YEAR_STEP, YEAR_BAR = 70, 50


def label_lines(name: str, chars: int = BODY_LABEL_CHARS) -> list[str]:
    """A body's name broken into lines at spaces, every word kept (no "…")."""
    return textwrap.wrap(name, chars, break_long_words=False, break_on_hyphens=False) or [""]


def body_bars(bodies: list[dict]) -> None:
    """Give each body ``bars``: (state, count, width, offset) per state, the widest body filling BODY_BAR_WIDTH."""
    chart_max = max((b["total"] for b in bodies), default=0) or 1
    for body in bodies:
        offset = 0
        bars = []
        for state in BODY_BAR_STATES:
            width = round(BODY_BAR_WIDTH * body[state] / chart_max)
            bars.append((state, body[state], width, offset))
            offset += width
        body["bars"] = bars


BODY_CHART_LIMIT = 30  # bars in a body chart: every body of the programme (at most 9 per role); at province scale, a
# thousand bars would be neither readable nor quick to draw, and the table beside it lists them all.


def chart_bodies(bodies: list[dict], limit: int = BODY_CHART_LIMIT) -> list[dict]:
    """Every body when they fit; else the ``limit`` with the most overdue tasks (then the most tasks), in their order."""
    if len(bodies) <= limit:
        return bodies
    chosen = {id(body) for body in sorted(bodies, key=lambda body: (-body["overdue"], -body["total"]))[:limit]}
    return [body for body in bodies if id(body) in chosen]


def body_chart(bodies: list[dict], state_labels: dict[str, str]) -> dict:
    """Every body's row: its name in lines, its bar's segments (with the count written inside the wide ones) and its total."""
    body_bars(bodies)
    rows, y = [], 6
    for body in bodies:
        lines = label_lines(body["agency__name"])
        height = max(len(lines) * LINE_HEIGHT, 20)
        bar_y = y + (height - 18) // 2
        first_line_y = y + (height - len(lines) * LINE_HEIGHT) // 2 + 12
        segments = [
            {"state": state, "count": count, "x": BODY_LABEL_WIDTH + 10 + offset, "width": width,
             "text_x": BODY_LABEL_WIDTH + 10 + offset + width // 2, "labelled": width >= SEGMENT_LABEL_MIN,
             "label": state_labels.get(state, state)}
            for state, count, width, offset in body["bars"] if count
        ]
        bar_end = BODY_LABEL_WIDTH + 10 + sum(width for _s, _c, width, _o in body["bars"])
        rows.append({
            "body": body, "y": y, "bar_y": bar_y, "text_y": bar_y + 13,
            "lines": [(line, first_line_y + i * LINE_HEIGHT) for i, line in enumerate(lines)],
            "segments": segments, "total_x": bar_end + 6,
        })
        y += height + ROW_GAP
    return {"rows": rows, "width": BODY_CHART_WIDTH, "height": y, "label_x": BODY_LABEL_WIDTH}


def year_bars(by_year: list[tuple[int, int]]) -> list[tuple[int, int, int, int, int]]:
    """(year, count, height, x, y) per year, the busiest year YEAR_BAR_HEIGHT tall, bars standing on y = 175."""
    year_max = max((n for _y, n in by_year), default=0) or 1
    return [
        (year, n, round(YEAR_BAR_HEIGHT * n / year_max), 20 + YEAR_STEP * i, 175 - round(YEAR_BAR_HEIGHT * n / year_max))
        for i, (year, n) in enumerate(by_year)
    ]


def dashboard_charts(*, by_year: list[tuple[int, int]], body_groups: list, state_labels: dict[str, str] | None = None) -> dict:
    """The charts' part of a dashboard's context: a body chart per kind of role (on each group), the years' chart.

    ``state_labels``: each bar state's words for the segments' tooltips (translated by the caller).
    """
    for group in body_groups:
        group.chart = body_chart(chart_bodies(group.bodies), state_labels or {})
        group.chart["shown"], group.chart["of"] = len(group.chart["rows"]), len(group.bodies)
    return {
        "year_bars": year_bars(by_year),
        # Room for eight years at least: one year alone would make a bar as wide as the column.
        "year_chart_width": 40 + YEAR_STEP * max(len(by_year), 8),
        "year_bar_width": YEAR_BAR,
    }
