"""Enumerations shared by models, filters, exports and jobs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PARTY = "party", _("Cơ quan, tổ chức đảng")
    GOVERNMENT = "government", _("Cơ quan nhà nước")
    CENTRAL = "central", _("Cơ quan Trung ương")
    GROUP = "group", _("Nhóm cơ quan")


class Role(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    ADVISING_LEAD = "advising_lead", _("Chủ trì tham mưu")
    IMPLEMENTING_LEAD = "implementing_lead", _("Cơ quan chủ trì")
    IMPLEMENTING = "implementing", _("Thực hiện")
    COORDINATING = "coordinating", _("Phối hợp")


LEAD_SIDE_ROLES = (Role.LEAD, Role.ADVISING_LEAD, Role.IMPLEMENTING_LEAD, Role.IMPLEMENTING)


class TaskKind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    SCHEME = "scheme", _("Đề án")
    PROJECT = "project", _("Dự án")
    PROGRAMME = "programme", _("Chương trình")
    PLAN = "plan", _("Kế hoạch")
    OTHER = "other", _("Nhiệm vụ khác")


class FundingCategory(models.TextChoices):
    STATE_BUDGET = "state_budget", _("Ngân sách nhà nước")
    STATE_AND_OTHER = "state_and_other", _("Ngân sách nhà nước và nguồn hợp pháp khác")
    NON_BUDGET = "non_budget", _("Ngoài ngân sách")
    ODA_GRANT = "oda_grant", _("ODA, viện trợ không hoàn lại")
    OTHER = "other", _("Khác")


class WorkStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa triển khai")
    IN_PROGRESS = "in_progress", _("Đang triển khai")
    DONE = "done", _("Hoàn thành")
    BLOCKED = "blocked", _("Tạm dừng / vướng mắc")


class ScheduleState(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OVERDUE = "overdue", _("Quá hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    ON_TRACK = "on_track", _("Trong hạn")
    ONGOING = "ongoing", _("Thường xuyên")
    UNSCHEDULED = "unscheduled", _("Chưa xác định hạn")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ xem xét")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại")


class UserKind(models.TextChoices):
    """The three kinds of user; each is a Django group created by a migration."""

    OFFICE = "Văn phòng Thành ủy", _("Văn phòng Thành ủy")
    REPORTER = "Cơ quan báo cáo", _("Cơ quan báo cáo")
    VIEWER = "Lãnh đạo (chỉ xem)", _("Lãnh đạo (chỉ xem)")


class ReminderReason(models.TextChoices):
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    MISSING_REPORT = "missing_report", _("Chưa báo cáo")
    FOLLOW_CENTRAL = "follow_central", _("Theo dõi, phối hợp")


class DigestState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")
    NO_ADDRESS = "no_address", _("Không có địa chỉ")


def labels(choices) -> dict[str, str]:
    """value -> label in the current language, translated now: for loops over thousands of rows."""
    return {value: str(label) for value, label in choices.choices}
