"""Background jobs of the catalogue (run in-process when Celery has no broker)."""

from __future__ import annotations

from celery import shared_task

from luukku.catalogue import search


@shared_task(name="catalogue.reindex_services", acks_late=True)
def reindex_services(service_ids: list[int]) -> int:
    """Refresh the search index of these services; returns the index rows written."""
    return search.index_services(service_ids)


@shared_task(name="catalogue.rebuild_search_index", acks_late=True)
def rebuild_search_index() -> int:
    """Index the whole catalogue again."""
    return search.rebuild_index()
