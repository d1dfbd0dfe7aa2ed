"""Scale the real programme to N tasks, 1,000 bodies and 3-5 reports per task, in bulk."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portfolio.choices import AgencyKind, ReviewState, Role, WorkStatus
from portfolio.deadlines import parse_deadline
from portfolio.models import Agency, Assignment, Milestone, ProgressReport, Programme, Task
from portfolio.services.tasks import task_search_text

PLACES = ["Ninh Kiều", "Bình Thủy", "Cái Răng", "Ô Môn", "Thốt Nốt", "Phong Điền", "Cờ Đỏ", "Vĩnh Thạnh", "Thới Lai", "Vị Thanh", "Sóc Trăng", "Ngã Bảy"]
UNITS = ["Sở", "Phòng", "Ban quản lý dự án", "UBND phường", "UBND xã", "Trung tâm"]


@transaction.atomic
def generate(*, tasks: int, bodies: int = 1000, seed: int = 2026) -> None:
    """Grow the loaded programme to ``tasks`` tasks (the 252 real ones first)."""
    rng = random.Random(seed)
    programme = Programme.objects.get(code="02-CTr/TU")
    originals = list(programme.tasks.select_related("section", "funding").order_by("number"))
    existing = Agency.objects.count()
    Agency.objects.bulk_create(
        [Agency(name=f"{rng.choice(UNITS)} {i:04d} {rng.choice(PLACES)}", kind=AgencyKind.GOVERNMENT, emails=f"donvi{i}@cantho.gov.vn") for i in range(max(bodies - existing, 0))],
        batch_size=1000,
    )
    agencies = list(Agency.objects.exclude(kind=AgencyKind.CENTRAL).values_list("pk", flat=True))
    names = {pk: (name, short_name) for pk, name, short_name in Agency.objects.values_list("pk", "name", "short_name")}
    user = get_user_model().objects.get_or_create(username="bench-reporter")[0]
    today = timezone.localdate()
    next_number = max(t.number for t in originals) + 1
    drawn: dict[int, list[int]] = {}  # each task's bodies, by number
    for start in range(next_number, tasks + 1, 5000):
        batch = []
        for number in range(start, min(start + 5000, tasks + 1)):
            source = originals[number % len(originals)]
            schedule = parse_deadline(source.deadline_text)
            status = rng.choices([WorkStatus.NOT_STARTED, WorkStatus.IN_PROGRESS, WorkStatus.DONE, WorkStatus.BLOCKED], [35, 45, 15, 5])[0]
            completed = schedule.due - timedelta(days=rng.randint(-60, 200)) if status == WorkStatus.DONE and schedule.due else None
            if completed and completed > today:
                completed = today
            batch.append(Task(
                programme=programme, section=source.section, number=number, kind=source.kind,
                title=f"{source.title} — {rng.choice(PLACES)} ({number})", lead_text=source.lead_text, partners_text=source.partners_text,
                deadline_text=source.deadline_text, funding_text=source.funding_text, funding=source.funding,
                start_date=schedule.start, due_date=schedule.due,
                next_due_date=schedule.milestones[0].due if schedule.milestones else schedule.due,
                is_ongoing=schedule.ongoing, is_conditional=schedule.conditional, status=status,
                progress=100 if status == WorkStatus.DONE else rng.randint(0, 90), completed_on=completed,
            ))
            # The bodies are drawn here, so the search text is the product's own (task_search_text): a text unlike it
            # was rewritten by the first report sent on the task, a write that throws the kept summaries away.
            drawn[number] = rng.sample(agencies, 4)
            batch[-1].search_text = task_search_text(task=batch[-1], names=[names[pk] for pk in drawn[number]])
        created = Task.objects.bulk_create(batch, batch_size=2000)
        if not created[0].pk:  # SQLite before 3.35 does not return ids
            created = list(Task.objects.filter(programme=programme, number__gte=start, number__lt=start + 5000).order_by("number"))
        assignments, milestones, reports = [], [], []
        for task in created:
            bodies_for_task = drawn[task.number]
            for position, (agency, role) in enumerate(zip(bodies_for_task, (Role.LEAD, Role.IMPLEMENTING_LEAD, Role.COORDINATING, Role.COORDINATING))):
                assignments.append(Assignment(task=task, agency_id=agency, role=role, position=position))
            schedule = parse_deadline(task.deadline_text)
            milestones += [Milestone(task=task, position=i, label=m.label, due_date=m.due, is_conditional=m.conditional) for i, m in enumerate(schedule.milestones, 1)]
            for k in range(rng.randint(3, 5)):
                reports.append(ProgressReport(
                    task=task, agency_id=bodies_for_task[1], period=f"Quý {k + 1}/2026", status=WorkStatus.IN_PROGRESS,
                    percent=min(100, 20 * (k + 1)), results="Đã triển khai theo kế hoạch", submitted_by=user,
                    review_state=ReviewState.ACCEPTED if k < 2 else ReviewState.SUBMITTED,
                ))
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Milestone.objects.bulk_create(milestones, batch_size=5000)
        ProgressReport.objects.bulk_create(reports, batch_size=5000)
