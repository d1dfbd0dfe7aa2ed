"""The programme as data: programmes, sections, tasks, bodies and who does what."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from ..choices import AgencyKind, FundingCategory, Role, TaskKind, WorkStatus
from .base import COMMENT_MAX, ChangeAwareManager, NaturalKeyManager, TITLE_MAX, TimeStamped, bounded, shorten


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
    # Derived from the names on every save: lists of bodies sort by sort_key in
    # Vietnamese order (vietnamese.sort_key), pickers match search_key without accents ("xay dung" finds "Xây dựng").
    sort_key = models.CharField(_("khóa sắp xếp"), max_length=800, blank=True, editable=False, db_index=True)
    search_key = models.CharField(_("khóa tìm kiếm"), max_length=700, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "sort_key", "search_key"])

    class Meta:
        ordering = ["sort_key", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def natural_key(self):
        return (self.name,)

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        from ..vietnamese import fold, sort_key

        self.sort_key = sort_key(self.name)
        self.search_key = fold(f"{self.name} {self.short_name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key", "search_key"}
        super().save(*args, **kwargs)

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
        from ..catalogue import name_key

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
        from ..catalogue import name_key

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
            # The same for the tasks still in the programme (the list's default): its count of a status is read from
            # this index alone, not from every matching task's row for withdrawn_on (at 100,000 tasks 2 ms, not 31).
            models.Index(fields=["status", "number"], condition=Q(withdrawn_on__isnull=True), name="task_current_status_number"),
            models.Index(fields=["number"], name="task_number"),
            # The timeline's sections: each one's size, and a page of it in order of number, from this index alone.
            models.Index(fields=["section", "number", "id"], condition=Q(withdrawn_on__isnull=True), name="task_current_section_number"),
            # The few withdrawn tasks, found without reading every task (worklists.review_counts leaves out their reports).
            models.Index(fields=["withdrawn_on"], condition=Q(withdrawn_on__isnull=False), name="task_withdrawn"),
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


