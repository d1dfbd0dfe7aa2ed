"""The API's tokens in the admin: the Office lists and revokes them (DRF's own admin, named in Vietnamese)."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from . import access


class ApiTokenAdmin(TokenAdmin):
    """Deleting a token revokes it: the next request with it answers 401."""

    list_display = ("user", "created", "key_start")

    # The Office's alone (access.OFFICE_ONLY), whatever model permissions its group holds.
    def has_module_permission(self, request):
        return access.is_office(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_office(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    @admin.display(description=_("mã (đầu)"))
    def key_start(self, token):
        return f"{token.key[:6]}…"  # the whole secret is never listed


def register(site=admin.site) -> None:
    apps.get_app_config("authtoken").verbose_name = _("Truy cập API")
    TokenProxy._meta.verbose_name = _("mã truy cập API")
    TokenProxy._meta.verbose_name_plural = _("mã truy cập API")
    if site.is_registered(TokenProxy):
        site.unregister(TokenProxy)
    site.register(TokenProxy, ApiTokenAdmin)
