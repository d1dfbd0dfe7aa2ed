"""Workbooks out, with openpyxl only. Every text cell is written as text, never as a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet, value, **style) -> WriteOnlyCell:
    """A write-only cell; strings that a spreadsheet would run as a formula are forced to plain text."""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
    if isinstance(value, (date, datetime)):
        cell.number_format = "DD/MM/YYYY"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def table_workbook(*, title: str, subtitle: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]) -> bytes:
    """One sheet: a title line, a bold frozen header with an autofilter, then the rows, streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Nhiệm vụ")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.append([text_cell(sheet, title, font=Font(bold=True, size=13))])
    sheet.append([text_cell(sheet, subtitle, font=Font(italic=True))])
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([text_cell(sheet, h, font=Font(bold=True), fill=HEADER_FILL, alignment=wrap) for h in headers])
    count = 0
    for row in rows:
        sheet.append([text_cell(sheet, value, alignment=wrap) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(headers))}{3 + count}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
