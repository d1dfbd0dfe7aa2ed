"""The official report in the Party's document format (Word, python-docx): header, title, the tasks, the targets, signature.

The layout follows the Party's guidance on documents as seed 001 itself uses it: on the left the issuing body
("THÀNH ỦY CẦN THƠ", "*" beneath, the number "Số …-BC/TU"); on the right "ĐẢNG CỘNG SẢN VIỆT NAM" underlined and
the place and date in italics; Times New Roman 14 pt (12 pt in the tables), A4, margins 2 cm top and bottom, 3 cm
left, 1,5 cm right; page numbers at the top from the second page; "Nơi nhận" and the signature block at the end.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..choices import ScheduleState, WorkStatus
from ..reminder_selection import responsible_of
from ..schedule import in_schedule_state
from ..selectors import assessment_counts, body_summary, figure_rows, parse_bodies, programme_summary, target_table, task_queryset

FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 12
ISSUER = "THÀNH ỦY CẦN THƠ"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
NUMBER = "Số       -BC/TU"
TITLE = "BÁO CÁO"
SUBJECT = (
    "tình hình thực hiện Chương trình hành động của Ban Chấp hành Đảng bộ thành phố thực hiện "
    "Nghị quyết Đại hội đại biểu Đảng bộ thành phố Cần Thơ lần thứ I, nhiệm kỳ 2025 - 2030"
)
RECIPIENTS = (
    "- Ban Thường vụ Thành ủy,",
    "- Các đồng chí Ủy viên Ban Chấp hành Đảng bộ thành phố,",
    "- Các cơ quan tham mưu, giúp việc Thành ủy,",
    "- Đảng ủy UBND thành phố,",
    "- Lưu Văn phòng Thành ủy.",
)
SIGNER = ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
TARGET_HEADERS = ("Chỉ tiêu", "ĐVT", "Chỉ tiêu Nghị quyết", "Ước thực hiện", "Đánh giá", "Tỷ lệ thực hiện so với chỉ tiêu")
TARGET_WIDTHS = (5.0, 2.3, 3.0, 2.6, 1.9, 1.7)


def place_and_date(day: date) -> str:
    return f"Cần Thơ, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _set_font(run, size: int, bold: bool | None = None, italic: bool | None = None, underline: bool | None = None) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:cs", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), FONT)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic
    if underline is not None:
        run.underline = underline


def _paragraph(container, text: str = "", *, size: int = BODY_PT, bold=False, italic=False, underline=False,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, after: int = 6, before: int = 0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    fmt.line_spacing = 1.15 if container.__class__.__name__ == "Document" else 1.0
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        _set_font(paragraph.add_run(text), size, bold, italic, underline)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell_text(cell, text: str, *, size: int = TABLE_PT, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _set_font(paragraph.add_run(text), size, bold, italic)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _widths(table, widths) -> None:
    """Column widths in the grid and on every cell: Word reads the cells, LibreOffice the grid."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)


def _grid(document, headers, widths, rows, *, shaded=()) -> None:
    """A bordered table with a repeated bold header; ``rows`` are tuples of text, or (text,) spanning every column."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for cell, header, width in zip(table.rows[0].cells, headers, widths):
        cell.width = Cm(width)
        _cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "E7E6E6")
    _repeat_header(table.rows[0])
    for index, values in enumerate(rows):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row is never cut across two pages
        cells = row.cells
        if len(values) == 1:  # a group or target row across the table
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, values[0], bold=index in shaded)
            if index in shaded:
                _shade(merged, "F2F2F2")
            continue
        for cell, value, width in zip(cells, values, widths):
            cell.width = Cm(width)
            numeric = isinstance(value, (int, float)) or (isinstance(value, str) and value[:1].isdigit() and len(value) < 12)
            _cell_text(cell, str(value), align=WD_ALIGN_PARAGRAPH.CENTER if numeric else WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(document, after=0)


def _page_number_header(section) -> None:
    """Page numbers at the top centre from the second page, as Party documents number them."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_font(run, BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _header(document, as_of: date) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (6.5, 10.0))
    left, right = table.rows[0].cells
    _cell_text(left, ISSUER, size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(left, "*", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(left, NUMBER, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _cell_text(right, PARTY, size=15, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    right.paragraphs[0].runs[0].underline = True
    _paragraph(right, "", after=0)
    _paragraph(right, place_and_date(as_of), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, after=6)
    _paragraph(document, TITLE, size=15, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, SUBJECT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, f"(tính đến ngày {as_of:%d/%m/%Y})", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, "-----", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _heading(document, text: str) -> None:
    _paragraph(document, text, bold=True, indent=True, after=6, before=6)


def _summary(document, summary: dict, done_in_period: int, since: date, as_of: date) -> None:
    states = {state.value: count for state, count in summary["by_state"]}
    statuses = {status.value: count for status, count in summary["by_status"]}
    done = states.get(ScheduleState.DONE_ON_TIME, 0) + states.get(ScheduleState.DONE_LATE, 0)
    lines = [
        f"Chương trình hành động có {summary['total']} nhiệm vụ, đề án, dự án, công trình. Tính đến ngày {as_of:%d/%m/%Y}: "
        f"đã hoàn thành {done} nhiệm vụ ({states.get(ScheduleState.DONE_ON_TIME, 0)} đúng hạn, "
        f"{states.get(ScheduleState.DONE_LATE, 0)} quá hạn); đang triển khai {statuses.get(WorkStatus.IN_PROGRESS, 0)} nhiệm vụ; "
        f"chưa triển khai {statuses.get(WorkStatus.NOT_STARTED, 0)} nhiệm vụ; "
        f"tạm dừng hoặc vướng mắc {statuses.get(WorkStatus.BLOCKED, 0)} nhiệm vụ.",
        f"Về tiến độ: {states.get(ScheduleState.OVERDUE, 0)} nhiệm vụ quá hạn chưa hoàn thành; "
        f"{states.get(ScheduleState.DUE_SOON, 0)} nhiệm vụ sắp đến hạn; {states.get(ScheduleState.ON_TRACK, 0)} nhiệm vụ trong hạn; "
        f"{states.get(ScheduleState.ONGOING, 0)} nhiệm vụ thực hiện thường xuyên; "
        f"{states.get(ScheduleState.UNSCHEDULED, 0)} nhiệm vụ chưa xác định hạn.",
        f"Trong kỳ (từ ngày {since:%d/%m/%Y} đến ngày {as_of:%d/%m/%Y}) hoàn thành {done_in_period} nhiệm vụ.",
    ]
    for line in lines:
        _paragraph(document, line, indent=True)


def _bodies(task) -> str:
    bodies = [(b.role, b.name) for b in parse_bodies(task.bodies_text)]
    return "; ".join(responsible_of(task.delegate.name if task.delegate_id else None, bodies)) or task.lead_text


class FilterError(ValueError):
    """The filters are not those of the task list."""


def official_report_docx(*, as_of: date, filters=None, user=None, since: date | None = None) -> bytes:
    """The report for ``as_of``, on the tasks of the list's filters (a QueryDict or dict; all tasks when none), and the
    targets the user may see. The period of "completed in the period" starts at ``since``, by default 1 January."""
    from .. import access
    from ..selectors import task_list

    filters = filters.copy() if filters is not None else {}
    for key in ("as_of", "since"):
        filters.pop(key, None)
    since = since or date(as_of.year, 1, 1)
    base = task_queryset(as_of=as_of, bodies="text").select_related("delegate")
    if user is not None:
        base = access.visible_tasks(user, base)
    filterset = task_list(data=filters, as_of=as_of, queryset=base)
    if not filterset.is_valid():
        raise FilterError(filterset.errors.as_text())
    tasks = filterset.qs
    figures = access.visible_figures(user) if user is not None else None
    return _render(as_of=as_of, since=since, tasks=tasks, figures=figures)


def _render(*, as_of: date, since: date, tasks, figures) -> bytes:
    from ..models import Task, TargetFigure

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.header_distance = Cm(1)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _page_number_header(section)
    _header(document, as_of)

    task_ids = Task.objects.filter(pk__in=tasks.values("pk"))
    summary = programme_summary(as_of=as_of, tasks=task_ids)
    completed = list(
        tasks.filter(status=WorkStatus.DONE, completed_on__gte=since, completed_on__lte=as_of).order_by("completed_on", "number")
    )
    overdue = list(in_schedule_state(tasks, ScheduleState.OVERDUE).order_by("next_due_date", "number"))

    _heading(document, "I. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ")
    _heading(document, "1. Kết quả chung")
    _summary(document, summary, len(completed), since, as_of)

    _heading(document, f"2. Nhiệm vụ quá hạn chưa hoàn thành ({len(overdue)} nhiệm vụ)")
    if overdue:
        _grid(document, ("TT", "Nhiệm vụ", "Cơ quan chịu trách nhiệm", "Hạn", "Số ngày quá hạn"), (1.1, 6.6, 4.4, 2.5, 1.9), [
            (str(t.number), t.title, _bodies(t), f"{t.next_due_date:%d/%m/%Y}", str((as_of - t.next_due_date).days)) for t in overdue
        ])
    else:
        _paragraph(document, "Không có nhiệm vụ quá hạn.", indent=True)

    _heading(document, f"3. Nhiệm vụ hoàn thành trong kỳ ({len(completed)} nhiệm vụ)")
    if completed:
        _grid(document, ("TT", "Nhiệm vụ", "Cơ quan chịu trách nhiệm", "Ngày hoàn thành"), (1.1, 8.3, 4.6, 2.5), [
            (str(t.number), t.title, _bodies(t), f"{t.completed_on:%d/%m/%Y}") for t in completed
        ])
    else:
        _paragraph(document, "Trong kỳ chưa có nhiệm vụ nào hoàn thành.", indent=True)

    bodies = body_summary(as_of=as_of, task_ids=task_ids.values("pk"))
    _heading(document, "4. Tình hình thực hiện theo cơ quan chủ trì, thực hiện")
    _grid(document, ("Cơ quan", "Nhiệm vụ", "Hoàn thành", "Quá hạn", "Sắp đến hạn", "Tỷ lệ đúng hạn"), (6.2, 1.9, 2.1, 1.9, 2.2, 2.2), [
        (b["name"], str(b["total"]), str(b["done"]), str(b["overdue"]), str(b["due_soon"]),
         "—" if b["on_time_share"] is None else f"{b['on_time_share']}%") for b in bodies
    ])

    rows = figure_rows(figures=figures if figures is not None else TargetFigure.objects.all(), as_of=as_of)
    _heading(document, "II. KẾT QUẢ THỰC HIỆN CHỈ TIÊU NGHỊ QUYẾT")
    counts = [f"{str(outcome.label).lower()} {count}" for outcome, count in assessment_counts(rows) if count]
    _paragraph(document, (
        f"Nghị quyết Đại hội đề ra 28 chỉ tiêu cụ thể với {len(rows)} số liệu đo lường. Đánh giá tính đến ngày {as_of:%d/%m/%Y}: "
        + "; ".join(counts) + " số liệu."
    ), indent=True)
    table_rows, shaded = [], set()
    for group in target_table(rows):
        shaded.add(len(table_rows))
        table_rows.append((str(group["label"]).upper(),))
        for item in group["targets"]:
            table_rows.append((f"({item['target'].number}) {_short(item['target'].text)}",))
            for row in item["rows"]:
                table_rows.append((row.figure.measure, row.figure.unit or "—", row.goal_text, row.latest_text or "—", row.outcome_label,
                                   row.share_text or "—"))
    _grid(document, TARGET_HEADERS, TARGET_WIDTHS, table_rows, shaded=shaded)

    _closing(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _short(text: str, width: int = 160) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= width else first[: width - 1].rsplit(" ", 1)[0] + "…"


def _closing(document) -> None:
    """"Nơi nhận" on the left, the signature block on the right, as the Party's documents end."""
    _paragraph(document, after=6)
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (8.0, 8.5))
    left, right = table.rows[0].cells
    _cell_text(left, "Nơi nhận:", size=BODY_PT, bold=True)
    left.paragraphs[0].runs[0].underline = True
    for line in RECIPIENTS:
        _paragraph(left, line, size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    _cell_text(right, SIGNER[0], size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(right, SIGNER[1], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    for _ in range(4):
        _paragraph(right, "", align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
