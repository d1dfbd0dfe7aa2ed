"""The day's work pages: the Office's review queue (decide in place, one or several) and an agency's "Việc của tôi"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import access
from .choices import ScheduleState
from .selectors import parse_as_of
from .services.reports import progress_report_decide, progress_reports_accept, report_label
from .worklists import my_work, reports_awaiting_review


def _versions(post, ids) -> list[tuple[int, int]]:
    """(id, version seen) of the reports named in the form; a malformed value is refused as a whole."""
    pairs = []
    for value in ids:
        try:
            pk = int(value)
            pairs.append((pk, int(post.get(f"version-{pk}", ""))))
        except ValueError:
            raise ValidationError(_("Dữ liệu gửi lên không hợp lệ; hãy tải lại trang.")) from None
    return pairs


def review_queue(request):
    """Reports awaiting the Office's review with their task's context; accept or return each in place, or accept the
    ticked ones at once (all or nothing). The Office's page only: anyone else finds nothing here."""
    if not access.is_office(request.user):
        raise Http404
    if request.method == "POST":
        _review_post(request)
        return redirect("portfolio:review_queue")
    reports = list(reports_awaiting_review())
    return render(request, "portfolio/review_queue.html", {"reports": reports, "states": dict(ScheduleState.choices)})


def _review_post(request) -> None:
    post = request.POST
    try:
        if "accept_selected" in post:
            accepted = progress_reports_accept(reports=_versions(post, post.getlist("selected")), user=request.user)
            messages.success(request, _("Đã chấp nhận %(count)d báo cáo: %(names)s.") % {
                "count": len(accepted), "names": "; ".join(report_label(report) for report in accepted)})
        elif "accept" in post or "return" in post:
            accept = "accept" in post
            [(pk, version)] = _versions(post, [post["accept" if accept else "return"]])
            report = progress_report_decide(report_id=pk, expected_version=version, user=request.user, accept=accept,
                                            comment=post.get(f"comment-{pk}", ""))
            if accept:
                messages.success(request, _("Đã chấp nhận báo cáo «%(report)s»; tiến độ nhiệm vụ đã được cập nhật.") % {"report": report_label(report)})
            else:
                messages.success(request, _("Đã trả lại báo cáo «%(report)s» kèm ý kiến; cơ quan sẽ thấy trong mục «Việc của tôi».") % {"report": report_label(report)})
        else:
            messages.error(request, _("Chưa chọn việc cần làm."))
    except ValidationError as error:
        text = " ".join(error.messages)
        if "return" in post and "review_comment" in getattr(error, "error_dict", {}):
            text = _("Chưa trả lại: %(reason)s") % {"reason": text}
        messages.error(request, text)


def my_work_view(request):
    """What the user's agencies have to do today; the Office and leaders, who report for no body, are pointed elsewhere."""
    as_of, error = parse_as_of(request.GET.get("as_of"))
    if error:
        messages.warning(request, error)
    work = my_work(user=request.user, as_of=as_of)
    return render(request, "portfolio/my_work.html", {
        "work": work, "as_of": as_of, "has_agencies": bool(access.agency_ids(request.user)),
        "is_office": access.is_office(request.user),
        "report_url": reverse("admin:portfolio_task_change", args=[0]).replace("/0/", "/{}/"),
    })
