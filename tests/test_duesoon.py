"""The due-soon window (portfolio/duesoon.py), and the dashboard's bodies by kind of role, through HTTP."""

import re
from datetime import date

import pytest

from portfolio.duesoon import parse_due_soon, window_keys
from portfolio.bodygroups import body_groups

AS_OF = date(2026, 11, 22)


@pytest.mark.parametrize("value,key,days", [(None, "90", 90), ("30", "30", 30), ("90", "90", 90), ("year", "year", 39), (" 30 ", "30", 30)])
def test_parse_due_soon_reads_the_choices(value, key, days):
    window, error = parse_due_soon(value, AS_OF)
    assert (window.key, window.days, error) == (key, days, "")


@pytest.mark.parametrize("value", ["45", "abc", "-1"])
def test_parse_due_soon_names_a_value_it_does_not_offer(value):
    window, error = parse_due_soon(value, AS_OF)
    assert window.key == "90" and f"«{value}»" in error


def test_due_soon_window_words_and_links():
    assert parse_due_soon("year", AS_OF)[0].label == "đến hết năm 2026 (39 ngày tới)"
    assert parse_due_soon("30", AS_OF)[0].label == "trong 30 ngày tới"
    assert parse_due_soon(None, AS_OF)[0].params == {} and parse_due_soon("30", AS_OF)[0].params == {"due_soon": "30"}
    assert window_keys() == ["30", "90", "year"]


@pytest.mark.django_db
def test_body_groups_leads_add_up_to_the_programme(programme):
    groups = {group.key: group for group in body_groups(as_of=AS_OF)}
    assert list(groups) == ["lead", "advising_implementing", "coordinating"]
    assert groups["lead"].total == 252
    by_name = {b["agency__name"]: b["total"] for b in groups["advising_implementing"].bodies}
    assert by_name["UBND thành phố"] == 197 and by_name["Đảng ủy UBND thành phố"] == 5
    assert {b["agency__name"]: b["total"] for b in groups["lead"].bodies}["Đảng ủy UBND thành phố"] == 199


def count(page):
    return int(re.search(r'id="match-count">(\d+)', page).group(1))


@pytest.mark.django_db
def test_dashboard_body_links_list_what_the_row_counts(client, office):
    client.force_login(office)
    page = client.get("/?as_of=2026-11-22&due_soon=30").content.decode()
    links = re.findall(r'<td class="n"><a href="(/tasks/\?agency=\d+&amp;role=(?:lead|advising_implementing|coordinating)&amp;as_of=2026-11-22&amp;due_soon=30)">(\d+)</a>', page)
    assert len(links) >= 20
    for href, shown in links[::4]:
        assert count(client.get(href.replace("&amp;", "&")).content.decode()) == int(shown), href


@pytest.mark.django_db
def test_due_soon_window_reaches_the_export_and_the_task_page(client, office):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(office)
    rows = {}
    for key in ("30", "year"):
        content = client.get(f"/tasks/export.xlsx?as_of=2026-11-22&schedule_state=due_soon&due_soon={key}").content
        rows[key] = len(list(load_workbook(BytesIO(content)).active.iter_rows(min_row=4, values_only=True)))
        assert count(client.get(f"/tasks/?as_of=2026-11-22&schedule_state=due_soon&due_soon={key}").content.decode()) == rows[key]
    assert rows["30"] < rows["year"]
