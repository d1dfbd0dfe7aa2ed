"""Users, groups and locked logins, with Vietnamese permission labels."""

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.models import Group, Permission
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..forms import UserOnboardingForm
from ..models import Agency
from ..services.users import user_onboard, user_sync_staff
from ..vietnamese import matches

Membership = Agency.members.through
# The row of the membership block names nothing by itself ("Agency_members object (1)"): its picker shows the body.
Membership.__str__ = lambda self: ""


class AgencyMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    verbose_name = _("cơ quan")
    verbose_name_plural = _("Thuộc cơ quan (người báo cáo của các cơ quan này)")
    autocomplete_fields = ["agency"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "agency":
            field.label = _("Cơ quan")
        return field


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
    """Users; a new one is made in one form with their role and agency (staff access follows from the role)."""

    change_password_form = AdminPasswordForm
    add_form = UserOnboardingForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email", "kind", "agency")}),
        (_("Mật khẩu"), {"classes": ("wide",), "fields": ("usable_password", "password1", "password2")}),
    )
    inlines = [AgencyMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the add form has its own agency field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "agency" in form.base_fields:
            form.base_fields["agency"].widget = AutocompleteSelect(Membership._meta.get_field("agency"), self.admin_site)
        return form

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        agency = form.cleaned_data.get("agency")
        user_onboard(user=obj, kind=form.cleaned_data["kind"], agencies=[agency] if agency else [], created_by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_sync_staff(user=form.instance)  # a group given on the change page brings staff access with it

    def get_search_results(self, request, queryset, search_term):
        """Names typed without accents or in another case find the person ("nguyen van a" finds "Nguyễn Văn A")."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return found, duplicates
        rows = queryset.values_list("pk", "username", "first_name", "last_name", "email")
        folded = [pk for pk, *texts in rows if matches(search_term, *texts)]
        return found | queryset.filter(pk__in=folded), duplicates


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
