"""Workbooks in: checked before any reader opens them, then read into plain rows.

Read-only workbooks (the agency workbook, thousands of rows) are read by python-calamine, a Rust reader about 9x
faster than openpyxl's read-only mode, behind openpyxl's read-only interface (CheckedWorkbook); the checks openpyxl
gave for free (formula cells, merged cells) are made on the sheet's XML (sheet_checks), the archive's limits and DTDs
by check_archive as before. Everything else (the programme workbook, the writers) stays openpyxl.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile

from django.conf import settings
from openpyxl import load_workbook

from ..seedparse import ParsedAppendix, SourceError, clean_cell
from .columns import APPENDIX_HEADERS, CATALOGUE_SHEET

MAX_ENTRIES = 500
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBER_FLOOR = 1024 * 1024  # a member under 1 MB decompressed may be as repetitive as it likes
SECTION_RE = re.compile(r"^(?P<numeral>[IVX]+)[.\s]\s*(?P<title>.+)$")


class WorkbookError(ValueError):
    """The file cannot be read safely or is not the expected workbook; nothing was written."""


def check_archive(data: bytes, *, name: str = "tệp") -> zipfile.ZipFile:
    """The .xlsx as a zip whose every member was checked, from the directory alone, before any is decompressed:
    the file's size, the number of members, and each member's and the whole's decompressed size and ratio.

    zipfile never returns more than a member's declared size (a member that lies fails its CRC), so the declared
    sizes checked here bound what any later read can cost.
    """
    limit = settings.PORTFOLIO_XLSX_MAX_BYTES
    if len(data) > limit:
        raise WorkbookError(f"{name}: dung lượng {len(data) / 1048576:.1f} MB vượt giới hạn {limit / 1048576:.0f} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise WorkbookError(f"{name}: không phải tệp Excel .xlsx.") from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(f"{name}: có {len(entries)} thành phần, quá nhiều cho một bảng tính.")
    bomb = WorkbookError(f"{name}: nội dung giải nén quá lớn, có thể là tệp độc hại; không mở.")
    for entry in entries:
        if entry.file_size > MAX_UNCOMPRESSED or entry.file_size > MAX_MEMBER_FLOOR and entry.file_size / (entry.compress_size or 1) > MAX_RATIO:
            raise bomb
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise bomb
    if "[Content_Types].xml" not in archive.namelist() or not any(n.startswith("xl/") for n in archive.namelist()):
        raise WorkbookError(f"{name}: không phải tệp Excel .xlsx.")
    for entry in entries:
        # Spreadsheets never declare a DTD: one that does is refused whichever XML parser openpyxl finds installed
        # (defusedxml raises; lxml, which python-docx brings, would silently skip the entities instead).
        if entry.filename.endswith((".xml", ".rels", ".vml")):
            try:
                with archive.open(entry) as member:
                    head = member.read(4096)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
                raise WorkbookError(f"{name}: không đọc được bảng tính (cấu trúc không hợp lệ).") from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise WorkbookError(f"{name}: không đọc được bảng tính (có khai báo thực thể XML (có thể là tệp độc hại)).")
    return archive


def is_programme_workbook(data: bytes) -> bool:
    """Whether a checked .xlsx is a programme workbook (it has the "Danh mục" sheet); False for anything unreadable."""
    try:
        archive = check_archive(data)
        return CATALOGUE_SHEET.encode() in archive.read("xl/workbook.xml")
    except (WorkbookError, KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return False


def open_workbook(data: bytes, *, name: str = "tệp", read_only: bool = False):
    """Open an .xlsx only after check_archive; read-only: a CheckedWorkbook read by python-calamine."""
    archive = check_archive(data, name=name)
    if read_only:
        return CheckedWorkbook(data, archive, name=name)
    try:
        # Without lxml openpyxl parses with defusedxml, which refuses entities; with lxml (python-docx brings it) it
        # only leaves them unresolved, so a DTD is refused above, whichever parser openpyxl picked.
        return load_workbook(io.BytesIO(data), data_only=False, read_only=read_only)
    except Exception as error:  # openpyxl raises many kinds; all mean the same thing to the user
        chain = f"{type(error).__name__} {error} {error.__context__!r}"
        reason = "có khai báo thực thể XML (có thể là tệp độc hại)" if "Entit" in chain or "DTD" in chain else "cấu trúc không hợp lệ"
        raise WorkbookError(f"{name}: không đọc được bảng tính ({reason}).") from None


ACCEPTED_SOURCES = "phụ lục dạng văn bản (.txt, mã UTF-8) hoặc bảng tính Excel .xlsx theo mẫu «Danh mục»"
XLSX, TEXT = "xlsx", "text"


def sniff_source(data: bytes) -> tuple[str, str]:
    """What a file is, from its content, never its name: (XLSX or TEXT, "") or ("", what it is in words)."""
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            mimetype = ""
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # a few bytes: never the whole member, which could be a bomb
                    mimetype = member.read(200).decode("ascii", "replace")
        except (zipfile.BadZipFile, KeyError, OSError):
            return "", "tệp nén hỏng"
        if "opendocument.spreadsheet" in mimetype:
            return "", "bảng tính OpenDocument (.ods)"
        if "opendocument" in mimetype:
            return "", "tài liệu OpenDocument (.odt, .odp…)"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return XLSX, ""
        if any(n.startswith("word/") for n in names):
            return "", "văn bản Word (.docx)"
        return "", "tệp nén (.zip)"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "", "tệp Office đời cũ (.xls hoặc .doc)"
    if data.startswith(b"%PDF-"):
        return "", "tệp PDF"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "", "tệp nhị phân hoặc văn bản không phải mã UTF-8"
    if "\x00" in text:
        return "", "tệp nhị phân"
    return TEXT, ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_cell(str(value))


def read_programme_workbook(data: bytes, *, name: str = "tệp") -> ParsedAppendix:
    """The "Danh mục" sheet of a programme workbook (the layout the meeting report writes) as parsed rows."""
    workbook = open_workbook(data, name=name)
    if CATALOGUE_SHEET not in workbook.sheetnames:
        raise WorkbookError(f"{name}: không có trang «{CATALOGUE_SHEET}».")
    sheet = workbook[CATALOGUE_SHEET]
    header_row = None
    parsed = ParsedAppendix()
    for row in sheet.iter_rows():
        values = [cell.value for cell in row]
        number = row[0].row
        if header_row is None:
            if [_text(v).upper() for v in values[: len(APPENDIX_HEADERS)]] == list(APPENDIX_HEADERS):
                header_row = number
            continue
        first = _text(values[0] if values else None)
        if not any(_text(v) for v in values):
            continue
        for cell in row[: len(APPENDIX_HEADERS)]:
            if isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type == "f":
                raise SourceError(number, f"ô {cell.coordinate} chứa công thức; chỉ nhận giá trị")
        section = SECTION_RE.match(first)
        if section and not first.isdigit():
            parsed.add_section(numeral=section["numeral"], title=clean_cell(section["title"]), line=number)
            continue
        if not first.isdigit():
            raise SourceError(number, f"cột A phải là số thứ tự, gặp «{first[:40]}»")
        cells = [_text(v) for v in values[1 : len(APPENDIX_HEADERS)]]
        cells += [""] * (len(APPENDIX_HEADERS) - 1 - len(cells))
        parsed.add_row(number=int(first), cells=cells, line=number)
    if header_row is None:
        raise WorkbookError(f"{name}: không thấy dòng tiêu đề {' | '.join(APPENDIX_HEADERS)} ở trang «{CATALOGUE_SHEET}».")
    if not parsed.rows:
        raise WorkbookError(f"{name}: trang «{CATALOGUE_SHEET}» không có nhiệm vụ nào.")
    return parsed


MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell [^>]*ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def merged_cells(workbook, sheet) -> set[tuple[int, int]]:
    """(row, column) of every merged cell of a read-only sheet (openpyxl's read-only mode does not read them)."""
    if isinstance(sheet, CheckedSheet):
        return sheet.merged
    return _merged_in(workbook._archive.read(sheet._worksheet_path))


def _merged_in(xml: bytes) -> set[tuple[int, int]]:
    from openpyxl.worksheet.cell_range import CellRange

    cells = set()
    for ref in MERGE_RE.findall(xml):
        box = CellRange(ref.decode())
        cells.update((r, c) for r in range(box.min_row, box.max_row + 1) for c in range(box.min_col, box.max_col + 1))
    return cells


FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: its XML part in the archive}, from xl/workbook.xml and its relationships."""
    from defusedxml.ElementTree import fromstring

    targets = {}
    for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    sheets = fromstring(archive.read("xl/workbook.xml")).iter(f"{MAIN_NS}sheet")
    return {sheet.get("name"): targets.get(sheet.get(f"{REL_NS}id"), "") for sheet in sheets}


def sheet_checks(archive: zipfile.ZipFile, sheet_name: str, part: str | None = None) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    """({(row, column): "=formula"} of every formula cell, {(row, column)} of every merged cell) of one sheet, from its XML.

    A sheet without any <f> element (every workbook the application writes) costs one regular-expression scan; one
    with formulas is walked by defusedxml's streaming parser to find which cells hold them.
    """
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    part = part or sheet_parts(archive)[sheet_name]
    xml = archive.read(part)
    formulas = {}
    if FORMULA_RE.search(xml):
        for _event, element in iterparse(io.BytesIO(xml)):
            if element.tag == f"{MAIN_NS}c":
                formula = element.find(f"{MAIN_NS}f")
                if formula is not None:
                    column, row = coordinate_from_string(element.get("r"))
                    formulas[(row, column_index_from_string(column))] = "=" + (formula.text or "")
                element.clear()
    return formulas, _merged_in(xml)


class CheckedCell:
    """The part of openpyxl's ReadOnlyCell the readers use: value, data_type ("f" for a formula), row, column, coordinate."""

    __slots__ = ("value", "data_type", "row", "column")

    def __init__(self, value, data_type, row, column):
        self.value, self.data_type, self.row, self.column = value, data_type, row, column

    @property
    def coordinate(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.column)}{self.row}"


def _as_openpyxl(value):
    """A calamine value as openpyxl's read-only mode yields it: empty is None, whole numbers int, dates datetime."""
    kind = type(value)  # by exact type, the commonest first: a sheet of ten thousand rows has 120,000 cells
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() else value
    if value is None:
        return None
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


class CheckedSheet:
    """One sheet read by python-calamine, its rows iterated as openpyxl's read-only sheet iterates them."""

    def __init__(self, workbook: "CheckedWorkbook", name: str):
        self._workbook, self.title = workbook, name
        self._rows = None
        self.formulas, self.merged = sheet_checks(workbook.archive, name, workbook.parts.get(name))

    def _grid(self) -> list[list]:
        if self._rows is None:
            raw = self._workbook.calamine.get_sheet_by_name(self.title).to_python(skip_empty_area=False)
            self._rows = [[_as_openpyxl(v) for v in row] for row in raw]
            for (row, column), formula in self.formulas.items():  # openpyxl (data_only=False) yields the formula, not its cached value
                if row <= len(self._rows):
                    cells = self._rows[row - 1]
                    cells.extend([None] * (column - len(cells)))
                    cells[column - 1] = formula
        return self._rows

    @property
    def max_row(self) -> int:
        return len(self._grid())

    @property
    def max_column(self) -> int:
        return max((len(r) for r in self._grid()), default=0)

    def iter_rows(self, min_row=1, max_row=None, min_col=1, max_col=None, values_only=False):
        grid = self._grid()
        max_col = max_col or self.max_column
        for number in range(min_row, (max_row or len(grid)) + 1):
            cells = grid[number - 1] if number <= len(grid) else []
            values = cells[min_col - 1 : max_col] + [None] * (max_col - min_col + 1 - len(cells[min_col - 1 : max_col]))
            if values_only:
                yield tuple(values)
            else:
                yield tuple(
                    CheckedCell(value, "f" if (number, column) in self.formulas else ("n" if value is None else "s"), number, column)
                    for column, value in enumerate(values, start=min_col)
                )


class CheckedWorkbook:
    """A checked .xlsx read by python-calamine behind the part of openpyxl's read-only Workbook the readers use."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, *, name: str = "tệp"):
        from python_calamine import CalamineWorkbook

        self.archive, self.name = archive, name
        try:
            self.parts = sheet_parts(archive)
            self.calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception:  # a malformed part: every reader raises its own kind; all mean the same thing to the user
            raise WorkbookError(f"{name}: không đọc được bảng tính (cấu trúc không hợp lệ).") from None
        self.sheetnames = list(self.calamine.sheet_names)
        self._sheets = {}

    def __getitem__(self, name: str) -> CheckedSheet:
        if name not in self._sheets:
            try:
                self._sheets[name] = CheckedSheet(self, name)
            except (KeyError, ValueError, SyntaxError, OSError, zipfile.BadZipFile) as error:
                if isinstance(error, KeyError) and name not in self.sheetnames:
                    raise
                raise WorkbookError(f"{self.name}: không đọc được bảng tính (cấu trúc không hợp lệ).") from None
        return self._sheets[name]

    def __contains__(self, name: str) -> bool:
        return name in self.sheetnames

    def close(self) -> None:
        self.calamine.close()
        self.archive.close()
