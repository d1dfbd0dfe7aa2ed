"""Known bodies, funding categories and task kinds: how names as written map to real things.

Pure data and functions, no Django. The import service seeds agencies from
AGENCIES and resolves every name through the aliases stored in the database,
so the Office can add an alias by hand and the next import uses it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .choices import AgencyKind, FundingCategory, TaskKind


def name_key(name: str) -> str:
    """Comparison key for a name: NFC, case-folded, whitespace collapsed, trailing dots dropped."""
    name = unicodedata.normalize("NFC", name or "")
    return re.sub(r"\s+", " ", name).strip().rstrip(".").strip().casefold()


def ascii_fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics ("Đường tỉnh" -> "duong tinh"), for search."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class KnownAgency:
    name: str
    kind: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()


STEERING_05 = (
    "Ban Chỉ đạo thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị khóa XII về "
    "“Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”"
)

AGENCIES: tuple[KnownAgency, ...] = (
    KnownAgency("Ban Chấp hành Đảng bộ thành phố", AgencyKind.PARTY),
    KnownAgency("Ban Thường vụ Thành ủy", AgencyKind.PARTY, "Ban Chấp hành Đảng bộ thành phố"),
    KnownAgency("Ban Chỉ đạo 35 Thành ủy", AgencyKind.PARTY, "Ban Thường vụ Thành ủy", ("Ban Chi đạo 35 Thành ủy",)),
    KnownAgency(STEERING_05, AgencyKind.PARTY, "Ban Thường vụ Thành ủy", (STEERING_05.replace("Chỉ đạo", "Chi đạo"),)),
    KnownAgency("Văn phòng Thành ủy", AgencyKind.PARTY, "Ban Thường vụ Thành ủy"),
    KnownAgency("Ban Tổ chức Thành ủy", AgencyKind.PARTY, "Ban Thường vụ Thành ủy", ("Tổ chức Thành ủy",)),
    KnownAgency("Ban Tuyên giáo và Dân vận Thành ủy", AgencyKind.PARTY, "Ban Thường vụ Thành ủy"),
    KnownAgency("Ban Nội chính Thành ủy", AgencyKind.PARTY, "Ban Thường vụ Thành ủy"),
    KnownAgency("Ủy ban Kiểm tra Thành ủy", AgencyKind.PARTY, "Ban Thường vụ Thành ủy"),
    KnownAgency("Trường Chính trị thành phố", AgencyKind.PARTY, "Ban Thường vụ Thành ủy"),
    KnownAgency("Đảng ủy UBND thành phố", AgencyKind.PARTY, "Ban Thường vụ Thành ủy", ("Đảng ủy Ủy ban nhân dân thành phố",)),
    KnownAgency("Đảng ủy Ủy ban MTTQ Việt Nam thành phố", AgencyKind.PARTY, "Ban Thường vụ Thành ủy"),
    KnownAgency("UBND thành phố", AgencyKind.GOVERNMENT, None, ("Ủy ban nhân dân thành phố",)),
    KnownAgency("Các đảng ủy trực thuộc Thành ủy", AgencyKind.GROUP, "Ban Thường vụ Thành ủy"),
    KnownAgency("Các cơ quan chuyên trách tham mưu, giúp việc Thành ủy", AgencyKind.GROUP, "Ban Thường vụ Thành ủy"),
    KnownAgency(
        "Các cơ quan chuyên môn tham mưu, giúp việc UBND thành phố",
        AgencyKind.GROUP,
        "UBND thành phố",
        ("Các cơ quan chuyên môn, tham mưu giúp việc UBND thành phố",),
    ),
    KnownAgency("Các đảng ủy trực thuộc Đảng ủy UBND thành phố", AgencyKind.GROUP, "Đảng ủy UBND thành phố"),
    KnownAgency("Cơ quan Trung ương", AgencyKind.CENTRAL),
)


def guess_agency_kind(name: str) -> str:
    """Kind of a body the catalogue does not know yet, from how its name reads."""
    key = name_key(name)
    if "trung ương" in key:
        return AgencyKind.CENTRAL
    if key.startswith("các "):
        return AgencyKind.GROUP
    if key.startswith(("đảng ủy", "ban ", "thành ủy", "văn phòng thành ủy", "ủy ban kiểm tra")):
        return AgencyKind.PARTY
    return AgencyKind.GOVERNMENT


def funding_category(label: str) -> str:
    """Normalised category of a funding source as written."""
    key = name_key(label)
    if "viện trợ" in key or "oda" in key.split():
        return FundingCategory.ODA_GRANT
    if "ngoài ngân sách" in key:
        return FundingCategory.NON_BUDGET
    if "ngân sách" in key and "hợp pháp" in key:
        return FundingCategory.STATE_AND_OTHER
    if "ngân sách" in key:
        return FundingCategory.STATE_BUDGET
    return FundingCategory.OTHER


KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("nghị quyết", TaskKind.RESOLUTION),
    ("đề án", TaskKind.SCHEME),
    ("dự án", TaskKind.PROJECT),
    ("chương trình", TaskKind.PROGRAMME),
    ("kế hoạch", TaskKind.PLAN),
)


def task_kind(title: str) -> str:
    """Kind of task where its title says it ("Đề án ...", "Ban hành Chương trình ...")."""
    key = name_key(title)
    key = re.sub(r"^ban hành\s+", "", key)
    for prefix, kind in KIND_PREFIXES:
        if key.startswith(prefix + " ") or key == prefix:
            return kind
    return TaskKind.OTHER
