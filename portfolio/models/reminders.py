"""The reminder job's settings and what it sent: digests, reminders, runs."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from ..choices import DigestState, ReminderReason
from ..reminder_settings import parse_day_months, parse_thresholds
from .base import COMMENT_MAX, RowJSONField, TimeStamped, bounded
from .programme import Agency, Task


def _default_thresholds():
    return "90, 30, 7"


class ReminderSettings(TimeStamped):
    """The reminder job's settings, changed by the Office in the admin without a deploy (one row)."""

    run_at = models.TimeField(_("giờ gửi hằng ngày"), default="07:30", help_text=_("Giờ Việt Nam (Asia/Ho_Chi_Minh)."))
    due_soon_thresholds = models.CharField(
        _("nhắc trước hạn (ngày)"), max_length=100, default=_default_thresholds,
        help_text=_("Các mốc số ngày trước hạn, cách nhau bằng dấu phẩy; mỗi mốc nhắc một lần."),
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(_("nhắc lại khi quá hạn sau (ngày)"), default=7)
    escalation_days = models.PositiveSmallIntegerField(_("báo cáo Thường trực khi quá hạn trên (ngày)"), default=90)
    report_due_dates = models.CharField(
        _("hạn báo cáo định kỳ (ngày/tháng)"), max_length=100, default="15/12",
        help_text=_("Ví dụ: 15/12 (hằng năm); 15/06, 15/12 (6 tháng); 15/03, 15/06, 15/09, 15/12 (hằng quý)."),
    )
    report_remind_before_days = models.PositiveSmallIntegerField(_("nhắc báo cáo trước hạn (ngày)"), default=14)
    office_emails = models.TextField(_("thư điện tử của Văn phòng"), blank=True, **bounded(COMMENT_MAX), help_text=_("Nhận bản tổng hợp hằng ngày; mỗi dòng một địa chỉ."))
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("cấu hình nhắc việc")
        verbose_name_plural = _("cấu hình nhắc việc")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ReminderSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def clean(self):
        errors = {}
        try:
            parse_thresholds(self.due_soon_thresholds)
        except ValueError as exc:
            errors["due_soon_thresholds"] = str(exc)
        try:
            parse_day_months(self.report_due_dates)
        except ValueError as exc:
            errors["report_due_dates"] = str(exc)
        if errors:
            raise ValidationError(errors)


class Digest(TimeStamped):
    """One e-mail of a day: a body's digest, or (agency empty) the Office's summary. At most one each per day."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="digests", verbose_name=_("cơ quan"))
    sent_on = models.DateField(_("ngày nhắc"))
    recipients = models.TextField(_("người nhận"), blank=True)
    state = models.CharField(_("trạng thái"), max_length=20, choices=DigestState.choices, default=DigestState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi"), blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("bắt đầu gửi lúc"), null=True, blank=True)
    # What could not be recorded as Reminder rows: items for a body without an address, the Office's lists.
    payload = RowJSONField(_("nội dung"), default=dict, blank=True)

    class Meta:
        ordering = ["-sent_on", "agency__name"]
        verbose_name = _("thư nhắc việc")
        verbose_name_plural = _("thư nhắc việc")
        constraints = [
            models.UniqueConstraint(fields=["agency", "sent_on"], condition=Q(agency__isnull=False), name="digest_one_per_body_per_day"),
            models.UniqueConstraint(fields=["sent_on"], condition=Q(agency__isnull=True), name="digest_one_summary_per_day"),
        ]

    def __str__(self):
        return f"{self.sent_on:%d/%m/%Y} · {self.agency or _('Văn phòng Thành ủy (tổng hợp)')}"


class Reminder(TimeStamped):
    """One thing a body was reminded of; the unique key makes each (body, task, reason, step) go out once."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("thư"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("cơ quan"))
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("nhiệm vụ"))
    reason = models.CharField(_("lý do"), max_length=20, choices=ReminderReason.choices)
    step = models.CharField(_("mốc nhắc"), max_length=60, help_text=_("Mốc ngày, kỳ báo cáo hoặc lần nhắc lại."))
    due_date = models.DateField(_("hạn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "task__number"]
        verbose_name = _("nội dung nhắc việc")
        verbose_name_plural = _("nội dung nhắc việc")
        constraints = [models.UniqueConstraint(fields=["agency", "task", "reason", "step"], name="reminder_once")]

    def __str__(self):
        return f"{self.task.number} · {self.get_reason_display()} · {self.agency}"


class ReminderRun(TimeStamped):
    """A run of the daily job, for the Office and the health check."""

    as_of = models.DateField(_("ngày"))
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    digests = models.PositiveIntegerField(_("số thư"), default=0)
    summary = models.TextField(_("kết quả"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lần chạy nhắc việc")
        verbose_name_plural = _("lần chạy nhắc việc")

    def __str__(self):
        return f"{self.as_of:%d/%m/%Y}"


