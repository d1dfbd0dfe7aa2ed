"""The agency workbook's column declarations (excel/columns.py) drive its writer and its reader alike."""

import dataclasses
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from portfolio.excel.agency import SHEET, agency_workbook, read_agency_workbook, read_agency_workbook_with_targets
from portfolio.excel.agency_targets import TARGET_SHEET
from portfolio.excel.columns import AGENCY_COLUMNS, TARGET_COLUMNS, Column, parse_text
from portfolio.excel.reader import WorkbookError

AS_OF = date(2026, 10, 15)
AGENCY = SimpleNamespace(pk=7, name="Sở Xây dựng")


def _task(pk):
    return SimpleNamespace(pk=pk, version=3, number=str(pk), title=f"Nhiệm vụ {pk}", deadline_text="Năm 2026",
                           next_due_date=date(2026, 12, 31), status="in_progress", get_status_display=lambda: "Đang triển khai",
                           progress=40, completed_on=None)


FIGURE = SimpleNamespace(pk=11, target=SimpleNamespace(number=2), position=1, measure="Tốc độ tăng trưởng", unit="%")
LATEST_VALUE = SimpleNamespace(value=Decimal("8.5"), achieved=None, source="Cục Thống kê", note="")


def _write(columns=AGENCY_COLUMNS):
    return agency_workbook(agency=AGENCY, tasks=[_task(1), _task(2)], latest_reports={}, as_of=AS_OF, columns=columns,
                           figures=[(FIGURE, "8-8,5%")], latest_values={(FIGURE.pk, "year", AS_OF.year): LATEST_VALUE})


def _sheet_layout(data, title):
    sheet = load_workbook(io.BytesIO(data))[title]
    headers = tuple(cell.value for cell in sheet[3])
    widths = tuple(sheet.column_dimensions[get_column_letter(n)].width for n in range(1, len(headers) + 1))
    unlocked = tuple(cell.value for cell, below in zip(sheet[3], sheet[4]) if not below.protection.locked)
    return headers, widths, unlocked


@pytest.mark.parametrize("title,columns", [(SHEET, AGENCY_COLUMNS), (TARGET_SHEET, TARGET_COLUMNS)])
def test_workbook_columns_written_as_declared(title, columns):
    headers, widths, unlocked = _sheet_layout(_write(), title)
    assert headers == tuple(c.header for c in columns)
    assert widths == tuple(c.width for c in columns)
    assert unlocked == tuple(c.header for c in columns if c.parse)  # the columns the reader reads are those left to fill


def test_workbook_columns_the_reader_reads_what_the_writer_wrote():
    agency_id, rows, problems, targets = read_agency_workbook_with_targets(_write())
    assert (agency_id, problems, [r.problems for r in rows]) == (7, [], [[], []])
    assert set(rows[0].values) == {c.field for c in AGENCY_COLUMNS if c.parse}
    assert rows[0].values["percent"] == 40 and rows[0].values["period"] == f"Năm {AS_OF.year}"
    assert [(t.figure_id, t.problems) for t in targets] == [(11, [])]
    assert set(targets[0].values) == {c.field for c in TARGET_COLUMNS if c.parse}
    assert targets[0].values["value"] == Decimal("8.5")


def test_workbook_columns_one_edit_changes_both_sides():
    """Given a declaration with a column removed and one added, the writer writes it and the reader asks for it."""
    note = Column("GHI CHÚ", 25, lambda task, report, as_of: "đã họp", field="note", parse=parse_text, label="Ghi chú")
    columns = tuple(c for c in AGENCY_COLUMNS if c.field != "proposals")
    columns = (*columns[:-1], note, columns[-1])  # the key column stays last
    data = _write(columns)

    headers, _widths, unlocked = _sheet_layout(data, SHEET)
    assert "GHI CHÚ" in headers and "GHI CHÚ" in unlocked and "ĐỀ XUẤT, KIẾN NGHỊ" not in headers

    _agency, rows, _problems = read_agency_workbook(data, columns=columns)
    assert rows[0].values["note"] == "đã họp" and "proposals" not in rows[0].values

    with pytest.raises(WorkbookError, match="thiếu cột ĐỀ XUẤT, KIẾN NGHỊ"):
        read_agency_workbook(data)  # the declaration in force asks for the column the file no longer has


def test_workbook_columns_a_parser_error_names_the_declared_column():
    strict = dataclasses.replace(AGENCY_COLUMNS[-2], parse=lambda value: (_ for _ in ()).throw(ValueError("không nhận")))
    columns = (*AGENCY_COLUMNS[:-2], strict, AGENCY_COLUMNS[-1])
    _agency, rows, _problems = read_agency_workbook(_write(), columns=columns)
    letter = get_column_letter(len(AGENCY_COLUMNS) - 1)
    assert rows[0].problems == [f"Trang «{SHEET}», dòng 4, cột {letter} ({strict.header}): không nhận"]
