"""Signals from lower apps that start survey work: a closed case invites its customer."""

from __future__ import annotations

import logging
from typing import Any

from luukku.cases.models import Case
from luukku.cases.signals import case_closed

from .invitations import invite_for_closed_case

logger = logging.getLogger(__name__)


def invite_after_closing(sender: Any, case: Case, **kwargs: Any) -> None:
    """Runs after the closing committed: a failure here must not turn the staff member's
    successful closing into an error page, so it is logged (case id only) instead."""
    try:
        invite_for_closed_case(case=case)
    except Exception:  # noqa: BLE001 - any failure; the closing itself has committed
        logger.exception("Case %s: the survey invitation failed.", case.pk)


def connect() -> None:
    """Connect the receivers; called once from SurveysConfig.ready()."""
    case_closed.connect(invite_after_closing, dispatch_uid="surveys.invite_after_closing")
