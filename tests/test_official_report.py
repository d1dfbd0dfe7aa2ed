"""The official report (.docx, Party document format): read back with python-docx, and through the dashboard's button."""

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document

from portfolio.choices import ReviewState, UserKind, WorkStatus
from portfolio.models import TargetFigure, TargetValue, Task

from .helpers import csrf_client, make_user

AS_OF = date(2026, 11, 23)


@pytest.fixture
def reported(programme, django_user_model):
    """Task 3 done in the period, task 5 done before it; urbanisation's 2025 value accepted."""
    user = django_user_model.objects.create_user("sxd")
    Task.objects.filter(number=3).update(status=WorkStatus.DONE, progress=100, completed_on=date(2026, 3, 10))
    Task.objects.filter(number=5).update(status=WorkStatus.DONE, progress=100, completed_on=date(2025, 10, 1))
    figure = TargetFigure.objects.get(target__number=20, position=1)
    TargetValue.objects.create(
        figure=figure, agency=figure.agency, year=2025, value=Decimal("50.31"), source="Sở Xây dựng", submitted_by=user,
        review_state=ReviewState.ACCEPTED, reviewed_at=timezone.now(),
    )


def export(tmp_path, *args) -> Document:
    out = tmp_path / "bao-cao.docx"
    call_command("export_report", "--out", str(out), "--as-of", AS_OF.isoformat(), *args, stdout=io.StringIO())
    return Document(str(out))


def texts(document) -> list[str]:
    """Every paragraph of the document, in the body and in table cells, in order."""
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [p.text for p in cell.paragraphs]
    return found


def table_with(document, header: str):
    return next(t for t in document.tables if header in [c.text for c in t.rows[0].cells])


def test_official_report_holds_the_party_header_title_and_closing(reported, tmp_path):
    document = export(tmp_path)
    header, closing = document.tables[0], document.tables[-1]
    left, right = [[p.text for p in cell.paragraphs] for cell in header.rows[0].cells]
    assert left == ["THÀNH ỦY CẦN THƠ", "*", "Số       -BC/TU"]
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM" and right[-1] == "Cần Thơ, ngày 23 tháng 11 năm 2026"
    body = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in body
    assert any(t.startswith("tình hình thực hiện Chương trình hành động") for t in body)
    left, right = [[p.text for p in cell.paragraphs] for cell in closing.rows[0].cells]
    assert left[0] == "Nơi nhận:" and "- Lưu Văn phòng Thành ủy." in left
    assert right[:2] == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]


def test_official_report_page_and_font_follow_the_format(reported, tmp_path):
    document = export(tmp_path)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [2, 2, 3, 1.5]
    runs = [r for p in document.paragraphs for r in p.runs] + [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size.pt for r in document.paragraphs[0].runs} <= {13, 14, 15}
    assert {r.font.size.pt for p in document.paragraphs for r in p.runs} <= {12, 13, 14, 15}


def test_official_report_lists_overdue_tasks_with_body_and_days_overdue(reported, tmp_path):
    document = export(tmp_path)
    overdue = table_with(document, "Số ngày quá hạn")
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in overdue.rows[1:]}
    task4 = Task.objects.get(number=4)
    assert rows["4"] == ["4", task4.title, "Văn phòng Thành ủy", "31/10/2025", str((AS_OF - date(2025, 10, 31)).days)]
    assert "3" not in rows  # done


def test_official_report_lists_tasks_completed_in_the_period(reported, tmp_path):
    completed = table_with(export(tmp_path), "Ngày hoàn thành")
    numbers = [row.cells[0].text for row in completed.rows[1:]]
    assert numbers == ["3"]  # task 5 was completed before 01/01/2026
    completed = table_with(export(tmp_path, "--since", "2025-01-01"), "Ngày hoàn thành")
    assert [row.cells[0].text for row in completed.rows[1:]] == ["5", "3"]


def test_official_report_has_the_table_by_body_and_the_targets_assessment(reported, tmp_path):
    document = export(tmp_path)
    bodies = table_with(document, "Tỷ lệ đúng hạn")
    assert "Văn phòng Thành ủy" in [row.cells[0].text for row in bodies.rows[1:]]
    targets = table_with(document, "Chỉ tiêu Nghị quyết")
    assert [c.text for c in targets.rows[0].cells] == [
        "Chỉ tiêu", "ĐVT", "Chỉ tiêu Nghị quyết", "Ước thực hiện", "Đánh giá", "Tỷ lệ thực hiện so với chỉ tiêu",
    ]
    rows = [[c.text for c in row.cells] for row in targets.rows[1:]]
    assert ["Tỷ lệ đô thị hóa", "%", "Tối thiểu 50 (năm 2030)", "50,31 (năm 2025)", "Đúng tiến độ", "100,6%"] in rows
    assert sum(1 for r in rows if r[0] != r[-1]) == 71  # every figure (group and target rows span the table)
    assert any(r[0].startswith("(28) Ký kết ít nhất 05 thỏa thuận") for r in rows)


def test_official_report_honours_the_task_filters(reported, tmp_path):
    from portfolio.models import Section

    document = export(tmp_path, "--filter", f"section={Section.objects.get(numeral='II').pk}")
    body = [p.text for p in document.paragraphs]
    assert any(t.startswith("Chương trình hành động có 44 nhiệm vụ") for t in body)  # section II only
    assert "Không có nhiệm vụ quá hạn." in body


def test_official_report_button_for_office_and_viewers_only(reported, client, office):
    office = csrf_client(office)
    page = office.get("/").content.decode()
    assert 'id="official-report"' in page
    response = office.get(f"/reports/official.docx?as_of={AS_OF.isoformat()}")
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    assert Document(io.BytesIO(response.content)).tables[0].rows[0].cells[1].paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert csrf_client(make_user("lanhdao", UserKind.VIEWER)).get("/reports/official.docx").status_code == 200
    reporter = csrf_client(make_user("sxd-bc", UserKind.REPORTER, "Sở Xây dựng"))
    assert reporter.get("/reports/official.docx").status_code == 404
    assert 'id="official-report"' not in reporter.get("/").content.decode()
    assert client.get("/reports/official.docx")["Location"].startswith("/accounts/login/")


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="LibreOffice or poppler not installed")
def test_official_report_converts_to_a_pdf_on_a4(reported, tmp_path):
    out = tmp_path / "bao-cao.docx"
    call_command("export_report", "--out", str(out), "--as-of", AS_OF.isoformat(), stdout=io.StringIO())
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "595.3" in info and "841.89" in info  # A4 in points
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "KẾT QUẢ THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT" in text and "T/M BAN THƯỜNG VỤ" in text
