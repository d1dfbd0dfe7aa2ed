"""The agency workbook's second sheet: the target figures the body tracks, a value per period to fill."""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter

from .columns import TARGET_COLUMNS, TARGET_KEY_HEADER, Column
from .writer import lock_filled_sheet, put, row_height

TARGET_SHEET = "Số liệu chỉ tiêu"
# The sheet's columns are declared in excel/columns.py (TARGET_COLUMNS); these names are read from there.
TARGET_HEADERS = tuple(column.header for column in TARGET_COLUMNS)
TARGET_WIDTHS = tuple(column.width for column in TARGET_COLUMNS)
TARGET_FILLED = {column.header: column.field for column in TARGET_COLUMNS if column.parse}  # header -> the value field it feeds
VALUE_LABELS = {column.field: column.label for column in TARGET_COLUMNS if column.parse}
TARGET_KEY = TARGET_KEY_HEADER
FIRST_ROW = 4
# A row is a report when one of these is filled; rows left empty are not.
REPORTED = ("value", "achieved")


def target_sheet(workbook, *, figures, latest: dict, as_of, styles: dict, columns: tuple[Column, ...] = TARGET_COLUMNS) -> None:
    """One row per figure the body tracks; ``latest`` (figure id, period, year) -> its last value not returned."""
    sheet = workbook.create_sheet(TARGET_SHEET)
    put(sheet, 1, 1, "SỐ LIỆU THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT", font=Font(bold=True, size=13))
    put(sheet, 2, 1, "Điền giá trị (hoặc «Có»/«Không» với chỉ tiêu định tính) và nguồn số liệu của kỳ; không sửa cột KHÓA.",
        font=Font(italic=True))
    widths = tuple(column.width for column in columns)
    validations = []
    for number, column in enumerate(columns, start=1):
        put(sheet, 3, number, column.header, font=Font(bold=True), fill=styles["header_fill"], alignment=styles["center"], border=styles["border"])
        sheet.column_dimensions[get_column_letter(number)].width = column.width
        if column.validation:
            validations.append((get_column_letter(number), column.validation()))
            sheet.add_data_validation(validations[-1][1])
    row = FIRST_ROW - 1
    for figure, goal in figures:
        row += 1
        value = latest.get((figure.pk, "year", as_of.year))
        values = tuple(column.value(figure, goal, value, as_of) for column in columns)
        for number, (column, cell_value) in enumerate(zip(columns, values), start=1):
            cell = put(sheet, row, number, cell_value, alignment=styles["wrap"], border=styles["border"])
            if column.parse:
                cell.protection = Protection(locked=False)
                cell.fill = styles["fill"]
        sheet.row_dimensions[row].height = row_height(values, widths)
    lock_filled_sheet(sheet, columns=columns, validations=validations, first_row=FIRST_ROW, last_row=row)


@dataclass
class TargetRow:
    """A filled row of the targets sheet as read, with its problems (sheet, row, column, reason)."""

    row: int
    figure_id: int | None
    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _problem(row, column, header, reason):
    return f"Trang «{TARGET_SHEET}», dòng {row}, cột {get_column_letter(column)} ({header}): {reason}"


def read_target_sheet(workbook, *, columns: tuple[Column, ...] = TARGET_COLUMNS) -> list[TargetRow]:
    """The rows with a value or a done/not done filled in; rows left empty are not reports."""
    if TARGET_SHEET not in workbook.sheetnames:
        return []
    sheet = workbook[TARGET_SHEET]
    header = [str(v).strip() if v is not None else "" for v in next(sheet.iter_rows(min_row=3, max_row=3, values_only=True), ())]
    positions = {c.header: header.index(c.header) + 1 for c in columns if c.header in header}
    filled = [c for c in columns if c.parse]
    # The plan, made once per sheet: per filled column its index in a row (None: missing), column number, field, header, parser.
    plan = [(positions[c.header] - 1 if c.header in positions else None, positions.get(c.header), c.field, c.header, c.parse) for c in filled]
    reported = [positions[c.header] - 1 for c in filled if c.field in REPORTED and c.header in positions]
    key_column = positions.get(TARGET_KEY, len(columns))
    key_at = positions[TARGET_KEY] - 1 if TARGET_KEY in positions else None
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW):
        width = len(cells)
        if all(i >= width or cells[i] in (None, "") for i in reported):
            continue
        row = TargetRow(row=number, figure_id=None)
        try:
            row.figure_id = int(cells[key_at] if key_at is not None and key_at < width else None)
        except (TypeError, ValueError):
            row.problems.append(_problem(number, key_column, TARGET_KEY, "thiếu hoặc sai khóa số liệu (không sửa cột này)"))
        for index, column, field_name, header_name, parse in plan:
            if index is None:
                row.problems.append(f"Trang «{TARGET_SHEET}»: thiếu cột {header_name} ở dòng 3")
                continue
            try:
                row.values[field_name] = parse(cells[index] if index < width else None)
            except ValueError as error:
                row.problems.append(_problem(number, column, header_name, str(error)))
        rows.append(row)
    return rows
