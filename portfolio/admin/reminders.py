"""Reminder settings, digests, reminders and reminder runs."""

from django.contrib import admin, messages
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import access
from ..choices import DigestState
from ..models import Digest, Reminder, ReminderRun, ReminderSettings, TargetReminder
from ..services.reminders import digests_resend
from .base import HistoryAdmin, OfficeWritesAdmin, SentRecordsAdmin


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(HistoryAdmin, OfficeWritesAdmin):
    list_display = ["__str__", "run_at", "due_soon_thresholds", "overdue_repeat_days", "report_due_dates", "escalation_days"]

    def has_add_permission(self, request, *args):
        return not ReminderSettings.objects.exists() and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return False


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["task", "reason", "step", "due_date"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj):
        return False


class TargetReminderInline(admin.TabularInline):
    model = TargetReminder
    extra = 0
    fields = ["figure", "step", "due_date"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Số liệu chỉ tiêu được nhắc báo cáo")

    def has_add_permission(self, request, obj):
        return False


@admin.register(Digest)
class DigestAdmin(SentRecordsAdmin):
    """Every reminder e-mail, with failures first: the Office sees what could not be sent."""

    list_display = ["sent_on", "body", "state", "recipients", "attempts", "last_error", "sent_at"]
    list_filter = ["state", "sent_on"]
    search_fields = ["agency__name", "recipients", "last_error"]
    list_select_related = ["agency"]
    readonly_fields = ["agency", "sent_on", "recipients", "state", "attempts", "last_error", "sent_at", "payload"]
    inlines = [ReminderInline, TargetReminderInline]
    actions = ["resend_failed"]

    @admin.action(description=_("Gửi lại thư gửi không được"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        queued = digests_resend(digest_ids=list(queryset.filter(state=DigestState.FAILED).values_list("pk", flat=True)))
        skipped = queryset.count() - queued
        self.message_user(request, format_lazy(_("Đã xếp {queued} thư vào hàng gửi lại."), queued=queued), messages.SUCCESS)
        if skipped:
            self.message_user(request, format_lazy(_("Bỏ qua {skipped} thư không ở trạng thái gửi không được."), skipped=skipped), messages.WARNING)

    def has_resend_permission(self, request):
        return access.is_office(request.user)

    @admin.display(description=_("Cơ quan"), ordering="agency__name")
    def body(self, obj):
        return obj.agency or _("Văn phòng Thành ủy (tổng hợp)")


@admin.register(Reminder)
class ReminderAdmin(SentRecordsAdmin):
    list_display = ["created_at", "agency", "task", "reason", "step", "due_date"]
    list_filter = ["reason", "created_at"]
    search_fields = ["agency__name", "task__title"]
    list_select_related = ["agency", "task"]


@admin.register(ReminderRun)
class ReminderRunAdmin(SentRecordsAdmin):
    list_display = ["as_of", "created_at", "finished_at", "digests", "summary"]
