"""The agency workbook: an agency's lead-side tasks, its columns to fill unlocked, everything else locked."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from ..choices import WorkStatus
from .reader import open_workbook
from .writer import DATE_FORMAT, HEADER_COLOUR, put, row_height

SHEET = "Báo cáo"
META_SHEET = "_khoa"
HEADERS = (
    "TT", "NHIỆM VỤ CỤ THỂ", "THỜI HẠN THỰC HIỆN", "HẠN", "KỲ BÁO CÁO", "TÌNH TRẠNG", "TIẾN ĐỘ (%)",
    "NGÀY HOÀN THÀNH", "KẾT QUẢ ĐẠT ĐƯỢC", "KHÓ KHĂN, VƯỚNG MẮC", "ĐỀ XUẤT, KIẾN NGHỊ", "KHÓA",
)
WIDTHS = (6, 50, 20, 12, 16, 20, 10, 14, 40, 30, 30, 12)
DATE_HEADERS = ("HẠN", "NGÀY HOÀN THÀNH")  # formatted dd/mm/yyyy, filled or not: a date typed there stays a date
# Serial numbers of 01/01/2000 and 31/12/2100: a date cell read without its format is such a number.
FIRST_SERIAL, LAST_SERIAL = 36526, 73415
# The columns an agency fills, by header, with the report field they feed.
FILLED = {
    "KỲ BÁO CÁO": "period", "TÌNH TRẠNG": "status", "TIẾN ĐỘ (%)": "percent", "NGÀY HOÀN THÀNH": "completed_on",
    "KẾT QUẢ ĐẠT ĐƯỢC": "results", "KHÓ KHĂN, VƯỚNG MẮC": "difficulties", "ĐỀ XUẤT, KIẾN NGHỊ": "proposals",
}
KEY_HEADER = "KHÓA"
MAX_ID, MAX_VERSION = 2**63 - 1, 2**31 - 1  # the id and version columns' ranges: larger numbers name no row
NUMBER_HEADER = "TT"
FIELD_HEADERS = {field_name: header for header, field_name in FILLED.items()}
FIRST_ROW = 4
FILL_COLOUR = PatternFill("solid", fgColor="FFF9DB")
# Written with openpyxl (not the exports' XlsxWriter) for its sheet protection and data validation.
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR.lstrip("#"))
STATUS_BY_LABEL = {str(label): value for value, label in WorkStatus.choices}


def agency_workbook(*, agency, tasks, latest_reports: dict, as_of: date, figures=(), latest_values: dict | None = None) -> bytes:
    """One row per task; the key column (task id and version) says exactly which task and state it came from.

    ``figures``: (figure, target as written) of the Resolution's targets the body tracks, on a second sheet.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    put(sheet, 1, 1, f"BÁO CÁO TIẾN ĐỘ — {agency.name}", font=Font(bold=True, size=13))
    put(sheet, 2, 1, f"Xuất ngày {as_of:%d/%m/%Y}. Chỉ điền các cột nền vàng; không sửa, không xóa cột KHÓA.", font=Font(italic=True))
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        put(sheet, 3, column, header, font=Font(bold=True), fill=HEADER_FILL, alignment=CENTER, border=BORDER)
        sheet.column_dimensions[get_column_letter(column)].width = width
    statuses = DataValidation(type="list", formula1='"' + ",".join(STATUS_BY_LABEL) + '"', allow_blank=True, showErrorMessage=True,
                              errorTitle="Tình trạng", error="Chọn một tình trạng trong danh sách.")
    percent = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True, showErrorMessage=True,
                             errorTitle="Tiến độ", error="Nhập số nguyên từ 0 đến 100.")
    completed = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True, showErrorMessage=True,
                               errorTitle="Ngày hoàn thành", error="Nhập ngày dạng dd/mm/yyyy.")
    for validation in (statuses, percent, completed):
        sheet.add_data_validation(validation)
    row = FIRST_ROW - 1
    for task in tasks:
        row += 1
        report = latest_reports.get(task.pk)
        values = (
            task.number, task.title, task.deadline_text, task.next_due_date,
            report.period if report else f"Năm {as_of.year}",
            str(WorkStatus(report.status).label if report else task.get_status_display()),
            report.percent if report else task.progress,
            (report.completed_on if report else task.completed_on),
            report.results if report else "", report.difficulties if report else "", report.proposals if report else "",
            f"{task.pk}:{task.version}",
        )
        for column, value in enumerate(values, start=1):
            cell = put(sheet, row, column, value, alignment=WRAP, border=BORDER)
            if HEADERS[column - 1] in DATE_HEADERS:
                cell.number_format = DATE_FORMAT
            if HEADERS[column - 1] in FILLED:
                cell.protection = Protection(locked=False)
                cell.fill = FILL_COLOUR
        sheet.row_dimensions[row].height = row_height(values, WIDTHS)
    if row >= FIRST_ROW:
        statuses.add(f"F{FIRST_ROW}:F{row}")
        percent.add(f"G{FIRST_ROW}:G{row}")
        completed.add(f"H{FIRST_ROW}:H{row}")
    sheet.column_dimensions[get_column_letter(len(HEADERS))].hidden = True
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may be changed
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "3:3"
    if figures:
        from .agency_targets import target_sheet

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


def _cell_problem(row, column, reason):
    return f"Trang «{SHEET}», dòng {row}, cột {get_column_letter(column)} ({HEADERS[column - 1]}): {reason}"


def read_agency_workbook(data: bytes, *, name: str = "tệp") -> tuple[int | None, list[SheetRow], list[str]]:
    """(agency id, rows, file-level problems); every cell is checked, nothing is written."""
    agency_id, rows, problems, _targets = read_agency_workbook_with_targets(data, name=name)
    return agency_id, rows, problems


def read_agency_workbook_with_targets(data: bytes, *, name: str = "tệp"):
    """(agency id, task rows, file-level problems, target value rows) from one reading of the file."""
    from .agency_targets import read_target_sheet

    workbook = open_workbook(data, name=name, read_only=True)  # streamed: a body may send back thousands of rows
    try:
        return (*_read_rows(workbook, name), read_target_sheet(workbook))
    finally:
        workbook.close()


def _read_rows(workbook, name):
    from .reader import WorkbookError, merged_cells

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
    positions = {h: header.index(h) + 1 for h in HEADERS if h in header}
    missing = [h for h in HEADERS if h not in positions]
    if missing:
        raise WorkbookError(f"{name}: trang «{SHEET}» thiếu cột {', '.join(missing)} ở dòng 3.")
    merged = merged_cells(workbook, sheet)
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=FIRST_ROW), start=FIRST_ROW):
        by_header = {h: cells[p - 1] if p - 1 < len(cells) else None for h, p in positions.items()}
        if all(c is None or c.value in (None, "") for c in by_header.values()):
            continue  # blank rows are tolerated
        row = SheetRow(row=number, task_id=None, version=None, columns=positions)
        row.number = by_header[NUMBER_HEADER].value if by_header[NUMBER_HEADER] is not None else None
        key = by_header[KEY_HEADER].value if by_header[KEY_HEADER] is not None else None
        try:
            task_id, version = (int(part) for part in str(key).split(":"))
            if not (0 < task_id <= MAX_ID and 0 <= version <= MAX_VERSION):
                raise ValueError(key)  # no such row; larger numbers overflow the database's integers
            row.task_id, row.version = task_id, version
        except (TypeError, ValueError):
            row.problems.append(_cell_problem(number, positions[KEY_HEADER], "thiếu hoặc sai khóa nhiệm vụ (không sửa cột này)"))
        for header, field_name in FILLED.items():
            cell = by_header[header]
            column = positions[header]
            value = cell.value if cell is not None else None
            if (number, column) in merged:
                row.problems.append(_cell_problem(number, column, "ô bị gộp (merge); hãy bỏ gộp ô"))
                continue
            if cell is not None and cell.data_type == "f":
                row.problems.append(_cell_problem(number, column, "ô chứa công thức; hãy nhập giá trị"))
                continue
            try:
                row.values[field_name] = _parse(field_name, value)
            except ValueError as error:
                row.problems.append(_cell_problem(number, column, str(error)))
        rows.append(row)
    return agency_id, rows, problems


def _parse(field_name, value):
    if field_name == "status":
        label = str(value or "").strip()
        if label not in STATUS_BY_LABEL:
            raise ValueError(f"«{label}» không phải tình trạng hợp lệ ({', '.join(STATUS_BY_LABEL)})")
        return STATUS_BY_LABEL[label]
    if field_name == "percent":
        if isinstance(value, bool) or value is None or value == "":
            raise ValueError("thiếu tiến độ (số nguyên 0-100)")
        try:
            number = float(str(value).replace("%", "").replace(",", ".").strip())
        except ValueError:
            raise ValueError(f"«{value}» không phải số") from None
        if not number.is_integer() or not 0 <= number <= 100:
            raise ValueError(f"{value} không phải số nguyên từ 0 đến 100")
        return int(number)
    if field_name == "completed_on":
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and FIRST_SERIAL <= value <= LAST_SERIAL and float(value).is_integer():
            return from_excel(value).date()  # a date cell whose format was lost (46310 is 15/10/2026)
        try:
            return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
        except ValueError:
            raise ValueError(f"«{value}» không phải ngày có thật (dạng dd/mm/yyyy)") from None
    if field_name == "period":
        text = str(value or "").strip()
        if not text:
            raise ValueError("thiếu kỳ báo cáo (ví dụ: Quý IV/2026)")
        return text
    return str(value).strip() if value is not None else ""
