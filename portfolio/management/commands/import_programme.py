"""python manage.py import_programme seeds/<file>: load the appendix, applying exactly the difference."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolio.excel.reader import ACCEPTED_SOURCES, XLSX, WorkbookError, read_programme_workbook, sniff_source
from portfolio.seedparse import SourceError, parse_appendix
from portfolio.services import programme_import

DEFAULT_CODE = "02-CTr/TU"
DEFAULT_TITLE = (
    "Chương trình hành động của Ban Chấp hành Đảng bộ thành phố thực hiện Nghị quyết Đại hội "
    "đại biểu Đảng bộ thành phố Cần Thơ lần thứ I, nhiệm kỳ 2025 - 2030"
)
DEFAULT_DATE = "2025-10-28"


class Command(BaseCommand):
    help = "Nạp danh mục nhiệm vụ của chương trình từ tệp nguồn; chạy lại chỉ áp dụng phần khác biệt."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Tệp văn bản chứa phụ lục (ví dụ seeds/001_b50851294415a046.txt) hoặc bảng tính .xlsx theo mẫu «Danh mục»")
        parser.add_argument("--code", default=DEFAULT_CODE, help="Số hiệu chương trình")
        parser.add_argument("--title", default=DEFAULT_TITLE, help="Tên chương trình")
        parser.add_argument("--date", default=DEFAULT_DATE, help="Ngày ban hành (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ hiện khác biệt, không ghi gì")

    def handle(self, *args, **options):
        path = Path(options["source"])
        try:
            adopted_on = date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"Ngày ban hành «{options['date']}» không đúng dạng YYYY-MM-DD") from exc
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror or exc}") from exc
        kind, what = sniff_source(data)  # by content: a renamed .ods or .xls is named, not decoded as text
        if not kind:
            raise CommandError(f"{path.name} là {what}; chỉ nhận {ACCEPTED_SOURCES}. Hãy lưu lại tệp ở một trong hai dạng đó. Không ghi gì.")
        try:
            if kind == XLSX:
                parsed = read_programme_workbook(data, name=path.name)
            else:
                parsed = parse_appendix(data.decode("utf-8-sig"))
        except SourceError as exc:
            where = "Dòng" if kind != XLSX else "Trang «Danh mục», dòng"
            raise CommandError(f"{path}: {str(exc).replace('Dòng', where, 1)}. Không ghi gì vào cơ sở dữ liệu.") from exc
        except WorkbookError as exc:
            raise CommandError(f"{exc} Không ghi gì vào cơ sở dữ liệu.") from exc
        result = programme_import(
            parsed=parsed,
            code=options["code"],
            title=options["title"],
            adopted_on=adopted_on,
            source_name=path.name,
            dry_run=options["dry_run"],
        )
        for line in result.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(result.summary()))
