"""python manage.py backup_data --out FILE.tar.gz: the database and the uploaded files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand

from portfolio.services.backup import backup_create


class Command(BaseCommand):
    help = "Sao lưu toàn bộ dữ liệu và tệp đính kèm vào một tệp .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Tệp sao lưu (.tar.gz)")

    def handle(self, *args, **options):
        manifest = backup_create(out=Path(options["out"]))
        total = sum(manifest["counts"].values())
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu {total} bản ghi và tệp đính kèm vào {options['out']}."))
