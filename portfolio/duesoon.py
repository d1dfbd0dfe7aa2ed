"""The due-soon window: how far ahead of its due date a task counts as "Sắp đến hạn", chosen on the page.

Links carry it as ``?due_soon=30|90|year``; without it the window is PORTFOLIO_DUE_SOON_DAYS days. Every page that
computes schedule states (list, export, meeting workbook, task, agency, dashboard, timeline) reads it here, so the
counts a user compares were computed with the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from .filtersets import DATE_INPUT

YEAR_END = "year"
FIXED_DAYS = (30, 90)


@dataclass(frozen=True)
class DueSoonWindow:
    """A window for a date: ``key`` as in the URL, ``days`` after ``as_of`` that still count as due soon."""

    key: str
    days: int
    as_of: date

    @property
    def is_default(self) -> bool:
        return self.key == default_key()

    @property
    def label(self) -> str:
        """The window in words, after "Sắp đến hạn:" ("trong 90 ngày tới", "đến hết năm 2026")."""
        if self.key == YEAR_END:
            return _("đến hết năm %(year)d (%(days)d ngày tới)") % {"year": self.as_of.year, "days": self.days}
        return _("trong %(days)d ngày tới") % {"days": self.days}

    @property
    def params(self) -> dict[str, str]:
        """What a link must carry to keep the window: nothing for the default one."""
        return {} if self.is_default else {"due_soon": self.key}


def default_key() -> str:
    return str(settings.PORTFOLIO_DUE_SOON_DAYS)


def window_keys() -> list[str]:
    """The choices offered on the page, shortest first; the configured default among them."""
    days = sorted({*FIXED_DAYS, settings.PORTFOLIO_DUE_SOON_DAYS})
    return [str(d) for d in days] + [YEAR_END]


def window_for(key: str, as_of: date) -> DueSoonWindow:
    if key == YEAR_END:
        return DueSoonWindow(YEAR_END, (date(as_of.year, 12, 31) - as_of).days, as_of)
    return DueSoonWindow(key, int(key), as_of)


def parse_due_soon(value: str | None, as_of: date) -> tuple[DueSoonWindow, str]:
    """The window of ``?due_soon=``, and an error message when the value is not one of the choices (the default is used)."""
    if not value:
        return window_for(default_key(), as_of), ""
    value = value.strip()
    if value in window_keys():
        return window_for(value, as_of), ""
    return window_for(default_key(), as_of), _("Khoảng «sắp đến hạn» «%(value)s» không có trong danh sách chọn; đang dùng %(default)s.") % {
        "value": value, "default": window_for(default_key(), as_of).label}


def window_choices(as_of: date) -> list[DueSoonWindow]:
    return [window_for(key, as_of) for key in window_keys()]


def date_context(request, as_of, as_of_error: str, due_soon) -> dict:
    """What every page with the date box shows and links with: the date, the due-soon window, their query strings."""
    typed = request.GET.get("as_of", "")
    return {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "as_of_input": DATE_INPUT.render("as_of", typed if as_of_error else as_of,
                                         attrs={"aria-invalid": "true", "aria-describedby": "as-of-error"} if as_of_error else None),
        # Links of the page keep the date as given (none: today, whenever the link is opened) and a chosen window.
        "as_of_query": urlencode({**({"as_of": typed} if typed else {}), **due_soon.params}),
        # Links that name the date the page was computed for.
        "date_query": urlencode({"as_of": as_of.isoformat(), **due_soon.params}),
        "due_soon": due_soon,
        "due_soon_choices": window_choices(as_of),
    }
