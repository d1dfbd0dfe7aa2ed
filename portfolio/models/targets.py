"""The Resolution's targets, their figures, the values reported against them and their reminders."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from ..choices import Comparison, PeriodKind, TargetGroup
from .base import NaturalKeyManager, REPORT_TEXT_MAX, TITLE_MAX, Reviewed, TimeStamped, bounded, shorten
from .programme import Agency, Programme, Task
from .reminders import Digest


class Target(TimeStamped):
    """One of the Resolution's specific targets ("Chỉ tiêu cụ thể" (1)..(28)), its text exactly as written."""

    objects = NaturalKeyManager("programme__natural", "number")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets", verbose_name=_("chương trình"))
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    group = models.CharField(_("nhóm chỉ tiêu"), max_length=20, choices=TargetGroup.choices)
    text = models.TextField(_("nội dung chỉ tiêu (nguyên văn)"), **bounded(TITLE_MAX))
    tasks = models.ManyToManyField(
        Task, blank=True, related_name="targets", verbose_name=_("nhiệm vụ phục vụ chỉ tiêu"),
        help_text=_("Văn phòng Thành ủy chọn các nhiệm vụ của chương trình góp phần thực hiện chỉ tiêu này."),
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], m2m_fields=[tasks])

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("chỉ tiêu Nghị quyết")
        verbose_name_plural = _("chỉ tiêu Nghị quyết")
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="target_unique_number")]

    def natural_key(self):
        return (self.programme.natural_key(), self.number)

    natural_key.dependencies = ["portfolio.programme", "portfolio.task"]

    def __str__(self):
        return f"({self.number}) {shorten(self.text, 80)}"


class TargetFigure(TimeStamped):
    """A measurable figure of a target: what is measured, unit, comparison, value or range, by when, and who tracks it."""

    objects = NaturalKeyManager("target__natural", "position")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="figures", verbose_name=_("chỉ tiêu"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    measure = models.CharField(_("nội dung đo"), max_length=255)
    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    comparison = models.CharField(_("so sánh"), max_length=20, choices=Comparison.choices)
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4, null=True, blank=True)
    value_high = models.DecimalField(_("giá trị cận trên"), max_digits=14, decimal_places=4, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm đạt"), null=True, blank=True)
    yearly = models.BooleanField(_("hằng năm"), default=False)
    phrase = models.TextField(_("nguyên văn trong Nghị quyết"), **bounded(TITLE_MAX))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="target_figures",
        verbose_name=_("cơ quan chủ trì theo dõi"), help_text=_("Cơ quan báo cáo số liệu của chỉ tiêu; Văn phòng Thành ủy có thể đổi."),
    )
    tracking_source = models.TextField(_("căn cứ phân công theo dõi"), blank=True, **bounded(TITLE_MAX))
    baseline_value = models.DecimalField(
        _("số liệu gốc"), max_digits=14, decimal_places=4, null=True, blank=True,
        help_text=_("Điểm xuất phát để đánh giá tiến độ theo đường thẳng đến năm đạt; để trống thì lấy số liệu đầu tiên được chấp nhận."),
    )
    baseline_year = models.PositiveSmallIntegerField(_("năm của số liệu gốc"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["target", "position"]
        verbose_name = _("số liệu chỉ tiêu")
        verbose_name_plural = _("số liệu chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["target", "position"], name="target_figure_unique_position"),
            models.CheckConstraint(condition=Q(yearly=True) | Q(year__isnull=False), name="target_figure_year_or_yearly"),
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value__lte=models.F("value_high")), name="target_figure_range_ordered"
            ),
        ]

    def natural_key(self):
        return (self.target.natural_key(), self.position)

    natural_key.dependencies = ["portfolio.target", "portfolio.agency"]

    def __str__(self):
        return f"({self.target.number}.{self.position}) {self.measure}"


class TargetValue(Reviewed):
    """A value of a figure for a period, reported by the tracking body with its source; the Office accepts or returns it."""

    figure = models.ForeignKey(TargetFigure, on_delete=models.PROTECT, related_name="values", verbose_name=_("số liệu chỉ tiêu"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="target_values", verbose_name=_("cơ quan báo cáo"))
    period_kind = models.CharField(_("kỳ"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    year = models.PositiveSmallIntegerField(_("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    value = models.DecimalField(
        _("giá trị"), max_digits=14, decimal_places=4, null=True, blank=True, help_text=_("Số liệu ước thực hiện hoặc thực hiện của kỳ.")
    )
    achieved = models.BooleanField(_("đã hoàn thành"), null=True, blank=True, help_text=_("Chỉ dùng cho chỉ tiêu định tính."))
    source = models.CharField(_("nguồn số liệu"), max_length=255, help_text=_("Ví dụ: Thống kê thành phố Cần Thơ, Báo cáo số …"))
    note = models.TextField(_("ghi chú"), blank=True, **bounded(REPORT_TEXT_MAX))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="target_values", verbose_name=_("người gửi")
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["figure", "-year", "-period_kind", "-created_at"]
        verbose_name = _("số liệu thực hiện chỉ tiêu")
        verbose_name_plural = _("số liệu thực hiện chỉ tiêu")
        constraints = [
            models.CheckConstraint(condition=Q(value__isnull=False) | Q(achieved__isnull=False), name="target_value_has_value"),
        ]
        indexes = [models.Index(fields=["figure", "review_state"])]

    def __str__(self):
        return f"{self.figure} · {self.get_period_kind_display()} {self.year}"


class TargetReminder(TimeStamped):
    """A figure whose value a body was reminded to report at a reporting date; the unique key sends each step once."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="target_reminders", verbose_name=_("thư"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="target_reminders", verbose_name=_("cơ quan"))
    figure = models.ForeignKey(TargetFigure, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("số liệu chỉ tiêu"))
    step = models.CharField(_("mốc nhắc"), max_length=60, help_text=_("Hạn báo cáo và lần nhắc (trước hạn, sau hạn)."))
    due_date = models.DateField(_("hạn báo cáo"))

    class Meta:
        ordering = ["-created_at", "figure"]
        verbose_name = _("nhắc báo cáo số liệu chỉ tiêu")
        verbose_name_plural = _("nhắc báo cáo số liệu chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["agency", "figure", "step"], name="target_reminder_once")]

    def __str__(self):
        return f"{self.figure} · {self.step} · {self.agency}"
