"""'Việc của tôi' (/my-work/): each agency user's returned reports with the Office's comment, overdue and due-soon tasks
and tasks without a report this period, their own agency's only."""

from datetime import date

from portfolio import models as m
from portfolio.choices import WorkStatus
from portfolio.services import progress_report_submit
from portfolio.worklists import my_work

from .world import MARKER, client_for


def test_my_work_shows_the_returned_report_with_the_offices_comment_and_only_ones_own(world):
    for own, other in (("A", "B"), ("B", "A")):
        response = client_for(world, f"reporter_{own.lower()}").get("/my-work/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Trả lại: {MARKER[own]}" in html
        assert MARKER[other] not in html
        task = world.objects[(m.Task, own)]
        assert f"/admin/portfolio/task/{task.pk}/change/?them-bao-cao=1#reports-group" in html


def test_my_work_of_the_delegated_unit_and_of_the_office_leaks_nothing(world):
    for role in ("delegate_d", "office", "leader"):
        html = client_for(world, role).get("/my-work/").content.decode()
        assert MARKER["B"] not in html and f"Trả lại: {MARKER['A']}" not in html


def test_my_work_returned_report_leaves_the_list_once_a_new_one_is_sent(world):
    user, task, agency = world.users["reporter_a"], world.objects[(m.Task, "A")], world.agencies["A"]
    assert [r.task_id for r in my_work(user=user, as_of=date(2026, 11, 22)).returned] == [task.pk]
    progress_report_submit(task=task, agency=agency, user=user, period="Quý IV/2026", status=WorkStatus.IN_PROGRESS, percent=45)
    work = my_work(user=user, as_of=date(2026, 11, 22))
    assert work.returned == [] and [r.task_id for r in work.waiting] == [task.pk]
    assert task.pk not in [t.pk for t, _due in work.missing]  # reported this period


def test_my_work_lists_the_agencys_overdue_due_soon_and_unreported_tasks(world):
    user = world.users["reporter_a"]
    work = my_work(user=user, as_of=date(2026, 11, 22))
    reportable = set(m.Task.objects.filter(assignments__agency=world.agencies["A"], assignments__role__in=["lead", "advising_lead", "implementing_lead", "implementing"]).values_list("pk", flat=True))
    listed = {t.pk for t in work.overdue} | {t.pk for t in work.due_soon} | {t.pk for t, _due in work.missing}
    assert listed and listed <= reportable | {world.objects[(m.Task, "A")].pk}
    assert all(due == date(2026, 12, 15) for _t, due in work.missing)  # the period ending on the 15/12 reporting date
    assert all(t.schedule_state == "overdue" for t in work.overdue)


def test_dashboard_shows_an_agency_its_work_counts(world):
    html = client_for(world, "reporter_a").get("/").content.decode()
    assert 'data-count="returned"><span class="n">1</span>' in html and 'href="/my-work/"' in html


def test_an_agencys_dashboard_is_never_the_offices_kept_one(world):
    """The Office's body tables are kept with the programme's summary, as the same for everyone who sees every body;
    an agency's dashboard, asked right after, counts its own tasks and links only to its own bodies' pages."""
    import re

    office = client_for(world, "office").get("/").content.decode()
    agency = client_for(world, "reporter_a").get("/").content.decode()
    own = {world.agencies["A"].pk, *(a.pk for a in m.Agency.objects.filter(members=world.users["reporter_a"]))}
    assert set(map(int, re.findall(r'href="/agencies/(\d+)/', office))) > own  # the Office links to every body
    assert set(map(int, re.findall(r'href="/agencies/(\d+)/', agency))) <= own
    assert MARKER["B"] not in agency
