"""What every model shares: timestamps, natural-key managers, text bounds."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ReviewState
from ..freshness import ChangeAwareQuerySet


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters at a word boundary, with "…": cut inside a word, "khóa" reads "khó" (difficult).

    Cheap (a select of every task names each one): no textwrap, which took 27 µs a name.
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if not text[width - 1].isspace() and len(cut.split()) > 1:
        cut = cut.rsplit(maxsplit=1)[0]  # the cut fell inside a word: leave that word out
    return cut.rstrip() + "…"


# The longest text each kind of field takes: TextField alone only hints a length to forms, so every bounded
# TextField also carries the validator that full_clean() (the admin, the services, the workbook preview and apply) runs.
TITLE_MAX = 2000  # the appendix's longest cell is 330 characters
REPORT_TEXT_MAX = 10000  # a report's results, difficulties or proposals: several pages
COMMENT_MAX = 5000


def bounded(limit: int) -> dict:
    """The keyword arguments of a TextField of at most ``limit`` characters."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


class NaturalKeyManager(models.Manager):
    """Looks rows up by the fields named in ``natural_key_fields``, so fixtures carry no database ids."""

    def __init__(self, *fields):
        super().__init__()
        self.natural_key_fields = fields

    def get_by_natural_key(self, *values):
        lookups = {}
        for name, value in zip(self.natural_key_fields, values):
            if name.endswith("__natural"):
                related = self.model._meta.get_field(name.removesuffix("__natural")).related_model
                lookups[name.removesuffix("__natural")] = related._default_manager.get_by_natural_key(*value)
            else:
                lookups[name] = value
        return self.get(**lookups)

    def deconstruct(self):
        return (False, "django.db.models.Manager", None, [], {})


# Managers of the models a dashboard summarises: their bulk writes mark the data as changed (see freshness.py).
ChangeAwareManager = NaturalKeyManager.from_queryset(ChangeAwareQuerySet)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class Reviewed(TimeStamped):
    """A submission the Office reviews (a progress report, a target value): the review's state, who made it, when and
    why, and the version that guards a review against a concurrent one (services: progress_report_review,
    target_value_review)."""

    review_state = models.CharField(_("xem xét"), max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người xem xét")
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Văn phòng"), blank=True, **bounded(COMMENT_MAX))
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    class Meta:
        abstract = True


class RowJSONField(models.JSONField):
    """A JSONField that bulk_create inserts row by row in its VALUES, never through PostgreSQL's UNNEST of arrays.

    Django 5.2 sends a bulk insert on PostgreSQL as one array per column; psycopg writes an array of JSON documents
    by escaping each one in Python, and a digest's payload may list ten thousand tasks: one such payload in a batch
    took the day's claim from 7 MB to 98 MB. A field with get_placeholder is inserted the ordinary way.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"
