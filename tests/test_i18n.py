import gettext
import json
import re

import pytest
from django.contrib.auth import get_user_model

from .catalogues import CATALOGUES, PACKAGES, VI, po_messages, shown
from .conftest import ROOT

PO = ROOT / "portfolio" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries():
    text = PO.read_text(encoding="utf-8")
    singles = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text)
    join = lambda chunk: "".join(re.findall(r'"(.*)"', chunk)).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")  # noqa: E731
    return {join(i): join(s) for i, s in singles if join(i)}


def test_english_catalogue_translates_every_message():
    entries = po_entries()
    assert entries and all(entries.values()), [k for k, v in entries.items() if not v]
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_english_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in po_entries().items():
        assert compiled.gettext(msgid) == msgstr, f"{msgid!r}: run manage.py compilemessages -l en"


@pytest.mark.django_db
def test_user_can_switch_to_english_and_back(client, programme):
    client.force_login(get_user_model().objects.create_user("vanphong", password="mat-khau-du-dai-12", is_superuser=True))
    assert "Danh sách nhiệm vụ" in client.get("/tasks/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/tasks/"})
    page = client.get("/tasks/").content.decode()
    assert "Export to Excel (.xlsx)" in page and "252 tasks match" in page
    assert 'lang="en"' in page
    client.post("/i18n/setlang/", {"language": "vi", "next": "/tasks/"})
    assert "Xuất Excel (.xlsx)" in client.get("/tasks/").content.decode()


# ---- Vietnamese for what Django and the libraries leave in English ---------------------------------------------------

SAME_IN_VIETNAMESE = {"%(size)d byte"}  # words Vietnamese writes as English does; symbols and placeholders need no entry


def has_words(msgid: str) -> bool:
    """Whether a message holds words to translate, once its placeholders (%(name)s, %s, {name}) are taken out."""
    return bool(re.search("[a-z]{2}", re.sub(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}", "", msgid)))


def catalogue_key(context, msgid, plural):
    """How a compiled catalogue (gettext.GNUTranslations._catalog) keys a message."""
    key = f"{context}\x04{msgid}" if context else msgid
    return (key, 0) if plural else key


@pytest.mark.parametrize("folder,domain", CATALOGUES)
def test_vietnamese_catalogue_supplies_every_message_django_leaves_in_english(folder, domain):
    """Django's own Vietnamese lacks newer messages ("Show counts", "Please correct the errors below."...): ours has them."""
    shipped = PACKAGES / folder / "vi" / "LC_MESSAGES" / f"{domain}.mo"
    theirs = gettext.GNUTranslations(shipped.open("rb"))._catalog if shipped.exists() else {}
    with (VI / f"{domain}.mo").open("rb") as handle:
        ours = gettext.GNUTranslations(handle)._catalog
    untranslated = [
        (context, msgid) for context, msgid, plural in po_messages(PACKAGES / folder / "en" / "LC_MESSAGES" / f"{domain}.po")
        if shown(msgid) and theirs.get(catalogue_key(context, msgid, plural)) in (None, "", msgid)
        and not ours.get(catalogue_key(context, msgid, plural))
    ]
    assert not untranslated, f"add to portfolio/locale/vi/LC_MESSAGES/{domain}.po and compile: {untranslated}"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_vietnamese_catalogue_matches_the_po_file(domain):
    with (VI / f"{domain}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    messages = po_messages(VI / f"{domain}.po")
    assert messages and "#, fuzzy" not in (VI / f"{domain}.po").read_text(encoding="utf-8")
    for context, msgid, plural in messages:
        translated = compiled.npgettext(context, msgid, plural, 1) if context and plural else compiled.pgettext(context, msgid) if context \
            else compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)
        assert translated and (translated != msgid or not has_words(msgid) or msgid in SAME_IN_VIETNAMESE), \
            f"{msgid!r}: untranslated in {domain}.po, or run manage.py compilemessages -l vi"


@pytest.mark.django_db
def test_admin_javascript_speaks_vietnamese(client):
    client.force_login(get_user_model().objects.create_user("vanphong", password="mat-khau-du-dai-12", is_staff=True, is_superuser=True))
    catalogue = client.get("/admin/jsi18n/").content.decode()
    for text in ("Chọn tất cả %s", "Thứ hai"):  # the catalogue is JSON, non-ASCII letters escaped
        assert json.dumps(text) in catalogue
