"""The read API (Django REST framework): tasks, bodies, progress reports and targets, under the site's one rule.

Every queryset goes through access.scope / access.visible_tasks, the task list through the list page's TaskFilterSet,
so the API shows a user exactly the rows the site does. Read-only: every write method answers 405.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from . import access
from .models import Agency, Assignment, Milestone, ProgressReport, Target, TargetFigure, TargetValue, Task
from .selectors import parse_as_of, task_list, task_queryset


class ApiPagination(PageNumberPagination):
    """Pages of 50 rows (``?page_size=`` up to 200), with ``count``, ``next``, ``previous`` and ``results``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReadOnlyApi(viewsets.ReadOnlyModelViewSet):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = ApiPagination
    renderer_classes = [JSONRenderer]  # the browsable API's pages need inline scripts, which the CSP forbids


# ---- serializers ----------------------------------------------------------------------------------------------------

class AssignmentSerializer(serializers.ModelSerializer):
    agency_id = serializers.IntegerField(read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["agency_id", "agency", "role"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["position", "label", "due_date", "is_conditional", "completed_on"]


class TaskSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.numeral", read_only=True)
    schedule_state = serializers.CharField(read_only=True, help_text=_("Tình trạng tiến độ tính đến ngày as_of"))
    lead_id = serializers.IntegerField(read_only=True)
    lead_name = serializers.CharField(read_only=True)
    bodies = AssignmentSerializer(source="assignments", many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id", "number", "section", "title", "kind", "status", "progress", "schedule_state", "start_date", "due_date",
            "next_due_date", "deadline_text", "is_ongoing", "is_conditional", "completed_on", "withdrawn_on", "lead_id",
            "lead_name", "bodies", "milestones", "url",
        ]

    def get_url(self, task) -> str:
        request = self.context.get("request")
        path = reverse("portfolio:task_detail", args=[task.pk])
        return request.build_absolute_uri(path) if request else path


class AgencySerializer(serializers.ModelSerializer):
    """A body; its addresses and members only for those the site shows them to (access.sees_agency_details)."""

    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind", "parent", "emails", "members"]

    members = serializers.SerializerMethodField()

    def get_members(self, agency) -> list[str]:
        return [user.username for user in agency.members.all()]

    def to_representation(self, agency):
        data = super().to_representation(agency)
        if not access.sees_agency_details(self.context["request"].user, agency):
            data.pop("emails")
            data.pop("members")
        return data


class ProgressReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = [
            "id", "task", "agency", "period", "status", "percent", "completed_on", "results", "difficulties", "proposals",
            "review_state", "review_comment", "created_at",
        ]


class TargetValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetValue
        fields = ["id", "agency", "period_kind", "year", "value", "achieved", "source", "note", "review_state"]


class TargetFigureSerializer(serializers.ModelSerializer):
    values = TargetValueSerializer(source="visible_values", many=True, read_only=True)

    class Meta:
        model = TargetFigure
        fields = ["id", "position", "measure", "unit", "comparison", "value", "value_high", "year", "yearly", "agency",
                  "baseline_value", "baseline_year", "values"]


class TargetSerializer(serializers.ModelSerializer):
    figures = TargetFigureSerializer(source="visible_figures", many=True, read_only=True)

    class Meta:
        model = Target
        fields = ["id", "number", "group", "text", "figures"]


# ---- views ----------------------------------------------------------------------------------------------------------

class TaskViewSet(ReadOnlyApi):
    """Tasks the user may see, filtered by the list page's filters (``q``, ``section``, ``lead``, ``state``…) and with
    their schedule state as of ``?as_of=`` (YYYY-MM-DD or dd/mm/yyyy; today without it)."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        as_of, error = parse_as_of(self.request.query_params.get("as_of"))
        if error:
            raise ValidationError({"as_of": [str(error)]})
        queryset = task_queryset(as_of=as_of).prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position"))
        )
        visible = access.visible_tasks(self.request.user, queryset)
        if self.action != "list":
            return visible
        filterset = task_list(data=self.request.query_params, as_of=as_of, queryset=visible)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs


class AgencyViewSet(ReadOnlyApi):
    """The bodies of the programme."""

    serializer_class = AgencySerializer

    def get_queryset(self):
        return access.scope(self.request.user, Agency.objects.order_by("sort_key", "name").prefetch_related("members"))


class ProgressReportViewSet(ReadOnlyApi):
    """Progress reports of the tasks the user may see."""

    serializer_class = ProgressReportSerializer

    def get_queryset(self):
        queryset = access.scope(self.request.user, ProgressReport.objects.order_by("-created_at", "-pk"))
        task = self.request.query_params.get("task")
        return queryset.filter(task_id=task) if task and task.isdigit() else queryset


class TargetViewSet(ReadOnlyApi):
    """The Resolution's targets the user sees, each with the figures and values the user sees."""

    serializer_class = TargetSerializer

    def get_queryset(self):
        user = self.request.user
        values = access.scope(user, TargetValue.objects.order_by("year", "pk"))
        figures = access.scope(user, TargetFigure.objects.order_by("position")).prefetch_related(
            Prefetch("values", queryset=values, to_attr="visible_values")
        )
        return access.scope(user, Target.objects.order_by("number")).prefetch_related(
            Prefetch("figures", queryset=figures, to_attr="visible_figures")
        )
