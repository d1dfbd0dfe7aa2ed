"""Backup and restore round trip: every task, report, attachment and history entry comes back."""

import io
import json
import os
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from portfolio.choices import UserKind
from portfolio.models import Agency, ProgressReport, ReportAttachment, Task

from .conftest import ROOT
from .test_permissions import OWN, csrf_client, make_user, report_post
from .test_reports import pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target_database(tmp_path):
    """A new, empty database of the same engine as the test database."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"restore_{uuid.uuid4().hex[:8]}"
    server = f"postgresql://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server.replace('postgresql', 'postgres')}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def canonical(dump: str) -> list:
    """Rows as sorted JSON; times at the serializer's millisecond precision (".123Z", and ".000Z" written "Z")."""
    return sorted(json.dumps(item, sort_keys=True, ensure_ascii=False).replace('.000Z"', 'Z"') for item in json.loads(dump))


def test_backup_then_restore_into_an_empty_database_gives_back_everything(programme, settings, tmp_path, target_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    reporter = make_user("bantochuc", UserKind.REPORTER, "Ban Tổ chức Thành ủy")
    assert report_post(csrf_client(reporter), OWN, **{"reports-0-attachments": pdf()}).status_code == 302
    Agency.objects.filter(name="Ban Nội chính Thành ủy").update(emails="noichinh@example.vn")
    task = Task.objects.get(number=OWN)
    task.title = "Tên đã sửa để có lịch sử"
    task.save()
    assert ReportAttachment.objects.count() == 1 and Task.history.count() > 252

    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup_data", "--out", str(archive), stdout=io.StringIO())
    source = io.StringIO()
    call_command("dumpdata", exclude=["sessions", "axes"], stdout=source)

    restored_media = tmp_path / "restored-media"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=target_database, DJANGO_MEDIA_ROOT=str(restored_media))
    env.pop("PORTFOLIO_TEST_DB", None)
    manage("migrate", "--no-input", "-v", "0", env=env)
    output = manage("restore_data", str(archive), env=env)
    assert "Đã khôi phục" in output
    restored = manage("dumpdata", "--exclude", "sessions", "--exclude", "axes", env=env)

    assert canonical(restored) == canonical(source.getvalue()), _debug_diff(restored, source.getvalue())
    files = {p.relative_to(settings.MEDIA_ROOT): p.read_bytes() for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()}
    assert files and {p.relative_to(restored_media): p.read_bytes() for p in restored_media.rglob("*") if p.is_file()} == files

    # Restoring again over data is refused, and changes nothing.
    result = subprocess.run([sys.executable, "manage.py", "restore_data", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "không trống" in result.stderr
    assert canonical(manage("dumpdata", "--exclude", "sessions", "--exclude", "axes", env=env)) == canonical(restored)
    assert ProgressReport.objects.count() == 1


def _debug_diff(a, b):
    sa, sb = set(canonical(a)), set(canonical(b))
    return sorted(sa - sb)[:2], sorted(sb - sa)[:2]
