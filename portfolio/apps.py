from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portfolio"
    verbose_name = _("Theo dõi chương trình hành động")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .freshness import data_changed

        for model in ("Task", "Assignment", "Agency", "Section", "Milestone"):
            sender = self.get_model(model)
            post_save.connect(data_changed, sender=sender, dispatch_uid=f"freshness-save-{model}")
            post_delete.connect(data_changed, sender=sender, dispatch_uid=f"freshness-delete-{model}")
