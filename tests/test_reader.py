"""The read-only reader (python-calamine behind openpyxl's interface) yields what openpyxl's read-only mode yields,
and keeps refusing what openpyxl refused: formula cells, merged cells, DTDs."""

import io
import shutil
import subprocess
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from portfolio.choices import UserKind
from portfolio.excel.reader import CheckedWorkbook, WorkbookError, merged_cells, open_workbook
from portfolio.models import Agency
from portfolio.services.excel_import import agency_import_preview, agency_workbook_export

from .helpers import make_user

AS_OF = date(2026, 11, 22)


@pytest.fixture
def ubnd(programme):
    return Agency.objects.get(name="UBND thành phố")


def filled(agency) -> bytes:
    """The agency workbook as a body sends it back: text, numbers, a date and a date typed as text."""
    book = load_workbook(io.BytesIO(agency_workbook_export(agency=agency, as_of=AS_OF)))
    sheet = book["Báo cáo"]
    for i, row in enumerate(sheet.iter_rows(min_row=4, max_row=23)):
        row[4].value, row[5].value, row[6].value = "Quý IV/2026", "Hoàn thành" if i % 2 else "Đang triển khai", 100 if i % 2 else 10 + i
        row[7].value = datetime(2026, 10, 1 + i) if i % 4 == 1 else ("15/10/2026" if i % 4 == 3 else None)
        row[8].value = f"Kết quả {i}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def openpyxl_rows(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def checked_rows(data: bytes) -> dict[str, list[tuple]]:
    book = open_workbook(data, read_only=True)
    try:
        assert isinstance(book, CheckedWorkbook)
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def trimmed(rows: list[tuple]) -> list[tuple]:
    """Rows without trailing empty cells and trailing empty rows: where a sheet's used area ends is the readers' business."""
    out = [tuple(v for v in row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]) for row in rows]
    while out and not out[-1]:
        out.pop()
    return out


def assert_same_values(data: bytes):
    ours, theirs = checked_rows(data), openpyxl_rows(data)
    assert list(ours) == list(theirs)
    for name in theirs:
        assert trimmed(ours[name]) == trimmed(theirs[name]), name
        for mine, their in zip(trimmed(ours[name]), trimmed(theirs[name])):
            assert [type(v) for v in mine] == [type(v) for v in their], name


def test_reader_yields_openpyxl_values_for_the_workbooks_the_app_writes(ubnd):
    assert_same_values(agency_workbook_export(agency=ubnd, as_of=AS_OF))
    assert_same_values(filled(ubnd))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_reader_yields_openpyxl_values_for_a_workbook_resaved_by_libreoffice(ubnd, tmp_path):
    source = tmp_path / "in" / "bieu-mau.xlsx"
    source.parent.mkdir()
    source.write_bytes(filled(ubnd))
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120)
    resaved = (out / "bieu-mau.xlsx").read_bytes()
    assert resaved != source.read_bytes()
    assert_same_values(resaved)


def test_reader_marks_a_formula_cell_and_yields_the_formula(ubnd):
    book = load_workbook(io.BytesIO(filled(ubnd)))
    book["Báo cáo"]["G4"] = "=10+20"
    buffer = io.BytesIO()
    book.save(buffer)
    workbook = open_workbook(buffer.getvalue(), read_only=True)
    cell = next(workbook["Báo cáo"].iter_rows(min_row=4, max_row=4))[6]
    assert (cell.data_type, cell.value, cell.coordinate) == ("f", "=10+20", "G4")
    assert next(workbook["Báo cáo"].iter_rows(min_row=4, max_row=4, values_only=True))[6] == "=10+20"


def test_reader_finds_merged_cells(ubnd):
    book = load_workbook(io.BytesIO(filled(ubnd)))
    book["Báo cáo"].merge_cells("I4:J4")
    buffer = io.BytesIO()
    book.save(buffer)
    workbook = open_workbook(buffer.getvalue(), read_only=True)
    assert {(4, 9), (4, 10)} <= merged_cells(workbook, workbook["Báo cáo"])


def test_import_still_refuses_formula_and_merged_cells(ubnd):
    reporter = make_user("ubnd", UserKind.REPORTER, "UBND thành phố")
    book = load_workbook(io.BytesIO(filled(ubnd)))
    book["Báo cáo"]["G4"] = "=10+20"
    book["Báo cáo"].merge_cells("I5:J5")
    buffer = io.BytesIO()
    book.save(buffer)
    problems = " ".join(agency_import_preview(data=buffer.getvalue(), user=reporter).problems)
    assert "công thức" in problems and "gộp" in problems


def test_reader_refuses_a_dtd(ubnd):
    data = filled(ubnd)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/workbook.xml":
                content = b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>" + content
            target.writestr(item, content)
    with pytest.raises(WorkbookError, match="thực thể"):
        open_workbook(out.getvalue(), read_only=True)
