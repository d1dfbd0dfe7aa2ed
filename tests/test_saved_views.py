"""Saved task lists: saved from the list page, restored by the dashboard's link, shared with the Office or not."""

from __future__ import annotations

from portfolio import models as m

from .world import MARKER, client_for

QUERY = "schedule_state=overdue&as_of=2026-11-22&sort=-number&per_page=25"


def test_saved_view_restores_the_list_with_its_filters_sort_and_page_size(world):
    client = client_for(world, "office")
    listed = client.get(f"/tasks/?{QUERY}&page=1")
    page = listed.content.decode()
    assert 'id="save-view"' in page
    response = client.post("/saved-views/", {"name": "Quá hạn, mới nhất trước", "query": listed.context["export_query"] + "&page=3", "shared": ""})
    assert response.status_code == 302
    view = m.SavedView.objects.get(user=world.users["office"])
    assert not view.shared_with_office and "page" not in dict(p.split("=") for p in view.query.split("&"))
    dashboard = client.get("/").content.decode()
    assert "Quá hạn, mới nhất trước" in dashboard and f"/saved-views/{view.pk}/" in dashboard
    opened = client.get(f"/saved-views/{view.pk}/", follow=True)
    assert opened.status_code == 200
    restored = opened.context
    assert restored["table"].paginator.count == listed.context["table"].paginator.count
    assert restored["per_page"] == 25
    numbers = [row.record.number for row in restored["table"].paginated_rows]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) <= 25
    assert opened.request["QUERY_STRING"] and "as_of=2026-11-22" in opened.request["QUERY_STRING"]


def test_saving_the_same_name_again_updates_it(world):
    client = client_for(world, "reporter_a")
    client.post("/saved-views/", {"name": "Của tôi", "query": "q=ban"})
    client.post("/saved-views/", {"name": "Của tôi", "query": "q=so"})
    assert list(m.SavedView.objects.filter(user=world.users["reporter_a"], name="Của tôi").values_list("query", flat=True)) == ["q=so"]


def test_a_shared_view_is_listed_for_the_office_only(world):
    office, leader, reporter_a = (client_for(world, r) for r in ("office", "leader", "reporter_a"))
    shared, private = world.objects[(m.SavedView, "B")], world.objects[(m.SavedView, "A")]
    assert shared.name in office.get("/").content.decode() and private.name not in office.get("/").content.decode()
    assert office.get(f"/saved-views/{shared.pk}/").status_code == 302
    assert office.get(f"/saved-views/{private.pk}/").status_code == 404
    assert shared.name not in leader.get("/").content.decode()
    assert leader.get(f"/saved-views/{shared.pk}/").status_code == 404
    assert reporter_a.get(f"/saved-views/{shared.pk}/").status_code == 404
    assert MARKER["B"] not in reporter_a.get("/").content.decode()


def test_only_the_owner_deletes_a_saved_view(world):
    shared = world.objects[(m.SavedView, "B")]
    assert client_for(world, "office").post(f"/saved-views/{shared.pk}/delete/").status_code == 404
    assert m.SavedView.objects.filter(pk=shared.pk).exists()
    assert client_for(world, "reporter_b").post(f"/saved-views/{shared.pk}/delete/").status_code == 302
    assert not m.SavedView.objects.filter(pk=shared.pk).exists()


def test_saving_without_a_name_saves_nothing(world):
    client = client_for(world, "reporter_a")
    before = m.SavedView.objects.count()
    assert client.post("/saved-views/", {"name": "  ", "query": "q=ban"}).status_code == 302
    assert m.SavedView.objects.count() == before


def _export_header(client, query: str) -> list[str]:
    import io

    from openpyxl import load_workbook

    response = client.get(f"/tasks/export.xlsx?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True, max_row=6))
    return next([v for v in row if v is not None] for row in rows if row and row[0] == "TT")


def test_a_saved_view_restores_the_list_and_its_exports_columns(world):
    client = client_for(world, "office")
    listed = client.get(f"/tasks/?{QUERY}&cols=schedule_state&cols=days_overdue&cols=lead_name")
    chosen = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Số ngày quá hạn", "Đánh giá tiến độ"]
    assert [str(c.header) for c in listed.context["table"].columns] == chosen
    client.post("/saved-views/", {"name": "Quá hạn, ít cột", "query": listed.context["export_query"]})
    view = m.SavedView.objects.get(user=world.users["office"], name="Quá hạn, ít cột")
    opened = client.get(f"/saved-views/{view.pk}/", follow=True)
    page = opened.content.decode()
    assert [str(c.header) for c in opened.context["table"].columns] == chosen
    assert "<th" in page and "Nguồn lực</a>" not in page and "Cơ quan khác</a>" not in page
    # The page's own export link carries the columns, and the workbook has exactly them, in the page's order.
    assert _export_header(client, opened.context["export_query"]) == chosen
    # Without a choice, every column is back, on the page and in the export.
    full = client.get(f"/tasks/?{QUERY}")
    assert len(list(full.context["table"].columns)) == 12
    assert len(_export_header(client, QUERY)) == 12


def test_unknown_or_empty_column_choices_fall_back_to_the_default_and_keep_number_and_title(world):
    client = client_for(world, "office")
    assert len(list(client.get("/tasks/?cols=khong-co&cols=%3Cscript%3E").context["table"].columns)) == 12
    only_state = client.get("/tasks/?cols=schedule_state").context["table"]
    assert [c.name for c in only_state.columns] == ["number", "title", "schedule_state"]
