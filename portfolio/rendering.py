"""HTML built in Python where a template per row costs more than the page's queries; every text goes through
format_html, so whatever the data holds is escaped."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def body_rows_html(bodies, as_of, as_of_query: str, pages: set[int] | None = None) -> str:
    """The per-body table's rows, rendered in Python: a province has a thousand bodies, and per-row template tags
    (five URLs each) cost more than every query of the page together. A body's name links to its page only where
    the user may open it (``pages``; None: every body)."""
    list_url = reverse("portfolio:task_list")
    detail = reverse("portfolio:agency_detail", args=[0]).replace("/0/", "/{}/")
    day = as_of.isoformat()
    suffix = f"?{as_of_query}" if as_of_query else ""
    rows = []
    for body in bodies:
        listed = f"{list_url}?agency={body['agency_id']}&as_of={day}"
        overdue = format_html('<a class="bad" href="{}&amp;schedule_state=overdue">{}</a>', listed, body["overdue"]) if body["overdue"] else "0"
        due_soon = format_html('<a href="{}&amp;schedule_state=due_soon">{}</a>', listed, body["due_soon"]) if body["due_soon"] else "0"
        share = "—" if body["on_time_share"] is None else f"{body['on_time_share']}%"
        name = format_html('<a href="{}{}">{}</a>', detail.format(body["agency_id"]), suffix, body["name"]) \
            if pages is None or body["agency_id"] in pages else body["name"]
        rows.append(format_html(
            '<tr><td>{}</td><td class="n"><a href="{}">{}</a></td><td class="n">{}</td>'
            '<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>',
            name, listed, body["total"], body["done"], overdue, due_soon, share,
        ))
    if not rows:
        return format_html('<tr><td colspan="6">{}</td></tr>', _("Chưa có cơ quan chủ trì nào."))
    return mark_safe("".join(rows))
