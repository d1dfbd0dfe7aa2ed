"""The two agencies' world that the access tests share: A (Ban Tổ chức Thành ủy, with a unit D it delegated a task
to) and B (Ban Nội chính Thành ủy), each with a report, a comment, a digest, a reminder, a tracked target figure and
a saved view carrying its marker, which must never reach the other's pages. The ``world`` fixture is registered by
conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token, TokenProxy

from portfolio import models as m
from portfolio.choices import DigestState, ReminderReason, UserKind, WorkStatus
from portfolio.services import progress_report_review, progress_report_submit, task_comment_add
from portfolio.services.targets import target_value_submit

PASSWORD = "mat-khau-du-dai-12"
MARKER = {"A": "DẤU-RIÊNG-CỦA-A-7f3c", "B": "DẤU-RIÊNG-CỦA-B-9e1d"}
SEES_TASKS = {"office": {"A", "B"}, "leader": {"A", "B"}, "reporter_a": {"A"}, "reporter_b": {"B"}, "delegate_d": {"A"}}


# ---- the two worlds -----------------------------------------------------------------------------------------------

@dataclass
class World:
    users: dict
    agencies: dict
    objects: dict  # (model, owner) -> record; owner "A", "B" or "shared"
    versions: dict  # (model, owner) -> history_id of one of its versions


def make_user(username, kind, *agencies, email=""):
    user = get_user_model().objects.create_user(username, email=email, password=PASSWORD, is_staff=True)
    if kind:
        user.groups.add(Group.objects.get(name=kind))
    for agency in agencies:
        agency.members.add(user)
    return user


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def world(programme) -> World:
    a = m.Agency.objects.get(name="Ban Tổ chức Thành ủy")
    b = m.Agency.objects.get(name="Ban Nội chính Thành ủy")
    d = m.Agency.objects.create(name="Sở Nội vụ thành phố", emails=f"so-noi-vu@{MARKER['A'].lower()}.vn")
    m.Agency.objects.filter(pk=b.pk).update(emails=f"ban-noi-chinh-{MARKER['B']}@example.vn")
    b.refresh_from_db()
    a.emails = f"ban-to-chuc-{MARKER['A']}@example.vn"
    a.save()
    users = {
        "office": make_user("vanphong", UserKind.OFFICE),
        "leader": make_user("lanhdao", UserKind.VIEWER),
        "reporter_a": make_user(f"nguoi-a-{MARKER['A']}", UserKind.REPORTER, a, email=f"a@{MARKER['A']}.vn"),
        "reporter_b": make_user(f"nguoi-b-{MARKER['B']}", UserKind.REPORTER, b, email=f"b@{MARKER['B']}.vn"),
        "delegate_d": make_user("nguoi-d", UserKind.REPORTER, d),
    }
    task_a, task_b = m.Task.objects.get(number=1), m.Task.objects.get(number=32)
    m.Task.objects.filter(pk=task_a.pk).update(delegate=d, delegated_by=users["reporter_a"])
    for owner, task in (("A", task_a), ("B", task_b)):
        m.Task.objects.filter(pk=task.pk).update(title=f"{task.title} {MARKER[owner]}", search_text=f"{task.search_text} {MARKER[owner]}".lower())
        task.refresh_from_db()
    objects, versions = {}, {}
    for owner, task, agency, user in (("A", task_a, a, users["reporter_a"]), ("B", task_b, b, users["reporter_b"])):
        secret = MARKER[owner]
        report = progress_report_submit(
            task=task, agency=agency, user=user, period=f"Quý IV/2026 {secret}", status=WorkStatus.IN_PROGRESS, percent=30,
            results=f"Kết quả {secret}", difficulties=f"Khó khăn {secret}", proposals=f"Đề xuất {secret}",
            attachments=[pdf(f"bao-cao-{secret}.pdf")],
        )
        progress_report_review(report=report, user=users["office"], accept=False, comment=f"Trả lại: {secret}")
        task_comment_add(task=task, agency=agency, user=user, text=f"Ý kiến {secret}")
        digest = m.Digest.objects.create(agency=agency, sent_on=date(2026, 11, 20), recipients=f"{secret}@example.vn",
                                         state=DigestState.SENT, payload={"subject": secret})
        reminder = m.Reminder.objects.create(digest=digest, agency=agency, task=task, reason=ReminderReason.OVERDUE, step=1, due_date=date(2026, 1, 1))
        objects.update({
            (m.Task, owner): task, (m.ProgressReport, owner): report, (m.Assignment, owner): task.assignments.filter(agency=agency).first(),
            (m.Agency, owner): agency, (m.Digest, owner): digest, (m.Reminder, owner): reminder,
            (m.ReportAttachment, owner): report.attachments.get(), (m.TaskComment, owner): task.comments.get(),
        })
    objects[(m.Agency, "D")] = d
    # Each agency tracks a figure of a target the other has none of, and reports a value with its marker.
    figure_a = m.TargetFigure.objects.order_by("target__number", "pk").first()
    figure_b = m.TargetFigure.objects.exclude(target=figure_a.target).order_by("-target__number", "pk").first()
    m.TargetFigure.objects.filter(target__in=[figure_a.target, figure_b.target]).update(agency=None)
    for owner, figure, agency, user in (("A", figure_a, a, users["reporter_a"]), ("B", figure_b, b, users["reporter_b"])):
        figure.refresh_from_db()
        figure.agency = agency
        figure.save()  # through the model: its history records the tracking body
        value = target_value_submit(figure=figure, agency=agency, user=user, period_kind="year", year=2025,
                                    value=None if figure.comparison == "qualitative" else 1, achieved=True if figure.comparison == "qualitative" else None,
                                    source=f"Nguồn {MARKER[owner]}", note=f"Ghi chú {MARKER[owner]}")
        objects.update({(m.TargetFigure, owner): figure, (m.TargetValue, owner): value, (m.Target, owner): figure.target})
    settings_row = m.ReminderSettings.objects.first() or m.ReminderSettings.objects.create()
    run = m.ReminderRun.objects.create(as_of=date(2026, 11, 20), summary=f"{MARKER['A']} {MARKER['B']}")
    attempt = AccessAttempt.objects.create(username="ai-do", ip_address="10.0.0.9", failures_since_start=1, get_data="", post_data="", http_accept="", path_info="/")
    log = AccessLog.objects.create(username="ai-do", ip_address="10.0.0.9", http_accept="", path_info="/")
    failure = AccessFailureLog.objects.create(username="ai-do", ip_address="10.0.0.9", http_accept="", path_info="/", locked_out=False)
    for model in (m.Programme, m.Section, m.AgencyAlias, m.FundingSource):
        objects[(model, "shared")] = model.objects.order_by("pk").first()
    objects.update({
        (m.ReminderSettings, "shared"): settings_row, (m.ReminderRun, "shared"): run, (get_user_model(), "shared"): users["reporter_b"],
        (Group, "shared"): Group.objects.get(name=UserKind.REPORTER), (AccessAttempt, "shared"): attempt,
        (AccessLog, "shared"): log, (AccessFailureLog, "shared"): failure,
        (TokenProxy, "shared"): TokenProxy.objects.get(pk=Token.objects.create(user=users["reporter_b"]).pk),
        # A's saved list is its own; B's is shared with the Office.
        (m.SavedView, "A"): m.SavedView.objects.create(user=users["reporter_a"], name=f"Của A {MARKER['A']}", query=f"q={MARKER['A']}"),
        (m.SavedView, "B"): m.SavedView.objects.create(user=users["reporter_b"], name=f"Của B {MARKER['B']}", query=f"q={MARKER['B']}",
                                                       shared_with_office=True),
    })
    for (model, owner), obj in objects.items():
        if hasattr(model, "history"):
            versions[(model, owner)] = model.history.filter(id=obj.pk).order_by("-history_id").values_list("history_id", flat=True).first()
    return World(users=users, agencies={"A": a, "B": b, "D": d}, objects=objects, versions=versions)


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client
