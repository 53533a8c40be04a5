"""Periodic work for accounts: retention (the rules are in gdpr.py, shared with erase_person)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import gdpr

logger = logging.getLogger(__name__)


@shared_task(name="luukku.accounts.tasks.apply_retention")
def apply_retention() -> int:
    """Daily: anonymise what has passed its retention period; returns how many rows."""
    changed = gdpr.apply_retention(timezone.now())
    if changed:
        logger.info("accounts retention: %d rows anonymised", changed)
    return changed
