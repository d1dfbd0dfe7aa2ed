"""python manage.py export_xlsx --out FILE [--agency ID] [--as-of YYYY-MM-DD] [--filter key=value ...]."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from portfolio.excel.meeting import meeting_workbook
from portfolio.models import Agency
from portfolio.selectors import task_list, task_queryset, today
from portfolio.services.excel_import import agency_workbook_export


class Command(BaseCommand):
    help = "Xuất báo cáo họp (.xlsx) theo các bộ lọc của danh sách nhiệm vụ; với --agency, xuất biểu mẫu báo cáo của một cơ quan."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Tệp .xlsx sẽ ghi")
        parser.add_argument("--agency", type=int, help="Mã (id) cơ quan: xuất biểu mẫu báo cáo của cơ quan đó (các nhiệm vụ cơ quan chủ trì)")
        parser.add_argument("--as-of", help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay")
        parser.add_argument("--filter", action="append", default=[], help="Bộ lọc như trên trang danh sách, ví dụ schedule_state=overdue")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else today()
        except ValueError as exc:
            raise CommandError(f"Ngày «{options['as_of']}» không đúng dạng YYYY-MM-DD") from exc
        data = QueryDict(mutable=True)
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"Bộ lọc «{item}» cần dạng khóa=giá_trị")
            data.appendlist(key, value)
        if options["agency"]:
            agency = Agency.objects.filter(pk=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {options['agency']}")
            Path(options["out"]).write_bytes(agency_workbook_export(agency=agency, as_of=as_of))
            self.stdout.write(self.style.SUCCESS(f"Đã ghi biểu mẫu báo cáo của {agency.name} vào {options['out']}."))
            return
        filterset = task_list(data=data, as_of=as_of, queryset=task_queryset(as_of=as_of))
        if not filterset.is_valid():
            raise CommandError(f"Bộ lọc không hợp lệ: {filterset.errors.as_text()}")
        Path(options["out"]).write_bytes(meeting_workbook(
            tasks_queryset=filterset.qs, as_of=as_of, whole_programme=not options["filter"], filter_text=filterset.description()
        ))
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['out']} ({filterset.qs.count()} nhiệm vụ)."))
