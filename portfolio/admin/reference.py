"""Reference data the Office keeps: the programme and its sections, agencies and their aliases, funding sources."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404

from .. import access
from ..models import Agency, AgencyAlias, FundingSource, Programme, Section
from ..services import agency_edited
from ..vietnamese import fold
from .base import HistoryAdmin, OfficeWritesAdmin


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
    autocomplete_fields = ["parent", "members"]
    inlines = [AgencyAliasInline]

    def get_search_results(self, request, queryset, search_term):
        """The list's search box and every body picker (the admin's autocomplete) ignore accents and case:
        "xay dung" finds "Sở Xây dựng" through the stored search_key."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        words = fold(search_term).split()
        if not words:
            return found, duplicates
        folded = queryset
        for word in words:
            folded = folded.filter(search_key__contains=word)
        return found | folded, duplicates

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
        if change:
            agency_edited(agency=obj, changed=form.changed_data)


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
