"""Workbooks in: checked before openpyxl opens them, then read into plain rows (openpyxl only)."""

from __future__ import annotations

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
    """Open an .xlsx only after check_archive."""
    check_archive(data, name=name)
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
    from openpyxl.worksheet.cell_range import CellRange

    xml = workbook._archive.read(sheet._worksheet_path)
    cells = set()
    for ref in MERGE_RE.findall(xml):
        box = CellRange(ref.decode())
        cells.update((r, c) for r in range(box.min_row, box.max_row + 1) for c in range(box.min_col, box.max_col + 1))
    return cells
