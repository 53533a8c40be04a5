"""Periodic and queued work for cases; the beat schedule is in settings (CELERY_BEAT_SCHEDULE).

Each task is a thin wrapper: the rules live in services, where they are tested directly.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from luukku.intake.models import ServiceRequest

from . import gdpr, services

logger = logging.getLogger(__name__)

# A request younger than this is still being handed over by its own receiver.
HAND_OFF_GRACE = timedelta(minutes=5)
# Older requests without a case predate cases (or were dealt with in intake): left alone.
HAND_OFF_WINDOW = timedelta(days=30)


# New requests are handed over in batches, at most one queued batch at a time: on a campaign
# day one task opens the cases of the hundreds of requests of a second, instead of one queued
# task per request (publishing it cost a fifth of an Open311 POST's CPU time).
HAND_OFF_FLAG = "cases:hand-off-queued"
HAND_OFF_DELAY_SECONDS = 1
HAND_OFF_FLAG_EXPIRY_SECONDS = 60


def schedule_hand_off(request_pk: int) -> None:
    """Queue `open_new_cases` unless a batch is already queued (called after each commit).

    Correct without locks: the batch clears the flag before it reads the waiting requests, so
    a request committed before the clearing is in its read, and one committed after it finds
    no flag and queues the next batch. The flag expires by itself should a batch be lost with
    its worker; the quarter-hourly `open_waiting_cases` catches what that leaves.
    Without a broker (the embedded default) the case opens at once, for this request only.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        open_case_for_request(request_pk)
    elif cache.add(HAND_OFF_FLAG, 1, timeout=HAND_OFF_FLAG_EXPIRY_SECONDS):
        open_new_cases.apply_async(countdown=HAND_OFF_DELAY_SECONDS)


@shared_task
def open_new_cases() -> int:
    """Open the cases of the requests submitted since the last batch; returns how many."""
    cache.delete(HAND_OFF_FLAG)
    opened = last = 0
    while waiting := services.requests_waiting_for_a_case(
        older_than=timedelta(0), within=HAND_OFF_WINDOW, after=last
    ):
        opened += _open_cases_for(waiting)
        last = waiting[-1]
    return opened


@shared_task
def open_case_for_request(request_pk: int) -> int | None:
    """Open the case of one request; the case's id, or None when it already had one."""
    case = services.open_case_from_request(ServiceRequest.objects.get(pk=request_pk))
    return case.pk if case else None


@shared_task
def open_waiting_cases() -> int:
    """Open the cases whose hand-off failed; returns how many opened. Every 15 minutes."""
    return _open_cases_for(
        services.requests_waiting_for_a_case(older_than=HAND_OFF_GRACE, within=HAND_OFF_WINDOW)
    )


def _open_cases_for(waiting: list[int]) -> int:
    """Open the cases of `waiting`, skipping requests another batch is opening right now."""
    opened = ownerless = 0
    for request in ServiceRequest.objects.filter(pk__in=waiting).order_by("pk"):
        try:
            opened += services.open_case_from_request(request, skip_locked=True) is not None
        except services.CaseError:
            ownerless += 1
        except Exception:
            logger.exception("Still no case for request %s.", request.pk)
    if ownerless:
        logger.warning("%s requests wait for a case: nobody can own cases.", ownerless)
    return opened


@shared_task
def escalate_due_work() -> int:
    """Hourly: late work to the unit leads. Returns how many escalations were made."""
    return len(services.escalate_due_work())


@shared_task
def send_daily_digest() -> int:
    """Daily at 07:00 Helsinki time: each unit lead's list of late work."""
    return services.send_daily_digest()


@shared_task(name="luukku.cases.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Daily: anonymise cases closed longer ago than LUUKKU_CASE_RETENTION_DAYS, and customers
    left with nothing recent (the rules are in gdpr.py, shared with erase_person)."""
    counts = gdpr.apply_retention(timezone.now())
    logger.info("Case retention: %s", counts)
    return counts
