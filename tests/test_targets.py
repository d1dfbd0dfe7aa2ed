"""The Resolution's 28 targets: loaded from section 2.3 of the seed with their figures, and who tracks them."""

import io
import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from portfolio.assessment import BEHIND, EXCEEDED, MET, NO_DATA, NOT_MET, ON_TRACK, Goal, Reading, assess, compare, share
from portfolio.choices import Assessment, ReviewState, TargetGroup, UserKind
from portfolio.models import Agency, Target, TargetFigure, TargetReminder, TargetValue
from portfolio.reminder_selection import reminder_plan
from portfolio.seedparse import SourceError, parse_targets
from portfolio.targetfigures import FIGURES, TRACKING, parse_phrase

from .conftest import ROOT, SEED
from .helpers import admin_change_data, csrf_client, csrf_post, inline_prefix, make_user

SEED_002 = ROOT.parent / "shared" / "seeds" / "002_53b28863bbb8a02e.txt"
SEED_002 = SEED_002 if SEED_002.exists() else ROOT / "seeds" / "002_53b28863bbb8a02e.txt"

Y = None  # yearly: no year
# (target, position): (comparison, value, value_high, unit, year) -- every figure, as it must load.
EXPECTED = {
    (1, 1): ("at_least", D("717000"), None, "tỷ đồng", 2030), (1, 2): ("about", D("215"), None, "triệu đồng/người/năm", 2030),
    (1, 3): ("at_least", D("10"), D("10.5"), "%", Y), (1, 4): ("at_least", D("8.2"), None, "tỷ USD", 2030),
    (1, 5): ("at_least", D("11"), None, "%", Y), (1, 6): ("at_least", D("8500000"), None, "đồng/người/tháng", 2030),
    (2, 1): ("about", D("15"), None, "%", Y), (2, 2): ("at_least", D("57000"), None, "tỷ đồng", 2030),
    (3, 1): ("below", D("16"), None, "%", 2030), (3, 2): ("more_than", D("35"), None, "%", 2030),
    (3, 3): ("more_than", D("29"), None, "%", 2030), (3, 4): ("more_than", D("45"), None, "%", 2030),
    (3, 5): ("more_than", D("4"), None, "%", 2030),
    (4, 1): ("at_least", D("286000"), None, "tỷ đồng", 2030), (4, 2): ("about", D("40"), None, "%", 2030),
    (5, 1): ("at_most", D("15"), None, "thứ hạng", 2030),
    (6, 1): ("more_than", D("55"), None, "%", 2030), (6, 2): ("at_least", D("30"), None, "%", 2030),
    (6, 3): ("more_than", D("80"), None, "%", 2030), (6, 4): ("at_least", D("3"), None, "%", Y),
    (6, 5): ("between", D("10"), D("15"), "%", Y), (6, 6): ("more_than", D("40"), None, "%", 2030),
    (6, 7): ("at_least", D("12"), None, "người/vạn dân", 2030), (6, 8): ("between", D("16"), D("18"), "%", Y),
    (6, 9): ("between", D("8"), D("10"), "%", 2030),
    (7, 1): ("at_least", D("10"), None, "%", Y), (8, 1): ("at_least", D("100"), None, "%", Y),
    (9, 1): ("about", D("3335000"), None, "người", 2030), (10, 1): ("at_least", D("0.78"), None, "", 2030),
    (11, 1): ("more_than", D("358"), None, "triệu đồng/lao động/năm", 2030), (11, 2): ("more_than", D("10"), None, "%", Y),
    (11, 3): ("between", D("35"), D("40"), "%", 2030), (11, 4): ("at_least", D("1700000"), None, "người", 2030),
    (11, 5): ("below", D("38"), None, "%", 2030), (11, 6): ("more_than", D("27"), None, "%", 2030),
    (11, 7): ("more_than", D("35"), None, "%", 2030), (11, 8): ("below", D("3.5"), None, "%", Y),
    (12, 1): ("about", D("77.12"), None, "tuổi", 2030), (12, 2): ("at_least", D("68"), None, "năm", 2030),
    (13, 1): ("at_least", D("19"), None, "bác sỹ/vạn dân", 2030), (13, 2): ("more_than", D("44"), None, "giường bệnh/vạn dân", 2030),
    (13, 3): ("qualitative", None, None, "", 2030), (13, 4): ("at_least", D("100"), None, "%", 2030),
    (14, 1): ("at_least", D("85"), None, "%", 2030), (14, 2): ("at_least", D("90.5"), None, "%", 2030),
    (14, 3): ("at_least", D("83.9"), None, "%", 2030), (14, 4): ("at_least", D("83.6"), None, "%", 2030),
    (14, 5): ("at_least", D("73.5"), None, "%", 2030), (14, 6): ("qualitative", None, None, "", 2030),
    (15, 1): ("at_most", D("2.42"), None, "%", 2030), (15, 2): ("maintain", D("1"), None, "%", Y),
    (16, 1): ("at_least", D("100"), None, "%", 2030),
    (17, 1): ("more_than", D("95.8"), None, "%", 2030), (17, 2): ("at_least", D("98"), None, "%", 2030),
    (17, 3): ("at_least", D("100"), None, "%", 2030),
    (18, 1): ("at_least", D("90.3"), None, "%", 2030), (18, 2): ("at_least", D("85"), None, "%", 2030),
    (19, 1): ("at_least", D("2"), None, "%", 2030), (20, 1): ("at_least", D("50"), None, "%", 2030),
    (21, 1): ("qualitative", None, None, "", 2030), (22, 1): ("at_least", D("16900"), None, "căn", 2030),
    (23, 1): ("more_than", D("90"), None, "%", Y),
    (24, 1): ("between", D("3"), D("4"), "%", 2030), (24, 2): ("at_least", D("100"), None, "%", 2030),
    (25, 1): ("at_least", D("75"), None, "%", Y), (26, 1): ("at_least", D("100"), None, "%", Y),
    (27, 1): ("at_least", D("75"), None, "%", Y), (27, 2): ("at_least", D("50"), None, "%", 2030),
    (28, 1): ("at_least", D("5"), None, "thỏa thuận", 2030), (28, 2): ("at_least", D("3"), None, "tổ chức", 2030),
    (28, 3): ("at_least", D("100"), None, "%", 2030),
}
GROUP_OF = {
    **{n: TargetGroup.ECONOMY for n in range(1, 9)}, **{n: TargetGroup.SOCIETY for n in range(9, 16)},
    **{n: TargetGroup.ENVIRONMENT for n in range(16, 20)}, **{n: TargetGroup.INFRASTRUCTURE for n in range(20, 23)},
    **{n: TargetGroup.PARTY for n in range(23, 26)}, **{n: TargetGroup.DEFENCE for n in range(26, 29)},
}


def section_2_3(text: str) -> str:
    return text[text.index("2.3. Chỉ tiêu cụ thể") : text.index("2.4. Các nhiệm vụ trọng tâm")]


def source_targets(text: str) -> dict[int, str]:
    """Each target's paragraph and its bullets as the seed writes them, read here without the parser."""
    found, current = {}, None
    for line in section_2_3(text).splitlines():
        numbered = re.match(r"\((\d+)\) (.*)", line)
        if numbered:
            current = int(numbered[1])
            found[current] = numbered[2]
        elif current and line.startswith("- ") and not line.startswith("- Chỉ tiêu về"):
            found[current] += "\n" + line
    return found


def test_targets_all_28_load_with_group_and_text_exactly_as_written(programme, seed_text):
    written = source_targets(seed_text)
    stored = {t.number: t for t in Target.objects.filter(programme=programme)}
    assert sorted(stored) == list(range(1, 29))
    for number, target in stored.items():
        assert target.text == written[number], number
        assert target.group == GROUP_OF[number], number
    assert "- Đóng góp của năng suất nhân tố tổng hợp (TFP)" in stored[6].text  # the bullets belong to (6)


def test_target_figures_load_exactly(programme):
    stored = {
        (f.target.number, f.position): (f.comparison, f.value, f.value_high, f.unit, None if f.yearly else f.year)
        for f in TargetFigure.objects.select_related("target")
    }
    assert stored == EXPECTED
    assert all(f.yearly == (f.year is None) for f in TargetFigure.objects.all())


def test_target_figures_phrases_are_found_verbatim_in_their_target(programme, seed_text):
    section = section_2_3(seed_text)
    for figure in TargetFigure.objects.select_related("target"):
        assert figure.phrase in figure.target.text, figure
        assert figure.phrase in section
        assert figure.measure


def test_target_tracking_phrases_are_found_verbatim_in_seed_002():
    text = SEED_002.read_text(encoding="utf-8")
    for entry in TRACKING:
        assert entry.phrase in text, entry.phrase
        assert entry.agency.split()[0] in ("Sở", "Công")


def test_target_figures_tracked_by_the_bodies_seed_002_names(programme):
    tracked = {(f.target.number, f.position): f.agency.name for f in TargetFigure.objects.filter(agency__isnull=False).select_related("target", "agency")}
    assert tracked[(20, 1)] == tracked[(22, 1)] == "Sở Xây dựng"
    assert tracked[(27, 1)] == "Công an thành phố"
    assert tracked[(1, 1)] == tracked[(2, 2)] == tracked[(8, 1)] == "Sở Tài chính"
    assert tracked[(11, 3)] == "Sở Nội vụ"
    assert tracked[(13, 3)] == "Sở Y tế"
    assert tracked[(17, 1)] == tracked[(18, 2)] == "Sở Nông nghiệp và Môi trường"
    assert "Sở Xây dựng theo dõi" in TargetFigure.objects.get(target__number=20).tracking_source


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("Tỷ lệ che phủ rừng đến 2030 đạt 2%", ("at_least", D("2"), None, "%", 2030, False)),
        ("tỷ lệ đô thị hóa đạt 50% trở lên", ("at_least", D("50"), None, "%", 2030, False)),
        ("duy trì tỷ lệ thất nghiệp dưới 3,5%", ("below", D("3.5"), None, "%", 2030, False)),
        ("Số lượng công bố khoa học quốc tế tăng trung bình 10 - 15%/năm", ("between", D("10"), D("15"), "%", None, True)),
        ("đạt từ 10 - 10,5%/năm trở lên", ("at_least", D("10"), D("10.5"), "%", None, True)),
        ("đến năm 2030 đạt tối thiểu 717.000 tỷ đồng", ("at_least", D("717000"), None, "tỷ đồng", 2030, False)),
        ("hoàn thành các nhiệm vụ phát triển đô thị thông minh", ("qualitative", None, None, "", 2030, False)),
    ],
)
def test_parse_phrase_reads_comparison_value_unit_and_year(phrase, expected):
    figure = parse_phrase(phrase, "x")
    assert (figure.comparison, figure.value, figure.value_high, figure.unit, figure.year, figure.yearly) == expected


def test_target_figure_table_covers_every_target():
    assert sorted(FIGURES) == list(range(1, 29))


def test_import_targets_twice_changes_nothing(programme):
    before = list(TargetFigure.objects.order_by("pk").values_list("pk", "updated_at"))
    out = io.StringIO()
    call_command("import_programme", str(SEED), stdout=out)
    assert "Không có thay đổi: 28 chỉ tiêu Nghị quyết (71 số liệu)" in out.getvalue()
    assert list(TargetFigure.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_import_targets_shows_a_revised_target_and_keeps_the_offices_tracking_body(programme, tmp_path):
    figure = TargetFigure.objects.get(target__number=5, position=1)
    figure.agency = Agency.objects.get(name="Sở Tài chính")  # the Office named who tracks it
    figure.save()
    text = SEED.read_text(encoding="utf-8")
    revised = text.replace("(5) Nâng cao các chỉ số", "(5) Nâng cao hơn nữa các chỉ số")
    path = tmp_path / "revised.txt"
    path.write_text(revised, encoding="utf-8")
    out = io.StringIO()
    call_command("import_programme", str(path), stdout=out)
    output = out.getvalue()
    assert "~ Sửa chỉ tiêu (5): Nâng cao hơn nữa các chỉ số" in output
    assert "nội dung: «Nâng cao các chỉ số: cải cách hành chính" in output
    assert "thêm 0, sửa 1, xóa 0" in output
    figure.refresh_from_db()
    assert figure.agency.name == "Sở Tài chính"
    assert Target.objects.get(number=5).text.startswith("Nâng cao hơn nữa các chỉ số")


def test_import_targets_refuses_a_source_whose_figure_phrase_changed(programme, tmp_path):
    from django.core.management.base import CommandError

    text = SEED.read_text(encoding="utf-8").replace("(19) Tỷ lệ che phủ rừng đến 2030 đạt 2%.", "(19) Tỷ lệ che phủ rừng đến 2030 đạt 2,5%.")
    path = tmp_path / "revised.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"Chỉ tiêu \(19\) không còn chứa «Tỷ lệ che phủ rừng đến 2030 đạt 2%»"):
        call_command("import_programme", str(path), stdout=io.StringIO())
    assert Target.objects.get(number=19).text == "Tỷ lệ che phủ rừng đến 2030 đạt 2%."


def test_parse_targets_refuses_a_gap_in_the_numbering(seed_text):
    at = seed_text.rindex("(12) Đến năm 2030, tuổi thọ")  # section 2.3 repeats the Political Report's list; the last one is read
    with pytest.raises(SourceError, match=r"chỉ tiêu \(13\) không liền mạch, cần \(12\)"):
        parse_targets(seed_text[:at] + "(13)" + seed_text[at + 4 :])


def test_parse_targets_is_empty_without_section_2_3(seed_text):
    assert parse_targets(seed_text.replace("2.3. Chỉ tiêu cụ thể", "2.3. Chỉ tiêu")) == []


# ---- assessment (pure) ------------------------------------------------------------------------


URBANISATION = Goal("at_least", D("50"), year=2030, baseline_value=D("49.69"), baseline_year=2024)  # (20), baseline from seed 002
PARTY_YEARLY = Goal("more_than", D("90"), yearly=True)  # (23)
GRDP_2030 = Goal("at_least", D("717000"), year=2030, baseline_value=D("277449"), baseline_year=2024)  # (1)


@pytest.mark.parametrize(
    "as_of, outcome",
    [
        (date(2025, 12, 31), NO_DATA),  # the 2026 value is not yet of a period begun
        (date(2026, 1, 1), MET),  # 2026: 92% > 90%
        (date(2026, 12, 31), MET),
        (date(2027, 1, 1), NOT_MET),  # 2027: 89% is not above 90%
    ],
)
def test_assess_yearly_target_per_year(as_of, outcome):
    readings = [Reading("year", 2026, D("92")), Reading("year", 2027, D("89"))]
    assert assess(PARTY_YEARLY, readings, as_of).outcome == outcome


@pytest.mark.parametrize(
    "value, outcome",
    [(D("360000"), ON_TRACK), (D("250000"), BEHIND)],
)
def test_assess_2030_target_by_straight_line_from_the_baseline(value, outcome):
    # The line from 277.449 (31/12/2024) to 717.000 (31/12/2030) stands at about 350.740 at the end of 2025.
    readings = [Reading("year", 2025, value)]
    result = assess(GRDP_2030, readings, date(2026, 3, 1))
    assert result.outcome == outcome
    assert D("350000") < result.expected < D("351500")


@pytest.mark.parametrize(
    "as_of, value, outcome",
    [
        (date(2030, 12, 30), D("49"), BEHIND),  # a day before the due date: still judged by the line (49 < about 49,97 on 30/06)
        (date(2030, 12, 31), D("49"), NOT_MET),  # due: judged outright
        (date(2030, 12, 31), D("50"), MET),
        (date(2030, 12, 31), D("60"), EXCEEDED),  # more than 5% of the target beyond it
    ],
)
def test_assess_2030_target_outright_once_due(as_of, value, outcome):
    readings = [Reading("first_half", 2030, value)]
    assert assess(URBANISATION, readings, as_of).outcome == outcome


def test_assess_without_baseline_uses_the_first_value_and_says_when_it_cannot():
    goal = Goal("at_least", D("16900"), year=2030)
    assert assess(goal, [Reading("year", 2025, D("1000"))], date(2026, 1, 1)).outcome == NO_DATA
    readings = [Reading("year", 2025, D("1000")), Reading("year", 2027, D("8000"))]
    assert assess(goal, readings, date(2028, 1, 1)).outcome == ON_TRACK
    readings = [Reading("year", 2025, D("1000")), Reading("year", 2027, D("2000"))]
    assert assess(goal, readings, date(2028, 1, 1)).outcome == BEHIND


@pytest.mark.parametrize(
    "goal, value, outcome",
    [
        (Goal("below", D("16")), D("15.5"), MET), (Goal("below", D("16")), D("16"), NOT_MET), (Goal("below", D("16")), D("12"), EXCEEDED),
        (Goal("between", D("35"), D("40")), D("34"), NOT_MET), (Goal("between", D("35"), D("40")), D("38"), MET),
        (Goal("between", D("35"), D("40")), D("41"), EXCEEDED),
        (Goal("at_least", D("10"), D("10.5")), D("10.2"), MET), (Goal("about", D("215")), D("210"), MET),
        (Goal("about", D("215")), D("200"), NOT_MET), (Goal("at_most", D("2.42")), D("2.5"), NOT_MET),
        (Goal("more_than", D("90")), D("90"), NOT_MET), (Goal("qualitative", None), None, NOT_MET),
    ],
)
def test_compare_each_comparison(goal, value, outcome):
    assert compare(goal, value, achieved=False if value is None else None) == outcome


def test_share_of_the_target_reached():
    assert share(Goal("at_least", D("717000")), D("358500")) == D("50.0")
    assert share(Goal("below", D("3.5")), D("7")) == D("50.0")  # less is better
    assert share(Goal("qualitative", None), None, True) == D("100")


# ---- who tracks, reports and reviews: through HTTP ------------------------------------------------


def figure(number, position=1):
    return TargetFigure.objects.get(target__number=number, position=position)


@pytest.fixture
def target_users(programme, office):
    return {
        "office": office,
        "construction": make_user("soxaydung", UserKind.REPORTER, "Sở Xây dựng"),
        "viewer": make_user("lanhdao", UserKind.VIEWER),
    }


def value_post(client, fig, **fields):
    url = f"/admin/portfolio/targetfigure/{fig.pk}/change/"
    page = client.get(url)
    if page.status_code != 200:
        return page
    data = admin_change_data(page)
    try:
        prefix = inline_prefix(page, "targetvalue")
    except KeyError:
        prefix = "values"  # forged: the page offered no value row
        data.update({"values-TOTAL_FORMS": 0, "values-INITIAL_FORMS": 0})
    data.update({
        f"{prefix}-TOTAL_FORMS": int(data.get(f"{prefix}-INITIAL_FORMS", 0)) + 1,
        f"{prefix}-0-agency": Agency.objects.get(name="Sở Xây dựng").pk, f"{prefix}-0-period_kind": "year", f"{prefix}-0-year": 2025,
        f"{prefix}-0-source": "Báo cáo số 12/BC-SXD", f"{prefix}-0-note": "Ước thực hiện",
    })
    data.update({f"{prefix}-0-{k}": v for k, v in fields.items()})
    return csrf_post(client, url, data)


def test_target_value_reported_by_the_tracking_body_reviewed_and_assessed(target_users):
    from portfolio.selectors import figure_rows

    reporter, office = csrf_client(target_users["construction"]), csrf_client(target_users["office"])
    urbanisation = figure(20)
    response = value_post(reporter, urbanisation, value="50,31")
    assert response.status_code == 302
    value = TargetValue.objects.get(figure=urbanisation)
    assert (value.value, value.review_state, value.submitted_by) == (D("50.31"), ReviewState.SUBMITTED, target_users["construction"])
    rows = figure_rows(figures=TargetFigure.objects.filter(pk=urbanisation.pk), as_of=date(2026, 1, 15))
    assert rows[0].result.outcome == Assessment.NO_DATA  # not before the Office accepts

    url = f"/admin/portfolio/targetvalue/{value.pk}/change/"
    response = csrf_post(office, url, admin_change_data(office.get(url), decision="accept"))
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.review_state == ReviewState.ACCEPTED and value.reviewed_by == target_users["office"]
    row = figure_rows(figures=TargetFigure.objects.filter(pk=urbanisation.pk), as_of=date(2026, 1, 15))[0]
    assert row.result.outcome == Assessment.ON_TRACK  # 50,31% already meets "50% trở lên" before 2030
    assert row.share_text == "100,6%" and row.latest_text == "50,31 (năm 2025)"
    assert row.goal_text == "Tối thiểu 50 (năm 2030)"


def test_target_value_form_offers_the_tracking_body_only(target_users):
    page = csrf_client(target_users["construction"]).get(f"/admin/portfolio/targetfigure/{figure(20).pk}/change/")
    field = next(i for i in page.context["inline_admin_formsets"] if i.formset.prefix == "values").formset.empty_form.fields["agency"]
    assert list(field.queryset) == [Agency.objects.get(name="Sở Xây dựng")]
    assert field.initial == figure(20).agency_id


def test_target_value_office_returns_only_with_a_comment(target_users):
    office = csrf_client(target_users["office"])
    value = TargetValue.objects.create(
        figure=figure(20), agency=Agency.objects.get(name="Sở Xây dựng"), year=2025, value=D("50"), source="x",
        submitted_by=target_users["construction"],
    )
    url = f"/admin/portfolio/targetvalue/{value.pk}/change/"
    response = csrf_post(office, url, admin_change_data(office.get(url), decision="return"))
    assert response.status_code == 200 and "phải ghi ý kiến" in response.content.decode()
    response = csrf_post(office, url, admin_change_data(office.get(url), decision="return", review_comment="Ghi rõ nguồn số liệu"))
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.review_state == ReviewState.RETURNED


def test_target_value_reporter_cannot_report_a_figure_another_body_tracks(target_users):
    reporter = csrf_client(target_users["construction"])
    assert reporter.get(f"/admin/portfolio/targetfigure/{figure(1).pk}/change/").status_code == 404  # Sở Tài chính's figure
    response = value_post(reporter, figure(1), value="300000")
    assert response.status_code == 404
    assert not TargetValue.objects.exists()


def test_target_value_viewer_cannot_report(target_users):
    viewer = csrf_client(target_users["viewer"])
    page = viewer.get(f"/admin/portfolio/targetfigure/{figure(20).pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    csrf_post(viewer, f"/admin/portfolio/targetfigure/{figure(20).pk}/change/", {
        "values-TOTAL_FORMS": 1, "values-INITIAL_FORMS": 0, "values-0-agency": Agency.objects.get(name="Sở Xây dựng").pk,
        "values-0-period_kind": "year", "values-0-year": 2025, "values-0-value": "50", "values-0-source": "x",
    })
    assert not TargetValue.objects.exists()


def test_target_value_qualitative_needs_done_or_not(target_users):
    office = csrf_client(target_users["office"])
    response = value_post(office, figure(21), value="")
    assert response.status_code == 200
    assert "Chỉ tiêu định tính" in response.content.decode()
    assert not TargetValue.objects.exists()


def test_target_figure_office_changes_the_tracking_body_and_a_reporter_cannot(target_users):
    office, reporter = csrf_client(target_users["office"]), csrf_client(target_users["construction"])
    finance = Agency.objects.get(name="Sở Tài chính")
    url = f"/admin/portfolio/targetfigure/{figure(20).pk}/change/"
    response = csrf_post(reporter, url, admin_change_data(reporter.get(url), agency=finance.pk))
    assert figure(20).agency.name == "Sở Xây dựng"
    response = csrf_post(office, url, admin_change_data(office.get(url), agency=finance.pk, baseline_value="49,69", baseline_year=2024))
    assert response.status_code == 302
    changed = figure(20)
    assert changed.agency == finance and changed.baseline_value == D("49.69")
    assert reporter.get(url).status_code == 404  # no longer its figure


def test_target_office_links_tasks_to_a_target(target_users):
    from portfolio.models import Task

    office = csrf_client(target_users["office"])
    target = Target.objects.get(number=22)
    url = f"/admin/portfolio/target/{target.pk}/change/"
    tasks = list(Task.objects.filter(number__in=[1, 2]).values_list("pk", flat=True))
    response = csrf_post(office, url, admin_change_data(office.get(url), tasks=[str(pk) for pk in tasks]))
    assert response.status_code == 302
    assert sorted(target.tasks.values_list("number", flat=True)) == [1, 2]
    reporter = csrf_client(target_users["construction"])
    csrf_post(reporter, url, admin_change_data(office.get(url), tasks=[]))
    assert target.tasks.count() == 2


# ---- reminders chase missing values at the reporting dates (15/12 by default) ------------------------


def owed(plan, agency):
    body = plan.bodies.get(agency.pk)
    return sorted((f.figure.target.number, f.figure.position, f.step) for f in body.figures) if body else []


@pytest.mark.parametrize(
    "as_of, steps",
    [
        (date(2026, 11, 30), []),  # 15 days before 15/12: not yet
        (date(2026, 12, 1), ["2026-12-15/trước hạn"]),
        (date(2026, 12, 15), ["2026-12-15/trước hạn"]),
        (date(2026, 12, 16), ["2026-12-15/sau hạn"]),
        (date(2026, 12, 30), []),  # 15 days after: no more
    ],
)
def test_reminder_plan_chases_missing_target_values_around_the_reporting_date(programme, as_of, steps):
    construction = Agency.objects.get(name="Sở Xây dựng")
    expected = [(n, 1, step) for step in steps for n in (20, 22)]
    assert owed(reminder_plan(as_of=as_of), construction) == sorted(expected)


def test_reminder_run_chases_a_missing_value_once_and_not_once_reported(programme, django_user_model, django_capture_on_commit_callbacks):
    from django.core import mail

    from portfolio.services.reminders import reminder_run

    construction = Agency.objects.get(name="Sở Xây dựng")
    construction.emails = "sxd@cantho.gov.vn"
    construction.save()
    TargetValue.objects.create(
        figure=figure(20), agency=construction, year=2026, value=D("50.5"), source="Sở Xây dựng",
        submitted_by=django_user_model.objects.create_user("sxd"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=date(2026, 12, 1))
    assert list(TargetReminder.objects.values_list("figure__target__number", "step")) == [(22, "2026-12-15/trước hạn")]
    message = next(m for m in mail.outbox if m.to == ["sxd@cantho.gov.vn"])
    html = message.alternatives[0][0]
    assert "Nhà ở xã hội hoàn thành" in message.body and "số liệu năm 2026, hạn báo cáo 15/12/2026" in message.body
    assert 'id="target-figures"' in html and "Tỷ lệ đô thị hóa" not in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run(as_of=date(2026, 12, 2))  # the next day: the step was sent
    assert TargetReminder.objects.count() == 1
    assert not [m for m in mail.outbox if m.to == ["sxd@cantho.gov.vn"]]
