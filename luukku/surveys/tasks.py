"""Periodic work for surveys; the beat schedule is in settings (CELERY_BEAT_SCHEDULE).

Thin wrappers: the rules live in retention.py, where they are tested directly.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import retention

logger = logging.getLogger(__name__)


@shared_task(name="luukku.surveys.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Daily: delete or anonymise survey answers past their retention period."""
    counts = retention.apply_retention()
    logger.info("Survey retention: %s", counts)
    return counts
