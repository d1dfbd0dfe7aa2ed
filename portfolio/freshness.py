"""When the programme's data last changed: a token in the cache, replaced on every write to tasks, bodies and
their assignments, so a page can keep an expensive summary until the data under it changes.

Writes through save() and delete() are seen by signals; update(), bulk_create() and bulk_update() go through
ChangeAwareQuerySet. The token is replaced at once and again when the transaction commits, so a summary
computed from data another request had not yet committed is not kept. Entries also expire on their own
(PORTFOLIO_SUMMARY_CACHE_SECONDS) as a safety net.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction

TOKEN_KEY = "portfolio:data-token"


def data_token() -> str:
    token = cache.get(TOKEN_KEY)
    if token is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
        token = cache.get(TOKEN_KEY)
    return token


def data_changed(**_kwargs) -> None:
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(TOKEN_KEY, uuid.uuid4().hex, None))


def cached(key: str, compute):
    """compute() kept under ``key`` until the data changes (or the entry expires)."""
    full_key = f"portfolio:{data_token()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, settings.PORTFOLIO_SUMMARY_CACHE_SECONDS)
    return value


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
