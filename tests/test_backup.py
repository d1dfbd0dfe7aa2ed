"""Backup and restore round trip: every task, report, attachment and history entry comes back."""

import io
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from portfolio.choices import UserKind
from portfolio.models import Agency, ProgressReport, ReportAttachment, Task

from .conftest import ROOT
from .helpers import csrf_client, make_user, OWN, pdf, report_post

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


WRITER = """
import os, sys, django
django.setup()
from django.db import transaction
from portfolio.choices import Role
from portfolio.models import Agency, Assignment, Task
tasks, n = list(Task.objects.order_by("pk").values_list("pk", flat=True)[:50]), 0
while not os.path.exists(sys.argv[1]):
    with transaction.atomic():  # a body and its assignment: always together, or neither
        agency = Agency.objects.create(name=f"Cơ quan thêm khi sao lưu {n}")
        Assignment.objects.create(task_id=tasks[n % len(tasks)], agency=agency, role=Role.COORDINATING)
    n += 1
    if n == 5:
        open(sys.argv[1] + ".ready", "w").close()
print(n)
"""


def test_backup_taken_while_another_process_writes_restores_every_row(programme, tmp_path, target_database):
    """A backup is one snapshot: bodies and their assignments added by another process during it are in the archive
    together or not at all, and the archive restores (before, an assignment pointed at a body missing from it)."""
    from .helpers import database_url

    stop = tmp_path / "stop"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database_url(), DATABASE_CONN_MAX_AGE="0")
    env.pop("PORTFOLIO_TEST_DB", None)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(stop)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    try:
        for _ in range(600):
            if (tmp_path / "stop.ready").exists() or writer.poll() is not None:
                break
            time.sleep(0.05)
        assert writer.poll() is None, writer.communicate()
        archive = tmp_path / "sao-luu.tar.gz"
        call_command("backup_data", "--out", str(archive), stdout=io.StringIO())
        time.sleep(0.5)  # and the writer goes on after the backup
    finally:
        stop.touch()
        written, errors = writer.communicate(timeout=60)
    assert writer.returncode == 0, errors
    restored_env = dict(env, DATABASE_URL=target_database, DJANGO_MEDIA_ROOT=str(tmp_path / "restored-media"))
    manage("migrate", "--no-input", "-v", "0", env=restored_env)
    assert "Đã khôi phục" in manage("restore_data", str(archive), env=restored_env)
    restored = json.loads(manage("dumpdata", "portfolio.agency", "portfolio.assignment", env=restored_env))
    added = {row["pk"] for row in restored if row["model"] == "portfolio.agency" and row["fields"]["name"].startswith("Cơ quan thêm khi sao lưu")}
    assert added == {row["fields"]["agency"] for row in restored if row["model"] == "portfolio.assignment" and row["fields"]["agency"] in added}
    assert 5 <= len(added) < int(written)  # written before the backup are in it, after it are not
    manifest = json.loads(tarfile.open(archive).extractfile("manifest.json").read())
    assert manifest["format"] == 2 and len([r for r in restored if r["model"] == "portfolio.agency"]) == manifest["counts"]["portfolio.agency"]


@pytest.mark.parametrize("damage, refusal", [
    ("counts", "không khớp với bản kê"),
    ("reference", "không nhất quán"),
    ("format", "định dạng 99"),
])
def test_restore_refuses_an_archive_unlike_its_manifest_and_writes_nothing(programme, tmp_path, target_database, damage, refusal):
    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup_data", "--out", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as source:
        manifest = json.loads(source.extractfile("manifest.json").read())
        rows = json.loads(source.extractfile("data.json").read())
    if damage == "counts":
        manifest["counts"]["portfolio.task"] += 1
    elif damage == "reference":
        used = {row["fields"]["agency"] for row in rows if row["model"] == "portfolio.assignment"}
        rows = [row for row in rows if not (row["model"] == "portfolio.agency" and row["pk"] == min(used))]
        manifest["counts"]["portfolio.agency"] -= 1
    else:
        manifest["format"] = 99
    damaged = tmp_path / "hong.tar.gz"
    with tarfile.open(damaged, "w:gz") as out:
        for name, payload in (("data.json", rows), ("manifest.json", manifest)):
            data = json.dumps(payload).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=target_database, DJANGO_MEDIA_ROOT=str(tmp_path / "m"))
    env.pop("PORTFOLIO_TEST_DB", None)
    manage("migrate", "--no-input", "-v", "0", env=env)
    result = subprocess.run([sys.executable, "manage.py", "restore_data", str(damaged)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and refusal in result.stderr, result.stderr
    assert json.loads(manage("dumpdata", "portfolio.task", "portfolio.agency", env=env)) == []


def _debug_diff(a, b):
    sa, sb = set(canonical(a)), set(canonical(b))
    return sorted(sa - sb)[:2], sorted(sb - sa)[:2]
