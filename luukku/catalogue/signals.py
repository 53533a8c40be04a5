"""Keep the search index in step with the catalogue: a changed service is reindexed after commit.

Bulk loaders wrap their work in `suspend_search_indexing()`, so that a load of 20,000 services
reindexes once at the end instead of once per saved row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from luukku.catalogue.models import Service, ServiceText

_state = threading.local()


def _pending() -> set[int]:
    if not hasattr(_state, "pending"):
        _state.pending = set()
    return _state.pending


def _suspended() -> list[set[int]]:
    if not hasattr(_state, "suspended"):
        _state.suspended = []
    return _state.suspended


@contextmanager
def suspend_search_indexing(*, reindex_on_exit: bool = True) -> Iterator[set[int]]:
    """Collect the services changed inside the block instead of reindexing each at once.

    On exit they are reindexed together (after commit), unless `reindex_on_exit` is False
    because the caller rebuilds the index itself. Yields the set of collected service ids.
    """
    collected: set[int] = set()
    _suspended().append(collected)
    try:
        yield collected
    finally:
        _suspended().pop()
    if reindex_on_exit and collected:
        _schedule(collected)


def service_changed(service_id: int) -> None:
    """Mark a service for reindexing once the current transaction commits."""
    stack = _suspended()
    if stack:
        stack[-1].add(service_id)
        return
    _schedule({service_id})


def _schedule(service_ids: set[int]) -> None:
    # Every change registers a flush, but the first flush after a commit takes every pending
    # id: a transaction that saves a service and its ten texts reindexes it once. Ids left over
    # from a rolled-back transaction are reindexed with the next commit, which is harmless.
    _pending().update(service_ids)
    transaction.on_commit(_flush)


def _flush() -> None:
    from luukku.catalogue.tasks import reindex_services  # noqa: PLC0415 - tasks import search

    ids = sorted(_pending())
    _pending().clear()
    if ids:
        reindex_services.delay(ids)


def on_service_saved(sender: type[Service], instance: Service, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        service_changed(instance.pk)


def on_service_text_changed(
    sender: type[ServiceText], instance: ServiceText, **kwargs: Any
) -> None:
    if not kwargs.get("raw"):
        service_changed(instance.service_id)


def connect() -> None:
    """Called from the app's ready(); dispatch_uid keeps a second call from doubling up."""
    post_save.connect(on_service_saved, sender=Service, dispatch_uid="catalogue.index.service")
    post_save.connect(
        on_service_text_changed, sender=ServiceText, dispatch_uid="catalogue.index.text_saved"
    )
    post_delete.connect(
        on_service_text_changed, sender=ServiceText, dispatch_uid="catalogue.index.text_deleted"
    )
