import io
from pathlib import Path

import pytest
from django.core.management import call_command

from .browser import browser, page  # noqa: F401 (fixtures every test module may use)
from .helpers import ROOT, make_user
from .world import world  # noqa: F401 (fixture)
SEED = ROOT / "seeds" / "001_b50851294415a046.txt"
CODE = "02-CTr/TU"


def load_programme():
    call_command("import_programme", str(SEED), stdout=io.StringIO())


# The rows the session's import wrote, table by table, as the import wrote them: a transactional test (the browser's,
# the backup's) empties the database when it ends, and the next test's programme is written back from these in one
# statement per table instead of being imported again (4 s a test).
IMPORTED: dict = {}


def _counts() -> dict:
    from django.apps import apps

    return {model: model._base_manager.count() for model in apps.get_models(include_auto_created=True) if model._meta.managed}


def capture_import() -> None:
    before = _counts()
    load_programme()
    for model, count in _counts().items():
        if count != before[model]:
            assert count and not before[model], f"{model._meta.label} held rows before the import"
            columns = [f.attname for f in model._meta.concrete_fields]
            IMPORTED[model] = (columns, list(model._base_manager.order_by("pk").values_list(*columns)))


def restore_import() -> None:
    """The imported programme written back into an emptied database, its sequences moved past the ids written."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():
        for model, (columns, rows) in IMPORTED.items():
            model._base_manager.bulk_create([model(**dict(zip(columns, row))) for row in rows])
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(IMPORTED)):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real programme once into the test database; each test's changes are rolled back."""
    with django_db_blocker.unblock():
        capture_import()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a test's writes are rolled back without telling the cache."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def programme(db):
    """The real programme, loaded by the real import command (again if a transactional test emptied the database)."""
    from django.apps import apps

    from portfolio.groups import sync_groups
    from portfolio.models import Programme

    sync_groups(apps, apps)  # a transactional test before this one may have flushed them
    found = Programme.objects.filter(code=CODE).first()
    if found is None and IMPORTED and not any(model._base_manager.exists() for model in IMPORTED):
        restore_import()  # emptied by a transactional test: written back as imported
    elif found is None or found.tasks.count() != 252:
        load_programme()
    return Programme.objects.get(code=CODE)


@pytest.fixture
def office(programme):
    """The Office's account ("vanphong"): staff, in the Office's group, as the Office signs in."""
    from portfolio.choices import UserKind

    return make_user("vanphong", UserKind.OFFICE)


@pytest.fixture
def empty_db(db):
    """A database without any programme data."""
    from portfolio.models import Agency, AgencyAlias, FundingSource, Programme

    Programme.objects.all().delete()
    AgencyAlias.objects.all().delete()
    Agency.objects.update(parent=None)
    Agency.objects.all().delete()
    FundingSource.objects.all().delete()
