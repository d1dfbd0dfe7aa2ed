"""Writes: loading a programme from its source, validated first, in one transaction."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core import serializers
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .. import catalogue
from ..choices import Role
from ..deadlines import parse_deadline
from ..models import Agency, AgencyAlias, Assignment, FundingSource, Milestone, Programme, Section, Target, TargetFigure, Task
from ..seedparse import ParsedAppendix, ParsedRow, split_roles
from .tasks import task_edit_dates, task_refresh_search_text

# The fields of a task that come from the source, with the label the diff prints.
SOURCE_FIELDS: dict[str, str] = {
    "section": "mục",
    "title": "nhiệm vụ",
    "lead_text": "cơ quan chủ trì",
    "partners_text": "cơ quan phối hợp",
    "deadline_text": "thời hạn",
    "funding_text": "nguồn lực",
}
FIXTURE_TIMESTAMP = "2025-10-28T00:00:00Z"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return SOURCE_FIELDS.get(self.field, self.field)


@dataclass
class TaskDiff:
    number: int
    title: str
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""


@dataclass
class ImportResult:
    """What an import added, changed and removed (or would, on a dry run)."""

    programme_code: str
    total: int = 0
    added: list[TaskDiff] = field(default_factory=list)
    changed: list[TaskDiff] = field(default_factory=list)
    removed: list[TaskDiff] = field(default_factory=list)
    withdrawn: list[TaskDiff] = field(default_factory=list)  # dropped from the source but kept: it has reports or history
    restored: list[TaskDiff] = field(default_factory=list)  # withdrawn earlier, back in the source
    sections_changed: list[FieldChange] = field(default_factory=list)
    dry_run: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.withdrawn or self.restored or self.sections_changed)

    def lines(self) -> list[str]:
        """The difference as the Office reads it, one line per task and field."""
        out = []
        for change in self.sections_changed:
            out.append(f"Mục {change.field}: «{change.old}» -> «{change.new}»")
        for diff in self.added:
            out.append(f"+ Thêm TT {diff.number}: {diff.title}")
        for diff in self.restored:
            out.append(f"↺ Đưa trở lại danh mục TT {diff.number}: {diff.title} (đã rút khỏi danh mục trước đây; giữ báo cáo và lịch sử)")
            out.extend(f"    {c.label}: «{c.old}» -> «{c.new}»" for c in diff.changes)
        for diff in self.changed:
            out.append(f"~ Sửa TT {diff.number}: {diff.title}")
            out.extend(f"    {c.label}: «{c.old}» -> «{c.new}»" for c in diff.changes)
        for diff in self.removed:
            out.append(f"- Xóa TT {diff.number}: {diff.title}")
        for diff in self.withdrawn:
            out.append(f"- Rút khỏi danh mục TT {diff.number}: {diff.title} ({diff.note}; không xóa, giữ lại cùng báo cáo và lịch sử)")
        return out

    def summary(self) -> str:
        prefix = "Chạy thử, chưa ghi gì. " if self.dry_run else ""
        if not self.has_changes:
            return f"{prefix}Không có thay đổi: {self.total} nhiệm vụ của chương trình {self.programme_code} đã khớp với nguồn."
        return (
            f"{prefix}Chương trình {self.programme_code}: thêm {len(self.added)}, sửa {len(self.changed)}, "
            f"xóa {len(self.removed)}, rút khỏi danh mục {len(self.withdrawn)}, đưa trở lại {len(self.restored)} nhiệm vụ; "
            f"tổng cộng {self.total} nhiệm vụ."
        )


def _row_values(row: ParsedRow) -> dict[str, str]:
    return {name: (row.section if name == "section" else getattr(row, name)) for name in SOURCE_FIELDS}


def _task_values(task: Task) -> dict[str, str]:
    return {name: (task.section.numeral if name == "section" else getattr(task, name)) for name in SOURCE_FIELDS}


def programme_diff(*, parsed: ParsedAppendix, code: str) -> ImportResult:
    """Compare a parsed source with what the database holds; reads only."""
    result = ImportResult(programme_code=code, total=len(parsed.rows))
    programme = Programme.objects.filter(code=code).first()
    existing: dict[int, Task] = {}
    sections: dict[str, str] = {}
    if programme:
        existing = {t.number: t for t in programme.tasks.select_related("section")}
        sections = dict(programme.sections.values_list("numeral", "title"))
    for section in parsed.sections:
        if section.numeral in sections and sections[section.numeral] != section.title:
            result.sections_changed.append(FieldChange(section.numeral, sections[section.numeral], section.title))
    for row in parsed.rows:
        task = existing.pop(row.number, None)
        if task is None:
            result.added.append(TaskDiff(row.number, row.title))
            continue
        old, new = _task_values(task), _row_values(row)
        changes = [FieldChange(name, old[name], new[name]) for name in SOURCE_FIELDS if old[name] != new[name]]
        if task.withdrawn_on is not None:
            result.restored.append(TaskDiff(row.number, row.title, changes))
        elif changes:
            result.changed.append(TaskDiff(row.number, row.title, changes))
    for task in sorted(existing.values(), key=lambda t: t.number):
        if task.withdrawn_on is not None:
            continue  # withdrawn by an earlier revision, still out
        record = task_record(task=task)
        if record:
            result.withdrawn.append(TaskDiff(task.number, task.title, note=record))
        else:
            result.removed.append(TaskDiff(task.number, task.title))
    return result


def task_record(*, task: Task) -> str:
    """What a task holds that a deletion would lose (reports, comments, reminders sent, edits by a person), in words; "" if nothing."""
    from ..models import ProgressReport, Reminder, TaskComment

    parts = []
    reports = ProgressReport.objects.filter(task=task).count()
    if reports:
        parts.append(f"có {reports} báo cáo")
    comments = TaskComment.objects.filter(task=task).count()
    if comments:
        parts.append(f"có {comments} ý kiến")
    if Reminder.objects.filter(task=task).exists():
        parts.append("đã được nhắc việc")
    if Task.history.filter(id=task.pk, history_user__isnull=False).exists():
        parts.append("có lịch sử cập nhật")
    return ", ".join(parts)


class AgencyResolver:
    """Maps names as written to agencies, creating a body the first time it appears and keeping the spelling as an alias."""

    def __init__(self):
        self.by_key: dict[str, Agency] = {}
        for agency in Agency.objects.all():
            self.by_key[catalogue.name_key(agency.name)] = agency
        for alias in AgencyAlias.objects.select_related("agency"):
            self.by_key[alias.key] = alias.agency
        self._seed_catalogue()

    def _seed_catalogue(self) -> None:
        for known in catalogue.AGENCIES:
            agency = self.by_key.get(catalogue.name_key(known.name))
            if agency is None:
                parent = self.by_key.get(catalogue.name_key(known.parent)) if known.parent else None
                agency = Agency(name=known.name, kind=known.kind, parent=parent)
                agency.full_clean()
                agency.save()
                self.by_key[catalogue.name_key(known.name)] = agency
            for alias in known.aliases:
                self._remember_alias(agency, alias)

    def _remember_alias(self, agency: Agency, written: str) -> None:
        key = catalogue.name_key(written)
        if written == agency.name or AgencyAlias.objects.filter(key=key).exists():
            self.by_key.setdefault(key, agency)
            return
        alias = AgencyAlias(agency=agency, alias=written, key=key)
        alias.save()
        self.by_key[key] = agency

    @property
    def known_keys(self) -> set[str]:
        return set(self.by_key)

    def resolve(self, written: str) -> Agency:
        key = catalogue.name_key(written)
        agency = self.by_key.get(key)
        if agency is None:
            agency = Agency(name=written.strip().rstrip(".").strip(), kind=catalogue.guess_agency_kind(written))
            agency.full_clean()
            agency.save()
            self.by_key[key] = agency
        elif written.strip().rstrip(".").strip() != agency.name:
            self._remember_alias(agency, written.strip().rstrip(".").strip())
        return agency


def _funding_sources(rows: list[ParsedRow]) -> dict[str, FundingSource]:
    """One FundingSource per wording (case aside), labelled with its most frequent spelling."""
    spellings: dict[str, Counter] = {}
    for row in rows:
        if row.funding_text:
            spellings.setdefault(catalogue.name_key(row.funding_text), Counter())[row.funding_text] += 1
    sources = {s.key: s for s in FundingSource.objects.filter(key__in=spellings)}
    for key, counter in spellings.items():
        if key not in sources:
            label = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]
            source = FundingSource(label=label, category=catalogue.funding_category(label))
            source.save()
            sources[key] = source
    return sources


def task_apply_schedule(*, task: Task) -> None:
    """Derive the task's dates and milestones from its deadline text (the text is the truth); see tasks.task_edit_dates."""
    task_edit_dates(task=task)


def agency_refresh_tasks(*, agency: Agency) -> None:
    """After a body is renamed, its tasks must be found under the new name."""
    for task in Task.objects.filter(assignments__agency=agency).distinct():
        task_refresh_search_text(task=task)


def agency_edited(*, agency: Agency, changed: set[str] | list[str]) -> None:
    """After a body's edit is saved: renamed, its tasks are found under the new name."""
    if {"name", "short_name"} & set(changed):
        agency_refresh_tasks(agency=agency)


def _apply_assignments(task: Task, resolver: AgencyResolver) -> None:
    task.assignments.all().delete()
    pairs = [(task.lead_text, Role.LEAD)]
    pairs += [(p.name, p.role) for p in split_roles(task.partners_text, resolver.known_keys, catalogue.name_key)]
    seen: set[tuple[int, str]] = set()
    rows = []
    for position, (name, role) in enumerate(pairs, start=1):
        agency = resolver.resolve(name)
        if (agency.pk, role) in seen:
            continue
        seen.add((agency.pk, role))
        rows.append(Assignment(task=task, agency=agency, role=role, position=position))
    bulk_create_with_history(rows, Assignment)


@transaction.atomic
def programme_import(
    *,
    parsed: ParsedAppendix,
    code: str,
    title: str,
    adopted_on: date | None = None,
    source_name: str = "",
    dry_run: bool = False,
    as_of: date | None = None,
) -> ImportResult:
    """Load a parsed appendix: apply exactly the difference from what is stored, all or nothing."""
    result = programme_diff(parsed=parsed, code=code)
    result.dry_run = dry_run
    if dry_run:
        return result
    programme, _ = Programme.objects.get_or_create(code=code, defaults={"title": title})
    programme.title, programme.adopted_on, programme.source_name = title, adopted_on, source_name
    programme.full_clean()
    programme.save()
    sections = {}
    for position, parsed_section in enumerate(parsed.sections, start=1):
        section, _ = Section.objects.update_or_create(
            programme=programme,
            numeral=parsed_section.numeral,
            defaults={"title": parsed_section.title, "position": position},
        )
        sections[section.numeral] = section
    if not result.has_changes:
        return result
    resolver = AgencyResolver()
    funding = _funding_sources(parsed.rows)
    touched = {d.number for d in result.added} | {d.number for d in result.changed} | {d.number for d in result.restored}
    changed_fields = {d.number: {c.field for c in d.changes} for d in result.changed + result.restored}
    restored = {d.number for d in result.restored}
    existing = {t.number: t for t in programme.tasks.all()}
    for row in parsed.rows:
        if row.number not in touched:
            continue
        task = existing.get(row.number) or Task(programme=programme, number=row.number)
        fields = changed_fields.get(row.number, set(SOURCE_FIELDS))
        task.section = sections[row.section]
        task.title, task.lead_text, task.partners_text = row.title, row.lead_text, row.partners_text
        task.deadline_text, task.funding_text = row.deadline_text, row.funding_text
        task.kind = catalogue.task_kind(row.title)
        task.funding = funding.get(catalogue.name_key(row.funding_text))
        if row.number in restored:
            task.withdrawn_on, task.withdrawn_in = None, ""
        if task.pk:
            task.version += 1
        else:
            task.save()
        if "deadline_text" in fields:
            task_apply_schedule(task=task)
        task.full_clean()
        task.save()
        if fields & {"lead_text", "partners_text"}:
            _apply_assignments(task, resolver)
        task_refresh_search_text(task=task)
    removed = [d.number for d in result.removed]
    programme.tasks.filter(number__in=removed).delete()
    withdrawn_on = as_of or timezone.localdate()
    for task in programme.tasks.filter(number__in=[d.number for d in result.withdrawn]):
        task.withdrawn_on, task.withdrawn_in = withdrawn_on, source_name or code
        task.version += 1
        task.save()  # recorded in the task's history
    Section.objects.filter(programme=programme).exclude(numeral__in=sections).filter(tasks__isnull=True).delete()
    return result


FIXTURE_MODELS = (Programme, Section, Agency, AgencyAlias, FundingSource, Task, Milestone, Assignment, Target, TargetFigure)


def programme_fixture_json() -> str:
    """The stored programme as a Django fixture with natural keys and fixed timestamps, stable across databases."""
    objects = []
    for model in FIXTURE_MODELS:
        queryset = model.objects.all()
        if model is Agency:
            queryset = queryset.order_by("name")
        objects.extend(queryset)
    data = json.loads(
        serializers.serialize("json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True)
    )
    for item in data:
        item.pop("pk", None)
        for stamp in ("created_at", "updated_at"):
            if stamp in item["fields"]:
                item["fields"][stamp] = FIXTURE_TIMESTAMP
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
