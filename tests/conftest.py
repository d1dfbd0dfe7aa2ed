from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "001_b50851294415a046.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def programme(db):
    """The real programme, loaded by the real import command."""
    call_command("import_programme", str(SEED), stdout=open("/dev/null", "w"))
    from portfolio.models import Programme

    return Programme.objects.get(code="02-CTr/TU")
