"""The read API under /api/v1/: the site's permissions, the list's filters and counts, read-only, tokens."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from portfolio import models as m

from .world import MARKER, client_for

ROLES = ("office", "leader", "reporter_a", "reporter_b", "delegate_d")
ENDPOINTS = ("/api/v1/tasks/", "/api/v1/bodies/", "/api/v1/reports/", "/api/v1/targets/", "/api/v1/schema/")


def token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def all_pages(client, url) -> tuple[int, list[dict]]:
    first = client.get(url).json()
    rows, page = list(first["results"]), first
    while page["next"]:
        page = client.get(page["next"]).json()
        rows += page["results"]
    return first["count"], rows


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("query", ["", "q=ban", "state=overdue&as_of=2027-01-01", "withdrawn=include"])
def test_api_task_count_equals_the_list_pages_for_each_role(world, role, query):
    client = client_for(world, role)
    listed = client.get(f"/tasks/?{query}")
    assert listed.status_code == 200
    expected = listed.context["table"].paginator.count
    response = client.get(f"/api/v1/tasks/?{query}&page_size=200")
    assert response.status_code == 200
    count, rows = all_pages(client, f"/api/v1/tasks/?{query}&page_size=200")
    assert count == expected == len(rows)


def test_api_task_shows_bodies_roles_milestones_and_state_as_of_a_date(world):
    client = client_for(world, "office")
    task = m.Task.objects.filter(milestones__isnull=False, next_due_date__isnull=False).first()
    row = client.get(f"/api/v1/tasks/{task.pk}/?as_of={task.next_due_date.replace(year=task.next_due_date.year + 1).isoformat()}").json()
    assert row["number"] == task.number and row["schedule_state"] in ("overdue", "done")
    assert {(b["agency_id"], b["role"]) for b in row["bodies"]} == set(task.assignments.values_list("agency_id", "role"))
    assert [ms["label"] for ms in row["milestones"]] == list(task.milestones.order_by("position").values_list("label", flat=True))
    assert row["url"].endswith(f"/tasks/{task.pk}/")
    earlier = client.get(f"/api/v1/tasks/{task.pk}/?as_of=2025-01-01").json()
    assert earlier["schedule_state"] != "overdue"


def test_api_refuses_an_invalid_filter_with_400(world):
    assert client_for(world, "office").get("/api/v1/tasks/?as_of=not-a-date").status_code == 400


@pytest.mark.parametrize("url", ENDPOINTS)
def test_api_refuses_anonymous(world, url):
    response = Client().get(url)
    assert response.status_code in (401, 403)
    assert MARKER["A"] not in response.content.decode() and MARKER["B"] not in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/tasks/", "/api/v1/bodies/", "/api/v1/reports/", "/api/v1/targets/", "{task}"])
def test_api_refuses_every_write_method(world, method, url):
    task = world.objects[(m.Task, "A")]
    url = url.format(task=f"/api/v1/tasks/{task.pk}/")
    key = Token.objects.get_or_create(user=world.users["office"])[0].key
    before = m.Task.objects.get(pk=task.pk).title
    response = getattr(token_client(key), method)(url, data={"title": "ghi đè"}, content_type="application/json")
    assert response.status_code == 405
    assert m.Task.objects.get(pk=task.pk).title == before


def test_api_token_from_the_command_works_and_a_revoked_token_is_refused(world):
    out = io.StringIO()
    call_command("create_api_token", world.users["reporter_a"].username, stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    client = token_client(key)
    assert client.get("/api/v1/tasks/").status_code == 200
    Token.objects.filter(key=key).delete()  # what the Office's "delete" in the admin does
    assert client.get("/api/v1/tasks/").status_code == 401
    assert token_client("0" * 40).get("/api/v1/tasks/").status_code == 401


def test_office_revokes_a_token_in_the_admin(world):
    token = Token.objects.get_or_create(user=world.users["reporter_a"])[0]
    office = client_for(world, "office")
    listing = office.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200 and "mã truy cập API" in listing.content.decode() and token.key not in listing.content.decode()
    response = office.post(f"/admin/authtoken/tokenproxy/{token.user_id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert token_client(token.key).get("/api/v1/tasks/").status_code == 401
    assert client_for(world, "reporter_a").get("/admin/authtoken/tokenproxy/").status_code == 403


@pytest.mark.parametrize("role, other", [("reporter_a", "B"), ("delegate_d", "B"), ("reporter_b", "A")])
def test_api_shows_no_data_of_another_agency(world, role, other):
    key = Token.objects.get_or_create(user=world.users[role])[0].key
    client = token_client(key)
    for url in ENDPOINTS[:4]:
        response = client.get(f"{url}?page_size=200")
        assert response.status_code == 200
        _count, rows = all_pages(client, f"{url}?page_size=200")
        assert MARKER[other] not in str(rows), url
    hidden_task = world.objects[(m.Task, other)]
    assert client.get(f"/api/v1/tasks/{hidden_task.pk}/").status_code == 404
    hidden_report = world.objects[(m.ProgressReport, other)]
    assert client.get(f"/api/v1/reports/{hidden_report.pk}/").status_code == 404
    assert client.get(f"/api/v1/targets/{world.objects[(m.Target, other)].pk}/").status_code == 404
    body = client.get(f"/api/v1/bodies/{world.agencies[other].pk}/").json()
    assert "emails" not in body and "members" not in body


def test_api_shows_own_agency_details_and_the_office_everything(world):
    own = token_client(Token.objects.get_or_create(user=world.users["reporter_a"])[0].key)
    assert MARKER["A"] in own.get(f"/api/v1/bodies/{world.agencies['A'].pk}/").json()["emails"]
    office = client_for(world, "office")
    _count, rows = all_pages(office, "/api/v1/reports/?page_size=200")
    assert MARKER["A"] in str(rows) and MARKER["B"] in str(rows)
    targets = office.get(f"/api/v1/targets/{world.objects[(m.Target, 'B')].pk}/").json()
    assert MARKER["B"] in str(targets["figures"])


def test_api_schema_describes_the_endpoints(world):
    schema = client_for(world, "leader").get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/tasks/", "/api/v1/bodies/", "/api/v1/reports/", "/api/v1/targets/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/tasks/"]) == {"get"}
