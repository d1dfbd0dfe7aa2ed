"""Writes about people: a new user with their kind and agency in one step, and the staff flag that follows the kind."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import access
from ..choices import UserKind
from ..models import Agency


def user_kind_validate(*, kind: str, agencies) -> None:
    """A reporter reports for a body: without one the account could sign in and do nothing."""
    if kind not in UserKind.values:
        raise ValidationError({"kind": "Hãy chọn vai trò của người dùng."})
    if kind == UserKind.REPORTER and not list(agencies):
        raise ValidationError({"agency": "Người báo cáo phải thuộc một cơ quan: hãy chọn cơ quan."})


def user_sync_staff(*, user) -> bool:
    """Every kind of user works in the admin (reporters send reports there): one of the three groups means staff access."""
    staff = user.is_superuser or user.groups.filter(name__in=UserKind.values).exists()
    if staff and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return staff


@transaction.atomic
def user_onboard(*, user, kind: str, agencies=(), created_by) -> object:
    """Save a new user (password already set by the form) in its kind's group and its agencies, with staff access."""
    if not access.is_office(created_by):
        raise PermissionDenied("Chỉ Văn phòng Thành ủy được tạo người dùng.")
    agencies = list(agencies)
    user_kind_validate(kind=kind, agencies=agencies)
    user.is_staff = True
    user.save()
    user.groups.set([Group.objects.get(name=kind)])
    for agency in agencies:
        Agency.members.through.objects.get_or_create(agency=agency, user=user)
    return user
