"""python manage.py create_api_token USERNAME [--renew]: prints the user's API token on its last line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "In mã truy cập API của một người dùng (tạo mới nếu chưa có); --renew thay mã cũ bằng mã mới."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--renew", action="store_true", help="Thu hồi mã cũ và cấp mã mới.")

    def handle(self, *args, username, renew, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Không có người dùng «{username}».")
        if renew:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        self.stdout.write("Đã cấp mã mới:" if created else "Mã hiện có:")
        self.stdout.write(token.key)
