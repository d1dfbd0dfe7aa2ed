"""python manage.py import_programme seeds/<file>: load the appendix, applying exactly the difference."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portfolio.excel.reader import ACCEPTED_SOURCES, XLSX, WorkbookError, read_programme_workbook, sniff_source
from portfolio.seedparse import SourceError, parse_appendix, parse_targets
from portfolio.services import programme_import
from portfolio.services.targets import targets_import

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
        targets = []  # the workbook holds the tasks only; the text also holds the Resolution's targets (section 2.3)
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
                text = data.decode("utf-8-sig")
                parsed = parse_appendix(text)
                targets = parse_targets(text)
        except SourceError as exc:
            where = "Dòng" if kind != XLSX else "Trang «Danh mục», dòng"
            raise CommandError(f"{path}: {str(exc).replace('Dòng', where, 1)}. Không ghi gì vào cơ sở dữ liệu.") from exc
        except WorkbookError as exc:
            raise CommandError(f"{exc} Không ghi gì vào cơ sở dữ liệu.") from exc
        try:
            with transaction.atomic():
                result = programme_import(
                    parsed=parsed,
                    code=options["code"],
                    title=options["title"],
                    adopted_on=adopted_on,
                    source_name=path.name,
                    dry_run=options["dry_run"],
                )
                target_result = targets_import(parsed=targets, code=options["code"], dry_run=options["dry_run"]) if targets else None
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)} Không ghi gì vào cơ sở dữ liệu.") from exc
        for line in result.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if target_result is not None:
            for line in target_result.lines():
                self.stdout.write(line)
            self.stdout.write(self.style.SUCCESS(target_result.summary()))
