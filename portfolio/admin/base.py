"""The admin's shared bases: history pages, 404 for what a user may not see, Office-only writes, review desks."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .. import access
from ..choices import ReviewState
from ..history import field_display

admin.site.site_header = _("Theo dõi Chương trình hành động Thành ủy Cần Thơ")
admin.site.site_title = _("Theo dõi chương trình hành động")
admin.site.index_title = _("Quản trị dữ liệu")


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

    def get_object(self, request, object_id, from_field=None):
        """The record, looked up once per request: a page's view asks for it two or three times (404 first, forged rows
        on a POST, then Django's own view), each a scoped query. The views only read it before Django's form binds it."""
        key = ("object", self.model._meta.label, str(object_id), from_field)
        return access.once_per_request(request, key, lambda: super(NotFoundAdmin, self).get_object(request, object_id, from_field))

    def _found_or_404(self, request, object_id):
        """Django asks the model's permission before looking the record up: a record the user may not see would
        answer 403 where a missing one answers 404. Looking it up first, both answer 404."""
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or access.can_see_in_request(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.can_see_in_request(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.can_see_in_request(request, obj))


class OfficeWritesAdmin(NotFoundAdmin):
    """Reference data: the Office edits it, everyone with view permission reads it."""

    def has_add_permission(self, request, *args):
        return access.is_office(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_delete_permission(request, obj)


class SentRecordsAdmin(NotFoundAdmin):
    """What the reminder job wrote (digests, reminders, runs): read here, never added or edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SubmissionInline(admin.StackedInline):
    """Submissions on their parent's page: a new one only where the user may submit (may_submit), earlier ones
    read-only, since a submitted record changes only through the Office's review, and none deleted here."""

    def may_submit(self, user, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj):
        if obj is None:
            return False
        key = ("submit", self.model._meta.label, obj._meta.label, obj.pk)
        return access.once_per_request(request, key, lambda: self.may_submit(request.user, obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewDeskAdmin(HistoryAdmin, NotFoundAdmin):
    """A review desk: submitted records read-only, the reviewer accepts or returns one (or accepts several), others read.

    A subclass names who reviews (can_review), the service that reviews (review) and the words of its bulk action.
    """

    readonly_fields: list[str] = []
    actions = ["accept_selected"]
    accepted_message = ""  # "Đã chấp nhận {} …", the count filled in

    def can_review(self, user) -> bool:
        return access.is_office(user)

    def review(self, obj, *, user, accept: bool, **kwargs):
        raise NotImplementedError

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if self.can_review(request.user) and obj is not None:
            return fields + ["decision", "review_comment", "edit_version"]
        return fields + ["review_comment"]

    def get_readonly_fields(self, request, obj=None):
        if self.can_review(request.user):
            return self.readonly_fields
        return self.readonly_fields + ["review_comment"]

    def has_add_permission(self, request):
        return False  # records are added on their parent's page

    def has_change_permission(self, request, obj=None):
        return self.can_review(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_office(request.user) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.can_review(request.user):
            actions.pop("accept_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        self.review(
            obj, user=request.user, accept=decision == "accept",
            comment=form.cleaned_data.get("review_comment", ""), expected_version=form.cleaned_data.get("edit_version"),
        )

    def accept_queryset(self, request, queryset):
        accepted = 0
        for obj in queryset.filter(review_state=ReviewState.SUBMITTED).order_by("created_at"):
            try:
                self.review(obj, user=request.user, accept=True)
                accepted += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{obj}: {error}", messages.ERROR)
        self.message_user(request, self.accepted_message.format(accepted), messages.SUCCESS)


def accept_action(description):
    """The bulk accept action of a review desk, under its own words (each desk needs its own function to describe)."""

    @admin.action(description=description, permissions=["change"])
    def accept_selected(self, request, queryset):
        self.accept_queryset(request, queryset)

    return accept_selected
