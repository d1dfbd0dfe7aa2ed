"""Workbooks out (the meeting report) and in (the programme workbook), and the safety of both."""

import io
import math
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from portfolio.choices import ScheduleState
from portfolio.excel.meeting import MEETING_HEADERS
from portfolio.excel.meeting import meeting_workbook
from portfolio.excel.reader import WorkbookError, open_workbook, read_programme_workbook
from portfolio.models import Task
from portfolio.selectors import task_queryset

AS_OF = date(2026, 11, 22)


def workbook_of(queryset=None):
    queryset = queryset if queryset is not None else task_queryset(as_of=AS_OF)
    return meeting_workbook(tasks_queryset=queryset, as_of=AS_OF)


def test_meeting_workbook_layout(programme):
    book = load_workbook(io.BytesIO(workbook_of()))
    assert book.sheetnames == ["Danh mục", "Tổng hợp", "Quá hạn", "Chỉ tiêu Nghị quyết"]
    sheet = book["Danh mục"]
    assert [c.value for c in sheet[4]] == list(MEETING_HEADERS)
    assert "22/11/2026" in sheet["A2"].value
    assert sheet["A5"].value.startswith("I. CÁC NHIỆM VỤ") and "A5:L5" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "C5" and sheet.auto_filter.ref.startswith("A4:L")
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$4:$4"
    assert "&P" in sheet.oddFooter.center.text
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=6) if isinstance(r[0].value, int)}
    assert len(rows) == 252
    assert rows[3][9].value == "Quá hạn" and rows[3][0].fill.fgColor.rgb.endswith("FDE2E1")
    assert rows[1][9].value == "Trong hạn" and rows[1][0].fill.fgColor.rgb in ("00000000", None)
    assert rows[1][8].value.date() == date(2027, 12, 31) and rows[1][8].number_format == "DD/MM/YYYY"
    summary = book["Tổng hợp"]
    counts = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2).value for r in range(4, 11)}
    assert counts["Quá hạn"] == 12 and counts["Sắp đến hạn"] == 8 and sum(counts.values()) == 252
    assert len(summary._charts) == 2
    overdue = book["Quá hạn"]
    listed = [r for r in overdue.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(listed) == 12 and listed[0][4] == (AS_OF - date(2025, 10, 31)).days
    assert "UBND thành phố" in {r[5] for r in listed}


def test_meeting_workbook_targets_sheet_holds_the_assessment_table(programme):
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from portfolio.models import TargetFigure, TargetValue

    figure = TargetFigure.objects.get(target__number=20, position=1)
    TargetValue.objects.create(
        figure=figure, agency=figure.agency, year=2025, value=Decimal("50.31"), source="Sở Xây dựng", review_state="accepted",
        reviewed_at=timezone.now(), submitted_by=get_user_model().objects.create_user("sxd"),
    )
    sheet = load_workbook(io.BytesIO(workbook_of()))["Chỉ tiêu Nghị quyết"]
    assert "KẾT QUẢ THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT" in sheet["A1"].value and "22/11/2026" in sheet["A1"].value
    assert [c.value for c in sheet[3]] == [
        "Chỉ tiêu", "ĐVT", "Chỉ tiêu Nghị quyết", "Ước thực hiện", "Đánh giá", "Tỷ lệ thực hiện so với chỉ tiêu", "Cơ quan theo dõi",
    ]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=4)]
    assert rows[0][0] == "CHỈ TIÊU VỀ KINH TẾ" and rows[1][0].startswith("(1) Tổng sản phẩm trên địa bàn (GRDP)")
    assert ("Tỷ lệ đô thị hóa", "%", "Tối thiểu 50 (năm 2030)", "50,31 (năm 2025)", "Đúng tiến độ", "100,6%", "Sở Xây dựng") in rows
    assert sum(1 for r in rows if r[1] is not None or r[2] is not None) == 71  # one row per figure


def test_whole_programme_workbook_summary_equals_the_filtered_computation(programme, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True))
    Task.objects.filter(number=3).update(status="done", progress=100, completed_on=date(2025, 10, 20))

    def counts(content):
        summary = load_workbook(io.BytesIO(content))["Tổng hợp"]
        rows = [tuple(c.value for c in row) for row in summary.iter_rows(min_row=4)]
        return [r[:6] for r in rows]

    whole = counts(client.get("/tasks/report.xlsx?as_of=2026-11-22").content)  # no filter: the dashboard's summary
    computed = counts(workbook_of())  # the same tasks through the filtered path
    assert whole == computed and ("Quá hạn", 11) in [r[:2] for r in whole]


def test_meeting_workbook_honours_the_filters(programme):
    queryset = task_queryset(as_of=AS_OF).filter(schedule_state=ScheduleState.DUE_SOON)
    sheet = load_workbook(io.BytesIO(workbook_of(queryset)))["Danh mục"]
    assert len([r for r in sheet.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]) == 8


def test_meeting_report_button_downloads_the_filtered_workbook(programme, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True))
    response = client.get("/tasks/report.xlsx?as_of=2026-11-22&schedule_state=overdue")
    assert response.status_code == 200 and "bao-cao-hop-2026-11-22.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Danh mục"]
    assert len([r for r in sheet.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]) == 12
    assert 'id="meeting-report"' in client.get("/").content.decode()


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_looks_like_a_formula_is_written_as_text(programme, title):
    Task.objects.filter(number=1).update(title=title)
    sheet = load_workbook(io.BytesIO(workbook_of()))["Danh mục"]
    cell = sheet["B6"]
    # A carriage return is stored as Excel's escape _x000D_, which Excel reads back as the character itself.
    assert unescape(cell.value) == title and cell.data_type == "s"


def test_export_then_import_as_programme_workbook_changes_nothing(programme, tmp_path):
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(workbook_of())
    out = io.StringIO()
    call_command("import_programme", str(path), stdout=out)
    assert "Không có thay đổi: 252 nhiệm vụ" in out.getvalue()


def test_programme_workbook_edit_is_previewed_then_applied(programme, tmp_path):
    book = load_workbook(io.BytesIO(workbook_of()))
    sheet = book["Danh mục"]
    sheet["B6"] = "Sơ kết 2 năm, 5 năm (đã sửa trong bảng tính)"
    path = tmp_path / "sua.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("import_programme", str(path), "--dry-run", stdout=out)
    assert "~ Sửa TT 1" in out.getvalue() and "Chạy thử" in out.getvalue()
    assert Task.objects.get(number=1).title.startswith("Sơ kết 2 năm, 5 năm việc")
    call_command("import_programme", str(path), stdout=io.StringIO())
    assert Task.objects.get(number=1).title == "Sơ kết 2 năm, 5 năm (đã sửa trong bảng tính)"


def test_programme_workbook_with_a_formula_or_a_gap_is_refused_naming_the_row(programme, tmp_path):
    book = load_workbook(io.BytesIO(workbook_of()))
    sheet = book["Danh mục"]
    sheet["B7"] = "=1+1"
    path = tmp_path / "cong-thuc.xlsx"
    book.save(path)
    with pytest.raises(CommandError, match=r"dòng 7: ô B7 chứa công thức"):
        call_command("import_programme", str(path), stdout=io.StringIO())
    sheet["B7"] = "Bình thường"
    sheet["A8"] = 99
    book.save(path)
    with pytest.raises(CommandError, match=r"dòng 8: số thứ tự 99 không liền mạch"):
        call_command("import_programme", str(path), stdout=io.StringIO())
    assert Task.objects.get(number=2).title.startswith("Triển khai thực hiện đồng bộ")


@pytest.mark.parametrize("source", ["text", "workbook"])
def test_programme_section_rules_are_the_same_for_text_and_workbook(programme, tmp_path, seed_text, source):
    """Finding 6: the numbering and section rules were written twice; the workbook reader accepted a section twice."""
    if source == "text":
        lines = seed_text.splitlines()
        second = next(i for i, line in enumerate(lines) if line.startswith("II CÁC NHIỆM VỤ"))
        lines[second] = lines[second].replace("II", "I", 1)
        path = tmp_path / "hai-muc-I.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
    else:
        book = load_workbook(io.BytesIO(workbook_of()))
        sheet = book["Danh mục"]
        second = next(row[0] for row in sheet.iter_rows(min_row=5) if str(row[0].value or "").startswith("II"))
        second.value = second.value.replace("II", "I", 1)
        path = tmp_path / "hai-muc-I.xlsx"
        book.save(path)
    with pytest.raises(CommandError, match=r"mục I xuất hiện hai lần"):
        call_command("import_programme", str(path), stdout=io.StringIO())


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return buffer.getvalue()


def entity_expansion() -> bytes:
    source = io.BytesIO(workbook_of_empty())
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w") as archive:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/workbook.xml":
                bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                data = bomb + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            archive.writestr(item, data)
    return buffer.getvalue()


def workbook_of_empty() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_opening():
    data = zip_bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(WorkbookError, match="giải nén quá lớn"):
        open_workbook(data, name="bom.xlsx")


def test_xml_entity_expansion_is_refused():
    with pytest.raises(WorkbookError, match="thực thể XML"):
        open_workbook(entity_expansion(), name="thuc-the.xlsx")


@pytest.mark.parametrize("data, message", [(b"khong phai excel", "không phải tệp Excel"), (b"PK\x03\x04rac", "không phải tệp Excel")])
def test_not_a_workbook_is_refused(data, message):
    with pytest.raises(WorkbookError, match=message):
        read_programme_workbook(data, name="x.xlsx")


def test_oversized_upload_is_refused(settings):
    settings.PORTFOLIO_XLSX_MAX_BYTES = 1000
    with pytest.raises(WorkbookError, match="vượt giới hạn"):
        open_workbook(workbook_of_empty(), name="lon.xlsx")


def test_office_uploads_a_programme_workbook_previews_then_applies(programme, tmp_path, settings, office):
    from .helpers import csrf_client, csrf_post, make_user
    from portfolio.choices import UserKind

    settings.MEDIA_ROOT = tmp_path / "media"
    office = csrf_client(office)
    book = load_workbook(io.BytesIO(workbook_of()))
    book["Danh mục"]["B6"] = "Tên mới sau khi sửa danh mục"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "danh-muc.xlsx"
    office.get("/imports/")
    response = office.post("/imports/", {"file": buffer, "csrfmiddlewaretoken": office.cookies["csrftoken"].value})
    page = office.get(response["Location"]).content.decode()
    assert "sửa 1" in page and "Tên mới sau khi sửa danh mục" in page
    assert Task.objects.get(number=1).title != "Tên mới sau khi sửa danh mục"
    csrf_post(office, response["Location"], {"action": "apply"})
    assert Task.objects.get(number=1).title == "Tên mới sau khi sửa danh mục"
    reporter = csrf_client(make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy"))
    buffer.seek(0)
    reporter.get("/imports/")
    response = reporter.post("/imports/", {"file": buffer, "csrfmiddlewaretoken": reporter.cookies["csrftoken"].value})
    assert reporter.get(response["Location"]).status_code == 403


SOFFICE = shutil.which("soffice")
CALC = Path("/usr/lib/libreoffice/program/libsclo.so")
A4_LANDSCAPE = (842, 595)  # points


def pdf_of(content: bytes, tmp_path) -> "pypdf.PdfReader":
    """The workbook printed by LibreOffice Calc (headless), as a spreadsheet program prints it."""
    import pypdf

    source = tmp_path / "bao-cao-hop.xlsx"
    source.write_bytes(content)
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=240,
    )
    return pypdf.PdfReader(tmp_path / "bao-cao-hop.pdf")


def printed_sizes(page) -> list[float]:
    """The size on paper (points) of every piece of text on the page: its font size times the page's scale."""
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * math.hypot(tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]))

    page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.skipif(not (SOFFICE and CALC.exists()), reason="LibreOffice Calc is not installed (python3 dev.py test installs it)")
def test_meeting_workbook_prints_on_a4_landscape_pages_per_sheet(programme, tmp_path):
    """Finding 8: beyond "Danh mục" (itself at 5-6 pt), the sheets printed on portrait pages, split across pages, with
    page numbers running through the whole workbook."""
    reader = pdf_of(workbook_of(), tmp_path)
    pages = []
    for page in reader.pages:
        text = page.extract_text()
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_LANDSCAPE
        sheet = next(name for name in ("Danh mục", "Tổng hợp", "Quá hạn", "Chỉ tiêu Nghị quyết") if f"\n{name}" in text or text.startswith(name))
        number = int(re.search(r"Trang (\d+)", text)[1])
        pages.append((sheet, number, text))
        assert min(printed_sizes(page)) >= 8.95, (sheet, number)  # at least 9 pt on paper, headers and charts too
        assert "Tình hình thực hiện tính đến ngày 22/11/2026" in text  # the as-of line atop every page
    by_sheet = {}
    for sheet, number, text in pages:
        by_sheet.setdefault(sheet, []).append((number, text))
    assert list(by_sheet) == ["Danh mục", "Tổng hợp", "Quá hạn", "Chỉ tiêu Nghị quyết"]
    for sheet, numbered in by_sheet.items():
        assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1)), sheet  # each sheet counts its own pages
    for number, text in by_sheet["Danh mục"]:  # every page holds every column: first and last headers with the rows
        assert "NHIỆM VỤ CỤ THỂ" in text and "LẦN CUỐI" in text, number
    assert len(by_sheet["Tổng hợp"]) == 3  # tables and first chart; the table by body; the chart by body
    first, bodies, chart = (text for _, text in by_sheet["Tổng hợp"])
    assert "Đánh giá tiến độ" in first and "Tình trạng thực hiện" in first and "Cơ quan chủ trì, thực hiện" not in first
    assert "Cơ quan chủ trì, thực hiện" in bodies and "Sắp đến hạn" in bodies
    assert "Theo cơ quan chủ trì, thực hiện" in chart and "Quá hạn" in chart  # the chart with its legend
    assert len(by_sheet["Quá hạn"]) == 1
    overdue = by_sheet["Quá hạn"][0][1]
    assert "SỐ NGÀY" in overdue and "TÌNH TRẠNG" in overdue and str((AS_OF - date(2025, 10, 31)).days) in overdue
    for number, text in by_sheet["Chỉ tiêu Nghị quyết"]:  # the targets' table: every column on every page
        assert "ĐVT" in text and "Cơ quan theo dõi" in text, number


def test_meeting_workbook_says_its_filter_on_every_sheet(programme, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("vp", is_superuser=True))
    book = load_workbook(io.BytesIO(client.get("/tasks/report.xlsx?as_of=2026-11-22&schedule_state=overdue").content))
    for name in book.sheetnames:
        line = book[name]["A2"].value
        assert line == "Tình hình thực hiện tính đến ngày 22/11/2026. Bộ lọc: Đánh giá tiến độ: Quá hạn", name
    whole = load_workbook(io.BytesIO(client.get("/tasks/report.xlsx?as_of=2026-11-22").content))
    assert whole["Quá hạn"]["A2"].value.endswith("Toàn bộ danh mục (không lọc)")
