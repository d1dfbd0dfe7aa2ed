"""The agency workbook: an agency's lead-side tasks, its columns to fill unlocked, everything else locked."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .agency_targets import read_target_sheet, target_sheet
from .columns import AGENCY_COLUMNS, AGENCY_KEY_HEADER, AGENCY_NUMBER_HEADER, Column
from .reader import WorkbookError, merged_cells, open_workbook
from .writer import DATE_FORMAT, HEADER_COLOUR, lock_filled_sheet, put, row_height

SHEET = "Báo cáo"
META_SHEET = "_khoa"
# The sheet's columns are declared in excel/columns.py (AGENCY_COLUMNS); these names are read from there.
HEADERS = tuple(column.header for column in AGENCY_COLUMNS)
WIDTHS = tuple(column.width for column in AGENCY_COLUMNS)
FILLED = {column.header: column.field for column in AGENCY_COLUMNS if column.parse}  # header -> the report field it feeds
FIELD_LABELS = {column.field: column.label for column in AGENCY_COLUMNS if column.parse}
KEY_HEADER, NUMBER_HEADER = AGENCY_KEY_HEADER, AGENCY_NUMBER_HEADER
MAX_ID, MAX_VERSION = 2**63 - 1, 2**31 - 1  # the id and version columns' ranges: larger numbers name no row
FIELD_HEADERS = {field_name: header for header, field_name in FILLED.items()}
FIRST_ROW = 4
FILL_COLOUR = PatternFill("solid", fgColor="FFF9DB")
# Written with openpyxl (not the exports' XlsxWriter) for its sheet protection and data validation.
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR.lstrip("#"))


def agency_workbook(*, agency, tasks, latest_reports: dict, as_of: date, figures=(), latest_values: dict | None = None,
                    columns: tuple[Column, ...] = AGENCY_COLUMNS) -> bytes:
    """One row per task; the key column (task id and version) says exactly which task and state it came from.

    ``figures``: (figure, target as written) of the Resolution's targets the body tracks, on a second sheet.
    ``columns``: the sheet's declaration (the key column last, hidden).
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    put(sheet, 1, 1, f"BÁO CÁO TIẾN ĐỘ — {agency.name}", font=Font(bold=True, size=13))
    put(sheet, 2, 1, f"Xuất ngày {as_of:%d/%m/%Y}. Chỉ điền các cột nền vàng; không sửa, không xóa cột KHÓA.", font=Font(italic=True))
    widths = tuple(column.width for column in columns)
    validations = []
    for number, column in enumerate(columns, start=1):
        put(sheet, 3, number, column.header, font=Font(bold=True), fill=HEADER_FILL, alignment=CENTER, border=BORDER)
        sheet.column_dimensions[get_column_letter(number)].width = column.width
        if column.validation:
            validations.append((get_column_letter(number), column.validation()))
            sheet.add_data_validation(validations[-1][1])
    row = FIRST_ROW - 1
    for task in tasks:
        row += 1
        report = latest_reports.get(task.pk)
        values = tuple(column.value(task, report, as_of) for column in columns)
        for number, (column, value) in enumerate(zip(columns, values), start=1):
            cell = put(sheet, row, number, value, alignment=WRAP, border=BORDER)
            if column.date:
                cell.number_format = DATE_FORMAT
            if column.parse:
                cell.protection = Protection(locked=False)
                cell.fill = FILL_COLOUR
        sheet.row_dimensions[row].height = row_height(values, widths)
    lock_filled_sheet(sheet, columns=columns, validations=validations, first_row=FIRST_ROW, last_row=row)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "3:3"
    if figures:
        target_sheet(workbook, figures=figures, latest=latest_values or {}, as_of=as_of, styles={
            "header_fill": HEADER_FILL, "center": CENTER, "border": BORDER, "wrap": WRAP, "fill": FILL_COLOUR,
        })
    meta = workbook.create_sheet(META_SHEET)
    meta["A1"], meta["B1"] = "agency", agency.pk
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class SheetRow:
    """One filled row as read, with the problems found in it (sheet, row, column, reason)."""

    row: int
    task_id: int | None
    version: int | None
    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    number: object = None  # the TT cell as written
    columns: dict = field(default_factory=dict)  # header -> column number in this file


def cell_ref(columns: dict, row: int, header: str) -> str:
    """Where a cell is, as the user finds it: sheet, row, column letter (from this file's header row) and header."""
    column = columns.get(header, HEADERS.index(header) + 1)
    return f"Trang «{SHEET}», dòng {row}, cột {get_column_letter(column)} ({header})"


def field_ref(columns: dict, row: int, field_name: str) -> str:
    """cell_ref for a report field, through the workbook's column map (FILLED); a field without a column names the row."""
    header = FIELD_HEADERS.get(field_name)
    return cell_ref(columns, row, header) if header else f"Trang «{SHEET}», dòng {row}"


def _cell_problem(row, column, header, reason):
    return f"Trang «{SHEET}», dòng {row}, cột {get_column_letter(column)} ({header}): {reason}"


def read_agency_workbook(data: bytes, *, name: str = "tệp", columns: tuple[Column, ...] = AGENCY_COLUMNS) -> tuple[int | None, list[SheetRow], list[str]]:
    """(agency id, rows, file-level problems); every cell is checked, nothing is written."""
    agency_id, rows, problems, _targets = read_agency_workbook_with_targets(data, name=name, columns=columns)
    return agency_id, rows, problems


def read_agency_workbook_with_targets(data: bytes, *, name: str = "tệp", columns: tuple[Column, ...] = AGENCY_COLUMNS):
    """(agency id, task rows, file-level problems, target value rows) from one reading of the file."""
    workbook = open_workbook(data, name=name, read_only=True)  # streamed: a body may send back thousands of rows
    try:
        return (*_read_rows(workbook, name, columns), read_target_sheet(workbook))
    finally:
        workbook.close()


def _read_rows(workbook, name, columns):
    problems = []
    if SHEET not in workbook.sheetnames:
        raise WorkbookError(f"{name}: không có trang «{SHEET}»: đây không phải biểu mẫu báo cáo của hệ thống.")
    agency_id = None
    if META_SHEET in workbook.sheetnames:
        meta = next(workbook[META_SHEET].iter_rows(min_row=1, max_row=1, min_col=2, max_col=2, values_only=True), (None,))
        agency_id = meta[0] if isinstance(meta[0], int) and 0 < meta[0] <= MAX_ID else None
    sheet = workbook[SHEET]
    header_cells = next(sheet.iter_rows(min_row=3, max_row=3, values_only=True), ())
    header = [str(v).strip() if v is not None else "" for v in header_cells]
    positions = {c.header: header.index(c.header) + 1 for c in columns if c.header in header}
    missing = [c.header for c in columns if c.header not in positions]
    if missing:
        raise WorkbookError(f"{name}: trang «{SHEET}» thiếu cột {', '.join(missing)} ở dòng 3.")
    merged = merged_cells(workbook, sheet)
    # The plan, made once per file: per filled column its index in a row, its column number, field, header, parser.
    plan = [(positions[c.header] - 1, positions[c.header], c.field, c.header, c.parse) for c in columns if c.parse]
    indexes = sorted(positions.values())
    number_at, key_at = positions[NUMBER_HEADER] - 1, positions[KEY_HEADER] - 1
    formulas = sheet.formulas  # (row, column) of every formula cell, found by the archive's checks
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW):
        width = len(cells)
        if all(p > width or cells[p - 1] in (None, "") for p in indexes):
            continue  # blank rows are tolerated
        row = SheetRow(row=number, task_id=None, version=None, columns=positions)
        row.number = cells[number_at] if number_at < width else None
        key = cells[key_at] if key_at < width else None
        try:
            task_id, version = (int(part) for part in str(key).split(":"))
            if not (0 < task_id <= MAX_ID and 0 <= version <= MAX_VERSION):
                raise ValueError(key)  # no such row; larger numbers overflow the database's integers
            row.task_id, row.version = task_id, version
        except (TypeError, ValueError):
            row.problems.append(_cell_problem(number, key_at + 1, KEY_HEADER, "thiếu hoặc sai khóa nhiệm vụ (không sửa cột này)"))
        values = row.values
        for index, column, field_name, header_name, parse in plan:
            if (number, column) in merged:
                row.problems.append(_cell_problem(number, column, header_name, "ô bị gộp (merge); hãy bỏ gộp ô"))
                continue
            if (number, column) in formulas:
                row.problems.append(_cell_problem(number, column, header_name, "ô chứa công thức; hãy nhập giá trị"))
                continue
            try:
                values[field_name] = parse(cells[index] if index < width else None)
            except ValueError as error:
                row.problems.append(_cell_problem(number, column, header_name, str(error)))
        rows.append(row)
    return agency_id, rows, problems
