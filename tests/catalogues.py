"""The message catalogues: what Django and the libraries ship, and our Vietnamese for what they leave in English."""

import re
from pathlib import Path

import django
from django.conf import global_settings

from .conftest import ROOT

VI = ROOT / "portfolio" / "locale" / "vi" / "LC_MESSAGES"
PACKAGES = Path(django.__file__).parent.parent
# (locale folder, domain): the catalogues whose messages reach a page, an e-mail or an error message
CATALOGUES = [
    ("django/contrib/admin/locale", "django"), ("django/contrib/admin/locale", "djangojs"), ("django/contrib/auth/locale", "django"),
    ("django/contrib/contenttypes/locale", "django"), ("django/contrib/sessions/locale", "django"), ("django/conf/locale", "django"),
    ("django/contrib/humanize/locale", "django"), ("django_tables2/locale", "django"),
]
NOT_SHOWN = {  # Django's start page (a project without URLs) and the names of the languages Django knows
    "The install worked successfully! Congratulations!", "Django Documentation", "Topics, references, &amp; how-to’s",
    "Tutorial: A Polling App", "Get started with Django", "Django Community", "Connect, get help, or contribute",
} | {name for _code, name in global_settings.LANGUAGES}


def shown(msgid: str) -> bool:
    """Whether a user of this site can meet the message (not the start page, its links to the Django site, a language name)."""
    return msgid not in NOT_SHOWN and "docs.djangoproject.com" not in msgid


def po_messages(path: Path) -> list[tuple[str | None, str, str | None]]:
    """(context, msgid, msgid_plural) of every message of a .po file, the header left out."""
    def text(chunk):
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), "".join(re.findall(r'"(.*)"', chunk))) if chunk else None

    found = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'(?:^|\n)(?:msgctxt ((?:".*"\n?)+?)\n)?msgid ((?:".*"\n?)+?)(?:\nmsgid_plural ((?:".*"\n?)+?))?\nmsgstr', block)
        if match and text(match[2]):
            found.append((text(match[1]), text(match[2]), text(match[3])))
    return found


def english_words() -> set[str]:
    """The English words (4 letters or more, lower case) of every message a page of ours can show untranslated.

    Taken from the catalogues themselves (Django's English ones, and the library messages of our Vietnamese one), so a
    message a library adds later is caught too. Acronyms (HTTP, POST, JSON) are left out: Vietnamese writes them alike.
    Shorter words are left out too: they are Vietnamese syllables as well ("thu", "con", "ban").
    """
    messages = [m for folder, domain in CATALOGUES for m in po_messages(PACKAGES / folder / "en" / "LC_MESSAGES" / f"{domain}.po")]
    messages += po_messages(VI / "django.po")
    words = {word for _context, msgid, plural in messages if shown(msgid) for word in re.findall(r"[A-Za-z]{4,}", f"{msgid} {plural or ''}")}
    return {word.lower() for word in words if not word.isupper()}
