"""Uploads that try to cost the server: decompression bombs, numbers too large for the database, oversized texts."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from openpyxl import load_workbook

from portfolio.choices import UserKind
from portfolio.models import Agency, ProgressReport, Task

REPORT_TEXT_MAX = 10000  # portfolio.models.REPORT_TEXT_MAX

from .conftest import ROOT
from .helpers import admin_change_data, inline_prefix

PASSWORD = "mat-khau-du-dai-12"

PROBE = r"""
import os, resource, sys
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

call_command("migrate", verbosity=0)
client = Client()
client.force_login(get_user_model().objects.create_superuser("vanphong", password="mat-khau-du-dai-12"))
client.get("/imports/")  # everything the upload path imports is loaded before the measure
bomb = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
response = client.post("/imports/", {"file": SimpleUploadedFile("bao-cao.xlsx", bomb)}, follow=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
left = sorted(os.listdir(settings.MEDIA_ROOT / "imports")) if (settings.MEDIA_ROOT / "imports").exists() else []
print(response.status_code, (after - before) // 1024, len(left), response.content.decode().count("độc hại"))
"""


def bomb(path, member: str, megabytes: int) -> None:
    """A small .xlsx whose ``member`` expands to ``megabytes`` MB of spaces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open(member, "w", force_zip64=True) as handle:
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                handle.write(chunk)
        if member != "xl/workbook.xml":
            archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="Báo cáo"/></sheets></workbook>')


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_decompression_bomb_upload_is_refused_before_anything_is_decompressed(tmp_path, member):
    """A 600 MB member packed into a small .xlsx: refused on the upload page, peak memory up by at most 50 MB,
    nothing left on disk. Measured in a process of its own (the test runner's peak says nothing)."""
    path = tmp_path / "bom.xlsx"
    bomb(path, member, 600)
    assert path.stat().st_size < 2 * 1024 * 1024
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               DJANGO_MEDIA_ROOT=str(tmp_path / "media"), CELERY_BROKER_URL="", DJANGO_ALLOWED_HOSTS="testserver")
    result = subprocess.run([sys.executable, "-c", PROBE, str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    status, grown_mb, files_left, refused = (int(v) for v in result.stdout.split()[-4:])
    assert status == 200 and refused == 1, result.stdout
    assert grown_mb <= 50, f"peak memory grew by {grown_mb} MB"
    assert files_left == 0


def reporter(agency_name="Ban Tổ chức Thành ủy"):
    user = get_user_model().objects.create_user("bantochuc", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=UserKind.REPORTER))
    Agency.objects.get(name=agency_name).members.add(user)
    client = Client()
    client.force_login(user)
    return client


def upload_agency_workbook(client, edit) -> tuple:
    """Download the agency's workbook, let ``edit(sheet)`` fill it, upload it; the preview page's response."""
    agency = Agency.objects.get(name="Ban Tổ chức Thành ủy")
    workbook = load_workbook(io.BytesIO(client.get(f"/agencies/{agency.pk}/workbook.xlsx").content))
    edit(workbook["Báo cáo"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "bao-cao.xlsx"
    buffer.seek(0)
    return client.post("/imports/", {"file": buffer}, follow=True)


@pytest.mark.django_db
def test_workbook_key_too_large_for_the_database_is_a_cell_error_and_leaves_nothing(programme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = reporter()

    def edit(sheet):
        sheet.cell(row=4, column=12).value = "99999999999999999999999:1"
        sheet.cell(row=4, column=7).value = 40

    response = upload_agency_workbook(client, edit)
    assert response.status_code == 200
    page = response.content.decode()
    assert "dòng 4, cột L" in page and "khóa nhiệm vụ" in page
    # Nothing written, and no confirmation offered: the preview with a cell error cannot be applied.
    assert not ProgressReport.objects.exists()
    assert 'value="apply"' not in page


@pytest.mark.django_db
def test_workbook_preview_refuses_a_period_longer_than_the_report_takes(programme, settings, tmp_path):
    """The preview runs the field's own length rule: a 150-character period is named with its row and column
    before confirming (before, it passed the preview and failed on confirmation without a column)."""
    settings.MEDIA_ROOT = tmp_path
    client = reporter()

    def edit(sheet):
        sheet.cell(row=4, column=5).value = "Q" * 150
        sheet.cell(row=4, column=6).value = "Đang triển khai"
        sheet.cell(row=4, column=7).value = 40

    page = upload_agency_workbook(client, edit).content.decode()
    assert "dòng 4, cột E" in page and "150" in page
    assert 'value="apply"' not in page


@pytest.mark.django_db
def test_report_text_over_its_limit_is_refused_by_the_admin_form(programme):
    client = reporter()
    task = Task.objects.get(number=1)
    url = f"/admin/portfolio/task/{task.pk}/change/"
    page = client.get(url)
    prefix = inline_prefix(page, "progressreport")
    data = admin_change_data(page)
    data.update({
        f"{prefix}-TOTAL_FORMS": int(data[f"{prefix}-INITIAL_FORMS"]) + 1, f"{prefix}-0-agency": Agency.objects.get(name="Ban Tổ chức Thành ủy").pk,
        f"{prefix}-0-period": "Quý IV/2026", f"{prefix}-0-status": "in_progress", f"{prefix}-0-percent": 10,
        f"{prefix}-0-results": "x" * (REPORT_TEXT_MAX + 1),
    })
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"{REPORT_TEXT_MAX:,}".replace(",", ".") in response.content.decode() or str(REPORT_TEXT_MAX) in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_clear_stale_uploads_task_removes_only_abandoned_uploads(settings, tmp_path):
    """The beat task, not a request, clears uploads and previews older than an hour; fresher ones stay."""
    import os
    import time

    from portfolio.services.uploads import IMPORT_DIR
    from portfolio.tasks import clear_stale_uploads_task

    settings.MEDIA_ROOT = str(tmp_path)
    root = tmp_path / IMPORT_DIR
    root.mkdir()
    old, fresh, preview = root / ("a" * 32 + ".xlsx"), root / ("b" * 32 + ".xlsx"), root / ("a" * 32 + ".json")
    for path in (old, fresh, preview):
        path.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(preview, (two_hours_ago, two_hours_ago))
    assert clear_stale_uploads_task.delay().get() == 2
    assert sorted(p.name for p in root.iterdir()) == [fresh.name]
    assert settings.CELERY_BEAT_SCHEDULE["stale-uploads"]["task"] == "portfolio.tasks.clear_stale_uploads_task"
