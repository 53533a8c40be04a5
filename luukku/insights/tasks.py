"""Periodic work for insights; the lead wires the beat schedule in settings.

Thin wrappers: the rules live in extract.py, where they are tested directly.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import alert_tasks, extract

# Celery finds tasks in tasks.py; the alert task lives beside its rules in alert_tasks.py.
__all__ = ["alert_tasks", "refresh_extract"]

logger = logging.getLogger(__name__)


@shared_task(name="luukku.insights.tasks.refresh_extract")
def refresh_extract() -> dict[str, int]:
    """Every 15 minutes: rebuild the columnar extract the dashboards read."""
    summary = extract.refresh_extract()
    counts = {"responses": summary.responses, "scores": summary.scores, "texts": summary.texts}
    logger.info("Insights extract refreshed: %s", counts)
    return counts
