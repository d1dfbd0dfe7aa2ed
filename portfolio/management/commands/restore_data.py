"""python manage.py restore_data FILE.tar.gz: restore an archive into a new, migrated, empty database."""

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portfolio.services.backup import RestoreError, backup_restore


class Command(BaseCommand):
    help = "Khôi phục dữ liệu và tệp đính kèm từ tệp sao lưu vào cơ sở dữ liệu mới (đã migrate, chưa có dữ liệu)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Tệp sao lưu (.tar.gz)")

    def handle(self, *args, **options):
        try:
            manifest = backup_restore(archive_path=Path(options["archive"]))
        except (RestoreError, OSError) as exc:
            raise CommandError(f"Không khôi phục được: {exc}") from exc
        made = timezone.localtime(datetime.fromisoformat(manifest["created_at"])).strftime("%d/%m/%Y %H:%M")
        self.stdout.write(self.style.SUCCESS(f"Đã khôi phục {sum(manifest['counts'].values())} bản ghi (sao lưu lúc {made})."))
