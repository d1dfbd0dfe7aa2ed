"""What agencies send about a task: progress reports, their attachments, comments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from ..choices import WorkStatus
from .base import COMMENT_MAX, REPORT_TEXT_MAX, Reviewed, TimeStamped, bounded, shorten
from .programme import Agency, Task


class ProgressReport(Reviewed):
    """An agency's report of progress on a task for a period; the Office accepts it or returns it."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("nhiệm vụ"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reports", verbose_name=_("cơ quan báo cáo"))
    period = models.CharField(
        _("kỳ báo cáo"), max_length=100, help_text=_("Ví dụ: Quý IV/2026, 6 tháng đầu năm 2027, Năm 2027")
    )
    status = models.CharField(_("tình trạng"), max_length=20, choices=WorkStatus.choices)
    percent = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], help_text=_("Số nguyên từ 0 đến 100")
    )
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True, help_text=_("Bắt buộc khi tình trạng là Hoàn thành"))
    results = models.TextField(_("kết quả đạt được"), blank=True, **bounded(REPORT_TEXT_MAX))
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True, **bounded(REPORT_TEXT_MAX))
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True, **bounded(REPORT_TEXT_MAX))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_reports", verbose_name=_("người gửi")
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_0_100"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=WorkStatus.DONE), name="report_completed_only_when_done"
            ),
        ]
        indexes = [
            models.Index(fields=["task", "review_state"]),
            models.Index(fields=["task", "agency"], condition=Q(review_state="returned"), name="report_returned_idx"),  # the few returned ones, read apart
            # The reports awaiting review: worklists.review_counts counts them from this index alone. Not a partial
            # index: SQLite cannot match a bound parameter (review_state = %s) with a partial index's condition.
            models.Index(fields=["review_state", "created_at"], name="report_state_created"),
        ]

    def __str__(self):
        return f"{self.task.number} · {self.period} · {self.agency}"


def attachment_path(instance, filename):
    return f"reports/{instance.report.task_id}/{instance.report_id}/{filename}"


class ReportAttachment(TimeStamped):
    """A file sent with a progress report (PDF, DOCX, XLSX or an image), checked by content."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("báo cáo"))
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=500)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self):
        return self.original_name


class TaskComment(TimeStamped):
    """A remark on a task by a coordinating body (phối hợp), which may comment but not report."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("nhiệm vụ"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="comments", verbose_name=_("cơ quan"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người viết"))
    text = models.TextField(_("ý kiến"), **bounded(COMMENT_MAX))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ý kiến")
        verbose_name_plural = _("ý kiến")

    def __str__(self):
        return shorten(self.text, 60)


