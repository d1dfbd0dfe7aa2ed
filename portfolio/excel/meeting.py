"""The meeting-report workbook: the appendix layout with tracking columns, a summary with charts, the overdue list."""

from __future__ import annotations

import io
import math
from datetime import date

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..choices import ReviewState, ScheduleState, WorkStatus
from ..models import ProgressReport
from ..reminders import responsible_agencies
from ..selectors import body_summary, programme_summary
from .columns import (
    CATALOGUE_SHEET,
    HEADER_ROW,
    MEETING_HEADERS,
    MEETING_WIDTHS,
    OVERDUE_SHEET,
    SUMMARY_SHEET,
)
from .writer import FORMULA_TRIGGERS

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


def put(sheet, row, column, value, **style):
    """Write a cell; text a spreadsheet would run as a formula is stored as text."""
    if isinstance(value, Promise):
        value = str(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
    if isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
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


def _latest_accepted(task_ids) -> dict:
    latest = {}
    for report in ProgressReport.objects.filter(task_id__in=task_ids, review_state=ReviewState.ACCEPTED).order_by("task_id", "-reviewed_at", "-pk"):
        latest.setdefault(report.task_id, report)
    return latest


def report_text(report) -> str:
    if report is None:
        return ""
    parts = [("Kết quả", report.results), ("Khó khăn", report.difficulties), ("Đề xuất", report.proposals)]
    return "\n".join(f"{label}: {text}" for label, text in parts if text)


def _catalogue_sheet(sheet, tasks, as_of, reports):
    columns = len(MEETING_HEADERS)
    last = get_column_letter(columns)
    sheet.merge_cells(f"A1:{last}1")
    put(sheet, 1, 1, TITLE, font=Font(bold=True, size=13), alignment=CENTER)
    sheet.merge_cells(f"A2:{last}2")
    put(sheet, 2, 1, f"Tình hình thực hiện tính đến ngày {as_of:%d/%m/%Y}", font=Font(italic=True), alignment=CENTER)
    for column, (header, width) in enumerate(zip(MEETING_HEADERS, MEETING_WIDTHS), start=1):
        put(sheet, HEADER_ROW, column, header, font=Font(bold=True), fill=HEADER_FILL, alignment=CENTER, border=BORDER)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[HEADER_ROW].height = row_height(MEETING_HEADERS, MEETING_WIDTHS)
    sheet.row_dimensions[1].height = 22
    row, section = HEADER_ROW, None
    for task in tasks:
        if task.section_id != section:
            section = task.section_id
            row += 1
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
            put(sheet, row, 1, f"{task.section.numeral}. {task.section.title}", font=Font(bold=True), fill=SECTION_FILL, alignment=WRAP, border=BORDER)
            sheet.row_dimensions[row].height = 20
        row += 1
        report = reports.get(task.pk)
        values = (
            task.number, task.title, task.lead_text, task.partners_text, task.deadline_text, task.funding_text,
            STATUS_LABELS[task.status], task.progress, task.next_due_date, STATE_LABELS[task.schedule_state],
            report_text(report), task.last_reported_at.date() if task.last_reported_at else None,
        )
        fill = OVERDUE_FILL if task.schedule_state == ScheduleState.OVERDUE else None
        for column, value in enumerate(values, start=1):
            style = {"alignment": WRAP, "border": BORDER}
            if fill:
                style["fill"] = fill
            put(sheet, row, column, value, **style)
        sheet.row_dimensions[row].height = row_height(values, MEETING_WIDTHS)
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row, HEADER_ROW + 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.oddFooter.center.text = "Trang &P / &N"
    sheet.oddHeader.right.text = f"Tính đến {as_of:%d/%m/%Y}"


def _summary_sheet(sheet, tasks_queryset, as_of):
    summary = programme_summary(as_of=as_of, tasks=tasks_queryset)
    put(sheet, 1, 1, f"TỔNG HỢP TÌNH HÌNH THỰC HIỆN (tính đến {as_of:%d/%m/%Y})", font=Font(bold=True, size=13))
    put(sheet, 3, 1, "Đánh giá tiến độ", font=Font(bold=True), fill=HEADER_FILL, border=BORDER)
    put(sheet, 3, 2, "Số nhiệm vụ", font=Font(bold=True), fill=HEADER_FILL, border=BORDER)
    row = 3
    for state, count in summary["by_state"]:
        row += 1
        put(sheet, row, 1, str(state.label), border=BORDER)
        put(sheet, row, 2, count, border=BORDER)
    states_end = row
    row += 2
    put(sheet, row, 1, "Tình trạng thực hiện", font=Font(bold=True), fill=HEADER_FILL, border=BORDER)
    put(sheet, row, 2, "Số nhiệm vụ", font=Font(bold=True), fill=HEADER_FILL, border=BORDER)
    for status, count in summary["by_status"]:
        row += 1
        put(sheet, row, 1, str(status.label), border=BORDER)
        put(sheet, row, 2, count, border=BORDER)
    row += 2
    body_header = row
    headers = ("Cơ quan chủ trì, thực hiện", "Nhiệm vụ", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn", "Sắp đến hạn")
    for column, header in enumerate(headers, start=1):
        put(sheet, row, column, header, font=Font(bold=True), fill=HEADER_FILL, border=BORDER, alignment=CENTER)
    for body in body_summary(as_of=as_of, task_ids=tasks_queryset.values("pk")):
        row += 1
        for column, value in enumerate((body["agency__name"], body["total"], body["done_on_time"], body["done_late"], body["overdue"], body["due_soon"]), start=1):
            put(sheet, row, column, value, border=BORDER, alignment=WRAP)
    sheet.column_dimensions["A"].width = 48
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 14

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


def _overdue_sheet(sheet, tasks, as_of):
    headers = ("TT", "NHIỆM VỤ CỤ THỂ", "THỜI HẠN THỰC HIỆN", "HẠN", "SỐ NGÀY QUÁ HẠN", "CƠ QUAN CHỊU TRÁCH NHIỆM", "TÌNH TRẠNG")
    put(sheet, 1, 1, f"NHIỆM VỤ QUÁ HẠN (tính đến {as_of:%d/%m/%Y})", font=Font(bold=True, size=13))
    for column, (header, width) in enumerate(zip(headers, (6, 60, 20, 13, 12, 36, 16)), start=1):
        put(sheet, 3, column, header, font=Font(bold=True), fill=HEADER_FILL, border=BORDER, alignment=CENTER)
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = 3
    overdue = sorted((t for t in tasks if t.schedule_state == ScheduleState.OVERDUE), key=lambda t: (t.next_due_date, t.number))
    for task in overdue:
        row += 1
        bodies = "; ".join(a.name for a in responsible_agencies(task))
        values = (task.number, task.title, task.deadline_text, task.next_due_date, (as_of - task.next_due_date).days, bodies, STATUS_LABELS[task.status])
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value, border=BORDER, alignment=WRAP)
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:G{max(row, 4)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "3:3"
    sheet.oddFooter.center.text = "Trang &P / &N"


def meeting_workbook(*, tasks_queryset, as_of: date) -> bytes:
    """The workbook for a meeting, for the tasks of the list's filters, in the appendix's order."""
    tasks = list(tasks_queryset.select_related("section", "delegate").order_by("section__position", "number"))
    reports = _latest_accepted([t.pk for t in tasks])
    workbook = Workbook()
    catalogue = workbook.active
    catalogue.title = CATALOGUE_SHEET
    _catalogue_sheet(catalogue, tasks, as_of, reports)
    _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), tasks_queryset.model.objects.filter(pk__in=[t.pk for t in tasks]), as_of)
    _overdue_sheet(workbook.create_sheet(OVERDUE_SHEET), tasks, as_of)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
