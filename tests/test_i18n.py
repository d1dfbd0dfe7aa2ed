import gettext
import re

import pytest
from django.contrib.auth import get_user_model

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
