"""django-filter FilterSets: the task list's filters, all carried in the URL."""

import html
import re

import django_filters
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .catalogue import ascii_fold
from .choices import Assessment, FundingCategory, Role, ScheduleState, TargetGroup, TaskKind, WorkStatus
from .dateinput import DATE_INPUT_FORMATS
from .freshness import cached
from .models import Agency, Assignment, Section, TargetFigure, Task
from .schedule import in_schedule_state

# dd/mm/yyyy whatever the browser's language (a date input would show 11/23/2026 in an English browser)
DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={
    "placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": "10", "autocomplete": "off",
    "pattern": r"\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\s*", "title": _("Ngày/tháng/năm, ví dụ 22/11/2026"),
})


class FastSelect(forms.Select):
    """A select rendered in Python: a province has a thousand bodies, and Django's per-option templates are slow."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in (None, "")}
        if isinstance(self.choices, _BodyChoices):
            options = self.choices.html(selected)
        else:
            options = _options_html(self.choices, selected)
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


def _options_html(choices, selected=frozenset()) -> str:
    return "".join(
        f'<option value="{html.escape(str(v))}"{" selected" if str(v) in selected else ""}>{html.escape(str(label))}</option>'
        for v, label in choices
    )


def _body_rows() -> list[tuple[int, str, bool]]:
    leads = Exists(Assignment.objects.filter(agency=OuterRef("pk"), role=Role.LEAD))
    bodies = Agency.objects.annotate(is_lead=leads).order_by("sort_key", "name").values_list("pk", "name", "short_name", "is_lead")
    return [(pk, short_name or name, is_lead) for pk, name, short_name, is_lead in bodies]


def _body_options() -> dict[bool, str]:
    """The options of the two body filters (leads only or every body), unselected."""
    rows = _body_rows()
    return {leads_only: _options_html((pk, label) for pk, label, is_lead in rows if is_lead or not leads_only) for leads_only in (False, True)}


class _BodyList:
    """The two body filters' options (every body, or the leads only), written once on first use and kept until bodies
    or assignments change: a province has a thousand bodies, and reading them with their roles and writing their
    options took 8 ms of every list page."""

    def __init__(self):
        self._options = None

    def options(self, leads_only: bool) -> str:
        if self._options is None:
            self._options = cached("filter-body-options", _body_options)
        return self._options[leads_only]


class _BodyChoices(BaseChoiceIterator):
    def __init__(self, bodies: _BodyList, empty_label, *, leads_only: bool):
        self.bodies, self.empty_label, self.leads_only = bodies, empty_label, leads_only

    def __iter__(self):
        """The choices, for a caller that iterates them (FastSelect writes them from the kept options instead)."""
        yield ("", self.empty_label)
        for pk, label, is_lead in _body_rows():
            if is_lead or not self.leads_only:
                yield (pk, label)

    def html(self, selected: set[str]) -> str:
        """The options as _options_html writes them, from the kept ones: the chosen body marked in the text."""
        options = self.bodies.options(self.leads_only)
        for value in selected:
            option = f'<option value="{html.escape(value)}">'
            options = options.replace(option, option[:-1] + " selected>", 1)
        return _options_html([("", self.empty_label)], selected) + options


WITH_WITHDRAWN, ONLY_WITHDRAWN = "include", "only"
# The roles of the bodies that advise the lead or carry its work out, chosen together (the dashboard's second table).
ADVISING_IMPLEMENTING = "advising_implementing"
ROLE_SETS = {ADVISING_IMPLEMENTING: (Role.ADVISING_LEAD, Role.IMPLEMENTING_LEAD, Role.IMPLEMENTING)}


def _role_q(role) -> Q:
    return Q(assignments__role__in=ROLE_SETS[role]) if role in ROLE_SETS else Q(assignments__role=role)


class TaskFilterSet(django_filters.FilterSet):
    """Filters over the annotated queryset of selectors.task_queryset."""

    q = django_filters.CharFilter(
        label=_("Tìm kiếm"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Tên nhiệm vụ, cơ quan… (gõ có dấu hoặc không dấu)"), "type": "search"}),
    )
    section = django_filters.ModelChoiceFilter(label=_("Mục"), queryset=Section.objects.all(), empty_label=_("Tất cả"), widget=FastSelect)
    kind = django_filters.ChoiceFilter(label=_("Loại"), choices=TaskKind.choices, empty_label=_("Tất cả"), widget=FastSelect)
    lead = django_filters.ModelChoiceFilter(
        label=_("Cơ quan chủ trì"),
        queryset=Agency.objects.filter(assignments__role=Role.LEAD).distinct().only("id", "name", "short_name"),
        method="filter_lead",
        empty_label=_("Tất cả"),
        widget=FastSelect,
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Cơ quan (mọi vai trò)"), queryset=Agency.objects.only("id", "name", "short_name"), method="filter_agency", empty_label=_("Tất cả"),
        widget=FastSelect,
    )
    role = django_filters.ChoiceFilter(
        label=_("Vai trò"), choices=[*Role.choices, (ADVISING_IMPLEMENTING, _("Chủ trì tham mưu hoặc chủ trì thực hiện"))],
        method="filter_role", empty_label=_("Mọi vai trò"), widget=FastSelect,
    )
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=WorkStatus.choices, empty_label=_("Tất cả"), widget=FastSelect)
    schedule_state = django_filters.ChoiceFilter(
        label=_("Đánh giá tiến độ"), choices=ScheduleState.choices, empty_label=_("Tất cả"), widget=FastSelect, method="filter_schedule_state",
    )
    due_from = django_filters.DateFilter(label=_("Hạn từ ngày"), field_name="next_due_date", lookup_expr="gte", widget=DATE_INPUT,
                                         input_formats=DATE_INPUT_FORMATS)
    due_to = django_filters.DateFilter(label=_("Hạn đến ngày"), field_name="next_due_date", lookup_expr="lte", widget=DATE_INPUT,
                                       input_formats=DATE_INPUT_FORMATS)
    due_year = django_filters.NumberFilter(label=_("Hạn trong năm"), method="filter_due_year", min_value=1990, max_value=2100)
    funding = django_filters.ChoiceFilter(
        label=_("Nhóm nguồn lực"), field_name="funding__category", choices=FundingCategory.choices, empty_label=_("Tất cả"), widget=FastSelect
    )
    needs_review = django_filters.BooleanFilter(
        label=_("Cần rà soát thời hạn"),
        widget=FastSelect(choices=[("", _("Tất cả")), ("true", _("Có")), ("false", _("Không"))]),
    )

    withdrawn = django_filters.ChoiceFilter(
        label=_("Nhiệm vụ đã rút khỏi danh mục"), method="filter_withdrawn", empty_label=_("Không hiển thị"), widget=FastSelect,
        choices=[(WITH_WITHDRAWN, _("Hiển thị cả nhiệm vụ đã rút")), (ONLY_WITHDRAWN, _("Chỉ nhiệm vụ đã rút"))],
    )

    class Meta:
        model = Task
        fields = [
            "q", "section", "kind", "lead", "agency", "role", "status", "schedule_state", "due_from", "due_to", "due_year", "funding",
            "needs_review", "withdrawn",
        ]

    def filter_queryset(self, queryset):
        """Withdrawn tasks stay out of the list, its exports and its counts unless the filter asks for them."""
        queryset = super().filter_queryset(queryset)
        choice = self.form.cleaned_data.get("withdrawn")
        if choice == ONLY_WITHDRAWN:
            return queryset.filter(withdrawn_on__isnull=False)
        if choice == WITH_WITHDRAWN:
            return queryset
        return queryset.filter(withdrawn_on__isnull=True)

    def filter_withdrawn(self, queryset, name, value):
        return queryset  # applied in filter_queryset: its default (empty) value also filters

    @property
    def form(self):
        """The form; both body dropdowns share one query, run only when the form is rendered (never for an export)."""
        if not hasattr(self, "_form"):
            form = super().form
            bodies = _BodyList()
            form.fields["agency"].widget.choices = _BodyChoices(bodies, form.fields["agency"].empty_label, leads_only=False)
            form.fields["lead"].widget.choices = _BodyChoices(bodies, form.fields["lead"].empty_label, leads_only=True)
        return self._form

    def description(self) -> str:
        """The chosen filters in words ("Đánh giá tiến độ: Quá hạn; Mục: I. …"), "" without any: for a workbook made from them."""
        parts = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            field = self.form.fields[name]
            if isinstance(value, bool):
                shown = "Có" if value else "Không"
            elif hasattr(value, "strftime"):
                shown = value.strftime("%d/%m/%Y")
            elif hasattr(field, "choices") and not hasattr(value, "pk"):
                shown = str(dict(field.choices).get(value, dict(field.choices).get(str(value), value)))
            else:
                shown = str(value)
            parts.append(f"{field.label}: {shown}")
        return "; ".join(parts)

    def search(self, queryset, name, value):
        """Every word (or "quoted phrase") must appear, diacritics and case ignored."""
        folded = ascii_fold(value).replace("“", '"').replace("”", '"')
        phrases = [p.strip() for p in re.findall(r'"([^"]+)"', folded)]
        words = re.sub(r'"[^"]*"?', " ", folded).split()
        for term in phrases + words:
            if term:
                queryset = queryset.filter(search_text__contains=re.sub(r"\s+", " ", term))
        return queryset

    def filter_lead(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Task.objects.filter(assignments__agency=value, assignments__role=Role.LEAD).values("pk"))

    def filter_agency(self, queryset, name, value):
        if not value:
            return queryset
        role = self.form.cleaned_data.get("role")
        condition = Q(assignments__agency=value) & (_role_q(role) if role else Q())
        return queryset.filter(pk__in=Task.objects.filter(condition).values("pk"))

    def filter_role(self, queryset, name, value):
        # With a body chosen, filter_agency applies the role to that body; alone, any body in that role.
        if not value or self.form.cleaned_data.get("agency"):
            return queryset
        return queryset.filter(pk__in=Task.objects.filter(_role_q(value)).values("pk"))

    def filter_schedule_state(self, queryset, name, value):
        return in_schedule_state(queryset, value) if value else queryset

    def filter_due_year(self, queryset, name, value):
        return queryset.annotate(due_year_value=ExtractYear("next_due_date")).filter(due_year_value=int(value)) if value else queryset


class TargetFigureFilterSet(django_filters.FilterSet):
    """The targets page's filters: group, tracking body, assessment (the last computed for the date, so applied by the view)."""

    group = django_filters.ChoiceFilter(label=_("Nhóm chỉ tiêu"), field_name="target__group", choices=TargetGroup.choices, empty_label=_("Tất cả"))
    agency = django_filters.ModelChoiceFilter(
        label=_("Cơ quan theo dõi"), field_name="agency", empty_label=_("Tất cả"),
        queryset=Agency.objects.filter(target_figures__isnull=False).distinct().order_by("sort_key", "name"),
    )
    outcome = django_filters.ChoiceFilter(label=_("Đánh giá"), choices=Assessment.choices, method="by_outcome", empty_label=_("Tất cả"))

    class Meta:
        model = TargetFigure
        fields = ["group", "agency", "outcome"]

    def by_outcome(self, queryset, name, value):
        return queryset  # the assessment depends on the date: TargetListView keeps the rows with this outcome
