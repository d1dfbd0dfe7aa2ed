"""The Office's review desk for progress reports."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..choices import ReviewState
from ..forms import ReviewForm
from ..models import ProgressReport, ReportAttachment
from ..services import progress_report_review
from .base import ReviewDeskAdmin, accept_action


class ReportAttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ["download", "content_type", "size"]
    readonly_fields = ["download", "content_type", "size"]

    @admin.display(description=_("Tệp"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("portfolio:attachment_download", args=[obj.pk]), obj.original_name)

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ReviewDeskAdmin):
    """The Office's review desk; reporters see their own agencies' reports and whether each was accepted."""

    form = ReviewForm
    list_display = ["task_number", "task", "agency", "period", "status", "percent", "review_state", "submitted_by", "created_at"]
    list_filter = ["review_state", "status", "agency"]
    search_fields = ["task__title", "agency__name", "period"]
    list_select_related = ["task", "agency", "submitted_by"]
    readonly_fields = [
        "task", "task_deadline", "task_current", "earlier_reviews", "agency", "period", "status", "percent", "completed_on", "results", "difficulties",
        "proposals", "submitted_by", "created_at", "review_state", "reviewed_by", "reviewed_at",
    ]
    inlines = [ReportAttachmentInline]
    accepted_message = "Đã chấp nhận {} báo cáo."
    accept_selected = accept_action(_("Chấp nhận các báo cáo đã chọn"))

    @admin.display(description=_("TT"), ordering="task__number")
    def task_number(self, obj):
        return obj.task.number

    @admin.display(description=_("Thời hạn của nhiệm vụ"))
    def task_deadline(self, obj):
        due = obj.task.next_due_date
        return f"{obj.task.deadline_text or '—'}" + (f" (hạn kế tiếp {due:%d/%m/%Y})" if due else "")

    @admin.display(description=_("Tiến độ hiện tại của nhiệm vụ"))
    def task_current(self, obj):
        return f"{obj.task.get_status_display()} · {obj.task.progress}%"

    @admin.display(description=_("Các lần xem xét trước"))
    def earlier_reviews(self, obj):
        earlier = obj.task.reports.exclude(pk=obj.pk).exclude(review_state=ReviewState.SUBMITTED).select_related("agency").order_by("-reviewed_at")
        rows = format_html_join(mark_safe("<br>"), "{} · {} · {}% · {}{}", (
            (report.get_review_state_display(), report.period, report.percent, report.agency,
             f" — {report.review_comment}" if report.review_comment else "") for report in earlier[:10]
        ))
        return rows or "—"

    def review(self, obj, **kwargs):
        return progress_report_review(report=obj, **kwargs)
