"""The streaming row writer writes exactly the XML XlsxWriter would write, cell for cell."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy

from portfolio.excel import writer
from portfolio.excel.writer import Styles, new_workbook

ROWS = [
    ("Văn bản thường", 12, 3.25, date(2026, 11, 22), datetime(2026, 11, 22, 8, 30), True, None, ""),
    ("A & B < C > D \"trích\" 'dẫn'", -7, 0.1, None, "", False, Decimal("12.50"), gettext_lazy("Quá hạn")),
    (" đầu có khoảng trắng", "cuối có khoảng trắng ", "dòng 1\ndòng 2", "\tthẻ", "=SUM(A1:A2)", "+84 292", "-", "@x"),
    ("điều khiển \x01\x1f giữa", "_x0041_ như mã thoát", "\ufffe\uffff", "x" * 40000, 10**15, 1e-7, 2.5e20, float(7)),
    (None, None, "chỉ cột ba"),
    (),
]


def sheet_xml(fast: bool) -> dict[str, bytes]:
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    styles = Styles(book, cell={"text_wrap": True, "border": 1}, other={"bold": True})
    sheet = book.add_worksheet("Thử")
    write = writer.write_row if fast else writer._write_cells
    sheet.merge_range(0, 0, 0, 7, "Tiêu đề", styles["other"])
    sheet.set_row(2, 40)
    write(sheet, 2, ["TT", "Tên"], styles["other"])
    row = 3
    for values in ROWS:
        sheet.set_row(row, 16 * (row % 3) + 20)
        write(sheet, row, values, styles["cell"], styles["cell_date"], styles["cell"])
        row += 1
        write(sheet, row, values, styles["other"])  # no blank style: empty cells are left out
        row += 2  # a gap
    sheet.write_string(row, 0, "ô viết bởi XlsxWriter")  # a row XlsxWriter already holds cells of
    write(sheet, row, [None, "tiếp theo", 5], styles["cell"], blank_style=styles["cell"])
    sheet.merge_range(row + 1, 0, row + 1, 3, "Mục II", styles["other"])
    write(sheet, row + 2, iter(["từ một iterator", 1]), styles["cell"])
    sheet.autofilter(2, 0, row + 2, 7)
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_the_streaming_writer_writes_what_xlsxwriter_writes():
    fast, reference = sheet_xml(fast=True), sheet_xml(fast=False)
    assert fast.keys() == reference.keys()
    for name in reference:
        assert fast[name] == reference[name], name
    sheet = reference["xl/worksheets/sheet1.xml"].decode()
    assert "_x005F_x0041_" in sheet and "_x0001_" in sheet and 'xml:space="preserve"' in sheet and "A &amp; B &lt; C" in sheet
