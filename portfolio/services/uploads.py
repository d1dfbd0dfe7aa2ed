"""Uploaded workbooks waiting for their preview's answer: stored under MEDIA_ROOT/imports by a random token, removed
once the preview is answered or fails, and the abandoned ones cleared by a beat task (uploads_clear_stale)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings

IMPORT_DIR = "imports"
IMPORT_MAX_AGE = timedelta(hours=1)
SUFFIXES = (".xlsx", ".json")  # the upload, and its preview as shown


def import_storage() -> Path:
    """The folder of stored uploads and previews (made if missing)."""
    root = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    root.mkdir(parents=True, exist_ok=True)
    return root


def is_upload_token(token: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{32}", token) is not None


def upload_store(*, data: bytes) -> str:
    """Keep an upload for its preview; returns the token that names it."""
    token = uuid.uuid4().hex
    upload_path(token).write_bytes(data)
    return token


def upload_path(token: str) -> Path:
    """Where the upload of ``token`` is stored (its preview: the same path with .json)."""
    return import_storage() / f"{token}.xlsx"


def upload_discard(*, token: str) -> None:
    """Remove an upload and its stored preview; a token that is not one names nothing."""
    if is_upload_token(token):
        for suffix in SUFFIXES:
            (import_storage() / f"{token}{suffix}").unlink(missing_ok=True)


def uploads_clear_stale(*, now: float | None = None) -> int:
    """Remove the uploads and previews left longer than IMPORT_MAX_AGE (previews nobody answered); returns how many."""
    cutoff = (time.time() if now is None else now) - IMPORT_MAX_AGE.total_seconds()
    removed = 0
    for stale in [path for suffix in SUFFIXES for path in import_storage().glob(f"*{suffix}")]:
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def upload_bytes(upload) -> bytes:
    """An uploaded file's content, the file left at its start (a check before this one may have read it)."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data
