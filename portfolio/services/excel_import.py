"""Agency workbooks in: read every row, preview exactly what changes, apply on confirmation in one transaction."""

from __future__ import annotations

import json
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.utils.translation import get_language

from .. import access
from ..choices import LEAD_SIDE_ROLES, ReviewState, WorkStatus
from ..excel.agency import (
    FIELD_LABELS, FILLED, KEY_HEADER, NUMBER_HEADER, SheetRow, agency_workbook, cell_ref, field_ref, read_agency_workbook_with_targets,
)
from ..excel.agency_targets import TARGET_SHEET, VALUE_LABELS, TargetRow
from ..bulkinsert import insert_rows
from ..history import history_record_created
from ..models import Agency, Assignment, ProgressReport, TargetFigure, TargetValue, Task
from .reports import ConflictError, report_validate
from .targets import target_value_submit, target_value_validate

STATUS_LABELS = dict(WorkStatus.choices)
REPORT_FIELDS = {name: ProgressReport._meta.get_field(name) for name in FILLED.values()}


# What a preview and its confirmation read of a task (a workbook may hold thousands: not the whole row), as plain
# tuples: building ten thousand Task instances with deferred fields was a fifth of a preview.
TASK_FIELDS = ("pk", "number", "title", "status", "progress", "completed_on", "version")
TaskRow = namedtuple("TaskRow", TASK_FIELDS)
BATCH = 1000  # reports (and their history rows) per INSERT when applying
# The ids of a workbook's rows go to the database as one parameter (portfolio/lookups.py: in_list), not one each.


def _task_rows(ids) -> dict[int, TaskRow]:
    return {row[0]: TaskRow(*row) for row in Task.objects.filter(pk__in_list=list(ids)).values_list(*TASK_FIELDS)}


def _latest_reports(agency_id: int, task_ids) -> dict[int, ProgressReport]:
    latest = {}
    reports = (
        ProgressReport.objects.filter(agency_id=agency_id, task_id__in_list=list(task_ids)).exclude(review_state=ReviewState.RETURNED)
        .only("id", "task_id", "created_at", *FILLED.values())
    )
    for report in reports.order_by("task_id", "-created_at", "-pk"):
        latest.setdefault(report.task_id, report)
    return latest


def _reportable(user, agency: Agency, task_ids) -> set[int]:
    """Of these tasks, those the agency reports on (lead side or delegated) and the user may report for.

    The body's whole list is read and intersected here: a workbook is the body's own list, so an IN (...) of its
    thousands of ids would ask for the same rows at more cost.
    """
    return set(task_ids) & set(access.reportable_tasks(user, agency_tasks_for_reporting(agency)).order_by().values_list("pk", flat=True))


def agency_tasks_for_reporting(agency: Agency):
    """The agency's lead-side tasks (or delegated to it), in programme order."""
    # The two ways in as one UNION of index reads: a join with an OR across its two tables read every assignment
    # (at 100,000 tasks on PostgreSQL 140 ms, twice an import; the UNION 20 ms).
    lead_side = Assignment.objects.filter(agency=agency, role__in=LEAD_SIDE_ROLES).order_by().values("task_id")
    delegated = Task.objects.filter(delegate=agency).order_by().values("pk")
    return Task.objects.filter(pk__in=lead_side.union(delegated), withdrawn_on__isnull=True).order_by("programme", "number")


def _latest_values(figure_ids) -> dict[tuple, TargetValue]:
    """(figure id, period, year) -> the latest value reported for it and not returned."""
    latest = {}
    values = TargetValue.objects.filter(figure_id__in=list(figure_ids)).exclude(review_state=ReviewState.RETURNED)
    for value in values.order_by("figure_id", "-created_at", "-pk"):
        latest.setdefault((value.figure_id, value.period_kind, value.year), value)
    return latest


def agency_workbook_export(*, agency: Agency, as_of: date) -> bytes:
    from ..selectors import goal_text

    tasks = list(agency_tasks_for_reporting(agency))
    figures = list(TargetFigure.objects.filter(agency=agency).select_related("target").order_by("target__number", "position"))
    return agency_workbook(
        agency=agency, tasks=tasks, latest_reports=_latest_reports(agency.pk, [t.pk for t in tasks]), as_of=as_of,
        figures=[(figure, goal_text(figure)) for figure in figures], latest_values=_latest_values(f.pk for f in figures),
    )


@lru_cache(maxsize=64)
def _status_text(value, language) -> str:
    """A status's label in the active language, translated once (a preview of ten thousand rows asked 20,000 times)."""
    return str(STATUS_LABELS.get(value, value))


def _display(name, value, language):
    if value in (None, ""):
        return "—"
    if name == "status":
        return _status_text(value, language)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass
class RowChange:
    row: int
    task: TaskRow
    values: dict
    changes: list[tuple[str, str, str]]  # (field label, old, new)
    version: int = 0  # the task's version the workbook was made from


@dataclass
class ValueChange:
    """A row of the targets sheet that becomes a value of the figure, awaiting the Office's review."""

    row: int
    figure: TargetFigure
    values: dict
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def _value_display(name, value) -> str:
    from ..choices import PeriodKind
    from ..selectors import vn_number

    if value in (None, ""):
        return "—"
    if name == "period_kind":
        return str(dict(PeriodKind.choices).get(value, value))
    if name == "achieved":
        return "Có" if value else "Không"
    if name == "value":
        return vn_number(value)
    return str(value)


@dataclass
class Preview:
    agency: Agency | None
    changes: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # kept for stored previews; a stale row is now a problem
    problems: list[str] = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # header -> column number in the uploaded file
    values: list[ValueChange] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return self.agency is not None and not self.problems

    def lines(self) -> list[str]:
        out = [f"LỖI: {p}" for p in self.problems] + [f"XUNG ĐỘT: {c}" for c in self.conflicts]
        for change in self.changes:
            out.append(f"Dòng {change.row} — nhiệm vụ {change.task.number}: {change.task.title[:80]}")
            out.extend(f"    {label}: «{old}» -> «{new}»" for label, old, new in change.changes)
        for change in self.values:
            out.append(f"Trang «{TARGET_SHEET}», dòng {change.row} — {change.figure}")
            out.extend(f"    {label}: «{old}» -> «{new}»" for label, old, new in change.changes)
        return out

    def to_json(self) -> str:
        """What the confirmation needs, so it applies exactly what was previewed without reading the file again."""
        return json.dumps({
            "agency": self.agency.pk if self.agency else None, "unchanged": self.unchanged,
            "conflicts": self.conflicts, "problems": self.problems, "columns": self.columns,
            "changes": [
                {"row": c.row, "task": c.task.pk, "version": c.version, "changes": c.changes,
                 "values": {k: v.isoformat() if isinstance(v, date) else v for k, v in c.values.items()}}
                for c in self.changes
            ],
            "values": [
                {"row": v.row, "figure": v.figure.pk, "changes": v.changes,
                 "values": {k: str(x) if k == "value" and x is not None else x for k, x in v.values.items()}}
                for v in self.values
            ],
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Preview":
        data = json.loads(text)
        preview = cls(agency=Agency.objects.filter(pk=data["agency"]).first() if data["agency"] else None,
                      unchanged=data["unchanged"], conflicts=data["conflicts"], problems=data["problems"],
                      columns=data.get("columns", {}))
        tasks = _task_rows([c["task"] for c in data["changes"]])
        for c in data["changes"]:
            task = tasks.get(c["task"])
            if task is None:
                preview.problems.append(f"Trang «Báo cáo», dòng {c['row']}: nhiệm vụ đã bị xóa sau khi xem trước")
                continue
            values = dict(c["values"])
            if values.get("completed_on"):
                values["completed_on"] = date.fromisoformat(values["completed_on"])
            preview.changes.append(RowChange(c["row"], task, values, [tuple(x) for x in c["changes"]], c["version"]))
        figures = TargetFigure.objects.select_related("target").in_bulk([v["figure"] for v in data.get("values", [])])
        for v in data.get("values", []):
            figure = figures.get(v["figure"])
            if figure is None:
                preview.problems.append(f"Trang «{TARGET_SHEET}», dòng {v['row']}: số liệu đã bị xóa sau khi xem trước")
                continue
            values = dict(v["values"])
            values["value"] = Decimal(values["value"]) if values.get("value") is not None else None
            preview.values.append(ValueChange(v["row"], figure, values, [tuple(x) for x in v["changes"]]))
        return preview

    def summary(self) -> str:
        if self.problems:
            return f"Tệp bị từ chối: {len(self.problems)} lỗi; không ghi gì. Sửa các ô đã nêu rồi tải lên lại."
        values = f", {len(self.values)} số liệu chỉ tiêu mới" if self.values else ""
        return f"{len(self.changes)} nhiệm vụ thay đổi, {self.unchanged} không đổi{values}."


# Fields whose values repeat from row to row (a status, a percentage, a date): each value is checked once per language.
FEW_VALUES = {name for name, f in REPORT_FIELDS.items() if f.choices or not isinstance(f, (models.CharField, models.TextField))}
# Text fields whose only check is their length (no choices, no validator but MaxLengthValidator): name -> the length
# allowed (unbounded for a TextField without one).
PLAIN_TEXT = {
    name: f.max_length or float("inf") for name, f in REPORT_FIELDS.items()
    if isinstance(f, (models.CharField, models.TextField)) and not f.choices
    and all(isinstance(v, MaxLengthValidator) and v.limit_value == f.max_length for v in f.validators)
}


def _clean(model_field, value) -> tuple[str, ...]:
    try:
        model_field.clean(value, None)
    except ValidationError as error:
        return tuple(error.messages)
    return ()


@lru_cache(maxsize=4096)
def _field_problems(name: str, value, language) -> tuple[str, ...]:
    return _clean(REPORT_FIELDS[name], value)


def _plain_text_fits(model_field, value) -> bool:
    """A text without choices whose only rule is its length, filled and within it: what clean() would pass, known without
    calling it (an empty one still goes to clean(), which refuses it where the field may not be blank)."""
    return isinstance(value, str) and value != "" and model_field.name in PLAIN_TEXT and len(value) <= PLAIN_TEXT[model_field.name]


def report_row_problems(*, values: dict, columns: dict, row: int, language: str | None = None) -> list[str]:
    """Every rule of a report, on one row: the rule of a state of work (report_validate) and the model's own field checks
    (lengths, ranges), each error placed in its cell through the workbook's column map. The preview and the apply run this
    (``language``: the request's, read once by a caller that checks many rows)."""
    errors: dict[str, list[str]] = {}
    try:
        report_validate(status=values.get("status"), percent=values.get("percent"), completed_on=values.get("completed_on"))
    except ValidationError as error:
        errors.update(error.message_dict)
    language = language or get_language()
    for name, value in values.items():  # what Model.clean_fields checks of these fields, without building a report per row
        model_field = REPORT_FIELDS[name]
        if name in errors or (model_field.blank and value in model_field.empty_values) or _plain_text_fits(model_field, value):
            continue
        messages = _field_problems(name, value, language) if name in FEW_VALUES else _clean(model_field, value)
        if messages:
            errors[name] = list(messages)
    return [f"{field_ref(columns, row, name)}: {message}" for name, messages in errors.items() for message in messages]


def _rows_list(rows: list[int]) -> str:
    named = [f"dòng {r}" for r in rows]
    return ", ".join(named[:-1]) + f" và {named[-1]}" if len(named) > 1 else named[0]


def agency_import_preview(*, data: bytes, user, name: str = "tệp") -> Preview:
    """Read the whole file and say what would change; any problem refuses the whole file."""
    agency_id, rows, problems, target_rows = read_agency_workbook_with_targets(data, name=name)
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    preview = Preview(agency=agency, problems=list(problems), columns=rows[0].columns if rows else {})
    if agency is None:
        preview.problems.append("Không xác định được cơ quan của biểu mẫu: hãy dùng biểu mẫu tải từ trang của cơ quan.")
        return preview
    if not access.is_office(user) and agency.pk not in access.agency_ids(user):
        preview.problems.append(f"Anh/chị không báo cáo cho {agency.name}; không nhận biểu mẫu của cơ quan này.")
        return preview
    tasks = _task_rows([r.task_id for r in rows if r.task_id])
    latest = _latest_reports(agency.pk, list(tasks))
    language = get_language()
    reportable = _reportable(user, agency, list(tasks))
    on_rows = defaultdict(list)
    for row in rows:
        if row.task_id is not None:
            on_rows[row.task_id].append(row.row)
    for task_id, numbers in on_rows.items():
        if len(numbers) > 1:
            task = tasks.get(task_id)
            preview.problems.append(
                f"Trang «Báo cáo», {_rows_list(numbers)}: cùng một nhiệm vụ{f' (TT {task.number})' if task else ''} ở {len(numbers)} dòng; "
                "mỗi nhiệm vụ chỉ được báo cáo trên một dòng. Giữ một dòng rồi tải lên lại."
            )
    for row in rows:
        preview.problems.extend(row.problems)
        if row.problems or row.task_id is None or len(on_rows[row.task_id]) > 1:
            continue
        task = tasks.get(row.task_id)
        if task is None:
            preview.problems.append(f"{cell_ref(row.columns, row.row, KEY_HEADER)}: không có nhiệm vụ mã {row.task_id}")
            continue
        if task.pk not in reportable:
            preview.problems.append(f"{cell_ref(row.columns, row.row, NUMBER_HEADER)}: nhiệm vụ {task.number} không thuộc các nhiệm vụ {agency.name} được báo cáo")
            continue
        if row.version != task.version or str(row.number).strip() != str(task.number):
            preview.problems.append(
                f"{cell_ref(row.columns, row.row, KEY_HEADER)}: khóa của dòng không khớp nhiệm vụ {task.number} hiện nay "
                "(nhiệm vụ đã được cập nhật sau khi tải biểu mẫu, hoặc khóa đã bị sửa). Tệp không được ghi: "
                "hãy tải biểu mẫu mới từ trang của cơ quan, điền lại rồi tải lên."
            )
            continue
        row_problems = report_row_problems(values=row.values, columns=row.columns, row=row.row, language=language)
        if row_problems:
            preview.problems.extend(row_problems)
            continue
        _compare_row(preview, row, task, latest.get(task.pk), language)
    _check_values(preview, target_rows, agency, user)
    return preview


def _check_values(preview: Preview, rows: list[TargetRow], agency: Agency, user) -> None:
    """Each filled row of the targets sheet: a figure the body tracks, a value that fits it, and not the one already sent."""
    figures = TargetFigure.objects.select_related("target").in_bulk([r.figure_id for r in rows if r.figure_id])
    latest = _latest_values(figures)
    for row in rows:
        preview.problems.extend(row.problems)
        if row.problems:
            continue
        figure = figures.get(row.figure_id)
        if figure is None or figure.agency_id != agency.pk or not access.can_report_figure(user, figure):
            preview.problems.append(f"Trang «{TARGET_SHEET}», dòng {row.row}: số liệu không thuộc các số liệu {agency.name} được giao theo dõi")
            continue
        values = row.values
        try:
            target_value_validate(figure=figure, value=values["value"], achieved=values["achieved"], period_kind=values["period_kind"], year=values["year"])
        except ValidationError as error:
            preview.problems.append(f"Trang «{TARGET_SHEET}», dòng {row.row}: {' '.join(error.messages)}")
            continue
        current = latest.get((figure.pk, values["period_kind"], values["year"]))
        old = {name: getattr(current, name) for name in VALUE_LABELS} if current else {}
        changes = [
            (VALUE_LABELS[name], _value_display(name, old.get(name)), _value_display(name, values[name]))
            for name in VALUE_LABELS if (old.get(name) if old.get(name) != "" else None) != (values[name] if values[name] != "" else None)
        ]
        if current and not changes:
            preview.unchanged += 1
            continue
        preview.values.append(ValueChange(row.row, figure, values, changes))


def _compare_row(preview: Preview, row: SheetRow, task: TaskRow, report: ProgressReport | None, language: str):
    values = row.values
    current = (
        {name: getattr(report, name) for name in FILLED.values()}
        if report
        else {"period": None, "status": task.status, "percent": task.progress, "completed_on": task.completed_on, "results": "", "difficulties": "", "proposals": ""}
    )
    compared = [n for n in FILLED.values() if n != "period" or report]
    changes = [(FIELD_LABELS[n], _display(n, current[n], language), _display(n, values[n], language))
               for n in compared if (current[n] or None) != (values[n] or None)]
    if not changes:
        preview.unchanged += 1
        return
    preview.changes.append(RowChange(row.row, task, values, changes, row.version))


@transaction.atomic
def agency_import_apply(*, preview: Preview, user) -> list[int]:
    """Every change becomes a progress report by the uploader, awaiting the Office's review; all or nothing.

    In bulk: the tasks are locked and their versions checked again (a task changed since the preview refuses the
    whole file), every row is checked again by the preview's own rules (report_row_problems), then the reports and
    their history rows are inserted in batches: a few queries whatever the row count. Returns the new reports' ids.
    """
    if not preview.can_apply:
        raise ValueError(preview.summary())
    ids = [change.task.pk for change in preview.changes]
    if len(ids) != len(set(ids)):
        raise ValidationError("Trang «Báo cáo»: một nhiệm vụ ở nhiều dòng; không ghi gì.")
    allowed = _reportable(user, preview.agency, ids)
    current = dict(Task.objects.select_for_update().filter(pk__in_list=ids).values_list("pk", "version"))
    for change in preview.changes:
        if change.task.pk not in allowed:
            raise PermissionDenied(f"Trang «Báo cáo», dòng {change.row}: {preview.agency.name} không được báo cáo nhiệm vụ {change.task.number}.")
        if current.get(change.task.pk) != change.version:
            raise ConflictError(
                f"Trang «Báo cáo», dòng {change.row}: nhiệm vụ {change.task.number} vừa được cập nhật sau khi xem trước; "
                "không ghi gì. Tải biểu mẫu mới rồi nhập lại.",
                code="conflict",
            )
    language = get_language()
    problems = [p for change in preview.changes for p in report_row_problems(values=change.values, columns=preview.columns, row=change.row, language=language)]
    if problems:  # every row is checked before anything is written
        raise ValidationError(problems)
    created = []
    for start in range(0, len(preview.changes), BATCH):  # written a batch at a time: memory stays flat
        batch = [_report(change, preview.agency, user) for change in preview.changes[start : start + BATCH]]
        created += insert_rows(ProgressReport, batch, returning=True)  # the values bulk_create writes, as one JSON parameter
    history_record_created(ProgressReport, created, user=user)
    for change in preview.values:  # a body tracks a few figures: through the service, its rules and permission
        try:
            target_value_submit(figure=change.figure, agency=preview.agency, user=user, **change.values)
        except ValidationError as error:
            raise ValidationError(f"Trang «{TARGET_SHEET}», dòng {change.row}: {' '.join(error.messages)}") from None
    return created


def _report(change: RowChange, agency: Agency, user) -> ProgressReport:
    return ProgressReport(task_id=change.task.pk, agency_id=agency.pk, submitted_by_id=user.pk, **change.values)
