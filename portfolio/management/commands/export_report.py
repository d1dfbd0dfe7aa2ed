"""python manage.py export_report --out FILE.docx [--as-of YYYY-MM-DD] [--since YYYY-MM-DD] [--filter key=value ...]."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from portfolio.selectors import today
from portfolio.word.official_report import FilterError, official_report_docx


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{name} «{value}» không đúng dạng YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "Xuất báo cáo tình hình thực hiện Chương trình hành động (.docx) theo thể thức văn bản của Đảng."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Tệp .docx sẽ ghi")
        parser.add_argument("--as-of", help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay")
        parser.add_argument("--since", help="Đầu kỳ báo cáo (YYYY-MM-DD) cho mục nhiệm vụ hoàn thành trong kỳ, mặc định ngày 01/01 của năm")
        parser.add_argument("--filter", action="append", default=[], help="Bộ lọc như trên trang danh sách nhiệm vụ, ví dụ section=I")

    def handle(self, *args, **options):
        as_of = _date(options["as_of"], "Ngày") if options["as_of"] else today()
        since = _date(options["since"], "Đầu kỳ") if options["since"] else None
        data = QueryDict(mutable=True)
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"Bộ lọc «{item}» cần dạng khóa=giá_trị")
            data.appendlist(key, value)
        try:
            content = official_report_docx(as_of=as_of, filters=data, since=since)
        except FilterError as exc:
            raise CommandError(f"Bộ lọc không hợp lệ: {exc}") from exc
        Path(options["out"]).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['out']}."))
