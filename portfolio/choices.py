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


class TargetGroup(models.TextChoices):
    """The groups of the Resolution's specific targets, as headed in section 2.3 ("- Chỉ tiêu về ...")."""

    ECONOMY = "economy", _("Chỉ tiêu về kinh tế")
    SOCIETY = "society", _("Chỉ tiêu về xã hội")
    ENVIRONMENT = "environment", _("Chỉ tiêu về môi trường")
    INFRASTRUCTURE = "infrastructure", _("Chỉ tiêu về phát triển kết cấu hạ tầng")
    PARTY = "party", _("Chỉ tiêu về xây dựng Đảng và hệ thống chính trị")
    DEFENCE = "defence", _("Chỉ tiêu về quốc phòng, an ninh, đối ngoại")


class Comparison(models.TextChoices):
    """How a figure's value is compared with the target."""

    AT_LEAST = "at_least", _("Tối thiểu (từ … trở lên)")
    MORE_THAN = "more_than", _("Trên")
    ABOUT = "about", _("Khoảng")
    BELOW = "below", _("Dưới")
    AT_MOST = "at_most", _("Tối đa (không quá)")
    BETWEEN = "between", _("Trong khoảng")
    MAINTAIN = "maintain", _("Duy trì")
    QUALITATIVE = "qualitative", _("Định tính (hoàn thành / chưa hoàn thành)")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Cả năm")
    FIRST_HALF = "first_half", _("6 tháng đầu năm")


class Assessment(models.TextChoices):
    """A figure's assessment for a date, in the words of the Resolution's review table."""

    EXCEEDED = "exceeded", _("Vượt")
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Không đạt")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    BEHIND = "behind", _("Chậm tiến độ")
    NO_DATA = "no_data", _("Chưa có số liệu")
