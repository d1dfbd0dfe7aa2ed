"""Pages of the Office's view: dashboard, task list and export, task page, agency page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from config.celery import app as celery_app

from . import access
from .choices import Role, ScheduleState
from .excel.meeting import meeting_workbook
from .excel import reader as source_reader
from .excel.reader import WorkbookError, check_archive, is_programme_workbook, read_programme_workbook, sniff_source
from .seedparse import SourceError
from .services.programme import programme_diff, programme_import
from .services.uploads import is_upload_token, upload_bytes, upload_discard, upload_path, upload_store
from .excel.writer import table_workbook
from .duesoon import date_context, parse_due_soon
from .filtersets import TaskFilterSet
from .models import Agency, Programme, ProgressReport, Reminder, ReminderRun, ReportAttachment, TaskComment
from .dashboards import charts, dashboard_context, group_rows_html
from .history import task_history
from .selectors import (
    assessment_counts,
    figure_rows,
    agency_roles,
    agency_tasks,
    digests_stuck,
    parse_as_of,
    task_list,
    task_queryset,
)
from .services.excel_import import Preview, agency_import_apply, agency_import_preview, agency_workbook_export
from .columns import COLUMNS, chosen_columns
from .tables import KeptCountPaginator, TaskTable
from .worklists import my_work, review_counts

PAGE_SIZES = (25, 50, 100, 200, 500)


class AsOfMixin:
    """Reads ?as_of= (dd/mm/yyyy as typed, YYYY-MM-DD in links) and ?due_soon= once per request.

    A bad value falls back to today (or the default window) and the page says so: a message on top, the value as
    typed left in the box with the error beside it, and links carrying the value as typed so the warning stays.
    """

    def dispatch(self, request, *args, **kwargs):
        self.as_of, self.as_of_error = parse_as_of(request.GET.get("as_of"))
        self.due_soon, due_soon_error = parse_due_soon(request.GET.get("due_soon"), self.as_of)
        for error in (self.as_of_error, due_soon_error):
            if error:
                messages.warning(request, error)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(date_context(self.request, self.as_of, self.as_of_error, self.due_soon))
        return context


def _per_page(request) -> tuple[int, str]:
    """The page size of ?per_page= when it is one of PAGE_SIZES; else 50, and a message saying so."""
    value = request.GET.get("per_page")
    if not value:
        return 50, ""
    try:
        size = int(value)
    except ValueError:
        size = None
    if size in PAGE_SIZES:
        return size, ""
    return 50, _("Số dòng mỗi trang «%(value)s» không có trong danh sách chọn (%(sizes)s); đang hiển thị 50 dòng.") % {
        "value": value, "sizes": ", ".join(str(s) for s in PAGE_SIZES)}


class TaskListView(AsOfMixin, SingleTableMixin, FilterView):
    table_class = TaskTable
    filterset_class = TaskFilterSet
    template_name = "portfolio/task_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.per_page, error = _per_page(request)
        if error:
            messages.warning(request, error)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return access.visible_tasks(self.request.user, task_queryset(as_of=self.as_of, due_soon_days=self.due_soon.days, bodies="text"))

    def get_table_kwargs(self):
        return {
            "as_of": self.as_of,
            "columns": chosen_columns(self.request.GET.getlist("cols")),
            "as_of_query": date_context(self.request, self.as_of, self.as_of_error, self.due_soon)["as_of_query"],
            "rows_queryset": task_queryset(as_of=self.as_of, due_soon_days=self.due_soon.days, bodies="text"),
            "agency_pages": access.agency_pages(self.request.user),
        }

    def get_table_pagination(self, table):
        return {"per_page": self.per_page, "paginator_class": KeptCountPaginator}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = query.urlencode()
        context["page_sizes"] = PAGE_SIZES
        context["per_page"] = self.per_page
        filterset = context["filter"]
        context["filter_text"] = filterset.description() if filterset.is_valid() else ""
        context["filter_open"] = bool(filterset.form.errors) or any(
            self.request.GET.get(name) for name in filterset.form.fields if name != "q") or "per_page" in self.request.GET
        sort = self.request.GET.get("sort", "")
        headers = {column.name: str(column.header) for column in context["table"].columns}
        if sort.lstrip("-") in headers:
            context["sort_text"] = f"{headers[sort.lstrip('-')]}, {_('giảm dần') if sort.startswith('-') else _('tăng dần')}"
        context["filter_errors"] = [
            (filterset.form.fields[name].label, self.request.GET.get(name, ""), error)
            for name, errors in filterset.form.errors.items() for error in errors
        ]
        shown = set(chosen_columns(self.request.GET.getlist("cols")))
        context["column_choices"] = [(column.name, column.header, column.name in shown) for column in COLUMNS]
        query.pop("cols", None)
        context["query_without_columns"] = [(key, value) for key in query for value in query.getlist(key)]
        return context


def _due_soon_days(request, as_of) -> int:
    return parse_due_soon(request.GET.get("due_soon"), as_of)[0].days


def task_export(request):
    """The list as shown (same filters, same order), as .xlsx."""
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    queryset = task_queryset(as_of=as_of, due_soon_days=_due_soon_days(request, as_of), bodies="text")
    filterset = task_list(data=request.GET, as_of=as_of, queryset=access.visible_tasks(request.user, queryset))
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    table = TaskTable(queryset, as_of=as_of, columns=chosen_columns(request.GET.getlist("cols")), order_by=request.GET.get("sort") or None)
    rows = table.export_rows()
    date_text = date_format(as_of, "SHORT_DATE_FORMAT")
    content = table_workbook(
        title=_("Danh mục nhiệm vụ — Chương trình hành động 02-CTr/TU"),
        subtitle=_("Tính đến ngày %(date)s; %(count)d nhiệm vụ theo bộ lọc đang chọn") % {"date": date_text, "count": next(rows)},
        headers=table.export_headers(),
        rows=rows,
        widths=table.export_widths(),
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="nhiem-vu-{as_of.isoformat()}.xlsx"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def meeting_report(request):
    """The meeting workbook (appendix layout, summary with charts, overdue list) for the list's filters."""
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    days = _due_soon_days(request, as_of)
    filterset = task_list(data=request.GET, as_of=as_of, queryset=access.visible_tasks(request.user, task_queryset(as_of=as_of, due_soon_days=days)))
    valid = filterset.is_valid()
    queryset = filterset.qs if valid else filterset.queryset.none()
    whole = valid and access.sees_everything(request.user) and not any(v not in (None, "") for v in filterset.form.cleaned_data.values())
    described = filterset.description() if valid else ""
    figures = access.visible_figures(request.user)
    response = HttpResponse(meeting_workbook(tasks_queryset=queryset, as_of=as_of, whole_programme=whole, filter_text=described, figures=figures,
                                             due_soon_days=days),
                            content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-hop-{as_of.isoformat()}.xlsx"'
    return response


class TaskDetailView(AsOfMixin, DetailView):
    template_name = "portfolio/task_detail.html"
    context_object_name = "task"

    def get_queryset(self):
        # A report's and a comment's body and people joined to them (one query each, not one per relation).
        reports = ProgressReport.objects.select_related("agency", "submitted_by", "reviewed_by").prefetch_related("attachments")
        queryset = task_queryset(as_of=self.as_of, due_soon_days=self.due_soon.days).select_related("delegate", "delegated_by").prefetch_related(
            "milestones", Prefetch("reports", queryset=reports), Prefetch("comments", queryset=TaskComment.objects.select_related("agency", "author")),
            Prefetch("reminders", queryset=access.scope(self.request.user, Reminder.objects.select_related("agency", "digest")).order_by("-created_at")),
        )
        return access.visible_tasks(self.request.user, queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = self.object
        by_role = {}
        for assignment in task.assignments.all():
            by_role.setdefault(assignment.role, []).append(assignment.agency)
        context["bodies_by_role"] = [(role.label, by_role[role.value]) for role in Role if role.value in by_role]
        context["state_label"] = ScheduleState(task.schedule_state).label
        context["history"] = task_history(task=task)
        user = self.request.user
        context["can_report"] = access.can_report(user, task)
        context["can_comment"] = access.can_comment(user, task)
        context["can_edit"] = user.is_staff and (access.is_office(user) or context["can_report"] or context["can_comment"])
        context["targets"] = access.visible_targets(user, task.targets.all()).order_by("number")
        return context


def attachment_download(request, pk):
    """A report's attachment, only to those who may see its task."""
    attachment = ReportAttachment.objects.select_related("report__task").filter(pk=pk).first()
    if attachment is None or not access.can_view_task(request.user, attachment.report.task):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)


class DashboardView(AsOfMixin, TemplateView):
    template_name = "portfolio/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = None if access.sees_everything(self.request.user) else access.visible_tasks(self.request.user)
        context.update(dashboard_context(self.as_of, visible, self.due_soon.days))
        group_rows_html(context, self.request, whole_programme=visible is None)
        target_rows = figure_rows(figures=access.visible_figures(self.request.user), as_of=self.as_of)
        context["target_counts"] = assessment_counts(target_rows)
        context["target_figure_count"] = len(target_rows)
        context["can_export_official_report"] = access.can_export_official_report(self.request.user)
        context.update(work_summary(self.request.user, self.as_of))
        return context


def work_summary(user, as_of) -> dict:
    """The dashboard's line of the day's work: the review queue's counts for the Office, an agency's to-do counts."""
    if access.is_office(user):
        return {"review_counts": review_counts()}
    if not access.is_viewer(user) and access.agency_ids(user):
        return {"my_work": my_work(user=user, as_of=as_of)}
    return {}


class AgencyDetailView(AsOfMixin, TemplateView):
    template_name = "portfolio/agency_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = get_object_or_404(Agency.objects.select_related("parent"), pk=self.kwargs["pk"])
        if not access.may_open_agency(self.request.user, agency.pk):
            raise Http404
        context["agency"] = agency
        context["may_report_for"] = access.may_report_for(self.request.user, agency)
        context["roles"] = agency_roles(agency=agency)
        context.update(dashboard_context(self.as_of, agency_tasks(agency=agency), self.due_soon.days))
        # The body's own rows, one per kind of role it has; the other bodies of its tasks are on their own pages.
        for group in context["body_groups"]:
            group.bodies = [b for b in group.bodies if b["agency_id"] == agency.pk]
        context["body_groups"] = [group for group in context["body_groups"] if group.bodies]
        context["bodies"] = [b for b in context["bodies"] if b["agency_id"] == agency.pk]
        context.update(charts(by_year=context["summary"]["by_year"], body_groups=context["body_groups"]))
        group_rows_html(context, self.request)
        context["filter_query"] = urlencode({"agency": agency.pk})
        context["reminders"] = agency.reminders.select_related("task", "digest").order_by("-created_at")[:50]
        return context


@login_not_required
@never_cache
def healthz(request):
    """For a load balancer: database, broker, the last finished reminder run (stale after 26 hours) and how many
    digests are stuck pending or sending past their lease (selectors.digests_stuck); nothing else."""
    checks, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"], healthy = "error", False
    if settings.CELERY_BROKER_URL:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"], healthy = "error", False
    else:
        checks["broker"] = "eager"
    last = ReminderRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").values_list("finished_at", flat=True).first() if checks["database"] == "ok" else None
    checks["last_reminder_run"] = timezone.localtime(last).isoformat() if last else None
    stale = last is None or timezone.now() - last > timedelta(hours=26)
    checks["reminders"] = "stale" if stale else "ok"
    if stale and settings.CELERY_BROKER_URL:
        healthy = False  # with a real broker the daily job must have run; the embedded default has no beat
    checks["stuck_digests"] = digests_stuck().count() if checks["database"] == "ok" else None
    if checks["stuck_digests"]:
        healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def agency_workbook_download(request, pk):
    """The agency's reporting workbook (its lead-side tasks), for the Office or the agency's own reporters."""
    agency = get_object_or_404(Agency, pk=pk)
    if not access.may_report_for(request.user, agency):
        raise Http404
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    response = HttpResponse(agency_workbook_export(agency=agency, as_of=as_of), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bieu-mau-bao-cao-{agency.pk}-{as_of.isoformat()}.xlsx"'
    return response


def import_upload(request):
    """Upload an agency workbook; the preview is shown before anything is written."""
    if not access.may_import(request.user):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Chọn tệp .xlsx để tải lên.")
        elif upload.size > settings.PORTFOLIO_XLSX_MAX_BYTES:
            error = _("Tệp vượt quá dung lượng cho phép.")
        elif (kind := sniff_source(upload_bytes(upload)))[0] != source_reader.XLSX:
            # by content, not by name: a .ods or .xls renamed .xlsx is named for what it is
            error = _("Tệp «%(name)s» là %(what)s. Trang này chỉ nhận bảng tính Excel .xlsx (biểu mẫu báo cáo của cơ quan, hoặc danh mục theo mẫu «Danh mục»); phụ lục dạng văn bản được nạp bằng lệnh import_programme. Hãy mở tệp và lưu lại thành .xlsx.") % {
                "name": upload.name, "what": kind[1] or _("tệp văn bản")}
        else:
            data = upload.read()
            try:
                check_archive(data, name=upload.name)  # a refused file is never stored
            except WorkbookError as exc:
                return render(request, "portfolio/import_upload.html", {"error": str(exc)})
            token = upload_store(data=data)
            request.session[f"import-{token}"] = upload.name
            return redirect("portfolio:import_preview", token=token)
    return render(request, "portfolio/import_upload.html", {"error": error})


def _confirmed(request, path, token) -> bool:
    """A preview's answer: the stored upload goes either way; False (with a message) when the user cancelled."""
    path.unlink(missing_ok=True)
    request.session.pop(f"import-{token}", None)
    if request.POST.get("action") == "apply":
        return True
    messages.info(request, _("Đã hủy, không ghi gì."))
    return False


def import_preview(request, token):
    """The preview of a stored upload, then its confirmation; whatever fails, the upload does not stay on disk."""
    if not access.may_import(request.user):
        raise PermissionDenied
    try:
        return _import_preview(request, token)
    except Exception:
        upload_discard(token=token)
        raise


def _import_preview(request, token):
    name = request.session.get(f"import-{token}")
    if not name or not is_upload_token(token) or not (path := upload_path(token)).exists():
        raise Http404
    stored = path.with_suffix(".json")  # the preview as shown: the confirmation applies it without reading the file again
    data = path.read_bytes()
    if is_programme_workbook(data):
        return _programme_preview(request, path, name, token, data)
    try:
        preview = Preview.from_json(stored.read_text(encoding="utf-8")) if stored.exists() else agency_import_preview(data=data, user=request.user, name=name)
    except WorkbookError as exc:
        path.unlink(missing_ok=True)
        messages.error(request, str(exc))
        return redirect("portfolio:import_upload")
    if request.method == "POST":
        stored.unlink(missing_ok=True)
        if not _confirmed(request, path, token):
            return redirect("portfolio:import_upload")
        if not preview.can_apply:
            messages.error(request, preview.summary())
            return redirect("portfolio:import_upload")
        try:
            reports = agency_import_apply(preview=preview, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("portfolio:import_upload")
        messages.success(request, _("Đã ghi %(n)d báo cáo tiến độ, chờ Văn phòng xem xét.") % {"n": len(reports)})
        if preview.values:
            messages.success(request, _("Đã ghi %(n)d số liệu chỉ tiêu, chờ Văn phòng xem xét.") % {"n": len(preview.values)})
        return redirect("portfolio:agency_detail", pk=preview.agency.pk)
    stored.write_text(preview.to_json(), encoding="utf-8")
    return render(request, "portfolio/import_preview.html", {"preview": preview, "name": name, "token": token})


def _programme_preview(request, path, name, token, data):
    """The Office revises the programme list from a workbook in the "Danh mục" layout: difference first, then apply."""
    if not access.is_office(request.user):
        path.unlink(missing_ok=True)
        raise PermissionDenied
    programme = Programme.objects.order_by("-adopted_on").first()
    try:
        parsed = read_programme_workbook(data, name=name)
    except (WorkbookError, SourceError) as exc:
        path.unlink(missing_ok=True)
        messages.error(request, f"{name}: {exc}".replace("Dòng", "trang «Danh mục», dòng"))
        return redirect("portfolio:import_upload")
    code = programme.code if programme else "02-CTr/TU"
    if request.method == "POST":
        if not _confirmed(request, path, token):
            return redirect("portfolio:import_upload")
        result = programme_import(parsed=parsed, code=code, title=programme.title if programme else code,
                                  adopted_on=programme.adopted_on if programme else None, source_name=name)
        messages.success(request, result.summary())
        return redirect("portfolio:task_list")
    result = programme_diff(parsed=parsed, code=code)
    return render(request, "portfolio/import_programme_preview.html", {"result": result, "name": name})
