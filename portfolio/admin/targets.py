"""The Resolution's targets, their figures and the review desk for target values."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .. import access
from ..forms import TargetFigureAdminForm, TargetValueForm, TargetValueReviewForm
from ..models import Target, TargetFigure, TargetValue
from ..selectors import goal_text, vn_number
from ..services.targets import target_value_review, target_value_submit
from .base import HistoryAdmin, NotFoundAdmin, ReviewDeskAdmin, SubmissionInline, accept_action


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

    def has_add_permission(self, request):
        return False  # loaded by import_programme from the Resolution

    def has_change_permission(self, request, obj=None):
        return access.can_edit_targets(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class TargetValueInline(SubmissionInline):
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

    def may_submit(self, user, obj) -> bool:
        return access.can_report_figure(user, obj)

    def get_queryset(self, request):
        # Each earlier value shows its body and its sender and reads its figure (and the figure's target): read with
        # the values, not a query each.
        return super().get_queryset(request).select_related("agency", "submitted_by", "figure__target")

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
        return super().has_change_permission(request, obj)  # the record's visibility: NotFoundAdmin (access.can_see)

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
class TargetValueAdmin(ReviewDeskAdmin):
    """The Office's review desk for target values; reporters see their own bodies' values and whether each was accepted."""

    form = TargetValueReviewForm
    list_display = ["figure", "agency", "period_kind", "year", "value_text", "review_state", "submitted_by", "created_at"]
    list_filter = ["review_state", "period_kind", "year", "agency"]
    search_fields = ["figure__measure", "agency__name", "source"]
    list_select_related = ["figure__target", "agency", "submitted_by"]
    readonly_fields = [
        "figure", "agency", "period_kind", "year", "value_text", "source", "note", "submitted_by", "created_at",
        "review_state", "reviewed_by", "reviewed_at",
    ]
    accepted_message = "Đã chấp nhận {} số liệu."
    accept_selected = accept_action(_("Chấp nhận các số liệu đã chọn"))

    @admin.display(description=_("Giá trị"))
    def value_text(self, obj):
        if obj.value is not None:
            return vn_number(obj.value)
        return _("Đã hoàn thành") if obj.achieved else _("Chưa hoàn thành")

    def can_review(self, user) -> bool:
        return access.can_review_target_values(user)

    def review(self, obj, **kwargs):
        return target_value_review(value=obj, **kwargs)
