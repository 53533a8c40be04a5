"""Periodic work for core: the audit log's retention."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from . import gdpr
from .models import AuditEvent

logger = logging.getLogger(__name__)

RETENTION_SETTING = "LUUKKU_AUDIT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 1826  # five years


def prune_audit_log(now: datetime) -> int:
    """Delete audit events older than the retention period, in batches; how many went."""
    days = gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS)
    expired = AuditEvent.objects.filter(at__lt=now - timedelta(days=days))
    return sum(
        gdpr.in_batches(expired, lambda pks: AuditEvent.objects.filter(pk__in=pks).delete()[0])
    )


@shared_task(name="luukku.core.tasks.prune_audit_log")
def prune_audit_log_task() -> int:
    """Daily: the audit log keeps events LUUKKU_AUDIT_RETENTION_DAYS (default 5 years)."""
    deleted = prune_audit_log(timezone.now())
    if deleted:
        logger.info("Audit log retention: %d events deleted", deleted)
    return deleted
