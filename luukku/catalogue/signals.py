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


class _Batch:
    """The services to reindex when the current transaction commits: one task per commit."""

    def __init__(self) -> None:
        self.service_ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        from luukku.catalogue.tasks import reindex_services  # noqa: PLC0415 - tasks import search

        self.done = True
        if self.service_ids:
            reindex_services.delay(sorted(self.service_ids))


def _schedule(service_ids: set[int]) -> None:
    # A transaction that saves a service and its ten texts queues one reindex. The batch is
    # reused only while it still waits in this transaction's on-commit list: after a commit or
    # a rollback (of the transaction or of the savepoint that registered it) a new one starts.
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(_state, "batch", None)
    if batch is not None and not batch.done and _is_waiting(batch, connection.run_on_commit):
        batch.service_ids.update(service_ids)
        return
    batch = _Batch()
    batch.service_ids.update(service_ids)
    _state.batch = batch
    transaction.on_commit(batch)  # outside a transaction this runs at once


def _is_waiting(batch: _Batch, run_on_commit: list[Any]) -> bool:
    return any(entry[1] is batch for entry in run_on_commit)


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
