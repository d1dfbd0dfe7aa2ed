"""The private calendar feed: its events, the site's permissions, RFC 5545 essentials, renewing and revoking."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.db.models import Q
from django.core.management import call_command
from icalendar import Calendar

from portfolio import models as m
from portfolio.models import CalendarFeed

from .world import MARKER, SEES_TASKS, client_for

ROLES = ("office", "leader", "reporter_a", "reporter_b", "delegate_d")


def feed_path(user) -> str:
    out = io.StringIO()
    call_command("calendar_url", user.username, stdout=out)
    url = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"https?://[^/]+/calendar/[A-Za-z0-9_-]{40,}\.ics", url), url
    return urlsplit(url).path


def read_feed(client, path) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@pytest.mark.parametrize("role", ROLES)
def test_feed_has_one_event_per_due_date_and_milestone_of_the_visible_tasks(world, role, client):
    user = world.users[role]
    calendar = read_feed(client, feed_path(user))  # an anonymous client: the token is the credential
    events = calendar.walk("VEVENT")
    tasks = m.Task.objects.filter(withdrawn_on__isnull=True)
    if role not in ("office", "leader"):
        owners = SEES_TASKS[role]
        mine = {world.objects[(m.Task, o)].pk for o in owners}
        agencies = user.agencies.all()
        tasks = tasks.filter(Q(assignments__agency__in=agencies) | Q(delegate__in=agencies)).distinct()
        assert mine <= set(tasks.values_list("pk", flat=True))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    due = {u for u in uids if u.startswith("task-")}
    milestones = {u for u in uids if u.startswith("milestone-")}
    assert due == {f"task-{pk}-due@02-ctr-tu.cantho" for pk in tasks.filter(due_date__isnull=False).values_list("pk", flat=True)}
    assert milestones == {f"milestone-{pk}@02-ctr-tu.cantho" for pk in m.Milestone.objects.filter(task__in=tasks).values_list("pk", flat=True)}
    assert any(u.startswith("report-") for u in uids)
    text = calendar.to_ical().decode()
    for owner in "AB":
        if role in ("office", "leader") or owner in SEES_TASKS[role]:
            assert MARKER[owner] in text.replace("\r\n ", "")
        else:
            assert MARKER[owner] not in text.replace("\r\n ", "")


def test_feed_event_says_the_task_its_state_and_links_to_it(world, client):
    task = world.objects[(m.Task, "A")]
    m.Task.objects.filter(pk=task.pk).update(due_date="2026-06-30", next_due_date="2026-06-30", completed_on=None)
    calendar = read_feed(client, feed_path(world.users["reporter_a"]))
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"task-{task.pk}-"))
    assert str(event["SUMMARY"]).startswith(f"Hạn nhiệm vụ {task.number}:") and MARKER["A"] in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(f"/tasks/{task.pk}/")
    assert "Tình trạng" in str(event["DESCRIPTION"]) and f"/tasks/{task.pk}/" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART").isoformat() == "2026-06-30"


def test_feed_meets_rfc_5545_essentials(world, client):
    raw = client.get(feed_path(world.users["office"])).content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "lines are folded at 75 octets"
    assert b"\n" not in raw.replace(b"\r\n", b"")
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    events = calendar.walk("VEVENT")
    assert events
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert prop in event, f"{prop} missing"
        assert event["DTSTAMP"].to_ical().endswith(b"Z")  # DTSTAMP is UTC
        assert event["DTSTART"].params.get("VALUE") == "DATE" or len(event["DTSTART"].to_ical()) == 8
        assert event.decoded("DTEND") > event.decoded("DTSTART")


def test_renewed_or_revoked_feed_answers_404(world, client):
    user = world.users["reporter_a"]
    old = feed_path(user)
    assert client.get(old).status_code == 200
    own = client_for(world, "reporter_a")
    assert own.post("/calendar/", {"action": "renew"}).status_code == 302
    assert client.get(old).status_code == 404
    new = "/calendar/" + CalendarFeed.objects.get(user=user).token + ".ics"
    assert client.get(new).status_code == 200
    page = own.get("/calendar/").content.decode()
    assert new in page and old not in page
    own.post("/calendar/", {"action": "revoke"})
    assert client.get(new).status_code == 404
    assert not CalendarFeed.objects.filter(user=user).exists()
    assert "Tạo địa chỉ lịch" in own.get("/calendar/").content.decode()


def test_feed_of_a_deactivated_user_answers_404(world, client):
    user = world.users["reporter_b"]
    path = feed_path(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(path).status_code == 404


def test_calendar_page_shows_only_the_users_own_feed(world):
    other = CalendarFeed.for_user(world.users["reporter_b"])
    page = client_for(world, "reporter_a").get("/calendar/").content.decode()
    assert other.token not in page
    assert client_for(world, "reporter_a").post("/calendar/", {"action": "revoke"}).status_code == 302
    assert CalendarFeed.objects.filter(pk=other.pk).exists()
