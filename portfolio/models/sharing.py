"""Things a user takes elsewhere: the private calendar feed (a secret token in its address)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStamped

__all__ = ["CalendarFeed", "SavedView"]


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(TimeStamped):
    """A user's private iCalendar feed: whoever holds the token reads the user's calendar, so it can be renewed
    (a new token, the old address answers 404) or revoked (no feed at all)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("người dùng"))
    token = models.CharField(_("mã bí mật"), max_length=64, unique=True, default=new_feed_token, editable=False)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("lịch riêng")
        verbose_name_plural = _("lịch riêng")

    def __str__(self):
        return str(_("Lịch riêng của %(user)s") % {"user": self.user})

    @classmethod
    def for_user(cls, user, *, renew: bool = False) -> "CalendarFeed":
        """The user's feed, created on first use; ``renew`` gives it a new token (the old address stops working)."""
        feed, created = cls.objects.get_or_create(user=user)
        if renew and not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token", "updated_at"])
        return feed


class SavedView(TimeStamped):
    """A task list a user keeps under a name: its query string (filters, as-of date, sort, page size), optionally
    shared with the Office."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("người lưu"))
    name = models.CharField(_("tên"), max_length=100)
    query = models.CharField(_("bộ lọc"), max_length=2000, blank=True)
    shared_with_office = models.BooleanField(_("chia sẻ với Văn phòng"), default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("danh sách đã lưu")
        verbose_name_plural = _("danh sách đã lưu")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_once_per_user")]

    def __str__(self):
        return self.name
