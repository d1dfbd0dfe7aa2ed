"""Django admin for every model, so the Office can correct a task, a body or an alias by hand."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .services import agency_refresh_tasks, task_apply_schedule, task_refresh_search_text
from .models import Agency, AgencyAlias, Assignment, FundingSource, Milestone, Programme, Section, Task

admin.site.site_header = _("Theo dõi Chương trình hành động Thành ủy Cần Thơ")
admin.site.site_title = _("Theo dõi chương trình hành động")
admin.site.index_title = _("Quản trị dữ liệu")


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["numeral", "title", "position"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "adopted_on", "source_name"]
    search_fields = ["code", "title"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["numeral", "title", "programme"]
    list_filter = ["programme"]


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1
    fields = ["alias"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "emails"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases__alias", "emails"]
    autocomplete_fields = ["parent"]
    inlines = [AgencyAliasInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "short_name"} & set(form.changed_data):
            agency_refresh_tasks(agency=obj)


@admin.register(AgencyAlias)
class AgencyAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "agency"]
    search_fields = ["alias", "agency__name"]
    autocomplete_fields = ["agency"]


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["label", "category"]
    list_filter = ["category"]
    search_fields = ["label"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["position", "label", "due_date", "is_conditional", "completed_on"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["agency", "role", "position"]
    autocomplete_fields = ["agency"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "lead_text", "deadline_text", "next_due_date", "status", "progress", "needs_review"]
    list_display_links = ["number", "title"]
    list_filter = ["section", "kind", "status", "needs_review", "is_ongoing", "funding__category"]
    search_fields = ["title", "lead_text", "partners_text", "deadline_text"]
    list_select_related = ["section", "funding"]
    list_per_page = 50
    readonly_fields = ["start_date", "due_date", "next_due_date", "is_ongoing", "is_conditional", "needs_review", "review_note", "version"]
    fieldsets = [
        (None, {"fields": ["programme", "section", "number", "title", "kind"]}),
        (_("Cơ quan thực hiện (nguyên văn)"), {"fields": ["lead_text", "partners_text"]}),
        (_("Thời hạn"), {"fields": ["deadline_text", "start_date", "due_date", "next_due_date", "is_ongoing", "is_conditional", "needs_review", "review_note"]}),
        (_("Nguồn lực"), {"fields": ["funding_text", "funding"]}),
        (_("Tiến độ"), {"fields": ["status", "progress", "completed_on", "version"]}),
    ]
    inlines = [MilestoneInline, AssignmentInline]

    def save_related(self, request, form, formsets, change):
        # Milestones follow the deadline text; re-derive them after the inlines are saved.
        super().save_related(request, form, formsets, change)
        if "deadline_text" in form.changed_data:
            task_apply_schedule(task=form.instance)
            form.instance.save()
        task_refresh_search_text(task=form.instance)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "agency", "role"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["task__title", "agency__name"]
    autocomplete_fields = ["task", "agency"]
    list_select_related = ["task", "agency"]
