"""The timeline page: the list's filters and permissions, zooms, grouping, paging; in a browser for two roles."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portfolio import models as m
from portfolio import timeline
from portfolio.choices import UserKind

from .world import MARKER, client_for


def task_numbers(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-task="(\d+)"', html)}


@pytest.mark.parametrize("role", ["office", "leader", "reporter_a", "reporter_b", "delegate_d"])
@pytest.mark.parametrize("query", ["", "q=ban", "schedule_state=overdue&as_of=2027-01-01"])
def test_timeline_shows_the_same_tasks_as_the_list(world, role, query, monkeypatch):
    monkeypatch.setattr(timeline, "ROWS_PER_PAGE", 10_000)
    client = client_for(world, role)
    listed = client.get(f"/tasks/?{query}&per_page=200")
    expected = {row.record.number for row in listed.context["table"].paginated_rows} if listed.context["table"].paginator.count <= 200 else None
    response = client.get(f"/timeline/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{listed.context['table'].paginator.count} nhiệm vụ khớp" in html
    if expected is not None:
        assert task_numbers(html) == expected


@pytest.mark.parametrize("role, other", [("reporter_a", "B"), ("reporter_b", "A"), ("delegate_d", "B")])
def test_timeline_shows_nothing_of_another_agency(world, role, other):
    client = client_for(world, role)
    for query in ("", "group=lead", "zoom=term", "zoom=2026", "withdrawn=include"):
        html = client.get(f"/timeline/?{query}").content.decode()
        assert MARKER[other] not in html
        assert world.objects[(m.Task, other)].number not in task_numbers(html)


def test_timeline_draws_bars_milestones_and_the_as_of_line(world, monkeypatch):
    monkeypatch.setattr(timeline, "ROWS_PER_PAGE", 10_000)
    client = client_for(world, "office")
    task = m.Task.objects.filter(milestones__isnull=False, due_date__isnull=False).first()
    html = client.get("/timeline/?as_of=2026-11-22").content.decode()
    row = html[html.index(f'data-task="{task.number}"'):]
    row = row[:row.index("</a>")]
    assert 'class="bar fill-' in row and f'href="/tasks/{task.pk}/"' in html
    assert row.count('class="milestone') == task.milestones.filter(due_date__lt="2046-01-01").count()
    assert 'data-as-of="1"' in html
    assert "<script" not in html
    coordinates = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', html[html.index("<section"):])
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates), "SVG numbers are not localised"
    assert re.search(r'd="M\d+(\.\d+)? \d+ l7 7', row)


def test_timeline_pages_by_group_and_keeps_the_filters(world, monkeypatch):
    monkeypatch.setattr(timeline, "ROWS_PER_PAGE", 40)
    client = client_for(world, "office")
    first = client.get("/timeline/?group=lead&kind=&zoom=term").content.decode()
    assert "Trang 1/" in first
    pages = int(re.search(r"Trang 1/(\d+)", first)[1])
    seen = []
    for page in range(1, pages + 1):
        html = client.get(f"/timeline/?group=lead&zoom=term&page={page}").content.decode()
        numbers = re.findall(r'data-task="(\d+)"', html)
        assert 0 < len(numbers) <= 40
        seen += numbers
    assert len(seen) == len(set(seen)) == m.Task.objects.filter(withdrawn_on__isnull=True).count()
    assert "zoom=term&amp;group=lead&amp;page=2" in first


def test_timeline_zoom_to_a_year_shows_months(world):
    html = client_for(world, "office").get("/timeline/?zoom=2027&as_of=2027-03-01").content.decode()
    assert ">01/2027<" in html and ">12/2027<" in html and 'data-as-of="1"' in html
    assert 'data-as-of="1"' not in client_for(world, "office").get("/timeline/?zoom=2030&as_of=2027-03-01").content.decode()


def test_timeline_with_ten_thousand_tasks_stays_a_bounded_page(world):
    """10,000 tasks: one page holds at most ROWS_PER_PAGE rows and renders in reasonable time."""
    import time

    task = m.Task.objects.get(pk=world.objects[(m.Task, "B")].pk)
    base = m.Task.objects.order_by("-number").first().number
    m.Task.objects.bulk_create([
        m.Task(programme=task.programme, section=task.section, number=base + i + 1, title=f"Nhiệm vụ thử {i}", lead_text="x",
               due_date=task.due_date) for i in range(10_000 - m.Task.objects.count())
    ])
    client = client_for(world, "office")
    started = time.perf_counter()
    response = client.get("/timeline/?page=40")
    elapsed = time.perf_counter() - started
    html = response.content.decode()
    assert response.status_code == 200
    assert m.Task.objects.count() == 10_000 and "Trang 40/" in html
    assert len(re.findall(r'data-task="', html)) <= timeline.ROWS_PER_PAGE
    assert elapsed < 10, elapsed
    print(f"10,000 tasks: page 40 of the timeline in {elapsed:.2f} s, {len(html)} bytes")


@pytest.mark.parametrize("group", ["section", "lead"])
def test_timeline_pages_show_every_task_once_in_the_order_of_its_groups_and_numbers(world, monkeypatch, group):
    """Pages of 3 rows: groups are split across pages, several fit on one; read page after page, the tasks come in
    the groups' order and by number inside each, none twice, none missing, and each page asks the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portfolio.selectors import task_queryset

    monkeypatch.setattr(timeline, "ROWS_PER_PAGE", 3)
    client = client_for(world, "office")
    tasks = task_queryset(as_of=date.today(), bodies="text").filter(withdrawn_on__isnull=True)
    if group == "lead":
        expected = [t["number"] for t in sorted(tasks.values("number", "lead_name"), key=lambda t: (t["lead_name"] or "\uffff", t["number"]))]
    else:
        expected = [t["number"] for t in sorted(tasks.values("number", "section__position", "section__numeral"),
                                               key=lambda t: (t["section__position"], t["section__numeral"], t["number"]))]
    first = client.get(f"/timeline/?group={group}").content.decode()
    pages = int(re.search(r"Trang 1/(\d+)", first)[1])
    seen, queries = [], set()
    for page in range(1, pages + 1):
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"/timeline/?group={group}&page={page}").content.decode()
        queries.add(len(captured))
        seen += [int(n) for n in re.findall(r'data-task="(\d+)"', html)]
    assert seen == expected
    assert len(expected) > 3 * 2 and len(queries) <= 2, queries  # a page with a group's part and one of whole groups only
