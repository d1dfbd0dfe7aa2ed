"""Audit history (django-simple-history): a task's history as its page shows it, and the history of rows written in
bulk, copied by the database itself."""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection
from django.utils import timezone

from .choices import Role
from .lookups import in_list_sql
from .models import Assignment, ProgressReport, Task


def history_record_created(model, pks: list[int], *, user) -> None:
    """Write the "created" history row of each of these just-inserted rows, as simple_history's bulk_create_with_history
    does (the row's tracked fields, now, "+", the user), but in one INSERT ... SELECT: the rows are copied by the
    database rather than built again in Python (for 10,000 reports that was a second of the import).
    """
    historical = model.history.model
    tracked = [f.column for f in historical._meta.concrete_fields if not f.attname.startswith("history_")]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in tracked)
    condition, ids = in_list_sql(connection, quote(model._meta.pk.column), pks)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(historical._meta.db_table)} ({columns}, history_date, history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, %s, NULL, '+', %s FROM {quote(model._meta.db_table)} WHERE {condition}",
            [connection.ops.adapt_datetimefield_value(timezone.now()), user.pk if user else None, ids],
        )


HISTORY_LABELS = {"+": "Tạo mới", "~": "Sửa", "-": "Xóa"}


def _history_rows(records, describe):
    """Each history record with the fields it changed (field, old value, new value); the caller orders them."""
    rows = []
    records = list(records)
    by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = by_object.get(record.id)
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                changes.append((record.instance_type._meta.get_field(change.field), change.old, change.new))
        by_object[record.id] = record
        if record.history_type == "~" and not changes:
            continue
        rows.append({
            "when": record.history_date,
            "who": record.history_user,
            "action": HISTORY_LABELS[record.history_type],
            "what": describe(record),
            "changes": changes,
        })
    return rows


def _shown_changes(rows: list[dict]) -> list[dict]:
    """The rows' changes (field, old, new) written for reading; the records they name (a reviewer, a delegate...)
    read in one query per kind of record, not one per change."""
    wanted: dict = {}
    for row in rows:
        for field, old, new in row["changes"]:
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v not in (None, ""))
    known = {model: model._default_manager.in_bulk(pks) for model, pks in wanted.items()}
    for row in rows:
        row["changes"] = [(str(field.verbose_name), field_display(field, old, known), field_display(field, new, known)) for field, old, new in row["changes"]]
    return rows


def field_display(field, value, known: dict | None = None) -> str:
    """A field's value as the history shows it: choices by label, dates dd/mm/yyyy, a related record by name, empty as "—".

    ``known``: the related records already read, {model: {pk: record}}; one not there is looked up."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        if known is not None and field.related_model in known:
            related = known[field.related_model].get(value)
        else:
            related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    if isinstance(value, datetime):  # stored in UTC: 17:52 UTC on 23/11 is 00:52 on 24/11 in Cần Thơ
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(value) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return str(value)


def task_history(*, task: Task) -> list[dict]:
    """Who changed what and when on a task, its bodies and its reports (from the audit trail)."""
    task_records = Task.history.filter(id=task.pk).select_related("history_user")
    assignment_records = Assignment.history.filter(task_id=task.pk).select_related("history_user", "agency")
    report_records = ProgressReport.history.filter(task_id=task.pk).select_related("history_user")
    rows = _history_rows(task_records, lambda r: "Nhiệm vụ")
    rows += _history_rows(assignment_records, lambda r: f"Phân công: {r.agency} ({dict(Role.choices)[r.role]})")
    rows += _history_rows(report_records, lambda r: f"Báo cáo kỳ {r.period}")
    rows.sort(key=lambda r: r["when"], reverse=True)
    return _shown_changes(rows)
