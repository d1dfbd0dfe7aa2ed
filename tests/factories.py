"""Test data beyond the real programme: more tasks copied from the real ones, reports of progress."""

from portfolio.models import Assignment, Milestone, Task


def grow_programme(programme, total: int) -> None:
    """Copy the programme's tasks (with bodies and milestones) until it holds ``total`` tasks."""
    originals = list(programme.tasks.prefetch_related("assignments", "milestones").order_by("number"))
    number = max(t.number for t in originals)
    new_tasks, sources = [], []
    while len(originals) + len(new_tasks) < total:
        source = originals[len(new_tasks) % len(originals)]
        number += 1
        copy = Task(
            **{
                f.attname: getattr(source, f.attname)
                for f in Task._meta.concrete_fields
                if f.attname not in ("id", "number", "created_at", "updated_at")
            },
            number=number,
        )
        copy.title = f"{source.title} (bản sao {number})"
        new_tasks.append(copy)
        sources.append(source)
    Task.objects.bulk_create(new_tasks, batch_size=500)
    created = {t.number: t for t in programme.tasks.filter(number__gt=len(originals))}
    assignments, milestones = [], []
    for copy, source in zip(new_tasks, sources):
        task = created[copy.number]
        assignments += [Assignment(task=task, agency_id=a.agency_id, role=a.role, position=a.position) for a in source.assignments.all()]
        milestones += [
            Milestone(task=task, position=m.position, label=m.label, due_date=m.due_date, is_conditional=m.is_conditional)
            for m in source.milestones.all()
        ]
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    Milestone.objects.bulk_create(milestones, batch_size=1000)


def shrink_programme(programme, total: int) -> None:
    programme.tasks.filter(number__gt=total).delete()
