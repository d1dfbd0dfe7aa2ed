"""Backup and restore: the whole database (Django's serializer, ids kept) and the uploaded files, in one archive."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

EXCLUDED = ["sessions", "axes"]  # sessions and lockout counters are transient


class RestoreError(Exception):
    pass


def backup_create(*, out: Path) -> dict:
    """Write one .tar.gz with data.json (every row, ids kept), media/ and a manifest of counts."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        call_command("dumpdata", exclude=EXCLUDED, output=str(data), verbosity=0)
        counts = {}
        for item in json.loads(data.read_text(encoding="utf-8")):
            counts[item["model"]] = counts.get(item["model"], 0) + 1
        manifest = {"created_at": timezone.localtime().isoformat(), "counts": counts}
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(out, "w:gz") as archive:
            archive.add(data, arcname="data.json")
            payload = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
            if media.exists():
                archive.add(media, arcname="media")
    return manifest


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise RestoreError(f"Tệp sao lưu có mục không hợp lệ: {member.name}")
        yield member


def backup_restore(*, archive_path: Path) -> dict:
    """Load an archive into a freshly migrated, empty database, all or nothing, and put the files back."""
    if get_user_model().objects.exists() or apps.get_model("portfolio", "Task").objects.exists():
        raise RestoreError("Cơ sở dữ liệu đích không trống: chỉ khôi phục vào một cơ sở dữ liệu mới (đã migrate, chưa có dữ liệu).")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(tmp, members=list(_safe_members(archive)))
        manifest = json.loads((Path(tmp) / "manifest.json").read_text(encoding="utf-8"))
        with transaction.atomic():
            # The migration created its own content types, permissions and groups; the archive's, with their ids, replace them.
            apps.get_model("auth", "Group").objects.all().delete()
            apps.get_model("contenttypes", "ContentType").objects.all().delete()
            apps.get_model("portfolio", "ReminderSettings").objects.all().delete()
            call_command("loaddata", str(Path(tmp) / "data.json"), verbosity=0)
        media = Path(tmp) / "media"
        if media.exists():
            target = Path(settings.MEDIA_ROOT)
            for source in media.rglob("*"):
                if source.is_file():
                    destination = target / source.relative_to(media)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(source.read_bytes())
    return manifest
