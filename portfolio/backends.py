"""Authentication backend: Django's ModelBackend, with the user's group names read in the same query.

Every page asks which kind of user it serves (Office, reporter, viewer: Django groups); reading the names with the
user saves a query on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Value

from .selectors import GroupConcat

GROUP_SEP = "\x1f"


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(group_names=GroupConcat("groups__name", Value(GROUP_SEP)))
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def group_names(user) -> set[str] | None:
    """The names read by UserBackend, or None when the user was loaded another way."""
    if not hasattr(user, "group_names"):
        return None
    return set(user.group_names.split(GROUP_SEP)) if user.group_names else set()
