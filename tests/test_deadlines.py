from datetime import date

import pytest

from portfolio.deadlines import Schedule, next_open_due, parse_deadline
from portfolio.seedparse import parse_appendix


@pytest.mark.parametrize(
    "text, due",
    [
        ("2025", date(2025, 12, 31)),
        ("Năm 2026", date(2026, 12, 31)),
        ("năm  2026.", date(2026, 12, 31)),
        ("Đến năm 2030", date(2030, 12, 31)),
        ("Tháng 10/2025", date(2025, 10, 31)),
        ("Tháng 2/2028", date(2028, 2, 29)),
        ("Quý III/2029", date(2029, 9, 30)),
        ("Quý I/2026", date(2026, 3, 31)),
        ("Quý 4/2027", date(2027, 12, 31)),
        ("Quý IV/2027", date(2027, 12, 31)),
    ],
)
def test_parse_deadline_single_due_date(text, due):
    schedule = parse_deadline(text)
    assert schedule.due == due
    assert not schedule.needs_review and not schedule.milestones and not schedule.ongoing


@pytest.mark.parametrize(
    "text, start, due",
    [
        ("2026 - 2030", date(2026, 1, 1), date(2030, 12, 31)),
        ("2025-2027", date(2025, 1, 1), date(2027, 12, 31)),
        ("2018 - 2027", date(2018, 1, 1), date(2027, 12, 31)),
        ("2030 – 2045", date(2030, 1, 1), date(2045, 12, 31)),
        ("Giai đoạn 2026 - 2030", date(2026, 1, 1), date(2030, 12, 31)),
    ],
)
def test_parse_deadline_year_range(text, start, due):
    schedule = parse_deadline(text)
    assert (schedule.start, schedule.due) == (start, due)
    assert not schedule.needs_review


def test_parse_deadline_two_years_are_milestones():
    schedule = parse_deadline("Năm 2027 và 2030")
    assert [m.due for m in schedule.milestones] == [date(2027, 12, 31), date(2030, 12, 31)]
    assert schedule.due == date(2030, 12, 31)
    assert next_open_due(schedule) == date(2027, 12, 31)
    assert next_open_due(schedule, completed_milestones=1) == date(2030, 12, 31)


def test_parse_deadline_ongoing_within_period():
    schedule = parse_deadline("Thực hiện thường xuyên giai đoạn 2025 - 2030")
    assert schedule.ongoing
    assert (schedule.start, schedule.due) == (date(2025, 1, 1), date(2030, 12, 31))
    assert not schedule.needs_review


def test_parse_deadline_second_phase():
    schedule = parse_deadline("2026 - 2030, giai đoạn 2 đến năm 2045")
    assert schedule.start == date(2026, 1, 1)
    assert [m.due for m in schedule.milestones] == [date(2030, 12, 31), date(2045, 12, 31)]
    assert schedule.milestones[0].label.startswith("Giai đoạn 1")
    assert schedule.due == date(2045, 12, 31)
    assert next_open_due(schedule) == date(2030, 12, 31)


def test_parse_deadline_conditional_start_of_works():
    schedule = parse_deadline("Khởi công giai đoạn 2026 - 2030 khi có đủ điều kiện")
    assert schedule.conditional
    assert len(schedule.milestones) == 1 and schedule.milestones[0].conditional
    assert schedule.milestones[0].due == date(2030, 12, 31)
    assert not schedule.needs_review


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "Chưa ghi thời hạn"),
        ("Sớm nhất có thể", "Không nhận dạng được"),
        ("2030 - 2026", "trước năm bắt đầu"),
        ("Năm 1890", "ngoài khoảng"),
        ("2101", "ngoài khoảng"),
        ("Tháng 13/2025", "tháng 13"),
        ("Quý V/2026", "quý V"),
        ("Năm 2030 và 2027", "tăng dần"),
        ("2026 - 2030, giai đoạn 2 đến năm 2029", "giai đoạn 2"),
        (None, "Chưa ghi thời hạn"),
    ],
)
def test_parse_deadline_needs_review_never_guesses(text, reason):
    schedule = parse_deadline(text)
    assert schedule.needs_review
    assert reason in schedule.review_reason
    assert schedule.due is None and schedule.start is None and not schedule.milestones


def test_parse_deadline_reads_every_deadline_of_the_programme(seed_text):
    rows = parse_appendix(seed_text).rows
    unread = [(r.number, r.deadline_text) for r in rows if parse_deadline(r.deadline_text).needs_review]
    assert unread == []


def test_next_open_due_without_milestones_is_the_due_date():
    assert next_open_due(Schedule(due=date(2026, 12, 31))) == date(2026, 12, 31)
