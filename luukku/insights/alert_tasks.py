"""The daily alert detection as a Celery task (the lead wires the beat schedule in settings).

The task keeps the name the contract gives it, luukku.insights.tasks.detect_alerts; Celery's
autodiscovery imports only tasks.py, so tasks.py (or CELERY_IMPORTS) imports this module.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import alerts

logger = logging.getLogger(__name__)


@shared_task(name="luukku.insights.tasks.detect_alerts")
def detect_alerts() -> int:
    """Daily: compare the last 28 days with the 84 before, alert the service managers."""
    created = alerts.detect_alerts()
    logger.info("Insight alerts written: %d", len(created))
    return len(created)
