"""When the programme's data last changed: a token in the cache, replaced on every write to tasks, bodies and
their assignments, so a page can keep an expensive summary until the data under it changes.

Writes through save() and delete() are seen by signals; update(), bulk_create() and bulk_update() go through
ChangeAwareQuerySet. The token is replaced at once and again when the transaction commits, so a summary
computed from data another request had not yet committed is not kept. Entries also expire on their own
(PORTFOLIO_SUMMARY_CACHE_SECONDS) as a safety net.

The cache is an optimisation, never a dependency: when it fails (Redis down) the error is logged and the page is
computed, the save goes through. A token that could not be replaced is caught up by the entries' expiry.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import models, transaction

TOKEN_KEY = "portfolio:data-token"
# The models whose writes replace the token (their signals are connected in apps.py; their managers' bulk writes go
# through ChangeAwareQuerySet): a summary may be kept only if it reads nothing else.
WATCHED_MODELS = ("Task", "Assignment", "Agency", "Section", "Milestone")
logger = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """The cache did not answer; the caller goes on without it."""


def _cache(operation: str, *args):
    """cache.<operation>(*args), any failure of the cache's server logged and raised as CacheUnavailable."""
    try:
        return getattr(cache, operation)(*args)
    except Exception as error:  # redis.ConnectionError, TimeoutError, ... : whatever the backend raises
        logger.error("Bộ nhớ đệm không trả lời (%s): %s: %s", operation, type(error).__name__, error)
        raise CacheUnavailable from error


def data_token() -> str:
    token = _cache("get", TOKEN_KEY)
    if token is None:
        _cache("add", TOKEN_KEY, uuid.uuid4().hex, None)
        token = _cache("get", TOKEN_KEY)
    return token


def _new_token() -> None:
    try:
        _cache("set", TOKEN_KEY, uuid.uuid4().hex, None)
    except CacheUnavailable:
        pass  # logged; the save itself must not fail for it


def data_changed(**_kwargs) -> None:
    _new_token()
    transaction.on_commit(_new_token)


def cached(key: str, compute):
    """compute() kept under ``key`` until the data changes (or the entry expires); computed every time without a cache."""
    try:
        full_key = f"portfolio:{data_token()}:{key}"
        value = _cache("get", full_key)
    except CacheUnavailable:
        return compute()
    if value is None:
        value = compute()
        try:
            _cache("set", full_key, value, settings.PORTFOLIO_SUMMARY_CACHE_SECONDS)
        except CacheUnavailable:
            pass
    return value


def _tables_read(sql: str) -> set[str]:
    """The tables a statement names (every identifier is quoted, on PostgreSQL and SQLite alike)."""
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return set(re.findall(r'"(\w+)"', sql)) & tables


def kept_count(queryset: models.QuerySet) -> int:
    """queryset.count(), kept until the data changes when the rows it counts are read from the watched tables only:
    the key is the statement itself with its values (filters, the user's scope, the date), so two lists differing in
    anything count apart. A list read 50 rows at a time asks the same count page after page and user after user,
    while the programme changes a few times a day: counting 30,000 matches of a search among 100,000 tasks took 70 ms."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return queryset.count()
    watched = {apps.get_model("portfolio", name)._meta.db_table for name in WATCHED_MODELS}
    if not _tables_read(sql) <= watched:
        return queryset.count()
    digest = hashlib.sha256(f"{sql}\x00{params!r}".encode()).hexdigest()
    return cached(f"count:{digest}", queryset.count)


class ChangeAwareQuerySet(models.QuerySet):
    def update(self, **kwargs):
        rows = super().update(**kwargs)
        data_changed()
        return rows

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        data_changed()
        return objs

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        data_changed()
        return rows
