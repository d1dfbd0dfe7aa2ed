"""Saved task lists: a user keeps the list's query string (filters, as-of date, sort, chosen columns, page size) under a name,
optionally shared with the Office. Who may open one is decided here, once: its owner, and the Office when shared."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import access
from .models import SavedView

KEPT = {"q", "section", "kind", "lead", "agency", "role", "status", "schedule_state", "due_from", "due_to", "due_year",
        "funding", "needs_review", "withdrawn", "as_of", "sort", "per_page", "cols"}


def openable_views(user) -> QuerySet[SavedView]:
    """The saved lists the user may open: its own, and for the Office the ones shared with it."""
    if not user.is_authenticated:
        return SavedView.objects.none()
    condition = Q(user=user)
    if access.is_office(user):
        condition |= Q(shared_with_office=True)
    return SavedView.objects.filter(condition).select_related("user")


def clean_query(query: str) -> str:
    """Only the list's own parameters (no page number), in a stable order."""
    pairs = [(key, value) for key, value in parse_qsl(query, keep_blank_values=False) if key in KEPT]
    return urlencode(sorted(pairs))


@require_POST
def saved_view_create(request):
    name = request.POST.get("name", "").strip()[:100]
    query = clean_query(request.POST.get("query", ""))
    if not name:
        messages.warning(request, _("Hãy đặt tên cho danh sách cần lưu."))
        return redirect(reverse("portfolio:task_list") + (f"?{query}" if query else ""))
    view, created = SavedView.objects.update_or_create(
        user=request.user, name=name, defaults={"query": query, "shared_with_office": request.POST.get("shared") == "on"},
    )
    messages.success(request, _("Đã lưu danh sách «%(name)s».") % {"name": name} if created else _("Đã cập nhật danh sách «%(name)s».") % {"name": name})
    return redirect(reverse("portfolio:task_list") + (f"?{query}" if query else ""))


@require_GET
def saved_view_open(request, pk: int):
    view = openable_views(request.user).filter(pk=pk).first()
    if view is None:
        raise Http404
    return redirect(reverse("portfolio:task_list") + (f"?{view.query}" if view.query else ""))


@require_POST
def saved_view_delete(request, pk: int):
    deleted, _rows = SavedView.objects.filter(pk=pk, user=request.user).delete()
    if not deleted:
        raise Http404
    messages.success(request, _("Đã xóa danh sách đã lưu."))
    return redirect("portfolio:dashboard")
