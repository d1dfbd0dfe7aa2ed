"""What a user would use instead: django-import-export resources for the same rows (bench only, not the application)."""

from __future__ import annotations

from import_export import fields, resources, widgets

from portfolio.models import ProgressReport, Task

TASK_FIELDS = ("number", "title", "lead_text", "partners_text", "deadline_text", "next_due_date", "funding_text", "status", "progress")


class TaskResource(resources.ModelResource):
    class Meta:
        model = Task
        fields = TASK_FIELDS
        export_order = TASK_FIELDS


class ReportResource(resources.ModelResource):
    """A progress report per row, keyed by task id, as an agency's workbook would be imported with django-import-export."""

    task = fields.Field(attribute="task", column_name="task", widget=widgets.ForeignKeyWidget(Task, "pk"))

    class Meta:
        model = ProgressReport
        fields = ("task", "agency", "period", "status", "percent", "results", "difficulties", "proposals", "submitted_by")
        import_id_fields = ()
        skip_diff = True


def export_xlsx(queryset) -> bytes:
    return TaskResource().export(queryset).export("xlsx")


def import_xlsx(data: bytes) -> int:
    from tablib import Dataset

    dataset = Dataset().load(data, format="xlsx")
    result = ReportResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=False)
    return result.totals["new"]
