"""python manage.py send_reminders [--as-of YYYY-MM-DD] [--dry-run]: the daily reminder job, by hand."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from portfolio.selectors import today
from portfolio.services.reminders import reminder_run


class Command(BaseCommand):
    help = "Gửi thư nhắc việc của một ngày (mặc định hôm nay); --dry-run chỉ liệt kê, không gửi và không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Ngày nhắc (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không gửi, không ghi")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else today()
        except ValueError as exc:
            raise CommandError(f"Ngày «{options['as_of']}» không đúng dạng YYYY-MM-DD") from exc
        try:
            plan, _run = reminder_run(as_of=as_of, dry_run=options["dry_run"])
        except OperationalError as exc:
            raise CommandError(
                _("Hàng đợi (Redis) không nhận việc gửi thư: %(error)s. Lần chạy chưa được ghi là xong; "
                  "lần kiểm tra sau sẽ chạy lại và gửi các thư còn chờ.") % {"error": exc}
            ) from exc
        for body in sorted(plan.bodies.values(), key=lambda b: b.agency.name):
            self.stdout.write(
                f"{body.agency.name}: overdue={body.count('overdue')} due_soon={body.count('due_soon')} "
                f"missing_reports={body.count('missing_report')}"
            )
        totals = plan.totals()
        self.stdout.write(
            f"TOTAL overdue={totals['overdue']} due_soon={totals['due_soon']} "
            f"missing_reports={totals['missing_reports']} bodies={totals['bodies']}"
        )
