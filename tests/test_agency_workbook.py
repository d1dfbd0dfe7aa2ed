"""The agency workbook out and back in: what is locked, what is checked, what is applied, and only once."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from portfolio.choices import UserKind
from portfolio.models import Agency, ProgressReport, Task
from portfolio.services.excel_import import agency_tasks_for_reporting, agency_workbook_export

from .helpers import csrf_client, csrf_post, make_user

AS_OF = date(2026, 11, 22)


@pytest.fixture
def ubnd(programme):
    return Agency.objects.get(name="UBND thành phố")


@pytest.fixture
def reporter(ubnd):
    return make_user("ubnd", UserKind.REPORTER, "UBND thành phố")


def exported(agency):
    return load_workbook(io.BytesIO(agency_workbook_export(agency=agency, as_of=AS_OF)))


def save(book, tmp_path, name="bieu-mau.xlsx"):
    path = tmp_path / name
    book.save(path)
    return path


def counts():
    return ProgressReport.objects.count(), Task.history.count(), ProgressReport.history.count(), list(Task.objects.values_list("version", flat=True).order_by("pk"))


def test_agency_workbook_locks_all_but_the_columns_to_fill(ubnd):
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    rows = [r for r in sheet.iter_rows(min_row=4) if r[0].value]
    assert len(rows) == agency_tasks_for_reporting(ubnd).count() == 197
    assert sheet.protection.sheet
    unlocked = {c.column_letter for c in rows[0] if not c.protection.locked}
    assert unlocked == set("EFGHIJK")
    assert sheet.column_dimensions["L"].hidden and rows[0][11].value == f"{Task.objects.get(number=rows[0][0].value).pk}:1"
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert {"list", "whole", "date"} <= kinds
    whole = next(dv for dv in sheet.data_validations.dataValidation if dv.type == "whole")
    assert (whole.formula1, whole.formula2) == ("0", "100")
    assert book["_khoa"].sheet_state == "veryHidden" and book["_khoa"]["B1"].value == ubnd.pk


def fill(sheet, count=20):
    for row in sheet.iter_rows(min_row=4, max_row=3 + count):
        row[4].value = "Quý IV/2026"
        row[5].value = "Đang triển khai"
        row[6].value = 35
        row[8].value = "Đã phê duyệt chủ trương đầu tư"


def test_round_trip_twenty_rows_become_twenty_reports_once(reporter, ubnd, tmp_path):
    book = exported(ubnd)
    fill(book["Báo cáo"])
    path = save(book, tmp_path)
    out = io.StringIO()
    call_command("import_xlsx", str(path), "--user", "ubnd", stdout=out)
    assert "Đã ghi 20 báo cáo" in out.getvalue()
    assert ProgressReport.objects.filter(submitted_by=reporter, agency=ubnd, period="Quý IV/2026", percent=35).count() == 20
    before = counts()
    out = io.StringIO()
    call_command("import_xlsx", str(path), "--user", "ubnd", stdout=out)
    assert "Đã ghi 0 báo cáo" in out.getvalue() and counts() == before


def test_dry_run_previews_field_by_field(reporter, ubnd, tmp_path):
    book = exported(ubnd)
    fill(book["Báo cáo"], count=1)
    out = io.StringIO()
    call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Dòng 4 — nhiệm vụ" in text
    assert "Tình trạng: «Chưa triển khai» -> «Đang triển khai»" in text
    assert "Tiến độ (%): «0» -> «35»" in text
    assert "Chạy thử" in text and ProgressReport.objects.count() == 0


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("F", "Xong rồi", "dòng 4, cột F (TÌNH TRẠNG): «Xong rồi» không phải tình trạng hợp lệ"),
        ("G", 120, "dòng 4, cột G (TIẾN ĐỘ (%)): 120 không phải số nguyên từ 0 đến 100"),
        ("G", "ba mươi", "dòng 4, cột G (TIẾN ĐỘ (%)): «ba mươi» không phải số"),
        ("H", "31/02/2026", "dòng 4, cột H (NGÀY HOÀN THÀNH): «31/02/2026» không phải ngày có thật"),
        ("H", date(2026, 10, 1), "dòng 4, cột H (NGÀY HOÀN THÀNH): Chỉ ghi ngày hoàn thành khi tình trạng là «Hoàn thành»"),
        ("G", "=50+1", "dòng 4, cột G (TIẾN ĐỘ (%)): ô chứa công thức"),
        ("L", "999999:1", "dòng 4, cột L (KHÓA): không có nhiệm vụ mã 999999"),
    ],
)
def test_a_bad_cell_refuses_the_whole_file_naming_row_and_column(reporter, ubnd, tmp_path, column, value, message):
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    fill(sheet, count=5)
    sheet[f"{column}4"] = value
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", stdout=io.StringIO())
    assert "Tệp bị từ chối" in str(error.value)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", "--dry-run", stdout=out)
    assert message in out.getvalue()
    assert counts() == before


def test_a_row_for_a_task_the_uploader_may_not_report_on_refuses_the_file(reporter, ubnd, tmp_path):
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    fill(sheet, count=2)
    other = Task.objects.get(number=1)  # Ban Thường vụ's task: UBND has no role
    sheet["L5"] = f"{other.pk}:{other.version}"
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", stdout=out)
    assert "dòng 5, cột A (TT): nhiệm vụ 1 không thuộc" in out.getvalue() and counts() == before


@pytest.mark.parametrize("stamp", ["stale", "forged"])
def test_a_stale_or_forged_version_stamp_refuses_the_whole_file(reporter, ubnd, tmp_path, stamp):
    """Finding 5: a row whose stamp was stale (or forged) was listed as a conflict and skipped, the other rows applied."""
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    fill(sheet, count=3)
    first = Task.objects.get(pk=int(sheet["L5"].value.split(":")[0]))
    if stamp == "stale":
        Task.objects.filter(pk=first.pk).update(version=first.version + 1)
    else:
        sheet["L5"] = f"{first.pk}:{first.version + 7}"
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", stdout=out)
    assert "Tệp bị từ chối" in str(error.value)
    assert "Trang «Báo cáo», dòng 5, cột L (KHÓA): khóa của dòng không khớp nhiệm vụ" in out.getvalue()
    assert "tải biểu mẫu mới" in out.getvalue()
    assert counts() == before and ProgressReport.objects.count() == 0


def test_a_task_on_two_rows_refuses_the_file_naming_both(reporter, ubnd, tmp_path):
    """Finding 5: the same task on two rows became two contradictory reports, and a third on the next import."""
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    fill(sheet, count=3)
    sheet["L6"] = sheet["L4"].value
    sheet["A6"] = sheet["A4"].value
    sheet["G6"] = 80
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", stdout=out)
    assert f"Trang «Báo cáo», dòng 4 và dòng 6: cùng một nhiệm vụ (TT {sheet['A4'].value}) ở 2 dòng" in out.getvalue()
    assert counts() == before


@pytest.mark.parametrize("column, value, found", [("I", "Đã làm " * 1429, "tối đa 10000"), ("E", "", "KỲ BÁO CÁO")])
def test_a_text_too_long_or_a_required_text_left_empty_refuses_the_file(reporter, ubnd, tmp_path, column, value, found):
    """The text columns' own rules (results at most 10,000 characters, the period required) are checked on every row,
    where most texts are known to fit without asking the field."""
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    fill(sheet, count=3)
    sheet[f"{column}4"] = value
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", "--dry-run", stdout=out)
    problems = [line for line in out.getvalue().splitlines() if line.startswith("LỖI")]
    assert len(problems) == 1 and f"dòng 4, cột {column} (" in problems[0] and found in problems[0], out.getvalue()
    assert ProgressReport.objects.count() == 0


def test_a_report_rule_is_checked_in_the_preview_from_the_column_map(reporter, ubnd, tmp_path):
    """Finding 6: the model's rules (a period longer than 100 characters) were checked only when applying, after the
    preview had said the file was fine; the columns come from the file's header row, not hard-coded letters."""
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    sheet.protection.sheet = False
    fill(sheet, count=2)
    sheet["E5"] = "Kỳ " * 60
    sheet.move_range(f"E3:L{sheet.max_row}", cols=1)  # a column inserted before "KỲ BÁO CÁO" by the agency
    sheet["E3"] = "GHI CHÚ"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", "--dry-run", stdout=out)
    assert "Trang «Báo cáo», dòng 5, cột F (KỲ BÁO CÁO): " in out.getvalue() and "100" in out.getvalue()
    assert ProgressReport.objects.count() == 0


def test_extra_columns_blank_rows_and_merged_cells_are_tolerated_or_reported(reporter, ubnd, tmp_path):
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    sheet.protection.sheet = False
    fill(sheet, count=2)
    sheet["M3"], sheet["M4"] = "GHI CHÚ RIÊNG", "không liên quan"
    sheet.insert_rows(6)  # a blank row in the middle
    call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", stdout=io.StringIO())
    assert ProgressReport.objects.count() == 2
    sheet.merge_cells("I4:J4")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path, "gop.xlsx")), "--user", "ubnd", stdout=out)
    assert "dòng 4, cột J (KHÓ KHĂN, VƯỚNG MẮC): ô bị gộp" in out.getvalue()


def test_upload_page_previews_then_applies_and_removes_the_file(reporter, ubnd, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = csrf_client(reporter)
    page = client.get(f"/agencies/{ubnd.pk}/")
    assert 'id="agency-workbook"' in page.content.decode()
    book = load_workbook(io.BytesIO(client.get(f"/agencies/{ubnd.pk}/workbook.xlsx").content))
    fill(book["Báo cáo"], count=3)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "bieu-mau.xlsx"
    buffer.seek(0)
    client.get("/imports/")
    response = client.post("/imports/", {"file": buffer, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    preview_url = response["Location"]
    response = client.get(preview_url)
    page = response.content.decode()
    assert response.status_code == 200, (response.status_code, response.get("Location"), [str(m) for m in response.wsgi_request._messages])
    assert "3 nhiệm vụ thay đổi" in page and "Đang triển khai" in page
    assert ProgressReport.objects.count() == 0
    response = csrf_post(client, preview_url, {"action": "apply"})
    assert response.status_code == 302 and ProgressReport.objects.count() == 3
    assert not list((tmp_path / "media" / "imports").glob("*.*"))  # neither the upload nor the stored preview
    assert client.get(preview_url).status_code == 404


def upload(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "bieu-mau.xlsx"
    buffer.seek(0)
    client.get("/imports/")
    return client.post("/imports/", {"file": buffer, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})["Location"]


def test_a_task_changed_between_preview_and_confirmation_refuses_the_whole_file(reporter, ubnd, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = csrf_client(reporter)
    book = exported(ubnd)
    fill(book["Báo cáo"], count=3)
    preview_url = upload(client, book)
    assert "3 nhiệm vụ thay đổi" in client.get(preview_url).content.decode()
    second_row_task = Task.objects.get(number=book["Báo cáo"]["A5"].value)
    Task.objects.filter(pk=second_row_task.pk).update(version=second_row_task.version + 1)  # the Office edits it meanwhile
    before = counts()
    response = csrf_post(client, preview_url, {"action": "apply"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "dòng 5" in page and f"nhiệm vụ {second_row_task.number} vừa được cập nhật" in page and "không ghi gì" in page
    assert counts() == before
    assert not list((tmp_path / "media" / "imports").glob("*.*"))


def test_import_issues_no_query_per_row(reporter, ubnd, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portfolio.services.excel_import import agency_import_apply, agency_import_preview

    def queries(count):
        book = exported(ubnd)
        fill(book["Báo cáo"], count=count)
        buffer = io.BytesIO()
        book.save(buffer)
        with CaptureQueriesContext(connection) as captured:
            preview = agency_import_preview(data=buffer.getvalue(), user=reporter)
            reports = agency_import_apply(preview=preview, user=reporter)
        assert len(reports) == count
        ProgressReport.history.all().delete()
        ProgressReport.objects.all().delete()
        return len(captured)

    small, large = queries(3), queries(197)
    # Only the inserts grow, by batch (SQLite takes ~50 rows per INSERT): per-row work would be hundreds of queries.
    assert small <= 20 and large - small <= 2 * -(-197 // 50), (small, large)


def test_export_command_writes_the_agency_workbook(ubnd, tmp_path):
    out = tmp_path / "ubnd.xlsx"
    call_command("export_xlsx", "--out", str(out), "--agency", str(ubnd.pk), "--as-of", "2026-11-22", stdout=io.StringIO())
    book = load_workbook(out)
    assert book.sheetnames[0] == "Báo cáo" and book["_khoa"]["B1"].value == ubnd.pk
    with pytest.raises(CommandError, match="Không có cơ quan mã 999999"):
        call_command("export_xlsx", "--out", str(out), "--agency", "999999", stdout=io.StringIO())


def test_upload_cancelled_writes_nothing_and_removes_the_file(reporter, ubnd, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = csrf_client(reporter)
    book = exported(ubnd)
    fill(book["Báo cáo"], count=2)
    response = csrf_post(client, upload(client, book), {"action": "cancel"})
    assert response.status_code == 302 and ProgressReport.objects.count() == 0
    assert not list((tmp_path / "media" / "imports").glob("*.xlsx"))


def test_agency_workbook_prints_on_a4_with_date_columns_as_dates(ubnd):
    """Finding 7: no paper size, and an empty completion cell was not a date cell."""
    sheet = exported(ubnd)["Báo cáo"]
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$3:$3"
    for row in (4, 100, 200):
        assert sheet[f"D{row}"].number_format == sheet[f"H{row}"].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("typed", [46310, date(2026, 10, 15), "15/10/2026"])
def test_agency_workbook_completion_date_typed_as_date_serial_or_text(reporter, ubnd, tmp_path, typed):
    """Finding 7: a date typed in a spreadsheet as a date (read as 46310 once its format is lost) was refused."""
    book = exported(ubnd)
    sheet = book["Báo cáo"]
    fill(sheet, count=1)
    sheet["F4"], sheet["G4"], sheet["H4"] = "Hoàn thành", 100, typed
    if typed == 46310:
        sheet["H4"].number_format = "General"
    call_command("import_xlsx", str(save(book, tmp_path)), "--user", "ubnd", stdout=io.StringIO())
    assert ProgressReport.objects.get().completed_on == date(2026, 10, 15)


@pytest.mark.parametrize(
    "content, what",
    [
        ("ods", "bảng tính OpenDocument (.ods)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "tệp Office đời cũ (.xls hoặc .doc)"),
        (b"\x90\x91\x00\xff" * 50, "tệp nhị phân hoặc văn bản không phải mã UTF-8"),
    ],
)
def test_upload_page_names_what_a_wrong_file_is_and_the_accepted_format(reporter, ubnd, tmp_path, settings, content, what):
    import zipfile

    settings.MEDIA_ROOT = tmp_path / "media"
    if content == "ods":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", "<office:document-content/>")
        content = buffer.getvalue()
    upload = io.BytesIO(content)
    upload.name = "bieu-mau.xlsx"  # the name says .xlsx; the content decides
    client = csrf_client(reporter)
    client.get("/imports/")
    response = client.post("/imports/", {"file": upload, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    page = response.content.decode()
    assert response.status_code == 200 and f"là {what}" in page and "chỉ nhận bảng tính Excel .xlsx" in page


def test_upload_page_takes_an_xlsx_by_content_whatever_its_name(reporter, ubnd, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    book = exported(ubnd)
    fill(book["Báo cáo"], count=1)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "bieu-mau.XLSX.tai-ve"
    client = csrf_client(reporter)
    client.get("/imports/")
    response = client.post("/imports/", {"file": buffer, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert "/imports/" in response["Location"]


# ---- the second sheet: target values of the figures the body tracks ------------------------------------

@pytest.fixture
def construction(programme):
    agency = Agency.objects.get(name="Sở Xây dựng")
    make_user("sxd", UserKind.REPORTER, "Sở Xây dựng")
    return agency


def test_agency_workbook_target_sheet_lists_the_figures_the_body_tracks(construction):
    book = exported(construction)
    sheet = book["Số liệu chỉ tiêu"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4) if r[0].value]
    assert [r[:4] for r in rows] == [
        ["(20.1)", "Tỷ lệ đô thị hóa", "%", "Tối thiểu 50 (năm 2030)"],
        ["(22.1)", "Nhà ở xã hội hoàn thành", "căn", "Tối thiểu 16.900 (năm 2030)"],
    ]
    assert rows[0][4:6] == ["Cả năm", AS_OF.year]
    unlocked = {c.column_letter for c in next(sheet.iter_rows(min_row=4)) if not c.protection.locked}
    assert unlocked == set("EFGHIJ") and sheet.protection.sheet and sheet.column_dimensions["K"].hidden
    assert "Số liệu chỉ tiêu" not in exported(Agency.objects.get(name="UBND thành phố")).sheetnames  # tracks no figure


def test_agency_workbook_target_values_become_values_to_review_once(construction, tmp_path):
    from decimal import Decimal

    from portfolio.models import TargetValue

    book = exported(construction)
    sheet = book["Số liệu chỉ tiêu"]
    sheet["G4"], sheet["I4"], sheet["J4"] = "50,31", "Thống kê thành phố", "Ước thực hiện"
    path = save(book, tmp_path)
    out = io.StringIO()
    call_command("import_xlsx", str(path), "--user", "sxd", "--dry-run", stdout=out)
    assert "Trang «Số liệu chỉ tiêu», dòng 4 — (20.1) Tỷ lệ đô thị hóa" in out.getvalue()
    assert "Giá trị: «—» -> «50,31»" in out.getvalue() and not TargetValue.objects.exists()
    call_command("import_xlsx", str(path), "--user", "sxd", stdout=io.StringIO())
    value = TargetValue.objects.get()
    assert (value.figure.target.number, value.year, value.value, value.source, value.review_state) == (20, AS_OF.year, Decimal("50.31"), "Thống kê thành phố", "submitted")
    out = io.StringIO()
    call_command("import_xlsx", str(path), "--user", "sxd", stdout=out)  # the same file again
    assert TargetValue.objects.count() == 1 and "số liệu chỉ tiêu mới" not in out.getvalue()


def test_agency_workbook_target_value_without_source_refuses_the_file(construction, tmp_path):
    from portfolio.models import TargetValue

    book = exported(construction)
    book["Số liệu chỉ tiêu"]["G5"] = 1200
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(save(book, tmp_path)), "--user", "sxd", stdout=out)
    assert "Trang «Số liệu chỉ tiêu», dòng 5, cột I (NGUỒN SỐ LIỆU): thiếu nguồn số liệu" in out.getvalue()
    assert not TargetValue.objects.exists()


def test_upload_page_previews_and_applies_target_values(construction, tmp_path, settings):
    from django.contrib.auth import get_user_model

    from portfolio.models import TargetValue

    settings.MEDIA_ROOT = tmp_path / "media"
    client = csrf_client(get_user_model().objects.get(username="sxd"))
    book = load_workbook(io.BytesIO(client.get(f"/agencies/{construction.pk}/workbook.xlsx").content))
    sheet = book["Số liệu chỉ tiêu"]
    sheet["G5"], sheet["I5"] = 1200, "Sở Xây dựng"
    preview_url = upload(client, book)
    page = client.get(preview_url).content.decode()
    assert 'id="target-values"' in page and "1 số liệu chỉ tiêu mới" in page and "Nhà ở xã hội hoàn thành" in page
    response = csrf_post(client, preview_url, {"action": "apply"})
    assert response.status_code == 302
    assert TargetValue.objects.get().value == 1200
    assert "Đã ghi 1 số liệu chỉ tiêu" in client.get(response["Location"]).content.decode()


def test_imported_reports_have_the_history_rows_simple_history_writes(reporter, ubnd):
    """The import copies each new report's "created" history row in SQL (portfolio/history.py): the same row, field
    for field, that simple_history writes when a report is saved, with the uploader and the time of the import."""
    from django.utils import timezone

    from portfolio.services.excel_import import agency_import_apply, agency_import_preview

    book = exported(ubnd)
    fill(book["Báo cáo"], count=3)
    buffer = io.BytesIO()
    book.save(buffer)
    before = timezone.now()
    reports = agency_import_apply(preview=agency_import_preview(data=buffer.getvalue(), user=reporter), user=reporter)
    tracked = [f.attname for f in ProgressReport.history.model._meta.concrete_fields if not f.attname.startswith("history_")]
    for report in ProgressReport.objects.filter(pk__in=reports):
        (row,) = ProgressReport.history.filter(id=report.pk)  # one row each, no more
        assert (row.history_type, row.history_user_id, row.history_change_reason) == ("+", reporter.pk, None)
        assert before <= row.history_date <= timezone.now()
        assert {name: getattr(row, name) for name in tracked} == {name: getattr(report, name) for name in tracked}
        report.save()  # a later save through the ORM: simple_history's own row follows, the same fields
        assert ProgressReport.history.filter(id=report.pk).latest().history_type == "~"
    assert ProgressReport.history.count() == 2 * len(reports) and len(reports) == 3


def test_the_tasks_an_agency_reports_on_are_its_lead_side_ones_and_those_delegated_to_it(programme):
    """agency_tasks_for_reporting (the workbook's rows, the import's allowed tasks), against the rule read task by task:
    a lead-side role or the delegate, never a coordinating role alone, never a withdrawn task."""
    from portfolio.choices import LEAD_SIDE_ROLES

    from .helpers import COORDINATED, OTHER, task

    agency = Agency.objects.get(name="Ban Tổ chức Thành ủy")
    Task.objects.filter(pk=task(OTHER).pk).update(delegate=agency)
    Task.objects.filter(pk=task(COORDINATED).pk).update(delegate=None)
    Task.objects.filter(number=1).update(withdrawn_on=date(2026, 11, 20))
    expected = [
        t.pk for t in Task.objects.order_by("programme", "number").prefetch_related("assignments")
        if t.withdrawn_on is None and (t.delegate_id == agency.pk or any(a.agency_id == agency.pk and a.role in LEAD_SIDE_ROLES for a in t.assignments.all()))
    ]
    assert list(agency_tasks_for_reporting(agency).values_list("pk", flat=True)) == expected
    assert task(OTHER).pk in expected and task(COORDINATED).pk not in expected and task(1).pk not in expected
