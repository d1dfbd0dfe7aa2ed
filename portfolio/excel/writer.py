"""Workbooks out. Every text cell is written as text, never as a formula.

Exports are written with XlsxWriter in constant-memory mode: rows are streamed to disk as they come from the
database, each row's XML written at once by write_row (a fraction of what openpyxl's write-only mode costs per
cell, bench/RESULTS.md). openpyxl stays for everything read back in and for the agency workbook (its protection
and validations).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import xlsxwriter
from django.utils.functional import Promise
from xlsxwriter.utility import _datetime_to_excel_datetime, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

HEADER_COLOUR = "#DDE6F0"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
COLUMN_NAMES = tuple(xl_col_to_name(column) for column in range(64))
# What XlsxWriter's _escape_control_characters changes: control characters, U+FFFE/U+FFFF and literal "_xHHHH_".
NEEDS_CONTROL_ESCAPE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\ufffe\\uffff]|_x[0-9a-fA-F]{4}_")


def new_workbook(buffer, default_font: dict | None = None) -> xlsxwriter.Workbook:
    """A streaming workbook: nothing is read back as a formula, a URL or a number.

    ``default_font`` (name and size) is the workbook's normal style: column widths are counted in its digits, so a
    font every spreadsheet program has (Arial, or its metric twin Liberation Sans) prints the same widths everywhere.
    """
    options = {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "default_date_format": DATE_FORMAT, "remove_timezone": True,
    }
    if default_font:
        options["default_format_properties"] = dict(default_font)
    return xlsxwriter.Workbook(buffer, options)


class Styles:
    """Named cell formats of one workbook; each name may have a date twin (``name + "_date"``)."""

    def __init__(self, workbook, **formats):
        self.formats = {}
        for name, properties in formats.items():
            self.formats[name] = workbook.add_format(properties)
            self.formats[f"{name}_date"] = workbook.add_format({**properties, "num_format": DATE_FORMAT})

    def __getitem__(self, name):
        return self.formats[name]


def write_row(sheet, row: int, values: Iterable, style, date_style=None, blank_style=None) -> None:
    """One row of values from column 0; empty cells get ``blank_style`` (borders) or nothing.

    Our workbooks stream (constant memory): the row goes straight to the sheet's XML as XlsxWriter would write
    it (tests/test_excel_writer.py checks the XML is the same byte for byte), with the height given by set_row()
    before. XlsxWriter's own cell path (a cell stored, then written from the store, three regular expressions per
    string) was most of an export's time: 250 of 320 ms writing 4,400 rows of 11 columns, 80 ms this way. The
    version is pinned in requirements.txt. A row XlsxWriter already holds cells of (a merged range, a cell written
    by itself) goes through XlsxWriter, cell by cell.
    """
    if (style is None or not sheet.constant_memory or row >= sheet.xls_rowmax or row < sheet.previous_row
            or (row == sheet.previous_row and sheet.table.get(row))):
        _write_cells(sheet, row, values, style, date_style, blank_style)
        return
    cells, first, last = [], None, None
    number = str(row + 1)
    for column, value in enumerate(values):
        kind, empty = value.__class__, value is None or value == ""
        if empty and blank_style is None:
            continue
        ref = _column_name(column) + number
        if empty:
            cells.append(f'<c r="{ref}" s="{blank_style._get_xf_index()}"/>')
        elif kind is str or kind is int or kind is float:
            cells.append(_cell_xml(sheet, ref, value, style))
        elif kind is bool:
            cells.append(f'<c r="{ref}" s="{style._get_xf_index()}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, date):  # a datetime is one too
            serial = _datetime_to_excel_datetime(value.replace(tzinfo=None) if isinstance(value, datetime) else value, sheet.date_1904, sheet.remove_timezone)
            cells.append(f'<c r="{ref}" s="{(date_style or style)._get_xf_index()}"><v>{serial:.16G}</v></c>')
        else:  # Decimal, subclasses of int and str, lazy translations: as numbers or text
            cells.append(_cell_xml(sheet, ref, value if isinstance(value, (int, float)) else str(value), style))
        first = column if first is None else first
        last = column
    if first is None:
        return  # nothing written, as XlsxWriter writes nothing (not even a set_row() height) for such a row
    if row > sheet.previous_row:
        sheet._write_single_row(row)  # XlsxWriter writes out the row it holds; ``row`` is now its current row
    sheet._check_dimensions(row, first)
    sheet._check_dimensions(row, last)
    sheet._write_row(row, None, sheet.set_rows.pop(row, None))
    sheet.fh.write("".join(cells))
    sheet.fh.write("</row>")


def _column_name(column: int) -> str:
    return COLUMN_NAMES[column] if column < len(COLUMN_NAMES) else xl_col_to_name(column)


def _cell_xml(sheet, ref: str, value, style) -> str:
    """A number or an inline string cell, as XlsxWriter's _write_cell writes it in constant-memory mode."""
    if value.__class__ is not str:
        if math.isnan(value) or math.isinf(value):
            raise TypeError("NAN/INF not supported in write_number()")
        return f'<c r="{ref}" s="{style._get_xf_index()}"><v>{value:.16G}</v></c>'
    if len(value) > sheet.xls_strmax:
        value = value[: sheet.xls_strmax]
    if NEEDS_CONTROL_ESCAPE.search(value):
        value = XMLwriter._escape_control_characters(value)
    preserve = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" s="{style._get_xf_index()}" t="inlineStr"><is><t{preserve}>{value}</t></is></c>'


def _write_cells(sheet, row: int, values: Iterable, style, date_style=None, blank_style=None) -> None:
    """write_row through XlsxWriter, cell by cell (its undecorated writers: the public ones only add A1 parsing)."""
    write_string, write_number = sheet._write_string, sheet._write_number
    for column, value in enumerate(values):
        kind = value.__class__
        if value is None or value == "":
            if blank_style is not None:
                sheet._write_blank(row, column, None, blank_style)
        elif kind is str:
            write_string(row, column, value, style)
        elif kind is int or kind is float:
            write_number(row, column, value, style)
        elif kind is date or kind is datetime:
            sheet._write_datetime(row, column, value.replace(tzinfo=None) if kind is datetime else value, date_style or style)
        elif kind is bool:
            sheet._write_boolean(row, column, value, style)
        elif isinstance(value, (int, float)):  # Decimal is not one; subclasses of int and float are
            write_number(row, column, value, style)
        elif isinstance(value, (date, datetime)):
            sheet._write_datetime(row, column, value.replace(tzinfo=None) if isinstance(value, datetime) else value, date_style or style)
        else:  # lazy translations and anything else: their text
            write_string(row, column, str(value), style)


def text(value) -> str:
    return str(value) if isinstance(value, Promise) else value


def put(sheet, row, column, value, **style):
    """Write a cell of an openpyxl sheet (the agency workbook); text a spreadsheet would run as a formula stays text."""
    value = text(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def row_height(values, widths, chars_per_unit: float = 1.2, line_height: float = 16) -> float:
    """Enough height for the wrapped text (spreadsheet programs do not grow rows written by a library).

    About 1.2 characters of Vietnamese text fit in a unit of column width; bold capitals (headers) about 0.9.
    """
    lines = 1
    for value, width in zip(values, widths):
        if value.__class__ is str and value:
            chars_per_line = max(int(width * chars_per_unit), 1)
            if len(value) <= chars_per_line and "\n" not in value:
                continue  # one line
            lines = max(lines, sum(math.ceil(max(len(part), 1) / chars_per_line) for part in value.split("\n")))
    return line_height * lines + 4


def table_workbook(*, title: str, subtitle: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]) -> bytes:
    """One sheet: a title line, a bold frozen header with an autofilter, then the rows, streamed."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet = workbook.add_worksheet("Nhiệm vụ")
    wrap = {"text_wrap": True, "valign": "top"}
    styles = Styles(workbook, title={"bold": True, "font_size": 13}, subtitle={"italic": True},
                    header={"bold": True, "bg_color": HEADER_COLOUR, **wrap}, body=wrap)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(3, 0)
    sheet.write_string(0, 0, text(title), styles["title"])
    sheet.write_string(1, 0, text(subtitle), styles["subtitle"])
    write_row(sheet, 2, [text(h) for h in headers], styles["header"])
    row = 2
    body, body_date = styles["body"], styles["body_date"]
    for values in rows:
        row += 1
        write_row(sheet, row, values, body, body_date)
    sheet.autofilter(2, 0, max(row, 3), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()


def lock_filled_sheet(sheet, *, columns: Sequence, validations, first_row: int, last_row: int) -> None:
    """An agency workbook's sheet once its rows are written (openpyxl): each column's validation over the rows, the
    last (key) column hidden, the first two frozen, the sheet protected with only the filled cells unlocked and the
    widths still changeable, A4 landscape."""
    from openpyxl.utils import get_column_letter

    if last_row >= first_row:
        for letter, validation in validations:
            validation.add(f"{letter}{first_row}:{letter}{last_row}")
    sheet.column_dimensions[get_column_letter(len(columns))].hidden = True
    sheet.freeze_panes = f"C{first_row}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may be changed
    sheet.page_setup.orientation = "landscape"
