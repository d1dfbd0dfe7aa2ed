"""Workbooks in: checked before openpyxl opens them, then read into plain rows (openpyxl only)."""

from __future__ import annotations

import io
import re
import zipfile

from django.conf import settings
from openpyxl import load_workbook

from ..seedparse import ParsedAppendix, ParsedRow, ParsedSection, SourceError, clean_cell
from .columns import APPENDIX_HEADERS, CATALOGUE_SHEET

MAX_ENTRIES = 500
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
SECTION_RE = re.compile(r"^(?P<numeral>[IVX]+)[.\s]\s*(?P<title>.+)$")


class WorkbookError(ValueError):
    """The file cannot be read safely or is not the expected workbook; nothing was written."""


def open_workbook(data: bytes, *, name: str = "tệp", read_only: bool = False):
    """Open an .xlsx only after checking its size, that it is a zip, and its entry count and decompressed size."""
    limit = settings.PORTFOLIO_XLSX_MAX_BYTES
    if len(data) > limit:
        raise WorkbookError(f"{name}: dung lượng {len(data) / 1048576:.1f} MB vượt giới hạn {limit / 1048576:.0f} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise WorkbookError(f"{name}: không phải tệp Excel .xlsx.") from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(f"{name}: có {len(entries)} thành phần, quá nhiều cho một bảng tính.")
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise WorkbookError(f"{name}: nội dung giải nén quá lớn ({total / 1048576:.0f} MB), có thể là tệp độc hại; không mở.")
    if "[Content_Types].xml" not in archive.namelist() or not any(n.startswith("xl/") for n in archive.namelist()):
        raise WorkbookError(f"{name}: không phải tệp Excel .xlsx.")
    if any(_declares_doctype(archive, entry) for entry in entries):
        raise WorkbookError(f"{name}: không đọc được bảng tính (có khai báo thực thể XML (có thể là tệp độc hại)).")
    try:
        # Without lxml openpyxl parses with defusedxml, which refuses entities; with lxml (python-docx brings it) it
        # only leaves them unresolved, so a DTD is refused above, whichever parser openpyxl picked.
        return load_workbook(io.BytesIO(data), data_only=False, read_only=read_only)
    except Exception as error:  # openpyxl raises many kinds; all mean the same thing to the user
        chain = f"{type(error).__name__} {error} {error.__context__!r}"
        reason = "có khai báo thực thể XML (có thể là tệp độc hại)" if "Entit" in chain or "DTD" in chain else "cấu trúc không hợp lệ"
        raise WorkbookError(f"{name}: không đọc được bảng tính ({reason}).") from None


def _declares_doctype(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """Whether an XML part of the workbook opens with a DTD (where entities are declared); Excel never writes one."""
    if not entry.filename.endswith((".xml", ".rels", ".vml")):
        return False
    with archive.open(entry) as part:
        head = part.read(4096)
    return b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper()


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
            parsed.sections.append(ParsedSection(section["numeral"], clean_cell(section["title"]), number))
            continue
        if not first.isdigit():
            raise SourceError(number, f"cột A phải là số thứ tự, gặp «{first[:40]}»")
        if not parsed.sections:
            raise SourceError(number, "nhiệm vụ nằm trước dòng mục đầu tiên (I, II, ...)")
        expected = parsed.rows[-1].number + 1 if parsed.rows else 1
        if int(first) != expected:
            raise SourceError(number, f"số thứ tự {first} không liền mạch, cần {expected}")
        cells = [_text(v) for v in values[1 : len(APPENDIX_HEADERS)]]
        if not cells[0] or not cells[1]:
            raise SourceError(number, "thiếu tên nhiệm vụ (cột B) hoặc cơ quan chủ trì (cột C)")
        parsed.rows.append(ParsedRow(int(first), parsed.sections[-1].numeral, *cells, line=number))
    if header_row is None:
        raise WorkbookError(f"{name}: không thấy dòng tiêu đề {' | '.join(APPENDIX_HEADERS)} ở trang «{CATALOGUE_SHEET}».")
    if not parsed.rows:
        raise WorkbookError(f"{name}: trang «{CATALOGUE_SHEET}» không có nhiệm vụ nào.")
    return parsed


MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell [^>]*ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def merged_cells(workbook, sheet) -> set[tuple[int, int]]:
    """(row, column) of every merged cell of a read-only sheet (openpyxl's read-only mode does not read them)."""
    from openpyxl.worksheet.cell_range import CellRange

    xml = workbook._archive.read(sheet._worksheet_path)
    cells = set()
    for ref in MERGE_RE.findall(xml):
        box = CellRange(ref.decode())
        cells.update((r, c) for r in range(box.min_row, box.max_row + 1) for c in range(box.min_col, box.max_col + 1))
    return cells
