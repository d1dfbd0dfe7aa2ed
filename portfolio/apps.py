from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    default = True  # the app's own config, though this module also holds (and imports) django-axes' one
    default_auto_field = "django.db.models.BigAutoField"
    name = "portfolio"
    verbose_name = _("Theo dõi chương trình hành động")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import tasks  # noqa: F401 (the Celery tasks registered in every process: the services queue them by name)
        from .api_admin import register as register_api_admin
        from .freshness import WATCHED_MODELS, data_changed
        from .lookups import register as register_lookups

        register_api_admin()
        register_lookups()

        for model in WATCHED_MODELS:
            sender = self.get_model(model)
            post_save.connect(data_changed, sender=sender, dispatch_uid=f"freshness-save-{model}")
            post_delete.connect(data_changed, sender=sender, dispatch_uid=f"freshness-delete-{model}")


class AxesConfig(AxesAppConfig):
    """django-axes (login lockout) under a Vietnamese name, its records named in Vietnamese in the admin."""

    verbose_name = _("Bảo vệ đăng nhập")

    def ready(self):
        super().ready()
        from .security import login_record_str

        for model in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
            self.get_model(model).__str__ = login_record_str
