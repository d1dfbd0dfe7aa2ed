"""Dates as people type them on the site's pages (pure functions, no Django)."""

from datetime import date, datetime

# Dates typed on the site's pages are dd/mm/yyyy whatever the browser's language; links may carry YYYY-MM-DD.
DATE_INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_date_input(value: str) -> date | None:
    """A date typed as dd/mm/yyyy (or YYYY-MM-DD, as in links); None if it is neither."""
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None
