"""python manage.py import_xlsx FILE --user USERNAME [--dry-run]: an agency's workbook, as progress reports."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portfolio.excel.reader import WorkbookError
from portfolio.services.excel_import import agency_import_apply, agency_import_preview


class Command(BaseCommand):
    help = "Nhập biểu mẫu báo cáo của một cơ quan (.xlsx): hiện các thay đổi, rồi ghi thành báo cáo tiến độ của người dùng."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="Tên đăng nhập của người gửi")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ hiện thay đổi, không ghi")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{options['user']}»")
        path = Path(options["file"])
        try:
            preview = agency_import_preview(data=path.read_bytes(), user=user, name=path.name)
        except (OSError, WorkbookError) as exc:
            raise CommandError(f"{exc} Không ghi gì.") from exc
        for line in preview.lines():
            self.stdout.write(line)
        if not preview.can_apply:
            raise CommandError(preview.summary())
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS("Chạy thử, chưa ghi gì. " + preview.summary()))
            return
        reports = agency_import_apply(preview=preview, user=user)
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {len(reports)} báo cáo tiến độ chờ Văn phòng xem xét. " + preview.summary()))
