"""Free-text Vietnamese deadlines -> structured schedules.

Pure functions, no Django. Every wording the programme uses is recognised
explicitly; anything else is returned with ``needs_review`` set and no date,
so a deadline is never guessed.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

MIN_YEAR = 1990
MAX_YEAR = 2100

ROMAN_QUARTERS = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass(frozen=True)
class Milestone:
    """One dated step of a task: a year of a multi-year task, a phase, a start of works."""

    label: str
    due: date
    conditional: bool = False


@dataclass(frozen=True)
class Schedule:
    """What a deadline text means: the period, the due date and any milestones."""

    start: date | None = None
    due: date | None = None
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)
    ongoing: bool = False
    conditional: bool = False
    needs_review: bool = False
    review_reason: str = ""


class _Unreadable(ValueError):
    """A deadline matched a known shape but its numbers make no sense."""


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s+", " ", text).strip().rstrip(".")
    return text


def _year(value: str) -> int:
    year = int(value)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Unreadable(f"năm {year} nằm ngoài khoảng {MIN_YEAR}-{MAX_YEAR}")
    return year


def _year_end(year: str) -> date:
    return date(_year(year), 12, 31)


def _year_start(year: str) -> date:
    return date(_year(year), 1, 1)


def _period(first: str, last: str) -> tuple[date, date]:
    start, end = _year_start(first), _year_end(last)
    if end < start:
        raise _Unreadable(f"năm kết thúc {last} trước năm bắt đầu {first}")
    return start, end


def _month_end(month: str, year: str) -> date:
    m = int(month)
    if not 1 <= m <= 12:
        raise _Unreadable(f"tháng {m} không tồn tại")
    y = _year(year)
    return date(y, m, calendar.monthrange(y, m)[1])


def _quarter_end(quarter: str, year: str) -> date:
    q = ROMAN_QUARTERS.get(quarter.upper()) or (int(quarter) if quarter.isdigit() else 0)
    if not 1 <= q <= 4:
        raise _Unreadable(f"quý {quarter} không tồn tại")
    return _month_end(str(q * 3), year)


YEAR = r"(\d{4})"
RANGE = rf"{YEAR}\s*-\s*{YEAR}"


def _single_year(m: re.Match) -> Schedule:
    return Schedule(due=_year_end(m[1]))


def _year_range(m: re.Match) -> Schedule:
    start, due = _period(m[1], m[2])
    return Schedule(start=start, due=due)


def _month(m: re.Match) -> Schedule:
    return Schedule(due=_month_end(m[1], m[2]))


def _quarter(m: re.Match) -> Schedule:
    return Schedule(due=_quarter_end(m[1], m[2]))


def _several_years(m: re.Match) -> Schedule:
    years = [_year(y) for y in re.findall(r"\d{4}", m[0])]
    if years != sorted(set(years)):
        raise _Unreadable("các năm không tăng dần")
    milestones = tuple(Milestone(label=f"Năm {y}", due=date(y, 12, 31)) for y in years)
    return Schedule(due=milestones[-1].due, milestones=milestones)


def _ongoing(m: re.Match) -> Schedule:
    if m[1] is None:
        return Schedule(ongoing=True)
    start, due = _period(m[1], m[2])
    return Schedule(start=start, due=due, ongoing=True)


def _two_phases(m: re.Match) -> Schedule:
    start, phase_one = _period(m[1], m[2])
    phase_two = _year_end(m[3])
    if phase_two <= phase_one:
        raise _Unreadable("giai đoạn 2 kết thúc trước giai đoạn 1")
    milestones = (
        Milestone(label=f"Giai đoạn 1 ({m[1]} - {m[2]})", due=phase_one),
        Milestone(label=f"Giai đoạn 2 (đến năm {m[3]})", due=phase_two),
    )
    return Schedule(start=start, due=phase_two, milestones=milestones)


def _conditional_start(m: re.Match) -> Schedule:
    start, due = _period(m[1], m[2])
    milestone = Milestone(label=f"Khởi công ({m[1]} - {m[2]}, khi có đủ điều kiện)", due=due, conditional=True)
    return Schedule(start=start, due=due, milestones=(milestone,), conditional=True)


# Order matters only where shapes overlap; each pattern must match the whole text.
PATTERNS: tuple[tuple[re.Pattern, object], ...] = tuple(
    (re.compile(rf"^{pattern}$", re.IGNORECASE), handler)
    for pattern, handler in (
        (rf"(?:năm\s+)?{YEAR}", _single_year),
        (rf"(?:đến|tới)\s+năm\s+{YEAR}", _single_year),
        (RANGE, _year_range),
        (rf"(?:giai đoạn|năm)\s+{RANGE}", _year_range),
        (r"tháng\s+(\d{1,2})\s*/\s*" + YEAR, _month),
        (r"quý\s+([IV]+|\d)\s*/\s*" + YEAR, _quarter),
        (rf"năm\s+{YEAR}(?:\s*,\s*{YEAR})*\s+và\s+{YEAR}", _several_years),
        (rf"thực hiện thường xuyên(?:\s+giai đoạn\s+{RANGE})?", _ongoing),
        (rf"{RANGE}\s*,\s*giai đoạn 2 đến năm {YEAR}", _two_phases),
        (rf"khởi công giai đoạn {RANGE} khi có đủ điều kiện", _conditional_start),
    )
)


def parse_deadline(text: str) -> Schedule:
    """Interpret a deadline as written in the programme; never raises, never guesses."""
    cleaned = _normalise(text)
    if not cleaned:
        return Schedule(needs_review=True, review_reason="Chưa ghi thời hạn")
    for pattern, handler in PATTERNS:
        match = pattern.match(cleaned)
        if match:
            try:
                return handler(match)
            except _Unreadable as exc:
                return Schedule(needs_review=True, review_reason=f"Thời hạn không hợp lệ: {exc}")
    return Schedule(needs_review=True, review_reason=f"Không nhận dạng được thời hạn «{cleaned}»")


def next_open_due(schedule: Schedule, completed_milestones: int = 0) -> date | None:
    """The due date that drives reminders: the first milestone not yet completed, else the final due date."""
    remaining = schedule.milestones[completed_milestones:]
    return remaining[0].due if remaining else schedule.due
