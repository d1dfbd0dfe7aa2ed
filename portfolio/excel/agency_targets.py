"""The agency workbook's second sheet: the target figures the body tracks, a value per period to fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..choices import PeriodKind
from .writer import put, row_height

TARGET_SHEET = "Số liệu chỉ tiêu"
TARGET_HEADERS = (
    "CHỈ TIÊU", "NỘI DUNG ĐO", "ĐVT", "CHỈ TIÊU NGHỊ QUYẾT", "KỲ", "NĂM", "GIÁ TRỊ", "ĐÃ HOÀN THÀNH", "NGUỒN SỐ LIỆU", "GHI CHÚ", "KHÓA",
)
TARGET_WIDTHS = (9, 44, 14, 26, 16, 8, 14, 14, 30, 30, 8)
# The columns a body fills, by header, with the value field they feed.
TARGET_FILLED = {
    "KỲ": "period_kind", "NĂM": "year", "GIÁ TRỊ": "value", "ĐÃ HOÀN THÀNH": "achieved", "NGUỒN SỐ LIỆU": "source", "GHI CHÚ": "note",
}
TARGET_KEY = "KHÓA"
PERIOD_BY_LABEL = {str(label): value for value, label in PeriodKind.choices}
YES, NO = "Có", "Không"


def target_sheet(workbook, *, figures, latest: dict, as_of, styles: dict) -> None:
    """One row per figure the body tracks; ``latest`` (figure id, period, year) -> its last value not returned."""
    sheet = workbook.create_sheet(TARGET_SHEET)
    put(sheet, 1, 1, "SỐ LIỆU THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT", font=Font(bold=True, size=13))
    put(sheet, 2, 1, "Điền giá trị (hoặc «Có»/«Không» với chỉ tiêu định tính) và nguồn số liệu của kỳ; không sửa cột KHÓA.",
        font=Font(italic=True))
    for column, (header, width) in enumerate(zip(TARGET_HEADERS, TARGET_WIDTHS), start=1):
        put(sheet, 3, column, header, font=Font(bold=True), fill=styles["header_fill"], alignment=styles["center"], border=styles["border"])
        sheet.column_dimensions[get_column_letter(column)].width = width
    periods = DataValidation(type="list", formula1='"' + ",".join(PERIOD_BY_LABEL) + '"', allow_blank=True, showErrorMessage=True,
                             errorTitle="Kỳ", error="Chọn «Cả năm» hoặc «6 tháng đầu năm».")
    done = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                          errorTitle="Đã hoàn thành", error="Chọn «Có» hoặc «Không».")
    sheet.add_data_validation(periods)
    sheet.add_data_validation(done)
    row = 3
    for figure, goal in figures:
        row += 1
        value = latest.get((figure.pk, "year", as_of.year))
        values = (
            f"({figure.target.number}.{figure.position})", figure.measure, figure.unit, goal, str(PeriodKind.YEAR.label), as_of.year,
            value.value if value else None, (YES if value.achieved else NO) if value and value.achieved is not None else None,
            value.source if value else "", value.note if value else "", figure.pk,
        )
        for column, cell_value in enumerate(values, start=1):
            cell = put(sheet, row, column, cell_value, alignment=styles["wrap"], border=styles["border"])
            if TARGET_HEADERS[column - 1] in TARGET_FILLED:
                cell.protection = Protection(locked=False)
                cell.fill = styles["fill"]
        sheet.row_dimensions[row].height = row_height(values, TARGET_WIDTHS)
    if row > 3:
        periods.add(f"E4:E{row}")
        done.add(f"H4:H{row}")
    sheet.column_dimensions[get_column_letter(len(TARGET_HEADERS))].hidden = True
    sheet.freeze_panes = "C4"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.page_setup.orientation = "landscape"


@dataclass
class TargetRow:
    """A filled row of the targets sheet as read, with its problems (sheet, row, column, reason)."""

    row: int
    figure_id: int | None
    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _problem(row, column, reason):
    return f"Trang «{TARGET_SHEET}», dòng {row}, cột {get_column_letter(column)} ({TARGET_HEADERS[column - 1]}): {reason}"


def read_target_sheet(workbook) -> list[TargetRow]:
    """The rows with a value or a done/not done filled in; rows left empty are not reports."""
    if TARGET_SHEET not in workbook.sheetnames:
        return []
    sheet = workbook[TARGET_SHEET]
    header = [str(v).strip() if v is not None else "" for v in next(sheet.iter_rows(min_row=3, max_row=3, values_only=True), ())]
    positions = {h: header.index(h) + 1 for h in TARGET_HEADERS if h in header}
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=4, values_only=True), start=4):
        by_header = {h: cells[p - 1] if p - 1 < len(cells) else None for h, p in positions.items()}
        if by_header.get("GIÁ TRỊ") in (None, "") and by_header.get("ĐÃ HOÀN THÀNH") in (None, ""):
            continue
        row = TargetRow(row=number, figure_id=None)
        try:
            row.figure_id = int(by_header.get(TARGET_KEY))
        except (TypeError, ValueError):
            row.problems.append(_problem(number, positions.get(TARGET_KEY, len(TARGET_HEADERS)), "thiếu hoặc sai khóa số liệu (không sửa cột này)"))
        for header, name in TARGET_FILLED.items():
            if header not in positions:
                row.problems.append(f"Trang «{TARGET_SHEET}»: thiếu cột {header} ở dòng 3")
                continue
            try:
                row.values[name] = _parse(name, by_header[header])
            except ValueError as error:
                row.problems.append(_problem(number, positions[header], str(error)))
        rows.append(row)
    return rows


def _parse(name, value):
    if name == "period_kind":
        label = str(value or "").strip()
        if label not in PERIOD_BY_LABEL:
            raise ValueError(f"«{label}» không phải kỳ hợp lệ ({', '.join(PERIOD_BY_LABEL)})")
        return PERIOD_BY_LABEL[label]
    if name == "year":
        try:
            year = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(f"«{value}» không phải năm") from None
        if not 2000 <= year <= 2100:
            raise ValueError(f"{year} không phải năm hợp lệ")
        return year
    if name == "value":
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            raise ValueError(f"«{value}» không phải số")
        text = str(value).strip().replace("%", "").strip()
        if not isinstance(value, (int, float)):
            text = text.replace(".", "").replace(",", ".")  # typed as Vietnamese writes it: 717.000 or 50,31
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"«{value}» không phải số") from None
    if name == "achieved":
        label = str(value or "").strip()
        if not label:
            return None
        if label not in (YES, NO):
            raise ValueError(f"«{label}» phải là «{YES}» hoặc «{NO}»")
        return label == YES
    if name == "source":
        text = str(value or "").strip()
        if not text:
            raise ValueError("thiếu nguồn số liệu")
        return text[:255]
    return str(value).strip() if value is not None else ""
