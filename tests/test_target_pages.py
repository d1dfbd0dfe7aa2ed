"""The targets page, a target's page and the dashboard's counts, through HTTP for each kind of user."""

from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.choices import ReviewState, TargetGroup, UserKind
from portfolio.models import Agency, Target, TargetFigure, TargetValue, Task

from .helpers import csrf_client, make_user


@pytest.fixture
def users(programme, office):
    return {
        "office": office,
        "construction": make_user("soxaydung", UserKind.REPORTER, "Sở Xây dựng"),
        "viewer": make_user("lanhdao", UserKind.VIEWER),
    }


@pytest.fixture
def urbanisation_value(users):
    figure = TargetFigure.objects.get(target__number=20, position=1)
    return TargetValue.objects.create(
        figure=figure, agency=figure.agency, year=2025, value=Decimal("50.31"), source="Sở Xây dựng", note="Ước thực hiện",
        submitted_by=users["construction"], review_state=ReviewState.ACCEPTED, reviewed_at=timezone.now(),
    )


def figures_shown(response) -> set[str]:
    return {row.figure.target.number for group in response.context["groups"] for item in group["targets"] for row in item["rows"]}


def test_target_list_shows_the_assessment_table_to_the_office(users, urbanisation_value):
    response = csrf_client(users["office"]).get("/targets/?as_of=2026-01-15")
    assert response.status_code == 200
    page = response.content.decode()
    for header in ("Chỉ tiêu", "ĐVT", "Chỉ tiêu Nghị quyết", "Ước thực hiện", "Đánh giá", "Tỷ lệ thực hiện so với chỉ tiêu"):
        assert f"<th>{header}</th>" in page or f'<th class="n">{header}</th>' in page
    assert response.context["row_count"] == 71
    assert figures_shown(response) == set(range(1, 29))
    assert "50,31 (năm 2025)" in page and "Đúng tiến độ" in page


def test_target_list_filters_by_group_body_and_assessment(users, urbanisation_value):
    client = csrf_client(users["office"])
    response = client.get(f"/targets/?group={TargetGroup.DEFENCE}")
    assert figures_shown(response) == {26, 27, 28}
    police = Agency.objects.get(name="Công an thành phố")
    response = client.get(f"/targets/?agency={police.pk}")
    assert figures_shown(response) == {27} and response.context["row_count"] == 1
    response = client.get("/targets/?outcome=on_track&as_of=2026-01-15")
    assert figures_shown(response) == {20}


def test_target_list_shows_a_reporter_only_the_figures_its_body_tracks(users):
    response = csrf_client(users["construction"]).get("/targets/")
    assert figures_shown(response) == {20, 22}


def test_target_detail_shows_figures_history_and_serving_tasks(users, urbanisation_value):
    target = Target.objects.get(number=20)
    target.tasks.add(Task.objects.get(number=1))
    response = csrf_client(users["viewer"]).get("/targets/20/?as_of=2026-01-15")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đến năm 2030, tỷ lệ đô thị hóa đạt 50% trở lên." in page
    assert "Ước thực hiện" in page and "Sở Xây dựng" in page and "Đã chấp nhận" in page
    assert f"/tasks/{Task.objects.get(number=1).pk}/" in page
    assert "Báo cáo số liệu" not in page  # a viewer reports nothing


def test_task_page_names_the_targets_it_serves(users):
    task = Task.objects.get(number=1)
    Target.objects.get(number=20).tasks.add(task)
    page = csrf_client(users["office"]).get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="targets"' in page and 'href="/targets/20/"' in page


def test_target_detail_is_hidden_from_a_reporter_of_another_body(users):
    client = csrf_client(users["construction"])
    assert client.get("/targets/1/").status_code == 404
    page = client.get("/targets/22/").content.decode()
    assert "Báo cáo số liệu" in page


def test_target_pages_send_anonymous_users_to_the_login(client, programme):
    for url in ("/targets/", "/targets/1/", "/reports/official.docx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_dashboard_counts_figures_by_assessment(users, urbanisation_value):
    response = csrf_client(users["office"]).get("/?as_of=2026-01-15")
    counts = {outcome.value: count for outcome, count in response.context["target_counts"]}
    assert counts["on_track"] == 1 and counts["no_data"] == 70 and sum(counts.values()) == 71
    assert 'data-outcome="on_track"' in response.content.decode()
