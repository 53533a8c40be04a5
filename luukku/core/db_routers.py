"""Read replicas: used only where the code asks for them, never by default.

A streaming replica is a little behind its primary (usually milliseconds, sometimes seconds under
load or during a long query). Sending every read to a replica would let a member of staff save a
case and see the old version on the next page. So reads stay on "default" unless the code opens
`read_replica()` around work that tolerates a slightly old copy: the insights extract refresh,
exports, public catalogue search. Inside that block a write still goes to "default", and every
read after it in the same block goes there too (read-your-writes). Inside a transaction on
"default" the block reads from "default" as well: the transaction's own uncommitted rows are not
on any replica.

The replicas are the aliases named `replica1`, `replica2`, ... that settings.py builds from
DATABASE_REPLICA_URLS; settings point DATABASE_ROUTERS at ReplicaRouter when there is one.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

REPLICA_PREFIX = "replica"

_ModelT = TypeVar("_ModelT", bound=Model)


@dataclass
class _ReplicaBlock:
    alias: str
    wrote: bool = False


_block: ContextVar[_ReplicaBlock | None] = ContextVar("luukku_replica_block", default=None)


def replica_aliases() -> list[str]:
    """The database aliases that are read replicas (none unless DATABASE_REPLICA_URLS is set)."""
    return sorted(alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX))


def choose_replica() -> str:
    """A replica alias at random (spreads the load), or "default" when there is none, or when
    "default" is inside a transaction whose uncommitted rows no replica can see."""
    aliases = replica_aliases()
    if not aliases or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    # Load spreading, not security: the standard generator is enough.
    return random.choice(aliases)  # noqa: S311


@contextmanager
def read_replica() -> Iterator[str]:
    """Serve the reads inside this block from a replica; yields the alias chosen.

    Use it only around reads that may be a little out of date. Nested blocks keep the outer
    block's choice. Code called inside that writes still writes to "default", and reads after
    that write stay on "default" until the block ends.
    """
    outer = _block.get()
    if outer is not None:
        yield outer.alias
        return
    block = _ReplicaBlock(alias=choose_replica())
    token = _block.set(block)
    try:
        yield block.alias
    finally:
        _block.reset(token)


def using_replica(queryset: QuerySet[_ModelT]) -> QuerySet[_ModelT]:
    """The queryset bound to a replica (or "default" when there is none), for reading only.

    `.using()` overrides the router also for writes through that queryset (`update()`,
    `delete()`): never call those on the result.
    """
    return queryset.using(choose_replica())


class ReplicaRouter:
    """Reads from a replica only inside `read_replica()`; writes and migrations on "default"."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        block = _block.get()
        if block is None or block.wrote:
            return DEFAULT_DB_ALIAS
        return block.alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        block = _block.get()
        if block is not None and block.alias != DEFAULT_DB_ALIAS:
            block.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        """Rows read from a replica are the primary's rows: relating them is safe."""
        known = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in known and obj2._state.db in known:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        """Only "default": replicas copy its schema, and migrating them would fail (read-only)."""
        return db == DEFAULT_DB_ALIAS
