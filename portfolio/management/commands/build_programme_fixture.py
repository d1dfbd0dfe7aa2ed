"""python manage.py build_programme_fixture: write fixtures/programme.json from what the import stored."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portfolio.services import programme_fixture_json


class Command(BaseCommand):
    help = "Ghi chương trình đã nạp thành fixture của Django (khóa tự nhiên, dùng được với loaddata)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "fixtures" / "programme.json"))

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.write_text(programme_fixture_json(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {out}"))
