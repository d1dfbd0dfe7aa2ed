"""The dashboard's chart geometry: bar widths, heights and offsets in the SVG's units (pure functions, no Django)."""

# A body's bar: its tasks by assessment, in this order from the left.
BODY_BAR_STATES = ("done_on_time", "done_late", "overdue", "due_soon", "on_track", "unscheduled")
BODY_BAR_WIDTH = 600  # the longest body's bar
YEAR_BAR_HEIGHT = 150  # the busiest year's bar


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


def year_bars(by_year: list[tuple[int, int]]) -> list[tuple[int, int, int, int, int]]:
    """(year, count, height, x, y) per year, the busiest year YEAR_BAR_HEIGHT tall, bars standing on y = 175."""
    year_max = max((n for _y, n in by_year), default=0) or 1
    return [
        (year, n, round(YEAR_BAR_HEIGHT * n / year_max), 20 + 80 * i, 175 - round(YEAR_BAR_HEIGHT * n / year_max))
        for i, (year, n) in enumerate(by_year)
    ]


def dashboard_charts(*, by_year: list[tuple[int, int]], bodies: list[dict]) -> dict:
    """The charts' part of a dashboard's context; ``bodies`` get their bars."""
    body_bars(bodies)
    return {
        "year_bars": year_bars(by_year),
        # Room for eight years at least: the chart scales to the column's width, so one year alone made a bar a page tall.
        "year_chart_width": 40 + 80 * max(len(by_year), 8),
        "body_chart_height": 20 * min(len(bodies), 12) + 4,
    }
