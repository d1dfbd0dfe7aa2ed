"""Backup and restore: the whole database (Django's serializer, ids kept) and the uploaded files, in one archive.

The rows are read in one transaction that sees a single moment of the database (on PostgreSQL REPEATABLE READ
READ ONLY; on SQLite one read transaction), so rows written during the backup are either all in it or not at all
and every reference in the archive points at a row of the archive. The manifest says what the archive holds
(format, counts per model); a restore checks the data against it, and every reference, before writing anything.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

EXCLUDED = ["sessions", "axes"]  # sessions and lockout counters are transient
FORMAT = 2  # 1: no snapshot, counts only (read, checked for counts); 2: one snapshot, format recorded
READABLE_FORMATS = {1, 2}


class RestoreError(Exception):
    pass


@contextmanager
def _snapshot():
    """Every query inside sees the database as it was at one moment, and writes nothing."""
    if connection.in_atomic_block:
        raise RuntimeError("backup_create must start its own transaction to read one snapshot")
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            else:
                # SQLite: the read transaction (and its snapshot, or its shared lock) starts at the first read.
                cursor.execute("SELECT count(*) FROM sqlite_master")
        yield


def backup_create(*, out: Path) -> dict:
    """Write one .tar.gz with data.json (every row, ids kept, read from one snapshot), media/ and a manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        with _snapshot():
            taken_at = timezone.now()
            call_command("dumpdata", exclude=EXCLUDED, output=str(data), verbosity=0)
        counts = dict(Counter(item["model"] for item in json.loads(data.read_text(encoding="utf-8"))))
        manifest = {"format": FORMAT, "created_at": timezone.localtime(taken_at).isoformat(), "database": connection.vendor, "counts": counts}
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
            raise RestoreError(_("Tệp sao lưu có mục không hợp lệ: %(name)s") % {"name": member.name})
        yield member


def backup_check(*, manifest: dict, rows: list[dict]) -> None:
    """Refuse an archive that does not hold what its manifest says, or whose rows point at rows it does not hold."""
    if manifest.get("format", 1) not in READABLE_FORMATS:
        raise RestoreError(_("Tệp sao lưu có định dạng %(format)s, phiên bản này không đọc được.") % {"format": manifest.get("format")})
    counts = dict(Counter(row["model"] for row in rows))
    if counts != manifest.get("counts"):
        differ = sorted(m for m in set(counts) | set(manifest.get("counts", {})) if counts.get(m) != manifest.get("counts", {}).get(m))
        raise RestoreError(_("Tệp sao lưu không khớp với bản kê (số bản ghi khác ở: %(models)s).") % {"models": ", ".join(differ)})
    present = {(row["model"], str(row["pk"])) for row in rows}
    for row in rows:
        model = apps.get_model(row["model"])
        for field in model._meta.get_fields():
            if not (field.many_to_one or field.one_to_one or field.many_to_many) or not field.concrete or field.name not in row["fields"]:
                continue
            if not getattr(field, "db_constraint", True) or field.related_model._meta.app_label in EXCLUDED:
                continue  # history rows may name rows deleted since; sessions and lockouts are not backed up
            if not field.many_to_many and field.remote_field.field_name != field.related_model._meta.pk.name:
                continue
            target = field.related_model._meta.label_lower
            values = row["fields"][field.name]
            for value in values if field.many_to_many else [values]:
                if value is not None and (target, str(value)) not in present:
                    raise RestoreError(
                        _("Tệp sao lưu không nhất quán: %(model)s %(pk)s trỏ tới %(target)s %(value)s không có trong tệp.")
                        % {"model": row["model"], "pk": row["pk"], "target": target, "value": value}
                    )


def backup_restore(*, archive_path: Path) -> dict:
    """Check an archive, then load it into a freshly migrated, empty database, all or nothing, and put the files back."""
    if get_user_model().objects.exists() or apps.get_model("portfolio", "Task").objects.exists():
        raise RestoreError(_("Cơ sở dữ liệu đích không trống: chỉ khôi phục vào một cơ sở dữ liệu mới (đã migrate, chưa có dữ liệu)."))
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(tmp, members=list(_safe_members(archive)))
        if not (Path(tmp) / "manifest.json").exists() or not (Path(tmp) / "data.json").exists():
            raise RestoreError(_("Tệp sao lưu thiếu bản kê hoặc dữ liệu."))
        manifest = json.loads((Path(tmp) / "manifest.json").read_text(encoding="utf-8"))
        backup_check(manifest=manifest, rows=json.loads((Path(tmp) / "data.json").read_text(encoding="utf-8")))
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
