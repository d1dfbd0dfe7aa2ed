"""The meeting-report workbook: the appendix layout with tracking columns, a summary with charts, the overdue list.

Written in openpyxl's write-only mode from two streamed value queries (the catalogue and the overdue list):
memory stays flat whatever the number of tasks.
"""

from __future__ import annotations

import io
import math
from datetime import date

from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..choices import ReviewState, ScheduleState, WorkStatus
from ..models import ProgressReport, Task
from ..reminders import responsible_of
from ..selectors import FIELD_SEP, bodies_subquery, body_summary, parse_bodies, programme_summary
from .columns import (
    CATALOGUE_SHEET,
    HEADER_ROW,
    MEETING_HEADERS,
    MEETING_WIDTHS,
    OVERDUE_SHEET,
    SUMMARY_SHEET,
)
from .writer import FORMULA_TRIGGERS, CellStyles

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
OVERDUE_FILL = PatternFill("solid", fgColor="FDE2E1")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
STATE_LABELS = dict(ScheduleState.choices)
STATUS_LABELS = dict(WorkStatus.choices)
TITLE = "DANH MỤC CÁC NHIỆM VỤ, ĐỀ ÁN, DỰ ÁN, CÔNG TRÌNH QUAN TRỌNG GIAI ĐOẠN 2025 - 2030, TẦM NHÌN ĐẾN NĂM 2045"
DATE_FORMAT = "DD/MM/YYYY"


def _styles(sheet) -> CellStyles:
    cell = {"alignment": WRAP, "border": BORDER}
    overdue = {**cell, "fill": OVERDUE_FILL}
    return CellStyles(
        sheet,
        title={"font": Font(bold=True, size=13), "alignment": CENTER},
        subtitle={"font": Font(italic=True), "alignment": CENTER},
        heading={"font": Font(bold=True, size=13)},
        header={"font": Font(bold=True), "fill": HEADER_FILL, "alignment": CENTER, "border": BORDER},
        header_left={"font": Font(bold=True), "fill": HEADER_FILL, "border": BORDER},
        section={"font": Font(bold=True), "fill": SECTION_FILL, "alignment": WRAP, "border": BORDER},
        cell=cell, cell_date={**cell, "number_format": DATE_FORMAT},
        overdue=overdue, overdue_date={**overdue, "number_format": DATE_FORMAT},
        boxed={"border": BORDER},
    )


def put(sheet, row, column, value, **style):
    """Write a cell of a normal-mode sheet; text a spreadsheet would run as a formula is stored as text."""
    if isinstance(value, Promise):
        value = str(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def row_height(values, widths) -> float:
    """Enough height for the wrapped text (spreadsheet programs do not grow rows written by openpyxl)."""
    lines = 1
    for value, width in zip(values, widths):
        if isinstance(value, str) and value:
            chars_per_line = max(int(width * 1.4), 1)
            lines = max(lines, sum(math.ceil(max(len(part), 1) / chars_per_line) for part in value.split("\n")))
    return 15 * lines + 2


def _report_subquery() -> Subquery:
    """The latest accepted report's results, difficulties and proposals, in one text value."""
    latest = ProgressReport.objects.filter(task=OuterRef("pk"), review_state=ReviewState.ACCEPTED).order_by("-reviewed_at", "-pk").values(
        text=Concat("results", Value(FIELD_SEP), "difficulties", Value(FIELD_SEP), "proposals", output_field=TextField())
    )[:1]
    return Subquery(latest, output_field=TextField())


def report_text(value: str | None) -> str:
    if not value:
        return ""
    parts = zip(("Kết quả", "Khó khăn", "Đề xuất"), value.split(FIELD_SEP))
    return "\n".join(f"{label}: {text}" for label, text in parts if text)


CATALOGUE_FIELDS = (
    "section_id", "section__numeral", "section__title", "number", "title", "lead_text", "partners_text", "deadline_text",
    "funding_text", "status", "progress", "next_due_date", "schedule_state", "report", "last_reported_at",
)


def _print_setup(sheet, title_rows: str, fit_width: bool = False):
    """A4 landscape, the header row repeated on every page, "Trang x / y" in the footer (before the first row is written)."""
    sheet.print_title_rows = title_rows
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if fit_width:
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.HeaderFooter.oddFooter.center.text = "Trang &P / &N"


def _catalogue_sheet(sheet, rows, as_of):
    styles = _styles(sheet)
    cell = styles.cell
    columns = len(MEETING_HEADERS)
    last = get_column_letter(columns)
    for column, width in enumerate(MEETING_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"
    _print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}", fit_width=True)
    sheet.HeaderFooter.oddHeader.right.text = f"Tính đến {as_of:%d/%m/%Y}"
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.row_dimensions[1].height = 22
    sheet.append([cell(TITLE, "title")])
    sheet.append([cell(f"Tình hình thực hiện tính đến ngày {as_of:%d/%m/%Y}", "subtitle")])
    sheet.append([])
    sheet.row_dimensions[HEADER_ROW].height = row_height(MEETING_HEADERS, MEETING_WIDTHS)
    sheet.append([cell(header, "header") for header in MEETING_HEADERS])
    dimensions = sheet.row_dimensions
    row, section = HEADER_ROW, None
    for (section_id, numeral, section_title, number, title, lead, partners, deadline, funding, status, progress, due, state,
         report, reported_at) in rows:
        if section_id != section:
            section = section_id
            row += 1
            sheet.merged_cells.add(f"A{row}:{last}{row}")
            dimensions[row].height = 20
            sheet.append([cell(f"{numeral}. {section_title}", "section")])
            del dimensions[row]  # written: keep no per-row object behind
        row += 1
        values = (
            number, title, lead, partners, deadline, funding, STATUS_LABELS[status], progress, due, STATE_LABELS[state],
            report_text(report), timezone.localtime(reported_at).date() if reported_at else None,
        )
        style = "overdue" if state == ScheduleState.OVERDUE else "cell"
        dimensions[row].height = row_height(values, MEETING_WIDTHS)
        sheet.append([cell(value, style, f"{style}_date") for value in values])
        del dimensions[row]
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row, HEADER_ROW + 1)}"


def _summary_sheet(sheet, tasks, as_of):
    summary = programme_summary(as_of=as_of, tasks=tasks)
    styles = _styles(sheet)
    cell = styles.cell
    sheet.column_dimensions["A"].width = 48
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 14
    sheet.append([cell(f"TỔNG HỢP TÌNH HÌNH THỰC HIỆN (tính đến {as_of:%d/%m/%Y})", "heading")])
    sheet.append([])
    sheet.append([cell("Đánh giá tiến độ", "header_left"), cell("Số nhiệm vụ", "header_left")])
    row = 3
    for state, count in summary["by_state"]:
        sheet.append([cell(str(state.label), "boxed"), cell(count, "boxed")])
        row += 1
    states_end = row
    sheet.append([])
    sheet.append([cell("Tình trạng thực hiện", "header_left"), cell("Số nhiệm vụ", "header_left")])
    row += 2
    for status, count in summary["by_status"]:
        sheet.append([cell(str(status.label), "boxed"), cell(count, "boxed")])
        row += 1
    sheet.append([])
    row += 2
    body_header = row
    headers = ("Cơ quan chủ trì, thực hiện", "Nhiệm vụ", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn", "Sắp đến hạn")
    sheet.append([cell(header, "header") for header in headers])
    for body in body_summary(as_of=as_of, task_ids=tasks.values("pk")):
        values = (body["agency__name"], body["total"], body["done_on_time"], body["done_late"], body["overdue"], body["due_soon"])
        sheet.append([cell(value, "cell") for value in values])
        row += 1

    chart = BarChart()
    chart.title, chart.y_axis.title = "Đánh giá tiến độ", "Số nhiệm vụ"
    chart.add_data(Reference(sheet, min_col=2, min_row=3, max_row=states_end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=4, max_row=states_end))
    chart.height, chart.width = 8, 16
    sheet.add_chart(chart, "H3")
    if row > body_header:
        bodies = BarChart()
        bodies.type, bodies.grouping, bodies.overlap = "bar", "stacked", 100
        bodies.title = "Theo cơ quan chủ trì, thực hiện"
        bodies.add_data(Reference(sheet, min_col=3, max_col=6, min_row=body_header, max_row=row), titles_from_data=True)
        bodies.set_categories(Reference(sheet, min_col=1, min_row=body_header + 1, max_row=row))
        bodies.height, bodies.width = 12, 20
        sheet.add_chart(bodies, "H22")


def _overdue_sheet(sheet, rows, as_of):
    styles = _styles(sheet)
    cell = styles.cell
    headers = ("TT", "NHIỆM VỤ CỤ THỂ", "THỜI HẠN THỰC HIỆN", "HẠN", "SỐ NGÀY QUÁ HẠN", "CƠ QUAN CHỊU TRÁCH NHIỆM", "TÌNH TRẠNG")
    for column, width in enumerate((6, 60, 20, 13, 12, 36, 16), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A4"
    _print_setup(sheet, "3:3")
    sheet.append([cell(f"NHIỆM VỤ QUÁ HẠN (tính đến {as_of:%d/%m/%Y})", "heading")])
    sheet.append([])
    sheet.append([cell(header, "header") for header in headers])
    row = 3
    for number, title, deadline, due, status, delegate, bodies in rows:
        row += 1
        responsible = responsible_of(delegate, [(body.role, body.name) for body in parse_bodies(bodies)])
        values = (number, title, deadline, due, (as_of - due).days, "; ".join(responsible), STATUS_LABELS[status])
        sheet.append([cell(value, "cell", "cell_date") for value in values])
    sheet.auto_filter.ref = f"A3:G{max(row, 4)}"


def meeting_workbook(*, tasks_queryset, as_of: date) -> bytes:
    """The workbook for a meeting, for the tasks of the list's filters (a task_queryset), in the appendix's order."""
    tasks = tasks_queryset.prefetch_related(None)
    catalogue_rows = (
        tasks.annotate(report=_report_subquery()).order_by("section__position", "number").values_list(*CATALOGUE_FIELDS).iterator(chunk_size=2000)
    )
    overdue_rows = (
        tasks.filter(schedule_state=ScheduleState.OVERDUE).annotate(bodies=bodies_subquery()).order_by("next_due_date", "number")
        .values_list("number", "title", "deadline_text", "next_due_date", "status", "delegate__name", "bodies").iterator(chunk_size=2000)
    )
    workbook = Workbook(write_only=True)
    _catalogue_sheet(workbook.create_sheet(CATALOGUE_SHEET), catalogue_rows, as_of)
    _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), Task.objects.filter(pk__in=tasks.values("pk")), as_of)
    _overdue_sheet(workbook.create_sheet(OVERDUE_SHEET), overdue_rows, as_of)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
