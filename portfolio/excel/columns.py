"""The column maps of the workbooks: header <-> field <-> parser, shared by the writers and the readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from ..choices import PeriodKind, WorkStatus

APPENDIX_HEADERS = (
    "TT",
    "NHIỆM VỤ CỤ THỂ",
    "CƠ QUAN, TỔ CHỨC ĐẢNG CHỦ TRÌ",
    "CƠ QUAN, TỔ CHỨC ĐẢNG PHỐI HỢP",
    "THỜI HẠN THỰC HIỆN",
    "NGUỒN LỰC",
)
# The task fields behind the appendix columns, in the same order (TT is the number).
APPENDIX_FIELDS = ("number", "title", "lead_text", "partners_text", "deadline_text", "funding_text")
# The meeting workbook's catalogue adds tracking columns to these: portfolio.columns.MEETING_COLUMNS.
CATALOGUE_SHEET = "Danh mục"
SUMMARY_SHEET = "Tổng hợp"
OVERDUE_SHEET = "Quá hạn"
TARGETS_SHEET = "Chỉ tiêu Nghị quyết"
HEADER_ROW = 4  # title, as-of line, blank, then the header


# The agency workbook (excel/agency.py, excel/agency_targets.py), declared column by column. The writer lays each
# column out (header, width, date format, list or range validation) and fills it with ``value``; a column with a
# ``parse`` is one the body fills: written unlocked on yellow, read back by header into ``field`` through ``parse``
# (cell value -> field value, or ValueError with the reason the user reads), its change named ``label`` in the
# preview. Adding, removing or moving a column is one edit here: the writer, the reader and the preview follow.


@dataclass(frozen=True)
class Column:
    """One column of a workbook: header, width, what is written in it, and (when filled in) how it is read back."""

    header: str
    width: float
    value: Callable[..., Any]  # the row's record(s) -> the cell written
    field: str = ""  # the field a filled column feeds
    parse: Callable[[Any], Any] | None = None
    label: str = ""
    date: bool = False  # formatted dd/mm/yyyy, filled or not: a date typed there stays a date
    validation: Callable[[], DataValidation] | None = None  # what Excel itself refuses in the column


# Serial numbers of 01/01/2000 and 31/12/2100: a date cell read without its format is such a number.
FIRST_SERIAL, LAST_SERIAL = 36526, 73415
STATUS_BY_LABEL = {str(label): value for value, label in WorkStatus.choices}
PERIOD_BY_LABEL = {str(label): value for value, label in PeriodKind.choices}
YES, NO = "Có", "Không"


def parse_text(value) -> str:
    return str(value).strip() if value is not None else ""


def parse_required_text(missing: str, *, limit: int | None = None) -> Callable[[Any], str]:
    def parse(value) -> str:
        text = str(value or "").strip()
        if not text:
            raise ValueError(missing)
        return text[:limit] if limit else text

    return parse


def parse_choice(by_label: dict, what: str) -> Callable[[Any], Any]:
    def parse(value):
        label = str(value or "").strip()
        if label not in by_label:
            raise ValueError(f"«{label}» không phải {what} hợp lệ ({', '.join(by_label)})")
        return by_label[label]

    return parse


def parse_percent(value) -> int:
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError("thiếu tiến độ (số nguyên 0-100)")
    try:
        number = float(str(value).replace("%", "").replace(",", ".").strip())
    except ValueError:
        raise ValueError(f"«{value}» không phải số") from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise ValueError(f"{value} không phải số nguyên từ 0 đến 100")
    return int(number)


def parse_date(value) -> date | None:
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


def parse_year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"«{value}» không phải năm") from None
    if not 2000 <= year <= 2100:
        raise ValueError(f"{year} không phải năm hợp lệ")
    return year


def parse_decimal(value) -> Decimal | None:
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


def parse_yes_no(value) -> bool | None:
    label = str(value or "").strip()
    if not label:
        return None
    if label not in (YES, NO):
        raise ValueError(f"«{label}» phải là «{YES}» hoặc «{NO}»")
    return label == YES


def _list(options, title: str, error: str) -> Callable[[], DataValidation]:
    return lambda: DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True, showErrorMessage=True,
                                  errorTitle=title, error=error)


def _percent_validation() -> DataValidation:
    return DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True, showErrorMessage=True,
                          errorTitle="Tiến độ", error="Nhập số nguyên từ 0 đến 100.")


def _date_validation() -> DataValidation:
    return DataValidation(type="date", operator="greaterThan", formula1=str(FIRST_SERIAL), allow_blank=True, showErrorMessage=True,
                          errorTitle="Ngày hoàn thành", error="Nhập ngày dạng dd/mm/yyyy.")


# The "Báo cáo" sheet: a row is (task, its latest report not returned or None, as_of).
AGENCY_COLUMNS = (
    Column("TT", 6, lambda task, report, as_of: task.number),
    Column("NHIỆM VỤ CỤ THỂ", 50, lambda task, report, as_of: task.title),
    Column("THỜI HẠN THỰC HIỆN", 20, lambda task, report, as_of: task.deadline_text),
    Column("HẠN", 12, lambda task, report, as_of: task.next_due_date, date=True),
    Column("KỲ BÁO CÁO", 16, lambda task, report, as_of: report.period if report else f"Năm {as_of.year}",
           field="period", parse=parse_required_text("thiếu kỳ báo cáo (ví dụ: Quý IV/2026)"), label="Kỳ báo cáo"),
    Column("TÌNH TRẠNG", 20, lambda task, report, as_of: str(WorkStatus(report.status).label if report else task.get_status_display()),
           field="status", parse=parse_choice(STATUS_BY_LABEL, "tình trạng"), label="Tình trạng",
           validation=_list(STATUS_BY_LABEL, "Tình trạng", "Chọn một tình trạng trong danh sách.")),
    Column("TIẾN ĐỘ (%)", 10, lambda task, report, as_of: report.percent if report else task.progress,
           field="percent", parse=parse_percent, label="Tiến độ (%)", validation=_percent_validation),
    Column("NGÀY HOÀN THÀNH", 14, lambda task, report, as_of: report.completed_on if report else task.completed_on, date=True,
           field="completed_on", parse=parse_date, label="Ngày hoàn thành", validation=_date_validation),
    Column("KẾT QUẢ ĐẠT ĐƯỢC", 40, lambda task, report, as_of: report.results if report else "",
           field="results", parse=parse_text, label="Kết quả"),
    Column("KHÓ KHĂN, VƯỚNG MẮC", 30, lambda task, report, as_of: report.difficulties if report else "",
           field="difficulties", parse=parse_text, label="Khó khăn, vướng mắc"),
    Column("ĐỀ XUẤT, KIẾN NGHỊ", 30, lambda task, report, as_of: report.proposals if report else "",
           field="proposals", parse=parse_text, label="Đề xuất, kiến nghị"),
    Column("KHÓA", 12, lambda task, report, as_of: f"{task.pk}:{task.version}"),  # the last column, hidden
)
AGENCY_NUMBER_HEADER, AGENCY_KEY_HEADER = "TT", "KHÓA"

# The "Số liệu chỉ tiêu" sheet: a row is (figure, the target as written, its latest value this year or None, as_of).
TARGET_COLUMNS = (
    Column("CHỈ TIÊU", 9, lambda figure, goal, value, as_of: f"({figure.target.number}.{figure.position})"),
    Column("NỘI DUNG ĐO", 44, lambda figure, goal, value, as_of: figure.measure),
    Column("ĐVT", 14, lambda figure, goal, value, as_of: figure.unit),
    Column("CHỈ TIÊU NGHỊ QUYẾT", 26, lambda figure, goal, value, as_of: goal),
    Column("KỲ", 16, lambda figure, goal, value, as_of: str(PeriodKind.YEAR.label),
           field="period_kind", parse=parse_choice(PERIOD_BY_LABEL, "kỳ"), label="Kỳ",
           validation=_list(PERIOD_BY_LABEL, "Kỳ", "Chọn «Cả năm» hoặc «6 tháng đầu năm».")),
    Column("NĂM", 8, lambda figure, goal, value, as_of: as_of.year, field="year", parse=parse_year, label="Năm"),
    Column("GIÁ TRỊ", 14, lambda figure, goal, value, as_of: value.value if value else None,
           field="value", parse=parse_decimal, label="Giá trị"),
    Column("ĐÃ HOÀN THÀNH", 14,
           lambda figure, goal, value, as_of: (YES if value.achieved else NO) if value and value.achieved is not None else None,
           field="achieved", parse=parse_yes_no, label="Đã hoàn thành",
           validation=_list((YES, NO), "Đã hoàn thành", "Chọn «Có» hoặc «Không».")),
    Column("NGUỒN SỐ LIỆU", 30, lambda figure, goal, value, as_of: value.source if value else "",
           field="source", parse=parse_required_text("thiếu nguồn số liệu", limit=255), label="Nguồn số liệu"),
    Column("GHI CHÚ", 30, lambda figure, goal, value, as_of: value.note if value else "", field="note", parse=parse_text, label="Ghi chú"),
    Column("KHÓA", 8, lambda figure, goal, value, as_of: figure.pk),  # the last column, hidden
)
TARGET_KEY_HEADER = "KHÓA"
