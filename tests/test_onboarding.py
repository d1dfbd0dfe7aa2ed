"""The Office creates a reporter in one form (role and agency; staff access follows), and the pickers of bodies and
people ignore accents and case."""

from django.contrib.auth import get_user_model

from portfolio.choices import UserKind
from portfolio.models import Agency, ProgressReport

from .helpers import OWN, csrf_client, csrf_post, report_post

NEW = {"username": "nguyen-van-a", "first_name": "Nguyễn Văn", "last_name": "An", "email": "an@example.vn",
       "usable_password": "true", "password1": "Mot-mat-khau-dai-77", "password2": "Mot-mat-khau-dai-77"}


def test_office_creates_a_reporter_in_one_form_who_can_report_at_once(office):
    agency = Agency.objects.get(name="Ban Tổ chức Thành ủy")
    response = csrf_client(office).get("/admin/auth/user/add/")
    html = response.content.decode()
    assert 'name="kind"' in html and 'name="agency"' in html and "Vai trò" in html
    posted = csrf_post(csrf_client(office), "/admin/auth/user/add/", {**NEW, "kind": UserKind.REPORTER, "agency": agency.pk})
    assert posted.status_code == 302, posted.content.decode()[:2000]
    user = get_user_model().objects.get(username="nguyen-van-a")
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == [UserKind.REPORTER]
    assert list(user.agencies.all()) == [agency]
    assert report_post(csrf_client(user), OWN).status_code == 302
    assert ProgressReport.objects.filter(submitted_by=user).count() == 1


def test_a_reporter_without_an_agency_is_refused_with_a_clear_message(office):
    response = csrf_post(csrf_client(office), "/admin/auth/user/add/", {**NEW, "kind": UserKind.REPORTER})
    assert response.status_code == 200
    assert "Người báo cáo phải thuộc một cơ quan" in response.content.decode()
    assert not get_user_model().objects.filter(username="nguyen-van-a").exists()


def test_a_group_given_on_the_user_page_brings_staff_access(office):
    from django.contrib.auth.models import Group

    from portfolio.services.users import user_sync_staff

    user = get_user_model().objects.create_user("khong-co-co", password="x-Mat-khau-dai-99")
    user.groups.add(Group.objects.get(name=UserKind.REPORTER))
    assert user_sync_staff(user=user) and get_user_model().objects.get(pk=user.pk).is_staff


def test_membership_block_reads_in_vietnamese(office):
    user = get_user_model().objects.create_user("co-co", password="x-Mat-khau-dai-99", is_staff=True)
    Agency.objects.get(name="Ban Tổ chức Thành ủy").members.add(user)
    html = csrf_client(office).get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert "Agency_members object" not in html and "Agency<" not in html and "agency<" not in html
    assert '<th class="column-agency required">Cơ quan' in html


def test_body_pickers_ignore_accents_and_case(office):
    assert Agency.objects.filter(name="Sở Xây dựng").exists()  # a body of the programme
    client = csrf_client(office)
    for term in ("xay dung", "XÂY DỰNG", "Xay Dựng"):
        found = client.get("/admin/autocomplete/", {"app_label": "portfolio", "model_name": "assignment", "field_name": "agency", "term": term}).json()
        assert [r["text"] for r in found["results"]] == ["Sở Xây dựng"], term
    listed = client.get("/admin/portfolio/agency/", {"q": "xay dung"})
    assert [a.name for a in listed.context["cl"].result_list] == ["Sở Xây dựng"]


def test_user_picker_ignores_accents_and_case(office):
    get_user_model().objects.create_user("an", first_name="Nguyễn Văn", last_name="Ấn", is_staff=True)
    listed = csrf_client(office).get("/admin/auth/user/", {"q": "nguyen van an"})
    assert [u.username for u in listed.context["cl"].result_list] == ["an"]


def test_lists_of_bodies_are_in_vietnamese_order(office):
    html = csrf_client(office).get("/tasks/").content.decode()
    assert html.index(">Ban Tổ chức Thành ủy<") < html.index(">Ban Tuyên giáo và Dân vận Thành ủy<")
    assert html.index(">Đảng ủy UBND thành phố<") < html.index(">Văn phòng Thành ủy<")
