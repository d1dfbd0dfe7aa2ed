"""The programme appendix, as text extracted from the PDF, -> rows.

Pure functions, no Django. The parser is strict: a line it cannot place, a
row with the wrong number of cells or a gap in the numbering raises
``SourceError`` naming the line, so a partly read source is never loaded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

APPENDIX_START = "**DANH MỤC CÁC NHIỆM VỤ, ĐỀ ÁN"
APPENDIX_END = "Ghi chú:"
CELLS_PER_ROW = 6

ROLE_LEAD = "lead"
ROLE_ADVISING_LEAD = "advising_lead"
ROLE_IMPLEMENTING_LEAD = "implementing_lead"
ROLE_IMPLEMENTING = "implementing"
ROLE_COORDINATING = "coordinating"

# Labels inside the coordinating cell; longest first so "chủ trì tham mưu" wins over "chủ trì".
ROLE_LABELS: tuple[tuple[str, str], ...] = (
    (r"(?:các\s+)?cơ quan chủ trì tham mưu", ROLE_ADVISING_LEAD),
    (r"(?:các\s+)?cơ quan chủ trì", ROLE_IMPLEMENTING_LEAD),
    (r"(?:các\s+)?cơ quan thực hiện", ROLE_IMPLEMENTING),
    (r"(?:các\s+)?cơ quan phối hợp", ROLE_COORDINATING),
)
LABEL_RE = re.compile(
    r"^(?P<label>" + "|".join(p for p, _ in ROLE_LABELS) + r")\s*:\s*(?P<rest>.*)$", re.IGNORECASE
)
ROMAN_RE = re.compile(r"^(?P<numeral>[IVX]+)(?:[.\s]\s*(?P<title>.*))?$")


class SourceError(ValueError):
    """The source cannot be read fully; ``line`` is 1-based in the source file."""

    def __init__(self, line: int, message: str):
        super().__init__(f"Dòng {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ParsedSection:
    numeral: str
    title: str
    line: int


@dataclass(frozen=True)
class ParsedRole:
    """One body named in a cell, with the role the cell gives it."""

    name: str
    role: str


@dataclass(frozen=True)
class ParsedRow:
    number: int
    section: str
    title: str
    lead_text: str
    partners_text: str
    deadline_text: str
    funding_text: str
    line: int


# The cells of a row after TT, with the name an error gives each; the first two must not be empty.
ROW_CELLS = ("nhiệm vụ", "cơ quan chủ trì", "cơ quan phối hợp", "thời hạn", "nguồn lực")
REQUIRED_CELLS = ROW_CELLS[:2]


@dataclass
class ParsedAppendix:
    """The appendix as read. Its rules (sections once, with a title; numbering 1, 2, 3... without gaps; a task inside a
    section; a title and a lead) are these two methods, whatever the source: the text parser and the workbook reader
    both build it through them."""

    sections: list[ParsedSection] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)

    def add_section(self, *, numeral: str, title: str, line: int) -> ParsedSection:
        if not title:
            raise SourceError(line, f"mục {numeral} không có tiêu đề")
        if any(s.numeral == numeral for s in self.sections):
            raise SourceError(line, f"mục {numeral} xuất hiện hai lần")
        section = ParsedSection(numeral, title, line)
        self.sections.append(section)
        return section

    def add_row(self, *, number: int, cells: list[str], line: int) -> ParsedRow:
        """``cells``: the five cells after TT, cleaned (ROW_CELLS)."""
        expected = self.rows[-1].number + 1 if self.rows else 1
        if number != expected:
            raise SourceError(line, f"số thứ tự {number} không liền mạch, cần {expected}")
        if not self.sections:
            raise SourceError(line, f"nhiệm vụ {number} nằm trước mục đầu tiên (I, II, ...)")
        for name, value in zip(ROW_CELLS, cells):
            if not value and name in REQUIRED_CELLS:
                raise SourceError(line, f"nhiệm vụ {number}: ô «{name}» trống")
        row = ParsedRow(number, self.sections[-1].numeral, *cells, line=line)
        self.rows.append(row)
        return row


def clean_cell(value: str) -> str:
    """Remove leftover HTML markup and collapse whitespace, keeping the words exactly."""
    value = re.sub(r"<[^>]*>", " ", value)
    value = html.unescape(value)
    value = unicodedata.normalize("NFC", value)
    return re.sub(r"\s+", " ", value).strip()


def _is_header(cells: list[str]) -> bool:
    return cells[0].strip().upper() == "TT" and "NHIỆM VỤ" in cells[1].upper()


def parse_appendix(text: str) -> ParsedAppendix:
    """Read every row of the appendix; raise SourceError on anything it cannot place."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith(APPENDIX_START)), None)
    if start is None:
        raise SourceError(1, f"không tìm thấy dòng mở đầu phụ lục «{APPENDIX_START}»")
    parsed = ParsedAppendix()
    in_table = False
    for index in range(start + 1, len(lines)):
        lineno = index + 1
        raw = lines[index]
        if raw.strip().startswith(APPENDIX_END):
            break
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if _is_header(cells):
            in_table = True
            continue
        if not in_table:
            continue  # the appendix title and notes before the first header row
        first = clean_cell(cells[0])
        if first.isdigit():
            _row(cells, lineno, parsed)
            continue
        section = ROMAN_RE.match(first)
        if section:
            _section(section, cells, lineno, parsed)
            continue
        raise SourceError(lineno, f"không nhận dạng được dòng «{clean_cell(raw)[:80]}»")
    else:
        raise SourceError(len(lines), f"không tìm thấy dòng kết thúc phụ lục «{APPENDIX_END}»")
    if not parsed.rows:
        raise SourceError(start + 1, "phụ lục không có nhiệm vụ nào")
    return parsed


def _section(match: re.Match, cells: list[str], lineno: int, parsed: ParsedAppendix) -> ParsedSection:
    numeral = match["numeral"]
    rest = [clean_cell(c) for c in cells[1:]]
    title = clean_cell(match["title"] or "") or (rest.pop(0) if rest else "")
    if title and any(rest):
        raise SourceError(lineno, f"dòng tiêu đề mục {numeral} có ô thừa")
    return parsed.add_section(numeral=numeral, title=title, line=lineno)


def _row(cells: list[str], lineno: int, parsed: ParsedAppendix) -> ParsedRow:
    if len(cells) != CELLS_PER_ROW:
        raise SourceError(lineno, f"dòng có {len(cells)} ô, cần đúng {CELLS_PER_ROW} ô (phân cách bằng tab)")
    return parsed.add_row(number=int(clean_cell(cells[0])), cells=[clean_cell(c) for c in cells[1:]], line=lineno)


def split_roles(partners_text: str, known: set[str] | None = None, normalise=lambda s: s) -> list[ParsedRole]:
    """Split a coordinating cell into (body, role) pairs.

    The cell reads like "- Cơ quan chủ trì tham mưu: A. - Các cơ quan phối hợp: B; C".
    Segments start with a dash followed by a capital; an unlabelled segment is
    coordinating. Bodies are separated by ";" and, where every part is a known
    body, by "," (names such as "Các cơ quan chuyên trách tham mưu, giúp việc
    Thành ủy" contain commas themselves).
    """
    known = known or set()
    text = clean_cell(partners_text)
    segments: list[str] = []
    for piece in re.split(r"(?:^|\s)-\s+", text):
        # "chính trị - xã hội" is part of a name: only a dash before a capital starts a segment.
        if segments and piece[:1].islower():
            segments[-1] += " - " + piece
        elif piece.strip():
            segments.append(piece)
    result: list[ParsedRole] = []
    for segment in segments:
        segment = segment.strip().strip(".").strip()
        role = ROLE_COORDINATING
        match = LABEL_RE.match(segment)
        if match:
            label = match["label"].lower()
            role = next(r for p, r in ROLE_LABELS if re.fullmatch(p, label, re.IGNORECASE))
            segment = match["rest"]
        for name in _split_names(segment, known, normalise):
            pair = ParsedRole(name=name, role=role)
            if pair not in result:
                result.append(pair)
    return result


def _split_names(segment: str, known: set[str], normalise) -> list[str]:
    names: list[str] = []
    for piece in segment.split(";"):
        piece = piece.strip().strip(".").strip()
        if not piece:
            continue
        parts = [p.strip().strip(".").strip() for p in piece.split(",")]
        if normalise(piece) not in known and len(parts) > 1 and all(normalise(p) in known for p in parts):
            names.extend(parts)
        else:
            names.append(piece)
    return names


# ---- the Resolution's specific targets (section 2.3 "Chỉ tiêu cụ thể") --------

TARGETS_START = "2.3. Chỉ tiêu cụ thể"
TARGETS_END_RE = re.compile(r"^2\.4\.")
TARGET_RE = re.compile(r"^\((?P<number>\d+)\)\s+(?P<text>.+)$")
TARGET_GROUP_RE = re.compile(r"^-\s+(?P<heading>Chỉ tiêu về .+)$")
TARGET_COUNT = 28


@dataclass(frozen=True)
class ParsedTarget:
    """A numbered target with its group heading and its text exactly as written (its bullet lines kept, one a line)."""

    number: int
    group: str
    text: str
    line: int


def parse_targets(text: str) -> list[ParsedTarget]:
    """The targets (1)..(28) of section 2.3; [] when the source has no such section, SourceError when it is garbled."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == TARGETS_START), None)
    if start is None:
        return []
    targets: list[dict] = []
    group = ""
    for index in range(start + 1, len(lines)):
        lineno, raw = index + 1, clean_cell(lines[index])
        if TARGETS_END_RE.match(raw):
            break
        if not raw:
            continue
        heading = TARGET_GROUP_RE.match(raw)
        numbered = TARGET_RE.match(raw)
        if heading:
            group = heading["heading"]
        elif numbered:
            number = int(numbered["number"])
            expected = targets[-1]["number"] + 1 if targets else 1
            if number != expected:
                raise SourceError(lineno, f"chỉ tiêu ({number}) không liền mạch, cần ({expected})")
            if not group:
                raise SourceError(lineno, f"chỉ tiêu ({number}) nằm trước nhóm chỉ tiêu đầu tiên")
            targets.append({"number": number, "group": group, "text": numbered["text"], "line": lineno})
        elif targets and raw.startswith("- "):
            targets[-1]["text"] += "\n" + raw  # a bullet of the target above, as in (6)
        else:
            raise SourceError(lineno, f"không nhận dạng được dòng chỉ tiêu «{raw[:80]}»")
    else:
        raise SourceError(len(lines), "không tìm thấy mục «2.4.» kết thúc phần chỉ tiêu cụ thể")
    if len(targets) != TARGET_COUNT:
        raise SourceError(start + 1, f"phần chỉ tiêu cụ thể có {len(targets)} chỉ tiêu, cần {TARGET_COUNT}")
    return [ParsedTarget(**t) for t in targets]
