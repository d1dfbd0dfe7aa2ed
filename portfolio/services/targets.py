"""Writes of the Resolution's targets: loading them from the source (diff, idempotent), values reported and reviewed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access
from ..choices import Comparison, PeriodKind, ReviewState, TargetGroup
from ..models import Agency, Programme, Target, TargetFigure, TargetValue
from ..seedparse import ParsedTarget
from ..targetfigures import Figure, TRACKING, target_figures, tracking_agencies
from .programme import AgencyResolver, FieldChange
from .reports import lock_version

GROUPS = {str(label).casefold(): value for value, label in TargetGroup.choices}
# The fields of a figure that come from the source, with the label the diff prints.
FIGURE_FIELDS: dict[str, str] = {
    "measure": "nội dung đo", "unit": "đơn vị tính", "comparison": "so sánh", "value": "giá trị", "value_high": "giá trị cận trên",
    "year": "năm đạt", "yearly": "hằng năm", "phrase": "nguyên văn",
}


def target_group(heading: str) -> str:
    """The group of a heading as written ("Chỉ tiêu về kinh tế"); a heading the application does not know is refused."""
    try:
        return GROUPS[heading.strip().casefold()]
    except KeyError:
        raise ValidationError(f"Nhóm chỉ tiêu «{heading}» không có trong danh mục nhóm chỉ tiêu.") from None


@dataclass
class TargetDiff:
    number: int
    text: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class TargetImportResult:
    """What a target import added, changed and removed (or would, on a dry run)."""

    total: int = 0
    figures: int = 0
    added: list[TargetDiff] = field(default_factory=list)
    changed: list[TargetDiff] = field(default_factory=list)
    removed: list[TargetDiff] = field(default_factory=list)
    dry_run: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        out = [f"+ Thêm chỉ tiêu ({d.number}): {d.text[:80]}" for d in self.added]
        for diff in self.changed:
            out.append(f"~ Sửa chỉ tiêu ({diff.number}): {diff.text[:80]}")
            out.extend(f"    {c.field}: «{c.old}» -> «{c.new}»" for c in diff.changes)
        out += [f"- Xóa chỉ tiêu ({d.number}): {d.text[:80]}" for d in self.removed]
        return out

    def summary(self) -> str:
        prefix = "Chạy thử, chưa ghi gì. " if self.dry_run else ""
        if not self.has_changes:
            return f"{prefix}Không có thay đổi: {self.total} chỉ tiêu Nghị quyết ({self.figures} số liệu) đã khớp với nguồn."
        return (
            f"{prefix}Chỉ tiêu Nghị quyết: thêm {len(self.added)}, sửa {len(self.changed)}, xóa {len(self.removed)}; "
            f"tổng cộng {self.total} chỉ tiêu, {self.figures} số liệu."
        )


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    return str(value.normalize() if hasattr(value, "normalize") else value)


def _figure_changes(position: int, stored: TargetFigure | None, parsed: Figure | None) -> list[FieldChange]:
    label = f"số liệu {position}"
    if stored is None:
        return [FieldChange(f"{label} (thêm)", "—", parsed.measure)]
    if parsed is None:
        return [FieldChange(f"{label} (xóa)", stored.measure, "—")]
    changes = []
    for name, field_label in FIGURE_FIELDS.items():
        old, new = getattr(stored, name), getattr(parsed, name)
        if old != new and not (old in (None, "") and new in (None, "")):
            changes.append(FieldChange(f"{label} – {field_label}", _display(old), _display(new)))
    return changes


def targets_diff(*, parsed: list[ParsedTarget], code: str) -> TargetImportResult:
    """Compare the parsed targets (and their figures from the table) with what the database holds; reads only."""
    result = TargetImportResult(total=len(parsed), figures=sum(len(target_figures(t.number)) for t in parsed))
    programme = Programme.objects.filter(code=code).first()
    existing = {t.number: t for t in Target.objects.filter(programme=programme).prefetch_related("figures")} if programme else {}
    for target in parsed:
        for figure in target_figures(target.number):
            if figure.phrase not in target.text:  # the source changed under the table: reading on would load a stale figure
                raise ValidationError(
                    f"Chỉ tiêu ({target.number}) không còn chứa «{figure.phrase}»: cập nhật bảng số liệu (portfolio/targetfigures.py) theo nguồn mới."
                )
        stored = existing.pop(target.number, None)
        if stored is None:
            result.added.append(TargetDiff(target.number, target.text))
            continue
        changes = []
        group = target_group(target.group)
        if stored.group != group:
            changes.append(FieldChange("nhóm", stored.get_group_display(), target.group))
        if stored.text != target.text:
            changes.append(FieldChange("nội dung", stored.text, target.text))
        figures = {f.position: f for f in stored.figures.all()}
        parsed_figures = dict(enumerate(target_figures(target.number), start=1))
        for position in sorted(set(figures) | set(parsed_figures)):
            changes += _figure_changes(position, figures.get(position), parsed_figures.get(position))
        if changes:
            result.changed.append(TargetDiff(target.number, target.text, changes))
    result.removed = [TargetDiff(t.number, t.text) for t in sorted(existing.values(), key=lambda t: t.number)]
    return result


@transaction.atomic
def targets_import(*, parsed: list[ParsedTarget], code: str, dry_run: bool = False) -> TargetImportResult:
    """Load the targets and their figures: apply exactly the difference; a new figure gets the body the city's plan names."""
    result = targets_diff(parsed=parsed, code=code)
    result.dry_run = dry_run
    if dry_run or not result.has_changes:
        return result
    programme = Programme.objects.get(code=code)
    touched = {d.number for d in result.added} | {d.number for d in result.changed}
    trackers = tracking_agencies()
    sources = {key: entry.phrase for entry in TRACKING for key in entry.figures}
    resolver = AgencyResolver()
    for target in parsed:
        if target.number not in touched:
            continue
        stored, _ = Target.objects.get_or_create(
            programme=programme, number=target.number, defaults={"group": target_group(target.group), "text": target.text}
        )
        stored.group, stored.text = target_group(target.group), target.text
        stored.full_clean()
        stored.save()
        figures = {f.position: f for f in stored.figures.all()}
        parsed_figures = dict(enumerate(target_figures(target.number), start=1))
        for position, figure in parsed_figures.items():
            row = figures.pop(position, None)
            if row is None:
                row = TargetFigure(target=stored, position=position)
                name = trackers.get((target.number, position))
                if name:  # only when the figure is new: the Office may have changed the body since
                    row.agency = resolver.resolve(name)
                    row.tracking_source = sources[(target.number, position)]
            for name in FIGURE_FIELDS:
                setattr(row, name, getattr(figure, name))
            row.full_clean()
            row.save()
        for gone in figures.values():
            if gone.values.exists():
                raise ValidationError(f"Số liệu «{gone}» đã có số liệu thực hiện nên không xóa được; hãy sửa nguồn hoặc chuyển số liệu trước.")
            gone.delete()
    Target.objects.filter(programme=programme, number__in=[d.number for d in result.removed]).delete()
    return result


# ---- values reported by the tracking body, reviewed by the Office -------------------------------

def target_value_validate(*, figure: TargetFigure, value, achieved, period_kind: str, year: int) -> None:
    """A value must fit its figure: a number for a measured figure, done / not done for a qualitative one."""
    errors = {}
    if figure.comparison == Comparison.QUALITATIVE:
        if achieved is None:
            errors["achieved"] = "Chỉ tiêu định tính: chọn đã hoàn thành hay chưa."
    elif value is None:
        errors["value"] = "Nhập giá trị số liệu của kỳ."
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = "Kỳ số liệu không hợp lệ."
    if not 2000 <= (year or 0) <= 2100:
        errors["year"] = "Năm không hợp lệ."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_value_submit(
    *, figure: TargetFigure, agency: Agency, user, period_kind: str, year: int, value=None, achieved=None, source: str, note: str = ""
) -> TargetValue:
    """The body tracking a figure reports its value for a period; the Office reviews it later."""
    if not access.can_report_figure(user, figure) or not access.figure_reporting_agencies(user, figure).filter(pk=agency.pk).exists():
        raise PermissionDenied("Cơ quan của anh/chị không được giao theo dõi số liệu này nên không gửi được.")
    target_value_validate(figure=figure, value=value, achieved=achieved, period_kind=period_kind, year=year)
    row = TargetValue(
        figure=figure, agency=agency, period_kind=period_kind, year=year, value=value, achieved=achieved,
        source=source, note=note, submitted_by=user,
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def target_value_review(*, value: TargetValue, user, accept: bool, comment: str = "", expected_version: int | None = None) -> TargetValue:
    """The Office accepts a value (it then counts in the assessment) or returns it with a comment."""
    if not access.can_review_target_values(user):
        raise PermissionDenied("Chỉ Văn phòng Thành ủy được xem xét số liệu chỉ tiêu.")
    value = lock_version(TargetValue, pk=value.pk, expected=value.version if expected_version is None else expected_version, label="Số liệu")
    if not accept and not comment.strip():
        raise ValidationError({"review_comment": "Khi trả lại số liệu phải ghi ý kiến để cơ quan biết cần bổ sung gì."})
    value.review_state = ReviewState.ACCEPTED if accept else ReviewState.RETURNED
    value.review_comment = comment
    value.reviewed_by = user
    value.reviewed_at = timezone.now()
    value.version += 1
    value.save()
    return value
