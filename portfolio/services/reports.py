"""Writes of the reporting side: progress reports, review, delegation, comments, attachments."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access
from ..choices import ReviewState, WorkStatus
from ..models import Agency, ProgressReport, ReportAttachment, Task, TaskComment
from .tasks import task_set_state, work_state_errors


class ConflictError(ValidationError):
    """Somebody saved the same record since this edit started; nothing was written."""


def conflict_message(model_label: str, current) -> str:
    when = timezone.localtime(current.updated_at).strftime("%d/%m/%Y %H:%M")
    return (
        f"{model_label} đã được người khác cập nhật lúc {when} sau khi anh/chị mở trang này. "
        "Thay đổi của anh/chị chưa được lưu: hãy tải lại trang để xem nội dung mới rồi nhập lại."
    )


def lock_version(model, *, pk: int, expected: int, label: str):
    """Lock the row and check nobody saved it since ``expected``; raise ConflictError otherwise."""
    current = model.objects.select_for_update().get(pk=pk)
    if current.version != expected:
        raise ConflictError(conflict_message(label, current), code="conflict")
    return current


# ---- attachments -----------------------------------------------------------

@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
DOCX = FileKind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PNG = FileKind("PNG", "image/png", (".png",))
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
ALLOWED_KINDS = "PDF, DOCX, XLSX, PNG, JPG"


def _office_kind(upload) -> FileKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def sniff_file_kind(upload) -> FileKind | None:
    """What a file really is, from its first bytes (and zip directory), never from its name."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    return None


def attachment_validate(upload) -> FileKind:
    """Refuse a file that is too big, of another type, or whose name says another type than its content."""
    name = upload.name or "tệp"
    limit = settings.PORTFOLIO_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"Tệp «{name}» có dung lượng {upload.size / 1048576:.1f} MB, vượt giới hạn {limit / 1048576:.0f} MB.", code="too_big"
        )
    kind = sniff_file_kind(upload)
    if kind is None:
        raise ValidationError(f"Tệp «{name}» không phải loại được phép ({ALLOWED_KINDS}) theo nội dung tệp.", code="type")
    if not name.lower().endswith(kind.extensions):
        raise ValidationError(
            f"Tệp «{name}» có nội dung {kind.label} nhưng tên tệp có phần mở rộng khác; đổi tên thành {kind.extensions[0]}.",
            code="extension",
        )
    return kind


def attachment_add(*, report: ProgressReport, upload) -> ReportAttachment:
    """Validate, then store the file; if recording it fails, the stored file is removed again."""
    kind = attachment_validate(upload)
    attachment = ReportAttachment(report=report, original_name=upload.name[:255], content_type=kind.content_type, size=upload.size)
    attachment.file.save(upload.name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


# ---- progress reports -------------------------------------------------------

def report_validate(*, status: str, percent: int, completed_on, as_of=None) -> None:
    """The rule of a state of work (tasks.work_state_errors) with a report's field names."""
    errors = work_state_errors(status=status, percent=percent, completed_on=completed_on, as_of=as_of)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def progress_report_submit(
    *,
    task: Task,
    agency: Agency,
    user,
    period: str,
    status: str,
    percent: int,
    completed_on=None,
    results: str = "",
    difficulties: str = "",
    proposals: str = "",
    attachments=(),
) -> ProgressReport:
    """An agency reports on a task it leads or was delegated; the Office reviews it later."""
    if not access.can_report(user, task) or not access.reporting_agencies(user, task).filter(pk=agency.pk).exists():
        raise PermissionDenied("Cơ quan của anh/chị không chủ trì hoặc được giao nhiệm vụ này nên không gửi báo cáo được.")
    report_validate(status=status, percent=percent, completed_on=completed_on)
    report = ProgressReport(
        task=task, agency=agency, period=period, status=status, percent=percent, completed_on=completed_on,
        results=results, difficulties=difficulties, proposals=proposals, submitted_by=user,
    )
    for upload in attachments:
        attachment_validate(upload)  # every file is checked before anything is written
    report.full_clean()
    report.save()
    stored = []
    try:
        for upload in attachments:
            stored.append(attachment_add(report=report, upload=upload))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return report


@transaction.atomic
def progress_report_review(*, report: ProgressReport, user, accept: bool, comment: str = "", expected_version: int | None = None) -> ProgressReport:
    """The Office accepts a report (the task takes its status) or returns it with a comment."""
    if not access.is_office(user):
        raise PermissionDenied("Chỉ Văn phòng Thành ủy được xem xét báo cáo.")
    report = lock_version(ProgressReport, pk=report.pk, expected=report.version if expected_version is None else expected_version, label="Báo cáo")
    if not accept and not comment.strip():
        raise ValidationError({"review_comment": "Khi trả lại báo cáo phải ghi ý kiến để cơ quan biết cần bổ sung gì."})
    report.review_state = ReviewState.ACCEPTED if accept else ReviewState.RETURNED
    report.review_comment = comment
    report.clean_fields(exclude=[f.name for f in ProgressReport._meta.fields if f.name != "review_comment"])
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.version += 1
    report.save()
    if accept:
        task_apply_accepted_report(task_id=report.task_id)
    return report


def report_label(report: ProgressReport) -> str:
    """A report as a message names it: "nhiệm vụ 6, kỳ Quý IV/2026, Ban Tổ chức Thành ủy"."""
    return f"nhiệm vụ {report.task.number}, kỳ {report.period}, {report.agency}"


def _still_awaiting(*, report_id: int, expected_version: int) -> ProgressReport:
    """The report as the reviewer saw it on the queue: still awaiting review and unchanged since; else a message naming it."""
    report = ProgressReport.objects.select_related("task", "agency", "reviewed_by").filter(pk=report_id).first()
    if report is None:
        raise ValidationError(f"Báo cáo số {report_id} không còn nữa (đã bị xóa).", code="gone")
    if report.review_state != ReviewState.SUBMITTED:
        who = report.reviewed_by.get_full_name() or report.reviewed_by.username if report.reviewed_by else "người khác"
        when = timezone.localtime(report.reviewed_at).strftime("%d/%m/%Y %H:%M") if report.reviewed_at else ""
        raise ConflictError(
            f"Báo cáo «{report_label(report)}» đã được {who} xem xét ({report.get_review_state_display().lower()}) lúc {when}.", code="conflict"
        )
    if report.version != expected_version:
        raise ConflictError(conflict_message(f"Báo cáo «{report_label(report)}»", report), code="conflict")
    return report


@transaction.atomic
def progress_report_decide(*, report_id: int, expected_version: int, user, accept: bool, comment: str = "") -> ProgressReport:
    """One decision from the review queue: the report must still await review as the reviewer saw it."""
    if not access.is_office(user):
        raise PermissionDenied("Chỉ Văn phòng Thành ủy được xem xét báo cáo.")
    report = _still_awaiting(report_id=report_id, expected_version=expected_version)
    return progress_report_review(report=report, user=user, accept=accept, comment=comment, expected_version=expected_version)


@transaction.atomic
def progress_reports_accept(*, reports: list[tuple[int, int]], user) -> list[ProgressReport]:
    """Accept several reports, all or nothing: ``reports`` are (id, version seen); one already reviewed (or changed)
    meanwhile refuses the lot, with a message naming it, and nothing is written."""
    if not access.is_office(user):
        raise PermissionDenied("Chỉ Văn phòng Thành ủy được xem xét báo cáo.")
    if not reports:
        raise ValidationError("Chưa chọn báo cáo nào.", code="empty")
    accepted = []
    for report_id, version in reports:
        try:
            report = _still_awaiting(report_id=report_id, expected_version=version)
        except ValidationError as error:
            raise type(error)(f"{error.messages[0]} Chưa báo cáo nào được chấp nhận; hãy tải lại danh sách.", code=error.code) from None
        accepted.append(progress_report_review(report=report, user=user, accept=True, expected_version=version))
    return accepted


def task_apply_accepted_report(*, task_id: int) -> Task:
    """The task's current status is its latest accepted report (through the task's state service)."""
    task = Task.objects.select_for_update().get(pk=task_id)
    latest = task.reports.filter(review_state=ReviewState.ACCEPTED).order_by("-reviewed_at", "-pk").first()
    if latest is None:
        return task
    task.last_reported_at = latest.reviewed_at
    task.version += 1
    return task_set_state(task=task, status=latest.status, progress=latest.percent, completed_on=latest.completed_on)


@transaction.atomic
def task_comment_add(*, task: Task, agency: Agency, user, text: str) -> TaskComment:
    if not access.can_comment(user, task) or not access.commenting_agencies(user, task).filter(pk=agency.pk).exists():
        raise PermissionDenied("Cơ quan của anh/chị không có vai trò trong nhiệm vụ này.")
    comment = TaskComment(task=task, agency=agency, author=user, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def task_comment_delete(*, comment: TaskComment, user) -> None:
    """Only the Office removes a comment (the history keeps what it said)."""
    if not access.is_office(user):
        raise PermissionDenied("Chỉ Văn phòng Thành ủy được xóa ý kiến.")
    comment.delete()
