"""Retention of volunteers' personal data (daily, from the beat schedule).

- A closed panel: every volunteer's name, contact details, birth year and guardian are erased
  once `retention_days` have passed since it closed.
- A drawn panel: the volunteers never drawn (reserves) are erased once `retention_days` have
  passed since the draw, even while the panel still meets.
- A panel never drawn nor closed: every volunteer is erased once `retention_days` have passed
  since its sign-up closed (`signup_until`), so a forgotten panel does not keep them for ever.
Background (municipality, age band, sex, customer type, interests) and the consent version
stay, so the panel's counts and quota reports keep working.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .models import Panel, Selection, Volunteer
from .services import anonymise

logger = logging.getLogger(__name__)


@shared_task
def apply_retention() -> int:
    """Erase what is due; returns how many volunteers were anonymised."""
    return erase_due(now=timezone.now())


def erase_due(*, now: datetime) -> int:
    erased = 0
    with transaction.atomic():
        closed = Panel.objects.filter(status=Panel.Status.CLOSED, closed_at__isnull=False)
        for panel in closed.only("pk", "closed_at", "retention_days"):
            if panel.closed_at and panel.closed_at + timedelta(days=panel.retention_days) <= now:
                erased += anonymise(Volunteer.objects.filter(panel=panel), now=now)
        drawn = Selection.objects.select_related("panel").order_by("panel_id", "made_at")
        first_draw: dict[int, Selection] = {}
        for selection in drawn:
            first_draw.setdefault(selection.panel_id, selection)
        for selection in first_draw.values():
            if selection.made_at + timedelta(days=selection.panel.retention_days) <= now:
                reserves = Volunteer.objects.filter(
                    panel_id=selection.panel_id, status=Volunteer.Status.RESERVE
                )
                erased += anonymise(reserves, now=now)
        today = timezone.localdate(now)
        never_drawn = Panel.objects.filter(
            status=Panel.Status.RECRUITING, signup_until__lt=today, selections__isnull=True
        )
        for panel in never_drawn.only("pk", "signup_until", "retention_days"):
            # Sign-up closes at the end of `signup_until`.
            if panel.signup_until + timedelta(days=panel.retention_days) < today:
                erased += anonymise(Volunteer.objects.filter(panel=panel), now=now)
    if erased:
        logger.info("panel retention: %d volunteers anonymised", erased)
    return erased
