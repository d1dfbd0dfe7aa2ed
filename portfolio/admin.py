"""Django admin: the full tool for the Office, a narrow one for agency reporters, read-only for leaders.

Every rule about who may do what comes from portfolio.access; every write goes
through portfolio.services, so the admin and the other entry points agree.
"""

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from django import forms
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import access
from .choices import DigestState, ReviewState, ScheduleState, WorkStatus
from .forms import MilestoneForm, ProgressReportForm, ReviewForm, TargetFigureAdminForm, TargetValueForm, TargetValueReviewForm, TaskAdminForm
from .models import (
    Agency,
    Digest,
    Reminder,
    ReminderRun,
    ReminderSettings,
    AgencyAlias,
    Assignment,
    FundingSource,
    Milestone,
    ProgressReport,
    Programme,
    ReportAttachment,
    Section,
    Target,
    TargetFigure,
    TargetReminder,
    TargetValue,
    Task,
    TaskComment,
)
from .selectors import field_display, goal_text, schedule_state_expression, today, vn_number
from .services import (
    agency_refresh_tasks,
    milestone_complete,
    progress_report_review,
    progress_report_submit,
    task_apply_schedule,
    task_comment_add,
    task_delegate,
    task_complete,
    task_refresh_next_due,
    task_refresh_search_text,
    task_reopen,
    task_set_state,
)
from .services.targets import target_value_review, target_value_submit
from .services.reminders import digests_resend

admin.site.site_header = _("Theo dõi Chương trình hành động Thành ủy Cần Thơ")
admin.site.site_title = _("Theo dõi chương trình hành động")
admin.site.index_title = _("Quản trị dữ liệu")

STATE_LABELS = dict(ScheduleState.choices)


class HistoryValues(HistoricalRecordContextHelper):
    """The changes on an admin history page written as on the task page (field_display), not as Python writes them."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        if field.is_relation and value is not None:
            return str(value)  # the record, or simple-history's DeletedObject ("Đã xóa cơ quan") when it is gone
        return field_display(field, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """The history page of a model with an audit trail (HistoricalRecords), in Vietnamese and dd/mm/yyyy."""

    object_history_list_template = "admin/portfolio/history_list.html"
    object_history_form_template = "admin/portfolio/history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryValues(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An old version is shown, never saved back: restoring one would also restore what services derive from it
        (a task's due dates from its deadline, a report's review) without them; SIMPLE_HISTORY_REVERT_DISABLED only hides the button."""
        self._visible_or_404(request, object_id, version_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _visible_or_404(self, request, object_id, version_id=None):
        """simple-history's views check only the model's permission and rebuild a record the user's queryset does not
        hold from its history: the record (live, or deleted) must be one the user may see, and the version one of its own."""
        history = self.model.history
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
            records = history.filter(**{self.model._meta.pk.attname: pk})
            if version_id is not None:
                records = records.filter(history_id=history.model._meta.pk.to_python(version_id))
            live = self.model._default_manager.filter(pk=pk).first()
            record = records.order_by("-history_date", "-history_id").first()
        except (ValidationError, ValueError, OverflowError):
            raise Http404 from None
        if record is None and (live is None or version_id is not None):
            raise Http404
        # The record as it is now decides (as on its change page); a deleted one, as its last version left it.
        judged = live if live is not None else record.instance
        if not (self.has_view_permission(request, judged) or self.has_change_permission(request, judged)):
            raise Http404


class NotFoundAdmin(admin.ModelAdmin):
    """Rows as portfolio.access scopes them; a record outside what the user may see answers 404, not the admin's
    redirect to its index (change, delete and Django's own history view all look it up through get_queryset).

    Models with an audit trail (HistoricalRecords) put HistoryAdmin first in their bases; the others keep
    Django's own history page, the admin's log of changes: simple-history's page fails on a model it does not track.
    """

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def get_queryset(self, request):
        return access.scope(request.user, super().get_queryset(request))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._found_or_404(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._found_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def _found_or_404(self, request, object_id):
        """Django asks the model's permission before looking the record up: a record the user may not see would
        answer 403 where a missing one answers 404. Looking it up first, both answer 404."""
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or access.can_see(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.can_see(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.can_see(request.user, obj))


class OfficeWritesAdmin(NotFoundAdmin):
    """Reference data: the Office edits it, everyone with view permission reads it."""

    def has_add_permission(self, request, *args):
        return access.is_office(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_delete_permission(request, obj)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["numeral", "title", "position"]


@admin.register(Programme)
class ProgrammeAdmin(OfficeWritesAdmin):
    list_display = ["code", "title", "adopted_on", "source_name"]
    search_fields = ["code", "title"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(OfficeWritesAdmin):
    list_display = ["numeral", "title", "programme"]
    list_filter = ["programme"]


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1
    fields = ["alias"]


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin, OfficeWritesAdmin):
    list_display = ["name", "short_name", "kind", "parent", "emails"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases__alias", "emails"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["members"]
    inlines = [AgencyAliasInline]

    # A body's people and addresses are for the Office, leaders and the body's own reporters (access.sees_agency_details):
    # not on another body's page, its list, its history, nor findable through the search box or the autocomplete.
    # Members are the Office's to manage: their picker lists every user, so only the Office gets it.
    PRIVATE_FIELDS = ("members", "emails")

    def _hidden(self, request, obj):
        if access.is_office(request.user):
            return ()
        return self.PRIVATE_FIELDS if obj is None or not access.sees_agency_details(request.user, obj) else ("members",)

    def get_exclude(self, request, obj=None):
        return self._hidden(request, obj) or None

    def get_fields(self, request, obj=None):
        hidden = self._hidden(request, obj)
        return [f for f in super().get_fields(request, obj) if f not in hidden]

    def get_list_display(self, request):
        return self.list_display if access.sees_everything(request.user) else [f for f in self.list_display if f not in self.PRIVATE_FIELDS]

    def get_search_fields(self, request):
        return self.search_fields if access.sees_everything(request.user) else [f for f in self.search_fields if f not in self.PRIVATE_FIELDS]

    def history_view(self, request, object_id, extra_context=None):
        self._details_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._details_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _details_or_404(self, request, object_id):
        try:
            agency = Agency.objects.filter(pk=Agency._meta.pk.to_python(unquote(object_id))).first()
        except ValidationError:
            raise Http404 from None
        # A deleted body's history (no row left) is for those who see every body.
        if agency is None and not access.sees_everything(request.user) or agency is not None and not access.sees_agency_details(request.user, agency):
            raise Http404

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "short_name"} & set(form.changed_data):
            agency_refresh_tasks(agency=obj)


@admin.register(AgencyAlias)
class AgencyAliasAdmin(OfficeWritesAdmin):
    list_display = ["alias", "agency"]
    search_fields = ["alias", "agency__name"]
    autocomplete_fields = ["agency"]


@admin.register(FundingSource)
class FundingSourceAdmin(OfficeWritesAdmin):
    list_display = ["label", "category"]
    list_filter = ["category"]
    search_fields = ["label"]


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


class AssignmentInline(MilestoneInline):
    model = Assignment
    form = forms.ModelForm
    fields = ["agency", "role", "position"]
    autocomplete_fields = ["agency"]


class ProgressReportInline(admin.StackedInline):
    """Reports on the task page: earlier ones read-only, a new one only where the user may report."""

    model = ProgressReport
    form = ProgressReportForm
    extra = 0
    fk_name = "task"
    readonly_fields = ["review_state", "review_comment", "submitted_by", "created_at"]
    verbose_name = _("báo cáo tiến độ")
    verbose_name_plural = _("Báo cáo tiến độ")

    def get_fields(self, request, obj=None):
        return ["agency", "period", "status", "percent", "completed_on", "results", "difficulties", "proposals", "attachments"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and access.can_report(request.user, obj) else 0

    @admin.display(description=_("Tệp đính kèm"))
    def attachments(self, report):
        """A submitted report's files, as links. The new report's row uses the form's upload field of the same name;
        without this, the admin read the submitted ones' related manager and the task page failed once a report existed."""
        links = format_html_join(", ", '<a href="{}">{}</a>', (
            (reverse("portfolio:attachment_download", args=[file.pk]), file.original_name) for file in report.attachments.all()
        ))
        return links or "—"

    def has_add_permission(self, request, obj):
        return obj is not None and access.can_report(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # a submitted report changes only through the Office's review

    def has_delete_permission(self, request, obj=None):
        return False

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

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and access.can_comment(request.user, obj) else 0

    def has_add_permission(self, request, obj):
        return obj is not None and access.can_comment(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user)

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
        (_("Tiến độ"), {"fields": ["status", "progress", "completed_on", "version", "withdrawn_on", "withdrawn_in"]}),
        (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
    ]
    autocomplete_fields = ["delegate"]

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
            # The page lists every existing row: a different count names rows it never offered (another task's report).
            if int(initial) != rows.count() or added < 0:
                raise BadRequest(f"{prefix}: INITIAL_FORMS")
            if added > 0 and not may_add:
                raise PermissionDenied

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:-1]

    def log_change(self, request, obj, message):
        """Nothing saved, nothing logged: a reporter's page posted as loaded (every task field read-only to it)
        would otherwise leave a "changed" entry in the task's log."""
        if not message:
            return None
        return super().log_change(request, obj, message)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(schedule_state=schedule_state_expression(today()))

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
        editable = ["delegate"] if obj is not None and access.can_report(request.user, obj) else []
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
        if change:
            obj.version += 1
            if "delegate" in form.changed_data:
                obj.delegated_by = request.user if obj.delegate else None
                obj.delegated_at = timezone.now() if obj.delegate else None
        # The state goes through its services (the form already showed their rule's errors on the fields).
        was_done = change and form.initial.get("status") == WorkStatus.DONE
        if obj.status == WorkStatus.DONE:
            task_complete(task=obj, completed_on=obj.completed_on)
        elif was_done:
            task_reopen(task=obj, status=obj.status, progress=obj.progress)
        else:
            task_set_state(task=obj, status=obj.status, progress=obj.progress, completed_on=obj.completed_on)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if access.is_office(request.user) and "deadline_text" in form.changed_data:
            task_apply_schedule(task=form.instance)
            form.instance.save()
        if access.is_office(request.user):
            task_refresh_next_due(task=form.instance)  # a step added, moved or removed by hand
        task_refresh_search_text(task=form.instance)

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
        elif formset.model is TaskComment:
            for comment_form in new_forms:
                data = comment_form.cleaned_data
                formset.new_objects.append(task_comment_add(task=form.instance, agency=data["agency"], user=request.user, text=data["text"]))
            if access.is_office(request.user):  # only the Office may remove a comment (has_delete_permission)
                for removed in formset.deleted_forms:
                    if removed.instance.pk:
                        formset.deleted_objects.append(removed.instance)
                        removed.instance.delete()
        elif formset.model is Milestone and access.is_office(request.user):
            super().save_formset(request, form, formset, change)
            for step_form in formset.forms:
                if step_form.instance.pk and "completed_on" in step_form.changed_data and step_form not in formset.deleted_forms:
                    milestone_complete(milestone=step_form.instance, completed_on=step_form.instance.completed_on)
        elif access.is_office(request.user):
            super().save_formset(request, form, formset, change)


class ReportAttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ["download", "content_type", "size"]
    readonly_fields = ["download", "content_type", "size"]

    @admin.display(description=_("Tệp"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("portfolio:attachment_download", args=[obj.pk]), obj.original_name)

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(HistoryAdmin, NotFoundAdmin):
    """The Office's review desk; reporters see their own agencies' reports and whether each was accepted."""

    form = ReviewForm
    list_display = ["task_number", "task", "agency", "period", "status", "percent", "review_state", "submitted_by", "created_at"]
    list_filter = ["review_state", "status", "agency"]
    search_fields = ["task__title", "agency__name", "period"]
    list_select_related = ["task", "agency", "submitted_by"]
    readonly_fields = [
        "task", "agency", "period", "status", "percent", "completed_on", "results", "difficulties", "proposals",
        "submitted_by", "created_at", "review_state", "reviewed_by", "reviewed_at", "version",
    ]
    inlines = [ReportAttachmentInline]
    actions = ["accept_selected"]

    @admin.display(description=_("TT"), ordering="task__number")
    def task_number(self, obj):
        return obj.task.number

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if access.is_office(request.user) and obj is not None:
            fields += ["decision", "review_comment", "edit_version"]
        else:
            fields += ["review_comment"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        if access.is_office(request.user):
            return self.readonly_fields
        return self.readonly_fields + ["review_comment"]

    def has_add_permission(self, request):
        return False  # reports are added on the task's page

    def has_change_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.is_office(request.user):
            actions.pop("accept_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        progress_report_review(
            report=obj, user=request.user, accept=decision == "accept",
            comment=form.cleaned_data.get("review_comment", ""), expected_version=form.cleaned_data.get("edit_version"),
        )

    @admin.action(description=_("Chấp nhận các báo cáo đã chọn"), permissions=["change"])
    def accept_selected(self, request, queryset):
        accepted = 0
        for report in queryset.filter(review_state=ReviewState.SUBMITTED).order_by("created_at"):
            try:
                progress_report_review(report=report, user=request.user, accept=True)
                accepted += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{report}: {error}", messages.ERROR)
        self.message_user(request, f"Đã chấp nhận {accepted} báo cáo.", messages.SUCCESS)


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin, OfficeWritesAdmin):
    list_display = ["task", "agency", "role"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["task__title", "agency__name"]
    autocomplete_fields = ["task", "agency"]
    list_select_related = ["task", "agency"]


class AgencyMembershipInline(admin.TabularInline):
    model = Agency.members.through
    extra = 1
    verbose_name = _("cơ quan")
    verbose_name_plural = _("Thuộc cơ quan (người báo cáo của các cơ quan này)")
    autocomplete_fields = ["agency"]


PERMISSION_ACTIONS = {"add": _("Thêm"), "change": _("Sửa"), "delete": _("Xóa"), "view": _("Xem")}


def permission_label(permission: Permission) -> str:
    """A permission as the Office reads it, "Theo dõi chương trình hành động | Sửa nhiệm vụ": Django stores "Can change …"."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in PERMISSION_ACTIONS or permission.codename != f"{action}_{model._meta.model_name}":
        return str(permission)
    tracked = getattr(model, "instance_type", None)  # simple-history's record of a model: "historical …" in English
    subject = _("lịch sử %(model)s") % {"model": tracked._meta.verbose_name} if tracked else model._meta.verbose_name
    return f"{model._meta.app_config.verbose_name} | {PERMISSION_ACTIONS[action]} {subject}"


class PermissionLabelsAdmin(admin.ModelAdmin):
    """The permission pickers of users and groups list permissions in Vietnamese."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


class AdminPasswordForm(AdminPasswordChangeForm):
    """Django's password form for the admin, whose warning about turning passwords off is English outside its catalogue."""

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text, _("Nếu tắt, mật khẩu hiện tại của người dùng này sẽ mất."),
    )


@admin.register(User)
class UserAdmin(PermissionLabelsAdmin, BaseUserAdmin):
    change_password_form = AdminPasswordForm
    inlines = [AgencyMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active"]


@admin.register(Group)
class GroupAdmin(PermissionLabelsAdmin, BaseGroupAdmin):
    pass


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(BaseAccessAttemptAdmin):
    """Where the Office unlocks a login (deleting its record lifts the lock), with django-axes' English columns in Vietnamese."""

    @admin.display(description=_("Hết hạn lúc"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description=_("Tình trạng"))
    def status(self, obj):
        return super().status(obj)

    @admin.action(description=_("Xóa các lượt đăng nhập sai đã hết hạn"))
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, _("Đã xóa %(count)d lượt đăng nhập sai đã hết hạn.") % {"count": count})


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(HistoryAdmin, OfficeWritesAdmin):
    list_display = ["__str__", "run_at", "due_soon_thresholds", "overdue_repeat_days", "report_due_dates", "escalation_days"]

    def has_add_permission(self, request, *args):
        return not ReminderSettings.objects.exists() and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return False


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["task", "reason", "step", "due_date"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj):
        return False


class TargetReminderInline(admin.TabularInline):
    model = TargetReminder
    extra = 0
    fields = ["figure", "step", "due_date"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Số liệu chỉ tiêu được nhắc báo cáo")

    def has_add_permission(self, request, obj):
        return False


@admin.register(Digest)
class DigestAdmin(NotFoundAdmin):
    """Every reminder e-mail, with failures first: the Office sees what could not be sent."""

    list_display = ["sent_on", "body", "state", "recipients", "attempts", "last_error", "sent_at"]
    list_filter = ["state", "sent_on"]
    search_fields = ["agency__name", "recipients", "last_error"]
    list_select_related = ["agency"]
    readonly_fields = ["agency", "sent_on", "recipients", "state", "attempts", "last_error", "sent_at", "payload"]
    inlines = [ReminderInline, TargetReminderInline]
    actions = ["resend_failed"]

    @admin.action(description=_("Gửi lại thư gửi không được"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        queued = digests_resend(digest_ids=list(queryset.filter(state=DigestState.FAILED).values_list("pk", flat=True)))
        skipped = queryset.count() - queued
        self.message_user(request, format_lazy(_("Đã xếp {queued} thư vào hàng gửi lại."), queued=queued), messages.SUCCESS)
        if skipped:
            self.message_user(request, format_lazy(_("Bỏ qua {skipped} thư không ở trạng thái gửi không được."), skipped=skipped), messages.WARNING)

    def has_resend_permission(self, request):
        return access.is_office(request.user)

    @admin.display(description=_("Cơ quan"), ordering="agency__name")
    def body(self, obj):
        return obj.agency or _("Văn phòng Thành ủy (tổng hợp)")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(NotFoundAdmin):
    list_display = ["created_at", "agency", "task", "reason", "step", "due_date"]
    list_filter = ["reason", "created_at"]
    search_fields = ["agency__name", "task__title"]
    list_select_related = ["agency", "task"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderRun)
class ReminderRunAdmin(NotFoundAdmin):
    list_display = ["as_of", "created_at", "finished_at", "digests", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# ---- the Resolution's targets ------------------------------------------------

class TargetFigureInline(admin.TabularInline):
    """A target's figures as the source gives them; the Office changes who tracks each on the figure's page."""

    model = TargetFigure
    extra = 0
    fields = ["position", "measure", "unit", "comparison", "value", "value_high", "year", "yearly", "agency"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj):
        return False


@admin.register(Target)
class TargetAdmin(HistoryAdmin, NotFoundAdmin):
    """The targets come from the source; the Office links the tasks that serve each."""

    list_display = ["number", "short_text", "group"]
    list_display_links = ["number", "short_text"]
    list_filter = ["group"]
    search_fields = ["text"]
    fields = ["programme", "number", "group", "text", "tasks"]
    readonly_fields = ["programme", "number", "group", "text"]
    autocomplete_fields = ["tasks"]
    inlines = [TargetFigureInline]

    @admin.display(description=_("Chỉ tiêu"))
    def short_text(self, obj):
        return str(obj)

    def get_queryset(self, request):
        return access.visible_targets(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # loaded by import_programme from the Resolution

    def has_change_permission(self, request, obj=None):
        return access.can_edit_targets(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class TargetValueInline(admin.StackedInline):
    """Values on the figure's page: earlier ones read-only, a new one only for the tracking body (or the Office)."""

    model = TargetValue
    form = TargetValueForm
    extra = 0
    fk_name = "figure"
    fields = ["agency", "period_kind", "year", "value", "achieved", "source", "note"]
    verbose_name = _("số liệu thực hiện")
    verbose_name_plural = _("Số liệu thực hiện")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and access.can_report_figure(request.user, obj) else 0

    def get_readonly_fields(self, request, obj=None):
        return ["review_state", "review_comment", "submitted_by", "created_at"]

    def get_fields(self, request, obj=None):
        return self.fields + ["review_state", "review_comment", "submitted_by", "created_at"]

    def has_add_permission(self, request, obj):
        return obj is not None and access.can_report_figure(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # a submitted value changes only through the Office's review

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # A subclass bound to the figure; its fields are its own copies, so they are narrowed after it is made.
            formset.form = type("FigureValueForm", (formset.form,), {"__init__": _bind_figure(obj)})
            formset.form.base_fields["agency"].queryset = access.figure_reporting_agencies(request.user, obj)
            if obj.agency_id:
                formset.form.base_fields["agency"].initial = obj.agency_id
        return formset


def _bind_figure(figure):
    def __init__(self, *args, **kwargs):
        TargetValueForm.__init__(self, *args, figure=figure, **kwargs)

    return __init__


@admin.register(TargetFigure)
class TargetFigureAdmin(HistoryAdmin, NotFoundAdmin):
    """A figure: the Office changes who tracks it and its baseline; the tracking body reports its values here."""

    form = TargetFigureAdminForm
    list_display = ["__str__", "unit", "goal", "agency"]
    list_filter = ["target__group", "comparison", "yearly", "agency"]
    search_fields = ["measure", "phrase", "target__text"]
    list_select_related = ["target", "agency"]
    autocomplete_fields = ["agency"]
    fields = ["target", "position", "measure", "unit", "goal", "phrase", "agency", "tracking_source", "baseline_value", "baseline_year"]
    source_fields = ["target", "position", "measure", "unit", "goal", "phrase", "tracking_source"]
    inlines = [TargetValueInline]

    @admin.display(description=_("Chỉ tiêu Nghị quyết"))
    def goal(self, obj):
        return goal_text(obj)

    def get_queryset(self, request):
        return access.visible_figures(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if access.can_edit_targets(request.user):
            return self.source_fields
        return self.fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            figure = self.get_object(request, object_id)
            try:
                added = int(request.POST.get("values-TOTAL_FORMS", 0)) - int(request.POST.get("values-INITIAL_FORMS", 0))
            except ValueError:
                raise PermissionDenied
            if figure is not None and added > 0 and not access.can_report_figure(request.user, figure):
                raise PermissionDenied  # a value row the page never offered
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if access.is_viewer(request.user) and not access.is_office(request.user):
            return False
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_view_figure(request.user, obj))

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or access.can_view_figure(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if access.can_edit_targets(request.user):
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Values are written by their service (permission and rules checked there).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for value_form in formset.forms:
            if value_form.instance.pk is None and value_form.has_changed() and value_form.is_valid():
                data = value_form.cleaned_data
                formset.new_objects.append(target_value_submit(
                    figure=form.instance, agency=data["agency"], user=request.user, period_kind=data["period_kind"], year=data["year"],
                    value=data.get("value"), achieved=data.get("achieved"), source=data["source"], note=data.get("note", ""),
                ))


@admin.register(TargetValue)
class TargetValueAdmin(HistoryAdmin, NotFoundAdmin):
    """The Office's review desk for target values; reporters see their own bodies' values and whether each was accepted."""

    form = TargetValueReviewForm
    list_display = ["figure", "agency", "period_kind", "year", "value_text", "review_state", "submitted_by", "created_at"]
    list_filter = ["review_state", "period_kind", "year", "agency"]
    search_fields = ["figure__measure", "agency__name", "source"]
    list_select_related = ["figure__target", "agency", "submitted_by"]
    readonly_fields = [
        "figure", "agency", "period_kind", "year", "value_text", "source", "note", "submitted_by", "created_at",
        "review_state", "reviewed_by", "reviewed_at", "version",
    ]
    actions = ["accept_selected"]

    @admin.display(description=_("Giá trị"))
    def value_text(self, obj):
        if obj.value is not None:
            return vn_number(obj.value)
        return _("Đã hoàn thành") if obj.achieved else _("Chưa hoàn thành")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(figure__in=access.visible_figures(request.user))

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if access.can_review_target_values(request.user) and obj is not None:
            return fields + ["decision", "review_comment", "edit_version"]
        return fields + ["review_comment"]

    def get_readonly_fields(self, request, obj=None):
        if access.can_review_target_values(request.user):
            return self.readonly_fields
        return self.readonly_fields + ["review_comment"]

    def has_add_permission(self, request):
        return False  # values are added on the figure's page

    def has_change_permission(self, request, obj=None):
        return access.can_review_target_values(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.can_review_target_values(request.user):
            actions.pop("accept_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        target_value_review(
            value=obj, user=request.user, accept=decision == "accept",
            comment=form.cleaned_data.get("review_comment", ""), expected_version=form.cleaned_data.get("edit_version"),
        )

    @admin.action(description=_("Chấp nhận các số liệu đã chọn"), permissions=["change"])
    def accept_selected(self, request, queryset):
        accepted = 0
        for value in queryset.filter(review_state=ReviewState.SUBMITTED).order_by("created_at"):
            try:
                target_value_review(value=value, user=request.user, accept=True)
                accepted += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{value}: {error}", messages.ERROR)
        self.message_user(request, f"Đã chấp nhận {accepted} số liệu.", messages.SUCCESS)
