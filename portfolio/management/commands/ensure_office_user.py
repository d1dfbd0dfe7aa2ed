"""python manage.py ensure_office_user: make sure the embedded default has an Office login, and say how to use it."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "vanphong"


class Command(BaseCommand):
    help = "Tạo tài khoản Văn phòng Thành ủy cho bản chạy thử (nếu chưa có) và in cách đăng nhập."

    def handle(self, *args, **options):
        secret_file = Path(settings.BASE_DIR) / ".local" / "office-password.txt"
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user is None or not secret_file.exists():
            password = secrets.token_urlsafe(12)
            secret_file.parent.mkdir(exist_ok=True)
            secret_file.write_text(password + "\n", encoding="utf-8")
            secret_file.chmod(0o600)
            user = user or User(username=USERNAME, first_name="Văn phòng Thành ủy")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
        password = secret_file.read_text(encoding="utf-8").strip()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đăng nhập tại http://127.0.0.1:8000 với tên «{USERNAME}», mật khẩu «{password}» "
                f"(lưu trong {secret_file.relative_to(settings.BASE_DIR)})."
            )
        )
