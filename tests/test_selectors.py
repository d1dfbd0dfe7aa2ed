from datetime import date, timedelta

import pytest

from portfolio.choices import ScheduleState, WorkStatus
from portfolio.models import Programme, Section, Task
from portfolio.selectors import body_summary, parse_as_of, programme_summary, task_queryset, today
from portfolio.services import task_apply_schedule

AS_OF = date(2026, 11, 22)


@pytest.fixture
def make_task(db):
    programme = Programme.objects.create(code="TEST", title="Chương trình thử")
    section = Section.objects.create(programme=programme, numeral="I", title="Mục I")
    counter = iter(range(1, 1000))

    def make(deadline_text="2026", **fields):
        task = Task(programme=programme, section=section, number=next(counter), title="Nhiệm vụ", lead_text="X", deadline_text=deadline_text)
        task.save()
        task_apply_schedule(task=task)
        for name, value in fields.items():
            setattr(task, name, value)
        task.save()
        return task

    return make


def state_of(task, as_of=AS_OF, days=None):
    return task_queryset(as_of=as_of, due_soon_days=days).get(pk=task.pk).schedule_state


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 12, 30), ScheduleState.DUE_SOON),  # the day before the due date
        (date(2026, 12, 31), ScheduleState.DUE_SOON),  # the due date itself is still on time
        (date(2027, 1, 1), ScheduleState.OVERDUE),  # the day after
    ],
)
def test_schedule_state_around_the_due_date(make_task, as_of, expected):
    assert state_of(make_task("Năm 2026"), as_of) == expected


@pytest.mark.parametrize("offset, expected", [(-1, ScheduleState.ON_TRACK), (0, ScheduleState.DUE_SOON), (1, ScheduleState.DUE_SOON)])
def test_schedule_state_due_soon_threshold_boundary(make_task, offset, expected):
    # as_of such that the due date is exactly N days ahead (offset 0), one day more (-1) or less (+1).
    due = date(2026, 12, 31)
    as_of = due - timedelta(days=90) + timedelta(days=offset)
    assert state_of(make_task("Năm 2026"), as_of) == expected


def test_schedule_state_due_soon_days_is_a_parameter(make_task):
    task = make_task("Năm 2026")
    assert state_of(task, date(2026, 11, 22), days=30) == ScheduleState.ON_TRACK
    assert state_of(task, date(2026, 12, 1), days=30) == ScheduleState.DUE_SOON


@pytest.mark.parametrize(
    "completed_on, expected",
    [
        (date(2026, 12, 30), ScheduleState.DONE_ON_TIME),
        (date(2026, 12, 31), ScheduleState.DONE_ON_TIME),
        (date(2027, 1, 1), ScheduleState.DONE_LATE),
    ],
)
def test_schedule_state_done_on_time_or_late(make_task, completed_on, expected):
    task = make_task("Năm 2026", status=WorkStatus.DONE, completed_on=completed_on, progress=100)
    assert state_of(task, date(2027, 6, 1)) == expected


def test_schedule_state_done_later_than_as_of_is_not_yet_done(make_task):
    task = make_task("Năm 2026", status=WorkStatus.DONE, completed_on=date(2027, 3, 1), progress=100)
    assert state_of(task, date(2027, 2, 1)) == ScheduleState.OVERDUE
    assert state_of(task, date(2027, 3, 1)) == ScheduleState.DONE_LATE


def test_schedule_state_uses_the_next_open_milestone(make_task):
    task = make_task("Năm 2027 và 2030")
    assert state_of(task, date(2027, 11, 1)) == ScheduleState.DUE_SOON
    assert state_of(task, date(2028, 1, 1)) == ScheduleState.OVERDUE
    assert state_of(task, date(2026, 11, 22)) == ScheduleState.ON_TRACK


def test_schedule_state_second_phase_follows_the_first(make_task):
    task = make_task("2026 - 2030, giai đoạn 2 đến năm 2045")
    assert task.next_due_date == date(2030, 12, 31)
    assert state_of(task, date(2031, 1, 1)) == ScheduleState.OVERDUE


@pytest.mark.parametrize(
    "as_of, expected",
    [(date(2030, 12, 30), ScheduleState.ONGOING), (date(2030, 12, 31), ScheduleState.ONGOING), (date(2031, 1, 1), ScheduleState.OVERDUE)],
)
def test_schedule_state_ongoing_until_the_end_of_its_period(make_task, as_of, expected):
    assert state_of(make_task("Thực hiện thường xuyên giai đoạn 2025 - 2030"), as_of) == expected


def test_schedule_state_unscheduled_when_the_deadline_needs_review(make_task):
    task = make_task("Khi nào xong")
    assert task.needs_review
    assert state_of(task) == ScheduleState.UNSCHEDULED


def test_parse_as_of_accepts_what_users_type_and_links_carry_and_reports_bad_values():
    assert parse_as_of("22/11/2026") == parse_as_of(" 22/11/2026 ") == parse_as_of("2026-11-22") == (date(2026, 11, 22), "")
    assert parse_as_of("1/2/2027") == (date(2027, 2, 1), "")  # day first, as Vietnamese write it
    for bad in ("31/02/2026", "11/23/2026", "hôm qua"):
        as_of, error = parse_as_of(bad)
        assert as_of == today() and bad in error and "22/11/2026" in error


def test_programme_summary_on_the_meeting_date(programme):
    summary = programme_summary(as_of=AS_OF)
    states = dict((s.value, n) for s, n in summary["by_state"])
    assert summary["total"] == 252
    assert states["overdue"] == 12 and states["due_soon"] == 8 and states["ongoing"] == 3
    assert states["unscheduled"] == 0
    assert sum(states.values()) == 252
    assert dict(summary["by_year"])[2025] == 12


def test_body_summary_counts_each_task_once_per_body(programme):
    rows = {r["agency__name"]: r for r in body_summary(as_of=AS_OF)}
    assert rows["Ban Thường vụ Thành ủy"]["total"] == 22
    assert rows["Ban Thường vụ Thành ủy"]["overdue"] == 8
    assert "Các đảng ủy trực thuộc Thành ủy" not in rows  # only ever a coordinator


def test_a_filter_on_a_schedule_state_with_its_bounds_finds_exactly_the_tasks_in_that_state(db):
    """in_schedule_state adds to the CASE the bounds each state implies (so the database can read an index): over
    every combination of the columns the state is computed from, around the date and the due-soon limit, and for
    several dates and due-soon windows, it finds exactly the tasks the CASE puts in that state, no fewer."""
    import itertools

    from portfolio.schedule import in_schedule_state

    programme = Programme.objects.create(code="TEST", title="Chương trình thử")
    section = Section.objects.create(programme=programme, numeral="I", title="Mục I")
    day = lambda n: AS_OF + timedelta(days=n)  # noqa: E731
    dates = [None, day(-40), day(-1), day(0), day(1), day(30), day(31), day(90), day(91), day(400)]
    tasks = [
        Task(programme=programme, section=section, number=number, title="Nhiệm vụ", lead_text="X", deadline_text="2026",
             status=status, completed_on=completed_on, due_date=due_date, next_due_date=next_due, needs_review=review, is_ongoing=ongoing)
        for number, (status, completed_on, due_date, next_due, review, ongoing) in enumerate(itertools.product(
            [WorkStatus.DONE, WorkStatus.IN_PROGRESS, WorkStatus.NOT_STARTED], [None, day(-40), day(0), day(1)], [None, day(-1), day(31)],
            dates, [False, True], [False, True]), start=1)
        if completed_on is None or status == WorkStatus.DONE  # (a date of completion only on a task done: a constraint)
    ]
    Task.objects.bulk_create(tasks)
    for as_of, days in [(AS_OF, None), (AS_OF, 30), (AS_OF, 0), (day(-1), 90), (day(31), 30)]:
        queryset = task_queryset(as_of=as_of, due_soon_days=days)
        states = dict(queryset.values_list("pk", "schedule_state"))
        for state in ScheduleState.values:
            expected = {pk for pk, s in states.items() if s == state}
            assert set(in_schedule_state(queryset, state).values_list("pk", flat=True)) == expected, (state, as_of, days)
    assert len(set(states.values())) == len(ScheduleState.values)  # every state occurs
