"""Users, groups and locked logins, with Vietnamese permission labels."""

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import Agency


class AgencyMembershipInline(admin.TabularInline):
    model = Agency.members.through
    extra = 1
    verbose_name = _("cơ quan")
    verbose_name_plural = _("Thuộc cơ quan (người báo cáo của các cơ quan này)")
    autocomplete_fields = ["agency"]


PERMISSION_ACTIONS = {"add": _("Thêm"), "change": _("Sửa"), "delete": _("Xóa"), "view": _("Xem")}


def permission_label(permission: Permission) -> str:
    """A permission as the Office reads it, "Theo dõi chương trình hành động | Sửa nhiệm vụ": Django stores "Can change …"."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in PERMISSION_ACTIONS or permission.codename != f"{action}_{model._meta.model_name}":
        return str(permission)
    tracked = getattr(model, "instance_type", None)  # simple-history's record of a model: "historical …" in English
    subject = _("lịch sử %(model)s") % {"model": tracked._meta.verbose_name} if tracked else model._meta.verbose_name
    return f"{model._meta.app_config.verbose_name} | {PERMISSION_ACTIONS[action]} {subject}"


class PermissionLabelsAdmin(admin.ModelAdmin):
    """The permission pickers of users and groups list permissions in Vietnamese."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


class AdminPasswordForm(AdminPasswordChangeForm):
    """Django's password form for the admin, whose warning about turning passwords off is English outside its catalogue."""

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text, _("Nếu tắt, mật khẩu hiện tại của người dùng này sẽ mất."),
    )


@admin.register(User)
class UserAdmin(PermissionLabelsAdmin, BaseUserAdmin):
    change_password_form = AdminPasswordForm
    inlines = [AgencyMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active"]


@admin.register(Group)
class GroupAdmin(PermissionLabelsAdmin, BaseGroupAdmin):
    pass


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(BaseAccessAttemptAdmin):
    """Where the Office unlocks a login (deleting its record lifts the lock), with django-axes' English columns in Vietnamese."""

    @admin.display(description=_("Hết hạn lúc"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description=_("Tình trạng"))
    def status(self, obj):
        return super().status(obj)

    @admin.action(description=_("Xóa các lượt đăng nhập sai đã hết hạn"))
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, _("Đã xóa %(count)d lượt đăng nhập sai đã hết hạn.") % {"count": count})
