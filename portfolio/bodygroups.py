"""The dashboard's bodies by kind of role: who leads, who advises or carries out the lead's work, who coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext

from .choices import Role
from .filtersets import ADVISING_IMPLEMENTING, ROLE_SETS
from .selectors import body_rows_by_group


@dataclass
class BodyGroup:
    """The bodies in one kind of role, for the dashboard: a body appears once per kind of role it has."""

    key: str
    label: str
    note: str
    bodies: list[dict]

    @property
    def total(self) -> int:
        return sum(body["total"] for body in self.bodies)


# The dashboard's kinds of role, each key also a value of the list's role filter. A task has one lead, so the leads' counts add up to the number of tasks; the bodies
# that advise or carry out the lead's work, and those that coordinate, are counted apart because a task has several.
BODY_GROUPS = (
    ("lead", (Role.LEAD,)),
    (ADVISING_IMPLEMENTING, ROLE_SETS[ADVISING_IMPLEMENTING]),
    ("coordinating", (Role.COORDINATING,)),
)


def body_groups(*, as_of: date, task_ids: QuerySet | None = None, due_soon_days: int | None = None) -> list[BodyGroup]:
    """body_summary per kind of role (BODY_GROUPS), each with its heading and what its numbers count."""
    words = {
        "lead": (gettext("Cơ quan chủ trì"), gettext(
            "Mỗi nhiệm vụ có một cơ quan chủ trì: cột «Nhiệm vụ» cộng lại bằng tổng số nhiệm vụ.")),
        "advising_implementing": (gettext("Cơ quan chủ trì tham mưu, chủ trì thực hiện"), gettext(
            "Cơ quan tham mưu cho cơ quan chủ trì hoặc tổ chức thực hiện nhiệm vụ; một nhiệm vụ có thể có nhiều cơ quan, "
            "nên các con số không cộng thành tổng số nhiệm vụ.")),
        "coordinating": (gettext("Cơ quan phối hợp"), gettext(
            "Cơ quan được giao phối hợp; một nhiệm vụ có thể có nhiều cơ quan phối hợp.")),
    }
    rows = body_rows_by_group(as_of=as_of, task_ids=task_ids, groups=BODY_GROUPS, due_soon_days=due_soon_days)
    return [BodyGroup(key, *words[key], rows[key]) for key, _roles in BODY_GROUPS if rows.get(key)]
