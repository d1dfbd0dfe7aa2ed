"""Agency workbooks in: read every row, preview exactly what changes, apply on confirmation in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from .. import access
from ..choices import LEAD_SIDE_ROLES, ReviewState, WorkStatus
from ..excel.agency import FILLED, SheetRow, agency_workbook, read_agency_workbook
from ..models import Agency, ProgressReport, Task
from .reports import progress_report_submit

FIELD_LABELS = {
    "period": "Kỳ báo cáo", "status": "Tình trạng", "percent": "Tiến độ (%)", "completed_on": "Ngày hoàn thành",
    "results": "Kết quả", "difficulties": "Khó khăn, vướng mắc", "proposals": "Đề xuất, kiến nghị",
}
STATUS_LABELS = dict(WorkStatus.choices)


def _latest_reports(agency_id: int, task_ids) -> dict[int, ProgressReport]:
    latest = {}
    reports = ProgressReport.objects.filter(agency_id=agency_id, task_id__in=task_ids).exclude(review_state=ReviewState.RETURNED)
    for report in reports.order_by("task_id", "-created_at", "-pk"):
        latest.setdefault(report.task_id, report)
    return latest


def agency_tasks_for_reporting(agency: Agency):
    """The agency's lead-side tasks (or delegated to it), in programme order."""
    from django.db.models import Q

    return (
        Task.objects.filter(Q(assignments__agency=agency, assignments__role__in=LEAD_SIDE_ROLES) | Q(delegate=agency))
        .distinct()
        .order_by("programme", "number")
    )


def agency_workbook_export(*, agency: Agency, as_of: date) -> bytes:
    tasks = list(agency_tasks_for_reporting(agency))
    return agency_workbook(agency=agency, tasks=tasks, latest_reports=_latest_reports(agency.pk, [t.pk for t in tasks]), as_of=as_of)


def _display(name, value):
    if value in (None, ""):
        return "—"
    if name == "status":
        return str(STATUS_LABELS.get(value, value))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass
class RowChange:
    row: int
    task: Task
    values: dict
    changes: list[tuple[str, str, str]]  # (field label, old, new)


@dataclass
class Preview:
    agency: Agency | None
    changes: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return self.agency is not None and not self.problems

    def lines(self) -> list[str]:
        out = [f"LỖI: {p}" for p in self.problems] + [f"XUNG ĐỘT: {c}" for c in self.conflicts]
        for change in self.changes:
            out.append(f"Dòng {change.row} — nhiệm vụ {change.task.number}: {change.task.title[:80]}")
            out.extend(f"    {label}: «{old}» -> «{new}»" for label, old, new in change.changes)
        return out

    def summary(self) -> str:
        if self.problems:
            return f"Tệp bị từ chối: {len(self.problems)} lỗi; không ghi gì. Sửa các ô đã nêu rồi tải lên lại."
        return f"{len(self.changes)} nhiệm vụ thay đổi, {self.unchanged} không đổi, {len(self.conflicts)} xung đột (không áp dụng)."


def agency_import_preview(*, data: bytes, user, name: str = "tệp") -> Preview:
    """Read the whole file and say what would change; any problem refuses the whole file."""
    agency_id, rows, problems = read_agency_workbook(data, name=name)
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    preview = Preview(agency=agency, problems=list(problems))
    if agency is None:
        preview.problems.append("Không xác định được cơ quan của biểu mẫu: hãy dùng biểu mẫu tải từ trang của cơ quan.")
        return preview
    if not access.is_office(user) and agency.pk not in access.agency_ids(user):
        preview.problems.append(f"Anh/chị không báo cáo cho {agency.name}; không nhận biểu mẫu của cơ quan này.")
        return preview
    tasks = Task.objects.in_bulk([r.task_id for r in rows if r.task_id])
    latest = _latest_reports(agency.pk, list(tasks))
    reportable = set(agency_tasks_for_reporting(agency).filter(pk__in=list(tasks)).values_list("pk", flat=True))
    for row in rows:
        preview.problems.extend(row.problems)
        if row.problems or row.task_id is None:
            continue
        task = tasks.get(row.task_id)
        if task is None:
            preview.problems.append(f"Trang «Báo cáo», dòng {row.row}, cột L (KHÓA): không có nhiệm vụ mã {row.task_id}")
            continue
        if task.pk not in reportable or not access.can_report(user, task):
            preview.problems.append(f"Trang «Báo cáo», dòng {row.row}, cột A (TT): nhiệm vụ {task.number} không thuộc các nhiệm vụ {agency.name} được báo cáo")
            continue
        _check_row(preview, row, task, latest.get(task.pk))
    return preview


def _check_row(preview: Preview, row: SheetRow, task: Task, report: ProgressReport | None):
    values = row.values
    if values.get("completed_on") and values.get("status") != WorkStatus.DONE:
        preview.problems.append(f"Trang «Báo cáo», dòng {row.row}, cột H (NGÀY HOÀN THÀNH): chỉ ghi ngày hoàn thành khi tình trạng là «Hoàn thành»")
        return
    if values.get("status") == WorkStatus.DONE and not values.get("completed_on"):
        preview.problems.append(f"Trang «Báo cáo», dòng {row.row}, cột H (NGÀY HOÀN THÀNH): nhiệm vụ hoàn thành phải có ngày hoàn thành")
        return
    if values.get("status") == WorkStatus.DONE and values.get("percent") != 100:
        preview.problems.append(f"Trang «Báo cáo», dòng {row.row}, cột G (TIẾN ĐỘ (%)): nhiệm vụ hoàn thành phải có tiến độ 100")
        return
    current = (
        {name: getattr(report, name) for name in FILLED.values()}
        if report
        else {"period": None, "status": task.status, "percent": task.progress, "completed_on": task.completed_on, "results": "", "difficulties": "", "proposals": ""}
    )
    compared = [n for n in FILLED.values() if n != "period" or report]
    changes = [(FIELD_LABELS[n], _display(n, current[n]), _display(n, values[n])) for n in compared if (current[n] or None) != (values[n] or None)]
    if not changes:
        preview.unchanged += 1
        return
    if row.version != task.version:
        preview.conflicts.append(
            f"Trang «Báo cáo», dòng {row.row}: nhiệm vụ {task.number} đã được cập nhật sau khi tải biểu mẫu; "
            "tải biểu mẫu mới rồi nhập lại dòng này"
        )
        return
    preview.changes.append(RowChange(row.row, task, values, changes))


@transaction.atomic
def agency_import_apply(*, preview: Preview, user) -> list[ProgressReport]:
    """Every change becomes a progress report by the uploader, awaiting the Office's review; all or nothing."""
    if not preview.can_apply:
        raise ValueError(preview.summary())
    return [
        progress_report_submit(task=change.task, agency=preview.agency, user=user, **change.values)
        for change in preview.changes
    ]
