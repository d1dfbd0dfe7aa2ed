"""python manage.py calendar_url USERNAME [--renew]: prints the user's private calendar feed address on its last line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portfolio.feeds import feed_url
from portfolio.models import CalendarFeed


class Command(BaseCommand):
    help = "In địa chỉ lịch riêng (.ics) của một người dùng (tạo nếu chưa có); --renew cấp địa chỉ mới."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--renew", action="store_true", help="Cấp mã mới; địa chỉ cũ hết hiệu lực.")

    def handle(self, *args, username, renew, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Không có người dùng «{username}».")
        feed = CalendarFeed.for_user(user, renew=renew)
        self.stdout.write(f"Địa chỉ lịch riêng của {user.username}:")
        self.stdout.write(feed_url(feed))
