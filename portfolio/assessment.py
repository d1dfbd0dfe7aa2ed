"""A figure's assessment for a date: Vượt / Đạt / Không đạt, on track or not, or no data; and the share of the target reached.

Pure functions, no Django: the pages, the report, the workbook and the tests pass plain values.

- A yearly figure ("hằng năm", "%/năm") is judged on the latest value reported for a period begun by the date.
- A figure due in a year (2030) is judged outright once that year's value is in or the year is over; before that, it is
  on track when the latest value is on the straight line from the baseline (the figure's, else the first value) to the
  target at the year's end, or beyond it.
- Outright: below the bar is "Không đạt"; up to 5% of the target beyond the bar is "Đạt"; further is "Vượt". For a range
  the bar is its lower end and "Vượt" is above its upper end. For "below" and "at most" less is better.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

EXCEEDED, MET, NOT_MET, ON_TRACK, BEHIND, NO_DATA = "exceeded", "met", "not_met", "on_track", "behind", "no_data"
YEAR, FIRST_HALF = "year", "first_half"
DOWNWARD = {"below", "at_most"}
BAND = Decimal("0.05")


@dataclass(frozen=True)
class Goal:
    """What a figure asks for."""

    comparison: str
    value: Decimal | None
    value_high: Decimal | None = None
    year: int | None = None
    yearly: bool = False
    baseline_value: Decimal | None = None
    baseline_year: int | None = None


@dataclass(frozen=True)
class Reading:
    """An accepted value of a figure for a period."""

    period_kind: str
    year: int
    value: Decimal | None = None
    achieved: bool | None = None

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.period_kind == FIRST_HALF else date(self.year, 12, 31)

    @property
    def order(self) -> tuple:
        return (self.year, 1 if self.period_kind == FIRST_HALF else 2)


@dataclass(frozen=True)
class Result:
    outcome: str
    reading: Reading | None = None
    share: Decimal | None = None  # percent of the target reached
    expected: Decimal | None = None  # on the straight line, for a figure not yet due
    reason: str = ""


def compare(goal: Goal, value: Decimal | None, achieved: bool | None = None) -> str:
    """The outright judgement of a value against the goal (Vượt / Đạt / Không đạt)."""
    if goal.comparison == "qualitative":
        return MET if achieved else NOT_MET
    if value is None or goal.value is None:
        return NO_DATA
    target, high = goal.value, goal.value_high
    band = abs(target) * BAND
    if goal.comparison in ("between",) or (goal.comparison == "at_least" and high is not None):
        return NOT_MET if value < target else MET if value <= high else EXCEEDED
    if goal.comparison == "below":
        return NOT_MET if value >= target else MET if value >= target - band else EXCEEDED
    if goal.comparison == "at_most":
        return NOT_MET if value > target else MET if value >= target - band else EXCEEDED
    if goal.comparison == "more_than":
        return NOT_MET if value <= target else MET if value <= target + band else EXCEEDED
    if goal.comparison == "about":
        return NOT_MET if value < target - band else MET if value <= target + band else EXCEEDED
    return NOT_MET if value < target else MET if value <= target + band else EXCEEDED  # at least, maintain


def share(goal: Goal, value: Decimal | None, achieved: bool | None = None) -> Decimal | None:
    """Percent of the target reached (for "below"/"at most", target over value: less is better)."""
    if goal.comparison == "qualitative":
        return None if achieved is None else Decimal(100 if achieved else 0)
    if value is None or not goal.value:
        return None
    if goal.comparison in DOWNWARD:
        ratio = goal.value / value if value else None
    else:
        ratio = value / goal.value
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _expected(goal: Goal, start_value: Decimal, start: date, at: date) -> Decimal:
    due = date(goal.year, 12, 31)
    total = (due - start).days
    elapsed = min(max((at - start).days, 0), total)
    return start_value + (goal.value - start_value) * Decimal(elapsed) / Decimal(total or 1)


def assess(goal: Goal, readings: list[Reading], as_of: date) -> Result:
    """The figure's assessment on ``as_of`` from its accepted readings (any order)."""
    known = sorted((r for r in readings if r.start <= as_of), key=lambda r: r.order)
    if not known:
        return Result(NO_DATA, reason="chưa có số liệu được chấp nhận")
    latest = known[-1]
    outright = Result(compare(goal, latest.value, latest.achieved), latest, share(goal, latest.value, latest.achieved))
    if goal.yearly or goal.year is None:
        return outright
    due = date(goal.year, 12, 31)
    if goal.comparison == "qualitative":
        if latest.achieved or as_of >= due:
            return outright
        return Result(NO_DATA, latest, outright.share, reason="chưa hoàn thành, chưa đến hạn đánh giá")
    if as_of >= due or (latest.year >= goal.year and latest.period_kind == YEAR):
        return outright
    if outright.outcome in (MET, EXCEEDED):
        return Result(ON_TRACK, latest, outright.share, reason="đã đạt chỉ tiêu trước hạn")
    if goal.baseline_value is not None and goal.baseline_year is not None:
        start_value, start = goal.baseline_value, date(goal.baseline_year, 12, 31)
    elif len(known) > 1:
        start_value, start = known[0].value, known[0].end
    else:
        return Result(NO_DATA, latest, outright.share, reason="cần số liệu gốc để đánh giá tiến độ")
    if start_value is None or latest.value is None:
        return Result(NO_DATA, latest, outright.share, reason="cần số liệu gốc để đánh giá tiến độ")
    expected = _expected(goal, start_value, start, latest.end)
    ahead = latest.value <= expected if goal.comparison in DOWNWARD else latest.value >= expected
    return Result(ON_TRACK if ahead else BEHIND, latest, outright.share, expected.quantize(Decimal("0.01")))
