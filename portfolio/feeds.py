"""The private calendar feed (.ics) and the user's page to renew or revoke it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from icalendar import Calendar, Event

from . import access
from .choices import ScheduleState
from .models import Milestone, ReminderSettings
from .reminder_settings import parse_day_months
from .selectors import task_queryset, today
from .models import CalendarFeed

PRODID = "-//Van phong Thanh uy Can Tho//Theo doi Chuong trinh hanh dong 02-CTr/TU//VI"
UID_DOMAIN = "02-ctr-tu.cantho"
REPORT_YEARS = range(2025, 2031)  # the term's periodic reporting dates


def feed_url(feed: CalendarFeed) -> str:
    return settings.PORTFOLIO_BASE_URL.rstrip("/") + reverse("portfolio:calendar_feed", args=[feed.token])


def _event(*, uid: str, day: date, summary: str, description: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a whole day (VALUE=DATE)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    if url:
        event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def user_calendar(user, *, as_of: date, stamp: datetime) -> Calendar:
    """An event for each due date and each milestone of the tasks the user may see, and the reporting dates."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Chương trình hành động 02-CTr/TU — %(user)s") % {"user": user.get_full_name() or user.username})
    base = settings.PORTFOLIO_BASE_URL.rstrip("/")
    tasks = access.visible_tasks(user, task_queryset(as_of=as_of, bodies="text")).filter(withdrawn_on__isnull=True).order_by("number")
    states = dict(ScheduleState.choices)
    by_task = {}
    for task in tasks:
        url = base + reverse("portfolio:task_detail", args=[task.pk])
        state = states.get(task.schedule_state, "")
        by_task[task.pk] = (task, url, state)
        if task.due_date:
            calendar.add_component(_event(
                uid=f"task-{task.pk}-due", day=task.due_date, stamp=stamp, url=url,
                summary=_("Hạn nhiệm vụ %(number)s: %(title)s") % {"number": task.number, "title": task.title},
                description=_("Tình trạng (tính đến %(date)s): %(state)s\n%(url)s") % {"date": as_of.strftime("%d/%m/%Y"), "state": state, "url": url},
            ))
    milestones = Milestone.objects.filter(task_id__in=list(by_task)).order_by("task_id", "position")
    for milestone in milestones:
        task, url, state = by_task[milestone.task_id]
        done = _("đã hoàn thành ngày %(date)s") % {"date": milestone.completed_on.strftime("%d/%m/%Y")} if milestone.completed_on else _("chưa hoàn thành")
        calendar.add_component(_event(
            uid=f"milestone-{milestone.pk}", day=milestone.due_date, stamp=stamp, url=url,
            summary=_("Mốc nhiệm vụ %(number)s: %(label)s") % {"number": task.number, "label": milestone.label},
            description=_("%(title)s\nMốc: %(done)s. Tình trạng nhiệm vụ (tính đến %(date)s): %(state)s\n%(url)s") % {
                "title": task.title, "done": done, "date": as_of.strftime("%d/%m/%Y"), "state": state, "url": url},
        ))
    try:
        report_days = parse_day_months(ReminderSettings.current().report_due_dates)
    except ValueError:
        report_days = ()
    for year in REPORT_YEARS:
        for day, month in report_days:
            calendar.add_component(_event(
                uid=f"report-{year}-{month:02d}-{day:02d}", day=date(year, month, day), stamp=stamp, url=base + reverse("portfolio:dashboard"),
                summary=_("Hạn báo cáo định kỳ tiến độ Chương trình hành động"),
                description=_("Các cơ quan chủ trì gửi báo cáo tiến độ nhiệm vụ về Văn phòng Thành ủy."),
            ))
    return calendar


@login_not_required  # the secret token is the credential: calendar programs cannot sign in
@require_GET
def calendar_feed(request, token: str):
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    calendar = user_calendar(feed.user, as_of=today(), stamp=datetime.now(dt_timezone.utc).replace(microsecond=0))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="nhiem-vu.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """The user's own feed: its address, a button to renew the token and one to revoke it."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            CalendarFeed.objects.filter(user=request.user).delete()
            messages.success(request, _("Đã thu hồi địa chỉ lịch; địa chỉ cũ không còn dùng được."))
        elif action in ("create", "renew"):
            CalendarFeed.for_user(request.user, renew=action == "renew")
            messages.success(request, _("Đã cấp địa chỉ lịch mới.") if action == "renew" else _("Đã tạo địa chỉ lịch."))
        return redirect("portfolio:calendar_settings")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "portfolio/calendar_settings.html", {"feed": feed, "feed_url": feed_url(feed) if feed else ""})
