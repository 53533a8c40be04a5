"""Draining the outbox: the only place notifications are sent.

`deliver_pending` is queued after every commit that wrote a notification and runs every minute
from the beat schedule, so rows written while the broker or every worker was down go out when
they return. Each batch is locked with SELECT ... FOR UPDATE SKIP LOCKED: several workers drain
side by side on PostgreSQL without sending a row twice. A row is sent while its lock is held and
marked sent in the same transaction; a worker killed between the two sends it again on the next
drain (at least once, never silently lost). SQLite has no row locks: run one worker there.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from luukku.core.masking import mask_personal_data

from . import gdpr, services
from .models import Notification
from .senders import deliver

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_BACKOFF_SECONDS = 60
MAX_BACKOFF = timedelta(hours=6)
# A drain stops taking new batches after this long, so beat's next run is not queued behind it.
DRAIN_TIME_BUDGET_SECONDS = 50.0
ERROR_MAX_LENGTH = Notification._meta.get_field("last_error").max_length or 500


@dataclass(frozen=True)
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def max_attempts() -> int:
    return int(getattr(settings, "LUUKKU_NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff_after(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd, 4th ... failure, at most six hours."""
    base = int(getattr(settings, "LUUKKU_NOTIFICATION_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS))
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _describe(error: Exception) -> str:
    """The error for the admin: its class and masked message (SMTP errors quote addresses)."""
    text = f"{type(error).__name__}: {mask_personal_data(str(error))}"
    return text[:ERROR_MAX_LENGTH]


def _due_batch(now: datetime, size: int) -> list[Notification]:
    queryset = Notification.objects.filter(
        status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset[:size])


def _deliver_one(notification: Notification, now: datetime) -> str:
    notification.attempts += 1
    try:
        deliver(notification)
    except Exception as error:  # noqa: BLE001 - every channel failure is retried or recorded
        notification.last_error = _describe(error)
        if notification.attempts >= max_attempts():
            notification.status = Notification.Status.FAILED
            logger.warning(
                "Notification %s failed for good after %s attempts (%s).",
                notification.pk,
                notification.attempts,
                type(error).__name__,
            )
        else:
            notification.next_attempt_at = now + backoff_after(notification.attempts)
        notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return notification.status
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    if notification.forget_body_when_sent:
        notification.body = ""
    notification.save(update_fields=["attempts", "last_error", "status", "sent_at", "body"])
    return notification.status


def drain(*, batch_size: int = BATCH_SIZE, now: datetime | None = None) -> DrainResult:
    """Send every due notification, one small locked batch (one transaction) at a time."""
    started = time.monotonic()
    sent = retried = failed = 0
    while time.monotonic() - started < DRAIN_TIME_BUDGET_SECONDS:
        with transaction.atomic():
            batch_now = now or timezone.now()
            batch = _due_batch(batch_now, batch_size)
            for notification in batch:
                outcome = _deliver_one(notification, batch_now)
                if outcome == Notification.Status.SENT:
                    sent += 1
                elif outcome == Notification.Status.FAILED:
                    failed += 1
                else:
                    retried += 1
        if len(batch) < batch_size:
            break
    return DrainResult(sent=sent, retried=retried, failed=failed)


@shared_task(name="notifications.deliver_pending", acks_late=True, ignore_result=True)
def deliver_pending() -> int:
    """Drain the outbox; returns how many notifications were sent."""
    result = drain()
    if result.sent or result.retried or result.failed:
        logger.info(
            "Outbox drained: %s sent, %s to retry, %s failed.",
            result.sent,
            result.retried,
            result.failed,
        )
    return result.sent


@shared_task(name="notifications.prune_delivered")
def prune_delivered() -> int:
    """Daily: the outbox keeps delivered notifications only for the retention period."""
    return services.prune_delivered()


@shared_task(name="notifications.erase_failed")
def erase_failed() -> int:
    """Daily: failed messages older than the retention period lose address and text (the prune
    keeps failed rows for an operator, but not their personal data for ever)."""
    return gdpr.apply_retention(timezone.now())
