"""Pages of the Resolution's targets: the assessment table, a target's page, and the official report (.docx)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from . import access
from .filtersets import TargetFigureFilterSet
from .models import Target, TargetValue
from .selectors import assessment_counts, figure_rows, parse_as_of, target_table
from .views import AsOfMixin

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TargetListView(AsOfMixin, TemplateView):
    template_name = "portfolio/target_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = access.visible_figures(self.request.user)
        filterset = TargetFigureFilterSet(data=self.request.GET or None, queryset=figures)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else figures
        rows = figure_rows(figures=queryset, as_of=self.as_of)
        outcome = filterset.form.cleaned_data.get("outcome") if filterset.is_bound and filterset.is_valid() else None
        if outcome:
            rows = [r for r in rows if r.result.outcome == outcome]
        context.update(filterset=filterset, groups=target_table(rows), counts=assessment_counts(rows), row_count=len(rows))
        context["export_query"] = self.request.GET.urlencode()
        return context


class TargetDetailView(AsOfMixin, TemplateView):
    template_name = "portfolio/target_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = get_object_or_404(Target.objects.select_related("programme"), number=self.kwargs["number"])
        if not access.can_see(self.request.user, target):
            raise Http404
        figures = access.visible_figures(self.request.user, target.figures.all())
        rows = figure_rows(figures=figures, as_of=self.as_of)
        history = (
            TargetValue.objects.filter(figure__in=figures).select_related("figure", "agency", "submitted_by", "reviewed_by")
            .order_by("figure__position", "-year", "-period_kind", "-created_at")
        )
        context.update(
            target=target, rows=rows, history=history,
            tasks=access.visible_tasks(self.request.user, target.tasks.all()).order_by("number"),
            can_edit=access.can_edit_targets(self.request.user),
            reportable=set(access.reportable_figures(self.request.user, figures).values_list("pk", flat=True)),
        )
        return context


def official_report(request):
    """The official report (Word, Party document format) for a date and the list's filters."""
    from .dateinput import parse_date_input
    from .word.official_report import FilterError, official_report_docx

    if not access.can_export_official_report(request.user):
        raise Http404
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    since = parse_date_input(request.GET.get("since", "")) if request.GET.get("since") else None
    try:
        content = official_report_docx(as_of=as_of, filters=request.GET, user=request.user, since=since)
    except FilterError:
        content = official_report_docx(as_of=as_of, user=request.user, since=since)  # as the list does: bad filters are ignored
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-chuong-trinh-hanh-dong-{as_of.isoformat()}.docx"'
    return response
