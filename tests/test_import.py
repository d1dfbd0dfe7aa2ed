import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portfolio.choices import FundingCategory, Role, TaskKind
from portfolio.models import Agency, AgencyAlias, Assignment, FundingSource, Milestone, Programme, Task
from portfolio.services import programme_fixture_json

from .conftest import ROOT, SEED


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def source_cells() -> dict[int, list[str]]:
    """The appendix cells read independently of the parser: tags dropped by html.parser, whitespace collapsed."""
    text = SEED.read_text(encoding="utf-8")
    appendix = text[text.index("**DANH MỤC CÁC NHIỆM VỤ, ĐỀ ÁN") : text.index("Ghi chú:", text.index("**DANH MỤC"))]
    rows = {}
    for line in appendix.splitlines():
        cells = line.split("\t")
        if cells[0].strip().isdigit():
            cleaned = []
            for cell in cells:
                parser = _Text()
                parser.feed(cell)
                cleaned.append(" ".join("".join(parser.parts).split()))
            rows[int(cells[0])] = cleaned
    return rows


def run_import(path, *args) -> str:
    out = io.StringIO()
    call_command("import_programme", str(path), *args, stdout=out)
    return out.getvalue()


def db_snapshot():
    return (
        sorted(Task.objects.values_list("number", "title", "lead_text", "partners_text", "deadline_text", "funding_text", "due_date", "version")),
        sorted(Assignment.objects.values_list("task__number", "agency__name", "role")),
        sorted(Milestone.objects.values_list("task__number", "position", "due_date")),
        Agency.objects.count(),
        AgencyAlias.objects.count(),
        FundingSource.objects.count(),
    )


def test_import_into_an_empty_database(empty_db):
    output = run_import(SEED)
    assert "thêm 252, sửa 0, xóa 0" in output
    assert Task.objects.count() == 252


def test_import_loads_every_task_by_section(programme):
    assert programme.tasks.count() == 252
    assert programme.tasks.filter(section__numeral="I").count() == 208
    assert programme.tasks.filter(section__numeral="II").count() == 44
    assert programme.adopted_on.isoformat() == "2025-10-28"


def test_import_keeps_every_cell_exactly_as_written(programme):
    cells = source_cells()
    assert len(cells) == 252
    for task in programme.tasks.all():
        _, title, lead, partners, deadline, funding = cells[task.number]
        assert (task.title, task.lead_text, task.partners_text, task.deadline_text, task.funding_text) == (
            title,
            lead,
            partners,
            deadline,
            funding,
        ), task.number


def test_import_resolves_misspelt_agency_names_and_keeps_the_misspelling(programme):
    steering = Agency.objects.get(name="Ban Chỉ đạo 35 Thành ủy")
    assert "Ban Chi đạo 35 Thành ủy" in steering.aliases.values_list("alias", flat=True)
    assert set(Task.objects.filter(number__in=[7, 8]).values_list("assignments__agency__name", flat=True)) >= {steering.name}
    organisation = Agency.objects.get(name="Ban Tổ chức Thành ủy")
    assert "Tổ chức Thành ủy" in organisation.aliases.values_list("alias", flat=True)
    task20 = Task.objects.get(number=20)
    assert task20.assignments.get(role=Role.ADVISING_LEAD).agency == organisation
    assert not Agency.objects.filter(name__in=["Ban Chi đạo 35 Thành ủy", "Tổ chức Thành ủy"]).exists()


def test_import_merges_funding_sources_written_in_different_case(programme):
    source = FundingSource.objects.get(label="Ngân sách nhà nước")
    assert source.category == FundingCategory.STATE_BUDGET
    written = set(source.tasks.values_list("funding_text", flat=True))
    assert written == {"Ngân sách nhà nước", "Ngân sách Nhà nước"}
    assert source.tasks.count() == 131
    assert not FundingSource.objects.filter(label="Ngân sách Nhà nước").exists()
    assert Task.objects.filter(funding__isnull=True).count() == 0
    jica = Task.objects.get(funding__category=FundingCategory.ODA_GRANT)
    assert "JICA" in jica.funding_text


def test_import_splits_task_28_into_one_assignment_per_body_and_role(programme):
    task = Task.objects.get(number=28)
    roles = {(a.agency.name, a.role) for a in task.assignments.select_related("agency")}
    assert roles == {
        ("Ban Thường vụ Thành ủy", Role.LEAD),
        ("Trường Chính trị thành phố", Role.ADVISING_LEAD),
        ("Ban Tổ chức Thành ủy", Role.COORDINATING),
        ("Ban Tuyên giáo và Dân vận Thành ủy", Role.COORDINATING),
        ("Đảng ủy UBND thành phố", Role.COORDINATING),
    }


def test_import_understands_every_deadline(programme):
    assert not Task.objects.filter(needs_review=True).exists()
    task1 = Task.objects.get(number=1)
    assert [m.due_date.isoformat() for m in task1.milestones.all()] == ["2027-12-31", "2030-12-31"]
    assert task1.next_due_date.isoformat() == "2027-12-31"
    assert Task.objects.filter(is_ongoing=True).count() == 3
    assert Task.objects.get(number=32).due_date.isoformat() == "2029-09-30"


def test_import_detects_task_kinds(programme):
    assert Task.objects.get(number=14).kind == TaskKind.RESOLUTION
    assert Task.objects.get(number=6).kind == TaskKind.SCHEME
    assert Task.objects.get(number=39).kind == TaskKind.PROJECT
    assert Task.objects.get(number=4).kind == TaskKind.PROGRAMME
    assert Task.objects.get(number=47).kind == TaskKind.OTHER


def test_import_central_agency_tasks(programme):
    central = Agency.objects.get(name="Cơ quan Trung ương")
    assert central.kind == "central"
    assert central.assignments.filter(role=Role.LEAD).count() == 19


def test_import_twice_changes_nothing_and_says_so(programme):
    before = db_snapshot()
    output = run_import(SEED)
    assert "Không có thay đổi" in output
    assert db_snapshot() == before


def test_import_applies_and_reports_an_edited_source(programme, tmp_path):
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("Tăng cường bảo vệ nền tảng tư tưởng của Đảng\t", "Tăng cường bảo vệ vững chắc nền tảng tư tưởng của Đảng\t")
    text = text.replace("\tQuý III/2029\t", "\tQuý IV/2029\t")
    lines = text.splitlines()
    last = next(i for i, line in enumerate(lines) if line.startswith("252\t"))
    lines.insert(last + 1, "253\tDự án mới bổ sung\tĐảng ủy UBND thành phố\tCơ quan phối hợp: Sở Xây dựng\t2027\tNgân sách nhà nước")
    edited = tmp_path / "edited.txt"
    edited.write_text("\n".join(lines), encoding="utf-8")
    untouched = Task.objects.get(number=100)
    untouched_version = untouched.version

    output = run_import(edited)

    assert "~ Sửa TT 7: Tăng cường bảo vệ vững chắc" in output
    assert "nhiệm vụ: «Tăng cường bảo vệ nền tảng tư tưởng của Đảng» -> «Tăng cường bảo vệ vững chắc nền tảng tư tưởng của Đảng»" in output
    assert "thời hạn: «Quý III/2029» -> «Quý IV/2029»" in output
    assert "+ Thêm TT 253: Dự án mới bổ sung" in output
    assert "thêm 1, sửa 2, xóa 0" in output
    assert Task.objects.get(number=32).due_date.isoformat() == "2029-12-31"
    new = Task.objects.get(number=253)
    assert new.section.numeral == "II" and new.kind == TaskKind.PROJECT
    assert new.assignments.get(role=Role.COORDINATING).agency.name == "Sở Xây dựng"
    assert Task.objects.get(number=100).version == untouched_version

    # Removing the row again is reported and applied.
    output = run_import(SEED)
    assert "- Xóa TT 253: Dự án mới bổ sung" in output
    assert "thêm 0, sửa 2, xóa 1" in output
    assert not Task.objects.filter(number=253).exists()


def test_import_dry_run_writes_nothing(empty_db):
    output = run_import(SEED, "--dry-run")
    assert "Chạy thử" in output and "thêm 252" in output
    assert Task.objects.count() == 0 and Programme.objects.count() == 0


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.replace("\tTháng 10/2025\tNgân sách nhà nước và các nguồn hợp pháp khác\n4\t", "\tTháng 10/2025\n4\t", 1), "ô"),
        (lambda t: t.replace("\n120\t", "\n121\t", 1), "không liền mạch"),
        (lambda t: t.replace("\n57\t", "\nvăn bản lạc\n57\t", 1), "không nhận dạng được"),
    ],
)
def test_import_refuses_a_broken_source_and_writes_nothing(programme, tmp_path, mutate, message):
    text = SEED.read_text(encoding="utf-8")
    broken_text = mutate(text)
    assert broken_text != text
    broken = tmp_path / "broken.txt"
    broken.write_text(broken_text.replace("Tăng cường bảo vệ nền tảng", "ĐÃ SỬA"), encoding="utf-8")
    before = db_snapshot()
    with pytest.raises(CommandError) as error:
        run_import(broken)
    assert re.search(r"Dòng \d+:", str(error.value)) and message in str(error.value)
    assert "Không ghi gì" in str(error.value)
    assert db_snapshot() == before


def test_import_refuses_a_broken_source_on_an_empty_database(empty_db, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text(SEED.read_text(encoding="utf-8").replace("\n200\t", "\n201\t", 1), encoding="utf-8")
    with pytest.raises(CommandError):
        run_import(broken)
    assert Task.objects.count() == 0 and Agency.objects.count() == 0


def test_fixture_is_generated_from_the_import(programme):
    committed = (ROOT / "fixtures" / "programme.json").read_text(encoding="utf-8")
    assert programme_fixture_json() == committed, "fixtures/programme.json is stale: run manage.py build_programme_fixture"


def test_loaddata_gives_the_same_database_as_the_import(programme, empty_db):
    imported = (ROOT / "fixtures" / "programme.json").read_text(encoding="utf-8")
    assert Task.objects.count() == 0
    call_command("loaddata", str(ROOT / "fixtures" / "programme.json"), verbosity=0)
    assert Task.objects.count() == 252
    assert programme_fixture_json() == imported
    assert json.loads(imported)[0]["model"] == "portfolio.programme"


def without_task(tmp_path, number: int, name: str = "ban-sua-doi.txt") -> Path:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{number}\t")]
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_import_withdraws_a_removed_task_with_reports_and_restores_it(programme, tmp_path):
    """Finding 3: a revision dropping a task with reports crashed with ProtectedError after announcing "- Xóa TT 252"."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from portfolio.models import ProgressReport
    from portfolio.selectors import programme_summary, task_list, task_queryset
    from portfolio.services.excel_import import agency_tasks_for_reporting

    task = Task.objects.get(number=252)
    lead = task.assignments.get(role=Role.LEAD).agency
    user = get_user_model().objects.create_user("baocao")
    ProgressReport.objects.create(task=task, agency=lead, period="Năm 2026", status="in_progress", percent=30, submitted_by=user)
    revision = without_task(tmp_path, 252)

    preview = run_import(revision, "--dry-run")
    assert "- Rút khỏi danh mục TT 252: Các tuyến thủy phi cơ" in preview and "có 1 báo cáo" in preview
    assert "- Xóa TT 252" not in preview

    output = run_import(revision)

    assert "rút khỏi danh mục 1" in output
    task.refresh_from_db()
    assert task.withdrawn_on == timezone.localdate() and task.withdrawn_in == "ban-sua-doi.txt"
    assert task.reports.count() == 1 and Task.history.filter(id=task.pk).latest().withdrawn_on == task.withdrawn_on
    as_of = timezone.localdate()
    assert programme_summary(as_of=as_of)["total"] == 251
    assert not task_list(data={}, as_of=as_of).qs.filter(number=252).exists()
    assert task_list(data={"withdrawn": "include"}, as_of=as_of, queryset=task_queryset(as_of=as_of)).qs.filter(number=252).exists()
    assert task not in agency_tasks_for_reporting(lead)
    assert "Không có thay đổi" in run_import(revision)  # still out: nothing more to do

    output = run_import(SEED)

    assert "↺ Đưa trở lại danh mục TT 252" in output
    task.refresh_from_db()
    assert task.withdrawn_on is None and task.withdrawn_in == "" and task.reports.count() == 1
    assert programme_summary(as_of=as_of)["total"] == 252


def test_import_still_deletes_a_removed_task_without_reports(programme, tmp_path):
    output = run_import(without_task(tmp_path, 252))
    assert "- Xóa TT 252" in output and "xóa 1, rút khỏi danh mục 0" in output
    assert not Task.objects.filter(number=252).exists()


@pytest.mark.parametrize(
    "name, content, what",
    [
        ("danh-muc.ods", "ods", "bảng tính OpenDocument (.ods)"),
        ("danh-muc.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "tệp Office đời cũ (.xls hoặc .doc)"),
        ("danh-muc.txt", b"\x90\x91\xff" * 50, "tệp nhị phân hoặc văn bản không phải mã UTF-8"),
    ],
)
def test_import_command_names_the_accepted_formats_for_another_file(programme, tmp_path, name, content, what):
    """Finding 7: an .ods or .xls answered "'utf-8' codec can't decode byte 0x90"."""
    import zipfile

    if content == "ods":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        content = buffer.getvalue()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run_import(path)
    message = str(error.value)
    assert f"{name} là {what}; chỉ nhận phụ lục dạng văn bản (.txt, mã UTF-8) hoặc bảng tính Excel .xlsx" in message
    assert "codec" not in message


def test_import_command_reads_a_file_by_content_not_name(programme, tmp_path):
    renamed = tmp_path / "phu-luc.bin"
    renamed.write_bytes(SEED.read_bytes())
    assert "Không có thay đổi" in run_import(renamed)
