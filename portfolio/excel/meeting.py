"""The meeting-report workbook: the appendix layout with tracking columns, a summary with charts, the overdue list.

Streamed (XlsxWriter, constant memory) from two value queries, the catalogue and the overdue list: memory stays
flat whatever the number of tasks.
"""

from __future__ import annotations

import io
from datetime import date

from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Concat

from ..choices import ReviewState, ScheduleState, WorkStatus, labels
from ..freshness import cached
from ..models import ProgressReport, TargetFigure, Task
from ..reminder_selection import responsible_of
from ..schedule import in_schedule_state
from ..selectors import FIELD_SEP, bodies_subquery, body_summary, figure_rows, parse_bodies, programme_summary, target_table
from ..columns import MEETING_COLUMNS, Labels
from .columns import CATALOGUE_SHEET, HEADER_ROW, OVERDUE_SHEET, SUMMARY_SHEET, TARGETS_SHEET
from .writer import HEADER_COLOUR, Styles, new_workbook, row_height, write_row


TITLE = "DANH MỤC CÁC NHIỆM VỤ, ĐỀ ÁN, DỰ ÁN, CÔNG TRÌNH QUAN TRỌNG GIAI ĐOẠN 2025 - 2030, TẦM NHÌN ĐẾN NĂM 2045"
GREY = "#808080"


# Arial (Liberation Sans where there is no Arial: the same widths) at 10 pt, every page fitted to its width at 90% or
# more: at least 9 pt on paper. The column widths (portfolio.columns.MEETING_COLUMNS, the widths below) are chosen for that.
FONT = {"font_name": "Arial", "font_size": 10}
LINE = 13  # points a line of 10 pt text takes


def _styles(workbook) -> Styles:
    cell = {**FONT, "text_wrap": True, "valign": "top", "border": 1, "border_color": GREY}
    center = {**FONT, "text_wrap": True, "valign": "vcenter", "align": "center"}
    return Styles(
        workbook,
        title={**center, "bold": True, "font_size": 12},
        subtitle={**center, "italic": True},
        note={**FONT, "italic": True, "text_wrap": True, "valign": "top"},
        heading={**FONT, "bold": True, "font_size": 12},
        header={**center, "bold": True, "bg_color": HEADER_COLOUR, "border": 1, "border_color": GREY},
        header_left={**FONT, "bold": True, "bg_color": HEADER_COLOUR, "border": 1, "border_color": GREY, "text_wrap": True, "valign": "vcenter"},
        section={**cell, "bold": True, "bg_color": "#F2F2F2"},
        cell=cell, overdue={**cell, "bg_color": "#FDE2E1"},
        boxed={**FONT, "border": 1, "border_color": GREY, "text_wrap": True, "valign": "top"},
    )


def as_of_line(as_of: date, filter_text: str) -> str:
    """The line on every sheet (and atop every printed page): the date the figures are for and the filter that chose the tasks."""
    line = f"Tình hình thực hiện tính đến ngày {as_of:%d/%m/%Y}"
    return f"{line}. Bộ lọc: {filter_text}" if filter_text else f"{line}. Toàn bộ danh mục (không lọc)"


def _report_subquery() -> Subquery:
    """The latest accepted report's results, difficulties and proposals, in one text value."""
    latest = ProgressReport.objects.filter(task=OuterRef("pk"), review_state=ReviewState.ACCEPTED).order_by("-reviewed_at", "-pk").values(
        text=Concat("results", Value(FIELD_SEP), "difficulties", Value(FIELD_SEP), "proposals", output_field=TextField())
    )[:1]
    return Subquery(latest, output_field=TextField())


MEETING_HEADERS = tuple(column.header for column in MEETING_COLUMNS)
MEETING_WIDTHS = tuple(column.width for column in MEETING_COLUMNS)
# The section of each row, then the catalogue's columns.
CATALOGUE_FIELDS = ("section_id", "section__numeral", "section__title", *(column.field for column in MEETING_COLUMNS))


def _print_setup(sheet, first_title_row: int, last_title_row: int | None = None, *, line: str = ""):
    """A4 landscape fitted to the page width, the title rows repeated on every page, the as-of line atop each page and
    the sheet's own page numbers in the footer (numbering starts again on every sheet)."""
    sheet.repeat_rows(first_title_row, first_title_row if last_title_row is None else last_title_row)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.25, right=0.25, top=0.6, bottom=0.6)
    sheet.set_start_page(1)
    header = line.replace("&", "&&")
    sheet.set_header(f"&L&10{header[:200]}" if header else "")
    sheet.set_footer(f"&L&10{sheet.name.replace('&', '&&')}&C&10Trang &P")


def _catalogue_sheet(workbook, styles, rows, as_of, line):
    sheet = workbook.add_worksheet(CATALOGUE_SHEET)
    last = len(MEETING_HEADERS) - 1
    header = HEADER_ROW - 1  # 0-based
    for column, width in enumerate(MEETING_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(HEADER_ROW, 2)
    _print_setup(sheet, header, line=line)
    sheet.set_row(0, 34)
    sheet.merge_range(0, 0, 0, last, TITLE, styles["title"])
    sheet.set_row(1, row_height((line,), (sum(MEETING_WIDTHS),), line_height=LINE))
    sheet.merge_range(1, 0, 1, last, line, styles["subtitle"])
    sheet.set_row(header, row_height(MEETING_HEADERS, MEETING_WIDTHS, chars_per_unit=0.9, line_height=LINE))
    write_row(sheet, header, MEETING_HEADERS, styles["header"])
    row, section = header, None
    plan = [column.converter(Labels(as_of=as_of)) for column in MEETING_COLUMNS]  # labels translated once, not once per row
    state_at = [column.name for column in MEETING_COLUMNS].index("schedule_state")
    for section_id, numeral, section_title, *cells in rows:
        if section_id != section:
            section = section_id
            row += 1
            sheet.set_row(row, 20)
            sheet.merge_range(row, 0, row, last, f"{numeral}. {section_title}", styles["section"])
        row += 1
        style = "overdue" if cells[state_at] == ScheduleState.OVERDUE else "cell"
        values = [convert(value) if convert and value is not None else value for value, convert in zip(cells, plan)]
        sheet.set_row(row, row_height(values, MEETING_WIDTHS, line_height=LINE))
        write_row(sheet, row, values, styles[style], styles[f"{style}_date"], styles[style])
    sheet.autofilter(header, 0, max(row, header + 1), last)


SUMMARY_WIDTHS = (50, 13, 13, 13, 13, 13, 13, 13)
BODY_CHART_LIMIT = 30  # bodies in the chart: more would not be readable on one page
PAGE_HEIGHT_PX = 600  # what an A4 landscape page holds below the repeated title rows, at the summary's scale


def _summary_sheet(workbook, styles, tasks, as_of, line, due_soon_days=None):
    """``tasks`` None: the whole programme (the same numbers as the dashboard, kept until the data changes).

    Printed as pages that each hold what belongs together: the two small tables with the first chart, then the
    table by body (its header repeated), then the chart by body; no chart crosses a page.
    """
    sheet = workbook.add_worksheet(SUMMARY_SHEET)
    if tasks is None:
        summary, bodies_rows = cached(f"meeting-summary:{as_of.isoformat()}:{due_soon_days}", lambda: (
            programme_summary(as_of=as_of, due_soon_days=due_soon_days), body_summary(as_of=as_of, due_soon_days=due_soon_days)))
    else:
        summary = programme_summary(as_of=as_of, tasks=tasks, due_soon_days=due_soon_days)
        bodies_rows = body_summary(as_of=as_of, task_ids=tasks.values("pk"), due_soon_days=due_soon_days)
    for column, width in enumerate(SUMMARY_WIDTHS):
        sheet.set_column(column, column, width)
    _print_setup(sheet, 0, 1, line=line)
    sheet.write_string(0, 0, f"TỔNG HỢP TÌNH HÌNH THỰC HIỆN (tính đến {as_of:%d/%m/%Y})", styles["heading"])
    sheet.set_row(1, row_height((line,), (sum(SUMMARY_WIDTHS),), line_height=LINE))
    sheet.merge_range(1, 0, 1, len(SUMMARY_WIDTHS) - 1, line, styles["note"])
    write_row(sheet, 2, ("Đánh giá tiến độ", "Số nhiệm vụ"), styles["header_left"])
    row = 2
    for state, count in summary["by_state"]:
        row += 1
        write_row(sheet, row, (str(state.label), count), styles["boxed"])
    states_end = row
    row += 2
    write_row(sheet, row, ("Tình trạng thực hiện", "Số nhiệm vụ"), styles["header_left"])
    for status, count in summary["by_status"]:
        row += 1
        write_row(sheet, row, (str(status.label), count), styles["boxed"])
    tables_end = row
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"name": [SUMMARY_SHEET, 2, 1], "categories": [SUMMARY_SHEET, 3, 0, states_end, 0], "values": [SUMMARY_SHEET, 3, 1, states_end, 1],
                      "data_labels": {"value": True, "font": {"size": 10}}})
    chart.set_title({"name": "Đánh giá tiến độ", "name_font": {"size": 11}})
    chart.set_y_axis({"name": "Số nhiệm vụ", "name_font": {"size": 10}, "num_font": {"size": 10}})
    chart.set_x_axis({"num_font": {"size": 10}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 460, "height": 320})
    sheet.insert_chart(2, 3, chart, {"x_offset": 10, "object_position": 3})  # beside the two small tables, on the first page
    row = max(tables_end, 2 + 17) + 1
    sheet.set_h_pagebreaks([row])  # the table by body starts a page
    body_header = row
    headers = ("Cơ quan chủ trì, thực hiện", "Nhiệm vụ", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn", "Sắp đến hạn")
    sheet.set_row(row, row_height(headers, SUMMARY_WIDTHS, chars_per_unit=0.9, line_height=LINE))
    write_row(sheet, row, headers, styles["header"])
    for body in bodies_rows:
        row += 1
        values = (body["agency__name"], body["total"], body["done_on_time"], body["done_late"], body["overdue"], body["due_soon"])
        sheet.set_row(row, row_height(values, SUMMARY_WIDTHS, chars_per_unit=1.0, line_height=LINE))  # a long name wraps inside its row, not over the next
        write_row(sheet, row, values, styles["cell"])
    if row > body_header:
        shown = min(row - body_header, BODY_CHART_LIMIT)
        bodies = workbook.add_chart({"type": "bar", "subtype": "stacked"})
        for column in range(2, 6):
            bodies.add_series({
                "name": [SUMMARY_SHEET, body_header, column], "categories": [SUMMARY_SHEET, body_header + 1, 0, body_header + shown, 0],
                "values": [SUMMARY_SHEET, body_header + 1, column, body_header + shown, column],
            })
        title = "Theo cơ quan chủ trì, thực hiện"
        if shown < row - body_header:
            title += f" ({shown} cơ quan có nhiều nhiệm vụ quá hạn nhất)"
        bodies.set_title({"name": title, "name_font": {"size": 11}})
        bodies.set_x_axis({"num_font": {"size": 10}})
        bodies.set_y_axis({"num_font": {"size": 10}, "reverse": True, "interval_unit": 1})
        bodies.set_legend({"position": "bottom", "font": {"size": 10}})
        bodies.set_size({"width": 840, "height": min(PAGE_HEIGHT_PX, 140 + 30 * shown)})
        row += 2
        sheet.set_h_pagebreaks([body_header, row])  # the chart by body on a page of its own, with its legend
        sheet.insert_chart(row, 0, bodies, {"object_position": 3})


OVERDUE_WIDTHS = (5, 52, 16, 11, 10, 32, 14)


def _overdue_sheet(workbook, styles, rows, as_of, line):
    sheet = workbook.add_worksheet(OVERDUE_SHEET)
    headers = ("TT", "NHIỆM VỤ CỤ THỂ", "THỜI HẠN THỰC HIỆN", "HẠN", "SỐ NGÀY QUÁ HẠN", "CƠ QUAN CHỊU TRÁCH NHIỆM", "TÌNH TRẠNG")
    for column, width in enumerate(OVERDUE_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(3, 0)
    _print_setup(sheet, 2, line=line)
    sheet.write_string(0, 0, f"NHIỆM VỤ QUÁ HẠN (tính đến {as_of:%d/%m/%Y})", styles["heading"])
    sheet.set_row(1, row_height((line,), (sum(OVERDUE_WIDTHS),), line_height=LINE))
    sheet.merge_range(1, 0, 1, len(headers) - 1, line, styles["note"])
    sheet.set_row(2, row_height(headers, OVERDUE_WIDTHS, chars_per_unit=0.9, line_height=LINE))
    write_row(sheet, 2, headers, styles["header"])
    row, statuses = 2, labels(WorkStatus)
    for number, title, deadline, due, status, delegate, bodies in rows:
        row += 1
        responsible = responsible_of(delegate, [(body.role, body.name) for body in parse_bodies(bodies)])
        values = (number, title, deadline, due, (as_of - due).days, "; ".join(responsible), statuses[status])
        sheet.set_row(row, row_height(values, OVERDUE_WIDTHS, line_height=LINE))
        write_row(sheet, row, values, styles["cell"], styles["cell_date"], styles["cell"])
    sheet.autofilter(2, 0, max(row, 3), len(headers) - 1)


TARGET_HEADERS = ("Chỉ tiêu", "ĐVT", "Chỉ tiêu Nghị quyết", "Ước thực hiện", "Đánh giá", "Tỷ lệ thực hiện so với chỉ tiêu", "Cơ quan theo dõi")
TARGET_WIDTHS = (44, 10, 20, 20, 12, 12, 22)  # 140 wide, as "Quá hạn": A4 landscape at full size (9 pt and more on paper)


def _targets_sheet(workbook, styles, figures, as_of, line):
    """The Resolution's targets in the layout of its review table ("KẾT QUẢ THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT")."""
    sheet = workbook.add_worksheet(TARGETS_SHEET)
    last = len(TARGET_HEADERS) - 1
    for column, width in enumerate(TARGET_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(3, 1)
    _print_setup(sheet, 2, line=line)
    sheet.merge_range(0, 0, 0, last, f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT (tính đến {as_of:%d/%m/%Y})", styles["title"])
    sheet.set_row(1, row_height((line,), (sum(TARGET_WIDTHS),), line_height=LINE))
    sheet.merge_range(1, 0, 1, last, line, styles["note"])
    sheet.set_row(2, row_height(TARGET_HEADERS, TARGET_WIDTHS, chars_per_unit=0.9))
    write_row(sheet, 2, TARGET_HEADERS, styles["header"])
    row = 2
    for group in target_table(figure_rows(figures=figures, as_of=as_of)):
        row += 1
        sheet.merge_range(row, 0, row, last, str(group["label"]).upper(), styles["section"])
        for item in group["targets"]:
            row += 1
            text = f"({item['target'].number}) {item['target'].text}"
            sheet.set_row(row, row_height((text,), (sum(TARGET_WIDTHS),)))
            sheet.merge_range(row, 0, row, last, text, styles["cell"])
            for figure_row in item["rows"]:
                row += 1
                figure = figure_row.figure
                values = (figure.measure, figure.unit, figure_row.goal_text, figure_row.latest_text, figure_row.outcome_label,
                          figure_row.share_text, figure.agency.name if figure.agency_id else "")
                sheet.set_row(row, row_height(values, TARGET_WIDTHS))
                write_row(sheet, row, values, styles["cell"], styles["cell_date"], styles["cell"])


def meeting_workbook(*, tasks_queryset, as_of: date, whole_programme: bool = False, filter_text: str = "", figures=None,
                     due_soon_days: int | None = None) -> bytes:
    """The workbook for a meeting, for the tasks of the list's filters (a task_queryset), in the appendix's order.

    ``whole_programme``: the queryset is every task (no filter), so the summary is the dashboard's own.
    ``filter_text``: the filters in words (TaskFilterSet.description), written on every sheet.
    ``figures``: the target figures of the last sheet (default every one).
    ``due_soon_days``: the due-soon window the queryset's states were computed with (duesoon.py), for the summary too.
    """
    line = as_of_line(as_of, filter_text)
    tasks = tasks_queryset.prefetch_related(None)
    catalogue_rows = (
        tasks.annotate(report=_report_subquery()).order_by("section__position", "number").values_list(*CATALOGUE_FIELDS).iterator(chunk_size=2000)
    )
    overdue_rows = (
        in_schedule_state(tasks, ScheduleState.OVERDUE).annotate(bodies=bodies_subquery()).order_by("next_due_date", "number")
        .values_list("number", "title", "deadline_text", "next_due_date", "status", "delegate__name", "bodies").iterator(chunk_size=2000)
    )
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, default_font=FONT)
    styles = _styles(workbook)
    _catalogue_sheet(workbook, styles, catalogue_rows, as_of, line)
    _summary_sheet(workbook, styles, None if whole_programme else Task.objects.filter(pk__in=tasks.values("pk")), as_of, line, due_soon_days)
    _overdue_sheet(workbook, styles, overdue_rows, as_of, line)
    _targets_sheet(workbook, styles, figures if figures is not None else TargetFigure.objects.all(), as_of, line)
    workbook.close()
    return buffer.getvalue()
