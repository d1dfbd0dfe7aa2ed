"""Workbooks out, with openpyxl only. Every text cell is written as text, never as a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from django.utils.functional import Promise
from openpyxl.cell import Cell, WriteOnlyCell
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


class CellStyles:
    """Cells of a write-only sheet sharing a few styles.

    Setting font, fill or alignment on every cell makes openpyxl look the style up each time; here each style is
    built once and its index array copied into the new cell, which costs about as much as an unstyled cell.
    """

    def __init__(self, sheet, **styles):
        self.sheet = sheet
        self.arrays = {}
        for name, style in styles.items():
            prototype = WriteOnlyCell(sheet)
            for attribute, setting in style.items():
                setattr(prototype, attribute, setting)
            self.arrays[name] = prototype._style

    def cell(self, value, style: str, date_style: str | None = None) -> Cell:
        if isinstance(value, Promise):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.replace(tzinfo=None)
        if isinstance(value, date):
            return Cell(self.sheet, 1, 1, value, self.arrays[date_style or style])
        cell = Cell(self.sheet, 1, 1, value, self.arrays[style])
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"
        return cell


def table_workbook(*, title: str, subtitle: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]) -> bytes:
    """One sheet: a title line, a bold frozen header with an autofilter, then the rows, streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Nhiệm vụ")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    wrap = Alignment(wrap_text=True, vertical="top")
    styles = CellStyles(
        sheet,
        title={"font": Font(bold=True, size=13)}, subtitle={"font": Font(italic=True)},
        header={"font": Font(bold=True), "fill": HEADER_FILL, "alignment": wrap},
        body={"alignment": wrap}, date={"alignment": wrap, "number_format": "DD/MM/YYYY"},
    )
    sheet.append([styles.cell(title, "title")])
    sheet.append([styles.cell(subtitle, "subtitle")])
    sheet.append([styles.cell(h, "header") for h in headers])
    count = 0
    cell = styles.cell
    for row in rows:
        sheet.append([cell(value, "body", "date") for value in row])
        count += 1
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(headers))}{3 + count}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
