"""Vietnamese text for sorting and searching: alphabetical order as a dictionary sorts, and accent-free matching.

Pure functions, no Django. Python's (and the database's default) order compares code points, which puts
"Ban Tuyên giáo" before "Ban Tổ chức" and "Đảng ủy…" after "Văn phòng…". The key here compares base letters
first in the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), then tones.
"""

from __future__ import annotations

import re
import unicodedata

from .catalogue import ascii_fold

# The Vietnamese alphabet, with the Latin letters it lacks at their Latin places (foreign names: f, j, w, z).
ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ",
            "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
# Letters after the digits (10..19) and the word gap (01): two digits each, so the key sorts the same byte by byte
# and under any database collation.
_LETTER_CODE = {letter: f"{20 + i:02d}" for i, letter in enumerate(ALPHABET)}
_DIGIT_CODE = {str(d): f"{10 + d:02d}" for d in range(10)}
_GAP = "01"
_SEPARATOR = "00"  # between the letters and the tones: a shorter name sorts before a longer one that starts like it

# The marks that make a letter of its own (ă â ê ô ơ ư), and the five tones in dictionary order after the level tone.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_MODIFIED = {("a", "breve"): "ă", ("a", "circumflex"): "â", ("e", "circumflex"): "ê", ("o", "circumflex"): "ô",
             ("o", "horn"): "ơ", ("u", "horn"): "ư"}
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}  # huyền, hỏi, ngã, sắc, nặng

KEY_LENGTH = 250  # characters of a name the key covers; two names alike that far are ordered by the name itself


def _letters(text: str):
    """(base letter, tone digit) of each letter or digit of ``text``; a run of anything else is one word gap (None)."""
    gap = False
    for char in unicodedata.normalize("NFC", text).casefold():
        if char == "đ":
            base, marks = "đ", ""
        else:
            decomposed = unicodedata.normalize("NFD", char)
            base, marks = decomposed[0], decomposed[1:]
        if base not in _LETTER_CODE and base not in _DIGIT_CODE:
            gap = True
            continue
        if gap:
            yield None
            gap = False
        tone = "0"
        for mark in marks:
            if mark in _LETTER_MARKS:
                base = _MODIFIED.get((base, _LETTER_MARKS[mark]), base)
            elif mark in _TONES:
                tone = _TONES[mark]
        yield base, tone


def sort_key(text: str) -> str:
    """A key that sorts names in Vietnamese alphabetical order (Đ after D, "Tổ" before "Tuyên"), made of digits only."""
    letters = list(_letters((text or "").strip()[:KEY_LENGTH]))
    while letters and letters[-1] is None:
        letters.pop()
    primary = "".join(_GAP if item is None else _LETTER_CODE.get(item[0]) or _DIGIT_CODE[item[0]] for item in letters)
    tones = "".join(item[1] for item in letters if item is not None)
    return primary + _SEPARATOR + tones


def sorted_vietnamese(items, key=str):
    """``items`` in Vietnamese alphabetical order of ``key(item)`` (then by the text itself)."""
    return sorted(items, key=lambda item: (sort_key(key(item)), key(item)))


def fold(text: str) -> str:
    """Lower-case, without diacritics, spaces collapsed ("Sở Xây dựng" -> "so xay dung"): for matching what people type."""
    return re.sub(r"\s+", " ", ascii_fold(text)).strip()


def matches(term: str, *texts: str) -> bool:
    """Whether every word of ``term`` is found in one of ``texts``, accents and case aside."""
    haystack = " ".join(fold(t) for t in texts if t)
    return all(word in haystack for word in fold(term).split())
