"""Periodic and queued work for cases; the beat schedule is in settings (CELERY_BEAT_SCHEDULE).

Each task is a thin wrapper: the rules live in services, where they are tested directly.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

from luukku.intake.models import ServiceRequest

from . import services

logger = logging.getLogger(__name__)

# A request younger than this is still being handed over by its own receiver.
HAND_OFF_GRACE = timedelta(minutes=5)
# Older requests without a case predate cases (or were dealt with in intake): left alone.
HAND_OFF_WINDOW = timedelta(days=30)


@shared_task
def open_case_for_request(request_pk: int) -> int | None:
    """Open the case of a new request; the case's id, or None when it already had one."""
    case = services.open_case_from_request(ServiceRequest.objects.get(pk=request_pk))
    return case.pk if case else None


@shared_task
def open_waiting_cases() -> int:
    """Open the cases whose hand-off failed; returns how many opened. Every 15 minutes."""
    opened = ownerless = 0
    waiting = services.requests_waiting_for_a_case(
        older_than=HAND_OFF_GRACE, within=HAND_OFF_WINDOW
    )
    for request_pk in waiting:
        try:
            opened += open_case_for_request(request_pk) is not None
        except services.CaseError:
            ownerless += 1
        except Exception:
            logger.exception("Still no case for request %s.", request_pk)
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
