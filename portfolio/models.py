"""The programme as data: programmes, sections, tasks, bodies and who does what."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from .choices import (
    AgencyKind, Comparison, DigestState, FundingCategory, PeriodKind, ReminderReason, ReviewState, Role, TargetGroup, TaskKind, WorkStatus,
)
from .freshness import ChangeAwareQuerySet


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters at a word boundary, with "…": cut inside a word, "khóa" reads "khó" (difficult).

    Cheap (a select of every task names each one): no textwrap, which took 27 µs a name.
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if not text[width - 1].isspace() and len(cut.split()) > 1:
        cut = cut.rsplit(maxsplit=1)[0]  # the cut fell inside a word: leave that word out
    return cut.rstrip() + "…"


# The longest text each kind of field takes: TextField alone only hints a length to forms, so every bounded
# TextField also carries the validator that full_clean() (the admin, the services, the workbook preview and apply) runs.
TITLE_MAX = 2000  # the appendix's longest cell is 330 characters
REPORT_TEXT_MAX = 10000  # a report's results, difficulties or proposals: several pages
COMMENT_MAX = 5000


def bounded(limit: int) -> dict:
    """The keyword arguments of a TextField of at most ``limit`` characters."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


class NaturalKeyManager(models.Manager):
    """Looks rows up by the fields named in ``natural_key_fields``, so fixtures carry no database ids."""

    def __init__(self, *fields):
        super().__init__()
        self.natural_key_fields = fields

    def get_by_natural_key(self, *values):
        lookups = {}
        for name, value in zip(self.natural_key_fields, values):
            if name.endswith("__natural"):
                related = self.model._meta.get_field(name.removesuffix("__natural")).related_model
                lookups[name.removesuffix("__natural")] = related._default_manager.get_by_natural_key(*value)
            else:
                lookups[name] = value
        return self.get(**lookups)

    def deconstruct(self):
        return (False, "django.db.models.Manager", None, [], {})


# Managers of the models a dashboard summarises: their bulk writes mark the data as changed (see freshness.py).
ChangeAwareManager = NaturalKeyManager.from_queryset(ChangeAwareQuerySet)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class Programme(TimeStamped):
    """An adopted action programme (the document that lists the tasks)."""

    objects = NaturalKeyManager("code")

    code = models.CharField(_("số hiệu"), max_length=50, unique=True, help_text=_("Ví dụ: 02-CTr/TU"))
    title = models.TextField(_("tên chương trình"), **bounded(TITLE_MAX))
    adopted_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    source_name = models.CharField(_("tệp nguồn"), max_length=255, blank=True)

    class Meta:
        ordering = ["-adopted_on", "code"]
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")

    def natural_key(self):
        return (self.code,)

    def __str__(self):
        return self.code


class Section(TimeStamped):
    """A part of a programme's appendix (I, II, ...)."""

    objects = NaturalKeyManager("programme__natural", "numeral")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sections", verbose_name=_("chương trình"))
    numeral = models.CharField(_("mục"), max_length=10)
    title = models.TextField(_("tiêu đề"), **bounded(TITLE_MAX))
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("mục")
        verbose_name_plural = _("mục")
        constraints = [models.UniqueConstraint(fields=["programme", "numeral"], name="section_unique_numeral")]

    def natural_key(self):
        return (self.programme.natural_key(), self.numeral)

    natural_key.dependencies = ["portfolio.programme"]

    def __str__(self):
        return f"{self.numeral}. {self.title}"


class Agency(TimeStamped):
    """A real body that leads, advises, implements or coordinates tasks."""

    objects = ChangeAwareManager("name")

    name = models.CharField(_("tên cơ quan"), max_length=500, unique=True)
    short_name = models.CharField(_("tên ngắn"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices, default=AgencyKind.GOVERNMENT)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("cơ quan cấp trên")
    )
    emails = models.TextField(
        _("địa chỉ thư điện tử"), blank=True, help_text=_("Mỗi dòng một địa chỉ; nhắc việc được gửi tới tất cả."), **bounded(COMMENT_MAX)
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="agencies", verbose_name=_("người dùng thuộc cơ quan")
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def natural_key(self):
        return (self.name,)

    def __str__(self):
        return self.short_name or self.name

    @property
    def email_list(self) -> list[str]:
        return [e.strip() for e in self.emails.replace(",", "\n").splitlines() if e.strip()]


class AgencyAlias(TimeStamped):
    """Another way a body's name was written (a misspelling, a case variant, an older name)."""

    objects = NaturalKeyManager("key")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("cơ quan"))
    alias = models.CharField(_("tên gọi khác"), max_length=500)
    key = models.CharField(_("khóa so khớp"), max_length=500, unique=True, editable=False)

    class Meta:
        ordering = ["agency", "alias"]
        verbose_name = _("tên gọi khác")
        verbose_name_plural = _("tên gọi khác")

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["portfolio.agency"]

    def __str__(self):
        return self.alias

    def save(self, *args, **kwargs):
        from .catalogue import name_key

        self.key = name_key(self.alias)
        super().save(*args, **kwargs)


class FundingSource(TimeStamped):
    """A source of funds, one row per distinct wording (case aside), with its category."""

    objects = NaturalKeyManager("key")

    label = models.CharField(_("nguồn lực"), max_length=500)
    key = models.CharField(_("khóa so khớp"), max_length=500, unique=True, editable=False)
    category = models.CharField(_("nhóm nguồn lực"), max_length=20, choices=FundingCategory.choices)

    class Meta:
        ordering = ["category", "label"]
        verbose_name = _("nguồn lực")
        verbose_name_plural = _("nguồn lực")

    def natural_key(self):
        return (self.key,)

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        from .catalogue import name_key

        self.key = name_key(self.label)
        super().save(*args, **kwargs)


class Task(TimeStamped):
    """One row of the appendix: a task, scheme, project or work, with its deadline understood."""

    objects = ChangeAwareManager("programme__natural", "number")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("chương trình"))
    section = models.ForeignKey(Section, on_delete=models.RESTRICT, related_name="tasks", verbose_name=_("mục"))
    number = models.PositiveIntegerField(_("TT"))
    title = models.TextField(_("nhiệm vụ cụ thể"), **bounded(TITLE_MAX))
    kind = models.CharField(_("loại nhiệm vụ"), max_length=20, choices=TaskKind.choices, default=TaskKind.OTHER)
    lead_text = models.TextField(_("cơ quan chủ trì (nguyên văn)"), **bounded(TITLE_MAX))
    partners_text = models.TextField(_("cơ quan phối hợp (nguyên văn)"), blank=True, **bounded(TITLE_MAX))
    deadline_text = models.CharField(_("thời hạn thực hiện (nguyên văn)"), max_length=255, blank=True)
    funding_text = models.TextField(_("nguồn lực (nguyên văn)"), blank=True, **bounded(TITLE_MAX))
    funding = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name=_("nguồn lực")
    )
    agencies = models.ManyToManyField(Agency, through="Assignment", related_name="tasks", verbose_name=_("cơ quan"))

    # The deadline as understood; derived from deadline_text by deadlines.parse_deadline.
    start_date = models.DateField(_("bắt đầu"), null=True, blank=True)
    due_date = models.DateField(_("hạn cuối"), null=True, blank=True)
    next_due_date = models.DateField(
        _("hạn kế tiếp"), null=True, blank=True, help_text=_("Mốc chưa hoàn thành gần nhất; nếu không có mốc, là hạn cuối.")
    )
    is_ongoing = models.BooleanField(_("thực hiện thường xuyên"), default=False)
    is_conditional = models.BooleanField(_("có điều kiện"), default=False)
    needs_review = models.BooleanField(_("cần rà soát thời hạn"), default=False)
    review_note = models.CharField(_("lý do cần rà soát"), max_length=255, blank=True)

    status = models.CharField(_("tình trạng"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    last_reported_at = models.DateTimeField(_("cập nhật tiến độ lần cuối"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    # Title, cells and body names without diacritics, lower-cased: "duong tinh 925" finds "Đường tỉnh 925".
    search_text = models.TextField(_("nội dung tìm kiếm"), blank=True, editable=False)

    # A revision of the programme that dropped a task with reports or history withdraws it instead of deleting it.
    withdrawn_on = models.DateField(
        _("ngày rút khỏi danh mục"), null=True, blank=True, editable=False,
        help_text=_("Đã rút khỏi danh mục: giữ lại cùng báo cáo và lịch sử, không tính trong số liệu, danh sách, nhắc việc và bảng tính."),
    )
    withdrawn_in = models.CharField(_("rút theo bản danh mục"), max_length=255, blank=True, editable=False)

    delegate = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_tasks",
        verbose_name=_("đơn vị được giao cụ thể"),
        help_text=_("Đơn vị chịu trách nhiệm thực hiện và báo cáo (ví dụ Sở Xây dựng) khi cơ quan chủ trì là một nhóm."),
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người giao")
    )
    delegated_at = models.DateTimeField(_("giao lúc"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "search_text"])

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="task_unique_number"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_0_100"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=WorkStatus.DONE), name="task_completed_only_when_done"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__isnull=True) | Q(start_date__lte=models.F("due_date")),
                name="task_start_before_due",
            ),
        ]
        # number: the list's default order (a page is an index walk, not a sort of every task); status with number:
        # the commonest filter, counted and paged in that order from the index alone.
        indexes = [
            models.Index(fields=["next_due_date"]),
            models.Index(fields=["status", "number"], name="task_status_number"),
            models.Index(fields=["number"], name="task_number"),
        ]

    def natural_key(self):
        return (self.programme.natural_key(), self.number)

    natural_key.dependencies = ["portfolio.programme", "portfolio.section", "portfolio.fundingsource"]

    def __str__(self):
        return f"{self.number}. {shorten(self.title, 80)}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None


class Milestone(TimeStamped):
    """A dated step of a task (a year, a phase, a conditional start of works)."""

    objects = NaturalKeyManager("task__natural", "position")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("nhiệm vụ"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    label = models.CharField(_("mốc"), max_length=255)
    due_date = models.DateField(_("hạn"))
    is_conditional = models.BooleanField(_("có điều kiện"), default=False)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)

    class Meta:
        ordering = ["task", "position"]
        verbose_name = _("mốc thời hạn")
        verbose_name_plural = _("mốc thời hạn")
        constraints = [models.UniqueConstraint(fields=["task", "position"], name="milestone_unique_position")]

    def natural_key(self):
        return (self.task.natural_key(), self.position)

    natural_key.dependencies = ["portfolio.task"]

    def __str__(self):
        return self.label


class Assignment(TimeStamped):
    """A body's role on a task (chủ trì, chủ trì tham mưu, cơ quan chủ trì, thực hiện, phối hợp)."""

    objects = ChangeAwareManager("task__natural", "agency__natural", "role")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("nhiệm vụ"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("cơ quan"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["task", "position"]
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [models.UniqueConstraint(fields=["task", "agency", "role"], name="assignment_unique_role")]
        indexes = [
            models.Index(fields=["agency", "role"]),
            # Covers the per-body counts of the dashboard, the meeting workbook and the agency page (role first).
            models.Index(fields=["role", "agency", "task"], name="assignment_role_agency_task"),
        ]

    def natural_key(self):
        return (self.task.natural_key(), self.agency.natural_key(), self.role)

    natural_key.dependencies = ["portfolio.task", "portfolio.agency"]

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    def __str__(self):
        return f"{self.agency} — {self.get_role_display()}"


class ProgressReport(TimeStamped):
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
    review_state = models.CharField(_("xem xét"), max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người xem xét")
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Văn phòng"), blank=True, **bounded(COMMENT_MAX))
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
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
        indexes = [models.Index(fields=["task", "review_state"])]

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
        from django.core.exceptions import ValidationError

        from .reminders import parse_day_months, parse_thresholds

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
    payload = models.JSONField(_("nội dung"), default=dict, blank=True)

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


class TargetValue(TimeStamped):
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
    review_state = models.CharField(_("xem xét"), max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người xem xét")
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Văn phòng"), blank=True, **bounded(COMMENT_MAX))
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
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
from .sharing import *  # noqa
