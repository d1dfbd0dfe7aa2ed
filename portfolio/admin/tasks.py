"""Tasks, their milestones, assignments, reports and comments on the task's page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .. import access
from ..choices import ScheduleState, WorkStatus
from ..forms import MilestoneForm, ProgressReportForm, TaskAdminForm
from ..models import Assignment, Milestone, ProgressReport, Task, TaskComment
from ..schedule import schedule_state_expression
from ..selectors import today
from ..services import (
    milestone_complete,
    progress_report_submit,
    task_after_rows_saved,
    task_comment_add,
    task_comment_remove,
    task_delegate,
    task_office_save,
)
from .base import HistoryAdmin, NotFoundAdmin, OfficeWritesAdmin, SubmissionInline

STATE_LABELS = dict(ScheduleState.choices)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 0
    fields = ["position", "label", "due_date", "is_conditional", "completed_on"]

    def has_add_permission(self, request, obj):
        return access.is_office(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_office(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user)


class KnownAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, whose chosen body is taken from its row when the row has read it: Django asks the
    database for it once per box, so once per assignment on a task's page. A value the row does not hold (a page
    sent back with another body chosen) is asked as Django asks it."""

    known: dict | None = None  # {str(pk): body}, set by the row's form

    def optgroups(self, name, value, attr=None):
        chosen = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not self.known or not chosen or not chosen <= self.known.keys() or self.allow_multiple_selected:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for key in sorted(chosen):
            options.append(self.create_option(name, self.known[key].pk, self.choices.field.label_from_instance(self.known[key]), chosen, len(options)))
        return [(None, options, 0)]


class AssignmentForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "agency" in self.fields and Assignment.agency.is_cached(self.instance):
            widget = self.fields["agency"].widget
            getattr(widget, "widget", widget).known = {str(self.instance.agency_id): self.instance.agency}


class AssignmentInline(MilestoneInline):
    model = Assignment
    form = AssignmentForm
    fields = ["agency", "role", "position"]
    autocomplete_fields = ["agency"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")  # each row is titled by its body (Assignment.__str__)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["widget"] = KnownAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProgressReportInline(SubmissionInline):
    """Reports on the task page: earlier ones as a table with the Office's review, a new one only where the user may
    report, its form shown when "Thêm báo cáo" is pressed (no empty form on every visit)."""

    model = ProgressReport
    form = ProgressReportForm
    template = "admin/portfolio/report_inline.html"
    extra = 0
    fk_name = "task"
    readonly_fields = ["review_state", "review_comment", "submitted_by", "created_at"]
    verbose_name = _("báo cáo tiến độ")
    verbose_name_plural = _("Báo cáo tiến độ")

    def get_fields(self, request, obj=None):
        return ["agency", "period", "status", "percent", "completed_on", "results", "difficulties", "proposals", "attachments"]

    @admin.display(description=_("Tệp đính kèm"))
    def attachments(self, report):
        """A submitted report's files, as links. The new report's row uses the form's upload field of the same name;
        without this, the admin read the submitted ones' related manager and the task page failed once a report existed."""
        links = format_html_join(", ", '<a href="{}">{}</a>', (
            (reverse("portfolio:attachment_download", args=[file.pk]), file.original_name) for file in report.attachments.all()
        ))
        return links or "—"

    def may_submit(self, user, obj) -> bool:
        return access.can_report(user, obj)

    def get_queryset(self, request):
        # Each earlier report shows its body, its sender, its reviewer and its files: read with the reports, not a
        # query each (a task reported on every quarter for five years has twenty).
        return super().get_queryset(request).select_related("agency", "submitted_by", "reviewed_by").prefetch_related("attachments")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["agency"].queryset = access.reporting_agencies(request.user, obj)
        return formset


class TaskCommentInline(admin.TabularInline):
    model = TaskComment
    extra = 0
    fields = ["agency", "text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    verbose_name_plural = _("Ý kiến của các cơ quan")

    def has_add_permission(self, request, obj):
        return obj is not None and access.once_per_request(request, ("comment", obj.pk), lambda: access.can_comment(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "author")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and "agency" in formset.form.base_fields:
            formset.form.base_fields["agency"].queryset = access.commenting_agencies(request.user, obj)
        return formset


TASK_DEFINITION_FIELDS = [
    "programme", "section", "number", "title", "kind", "lead_text", "partners_text", "deadline_text",
    "funding_text", "funding", "status", "progress", "completed_on",
]
DERIVED_FIELDS = ["start_date", "due_date", "next_due_date", "is_ongoing", "is_conditional", "needs_review", "review_note", "version", "delegated_by", "delegated_at", "withdrawn_on", "withdrawn_in"]


@admin.register(Task)
class TaskAdmin(HistoryAdmin, NotFoundAdmin):
    form = TaskAdminForm
    list_display = ["number", "title", "lead_text", "deadline_text", "next_due_date", "schedule_state_badge", "status", "progress"]
    list_display_links = ["number", "title"]
    list_filter = ["section", "kind", "status", "needs_review", "is_ongoing", "funding__category", ("withdrawn_on", admin.EmptyFieldListFilter)]
    search_fields = ["title", "lead_text", "partners_text", "deadline_text"]
    list_select_related = ["section", "funding"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["programme", "section", "number", "title", "kind"]}),
        (_("Cơ quan thực hiện (nguyên văn)"), {"fields": ["lead_text", "partners_text", "delegate", "delegated_by", "delegated_at"]}),
        (_("Thời hạn"), {"fields": ["deadline_text", "start_date", "due_date", "next_due_date", "is_ongoing", "is_conditional", "needs_review", "review_note"]}),
        (_("Nguồn lực"), {"fields": ["funding_text", "funding"]}),
        (_("Tiến độ"), {"fields": ["status", "progress", "completed_on", "withdrawn_on", "withdrawn_in"]}),
        (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
    ]
    autocomplete_fields = ["delegate"]

    class Media:
        js = ["portfolio/admin-task.js"]
        css = {"all": ["portfolio/admin-fit.css"]}

    def response_change(self, request, obj):
        """An agency stays on its task after saving, told in plain words what was sent (not "Nhiệm vụ … đã được thay
        đổi" on the task list); the Office too after sending a report. The Office's edits of the task go as before."""
        reports, comments = getattr(request, "_reports_sent", []), getattr(request, "_comments_sent", [])
        if access.is_office(request.user) and not reports and not comments:
            return super().response_change(request, obj)
        for report in reports:
            self.message_user(request, _(
                "Đã gửi báo cáo kỳ «%(period)s» của %(agency)s về nhiệm vụ số %(number)s. Văn phòng Thành ủy sẽ xem xét; "
                "kết quả hiện ở mục «Việc của tôi» và dưới đây."
            ) % {"period": report.period, "agency": report.agency, "number": obj.number}, messages.SUCCESS)
        if comments:
            self.message_user(request, _("Đã ghi ý kiến của cơ quan về nhiệm vụ số %(number)s.") % {"number": obj.number}, messages.SUCCESS)
        if not reports and not comments:
            self.message_user(request, _("Không có gì mới để gửi: chưa có báo cáo hay ý kiến nào được nhập."), messages.INFO)
        return HttpResponseRedirect(request.path + ("#reports-group" if reports else ""))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            self._refuse_forged_inline_rows(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _refuse_forged_inline_rows(self, request, object_id):
        """New inline rows the page never offered (a report where one may not report...) are refused outright."""
        task = self.get_object(request, object_id)
        if task is None:
            return
        allowed = {
            "reports": (access.can_report(request.user, task), task.reports),
            "comments": (access.can_comment(request.user, task), task.comments),
            "milestones": (access.is_office(request.user), task.milestones),
            "assignments": (access.is_office(request.user), task.assignments),
        }
        for prefix, (may_add, rows) in allowed.items():
            total, initial = request.POST.get(f"{prefix}-TOTAL_FORMS"), request.POST.get(f"{prefix}-INITIAL_FORMS")
            if total is None and initial is None:
                continue  # the inline was not on the page (a reporter's page without it); Django ignores it too
            try:
                added = int(total) - int(initial)
            except (TypeError, ValueError):
                raise BadRequest(f"{prefix}: TOTAL_FORMS/INITIAL_FORMS") from None
            if added < 0:
                raise BadRequest(f"{prefix}: INITIAL_FORMS")
            # The page's existing rows are named by id: an id of another task's row is a row the page never offered.
            # A page loaded before another body added (or the Office removed) a row names fewer (or gone) rows: that
            # is a stale page, not a forged one, and its new row is still taken.
            posted = {request.POST.get(f"{prefix}-{i}-id", "") for i in range(int(initial))}
            named = {int(pk) for pk in posted if pk.isdigit() and len(pk) < 19}
            if named - set(rows.values_list("pk", flat=True)) and rows.model.objects.filter(pk__in=named).exclude(task=task).exists():
                raise BadRequest(f"{prefix}: INITIAL_FORMS")
            if added > 0 and not may_add:
                raise PermissionDenied

    def get_fieldsets(self, request, obj=None):
        """The version travels hidden (edit_version), never shown; an agency reads the funding folded away, so its
        reports come sooner on the page."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets[:-1]
        if not access.is_office(request.user):
            fieldsets = [(name, {**options, "classes": ["collapse"]}) if name == _("Nguồn lực") else (name, options) for name, options in fieldsets]
        return fieldsets

    def log_change(self, request, obj, message):
        """Nothing saved, nothing logged: a reporter's page posted as loaded (every task field read-only to it)
        would otherwise leave a "changed" entry in the task's log."""
        if not message:
            return None
        return super().log_change(request, obj, message)

    def get_queryset(self, request):
        # The programme, section and funding source are shown on the task's page (and its history's): read with it.
        return super().get_queryset(request).select_related("programme", "section", "funding").annotate(schedule_state=schedule_state_expression(today()))

    @admin.display(description=_("Đánh giá tiến độ"), ordering="schedule_state")
    def schedule_state_badge(self, obj):
        return STATE_LABELS.get(obj.schedule_state, "")

    def has_change_permission(self, request, obj=None):
        if access.is_viewer(request.user) and not access.is_office(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return access.is_office(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if access.is_office(request.user):
            return DERIVED_FIELDS
        editable = ["delegate"] if obj is not None and access.once_per_request(request, ("report", obj.pk), lambda: access.can_report(request.user, obj)) else []
        return [f for f in TASK_DEFINITION_FIELDS + ["delegate"] + DERIVED_FIELDS if f not in editable]

    def get_inlines(self, request, obj):
        if obj is None:
            return [MilestoneInline, AssignmentInline]
        return [MilestoneInline, AssignmentInline, ProgressReportInline, TaskCommentInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields.pop("edit_version", None)
        return form

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not access.is_office(request.user):
            if "delegate" in form.changed_data:
                task_delegate(task=obj, agency=form.cleaned_data["delegate"], user=request.user)
            return
        # The state goes through its services (the form already showed their rule's errors on the fields).
        task_office_save(task=obj, user=request.user, changed=set(form.changed_data), created=not change,
                         was_done=change and form.initial.get("status") == WorkStatus.DONE)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        task_after_rows_saved(task=form.instance, changed=set(form.changed_data), by_office=access.is_office(request.user))

    def save_formset(self, request, form, formset, change):
        # Reports and comments are written by their services (permission and rules checked there).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        new_forms = [f for f in formset.extra_forms if f.instance.pk is None and f.has_changed() and f.is_valid()]
        if formset.model is ProgressReport:
            for report_form in new_forms:
                data = report_form.cleaned_data
                formset.new_objects.append(
                    progress_report_submit(
                        task=form.instance, agency=data["agency"], user=request.user, period=data["period"],
                        status=data["status"], percent=data["percent"], completed_on=data.get("completed_on"),
                        results=data.get("results", ""), difficulties=data.get("difficulties", ""),
                        proposals=data.get("proposals", ""), attachments=data.get("attachments") or [],
                    )
                )
            request._reports_sent = formset.new_objects
        elif formset.model is TaskComment:
            for comment_form in new_forms:
                data = comment_form.cleaned_data
                formset.new_objects.append(task_comment_add(task=form.instance, agency=data["agency"], user=request.user, text=data["text"]))
            request._comments_sent = formset.new_objects
            if access.is_office(request.user):  # only the Office may remove a comment (has_delete_permission)
                for removed in formset.deleted_forms:
                    if removed.instance.pk:
                        formset.deleted_objects.append(removed.instance)
                        task_comment_remove(comment=removed.instance, user=request.user)
        elif formset.model is Milestone and access.is_office(request.user):
            super().save_formset(request, form, formset, change)
            for step_form in formset.forms:
                if step_form.instance.pk and "completed_on" in step_form.changed_data and step_form not in formset.deleted_forms:
                    milestone_complete(milestone=step_form.instance, completed_on=step_form.instance.completed_on)
        elif access.is_office(request.user):
            super().save_formset(request, form, formset, change)


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin, OfficeWritesAdmin):
    list_display = ["task", "agency", "role"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["task__title", "agency__name"]
    autocomplete_fields = ["task", "agency"]
    list_select_related = ["task", "agency"]
