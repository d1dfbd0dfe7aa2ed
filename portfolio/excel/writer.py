"""Workbooks out. Every text cell is written as text, never as a formula.

Exports are written with XlsxWriter in constant-memory mode: rows are streamed to disk as they come from the
database, and each cell costs about half what openpyxl's write-only mode costs (bench/RESULTS.md). openpyxl
stays for everything read back in and for the agency workbook (its protection and validations).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import xlsxwriter
from django.utils.functional import Promise

HEADER_COLOUR = "#DDE6F0"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"


def new_workbook(buffer) -> xlsxwriter.Workbook:
    """A streaming workbook: nothing is read back as a formula, a URL or a number."""
    return xlsxwriter.Workbook(buffer, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "default_date_format": DATE_FORMAT, "remove_timezone": True,
    })


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

    Calls XlsxWriter's undecorated writers (``_write_string`` ...: the public ones only add A1-notation parsing),
    about 5% of the meeting workbook (measured at 10,000 tasks); the version is pinned in requirements.txt.
    """
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


def row_height(values, widths, chars_per_unit: float = 1.2) -> float:
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
    return 16 * lines + 4


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
