"""Where cases start from intake: receivers of intake's hand-off signals.

A receiver never raises: the request is already committed and acknowledged to the customer.
A case that could not be opened (no broker, nobody to own it, a bug) is logged and opened later
by `tasks.open_waiting_cases`, which picks up open requests that have no case.
"""

from __future__ import annotations

import logging
from typing import Any

from luukku.intake.models import RequestEvent, ServiceRequest
from luukku.intake.signals import request_progressed, request_submitted

from . import services, tasks

logger = logging.getLogger(__name__)


def open_case_for_new_request(sender: object, request: ServiceRequest, **kwargs: Any) -> None:
    try:
        tasks.schedule_hand_off(request.pk)
    except services.CaseError as error:
        # Expected while no one holds a case-handling role (a fresh install): no traceback.
        logger.warning(
            "No case for request %s yet: %s The periodic task will retry.",
            request.service_request_id,
            error.message,
        )
    except Exception:
        logger.exception(
            "No case opened for request %s yet; the periodic task will retry.",
            request.service_request_id,
        )


def reopen_case_for_reopened_request(
    sender: object, request: ServiceRequest, event: RequestEvent, **kwargs: Any
) -> None:
    if event.state != RequestEvent.State.REOPENED:
        return
    try:
        services.reopen_for_request(request=request, note=event.note)
    except Exception:
        logger.exception("The case of reopened request %s did not reopen.", request.pk)


def connect() -> None:
    request_submitted.connect(open_case_for_new_request, dispatch_uid="cases.open_case")
    request_progressed.connect(reopen_case_for_reopened_request, dispatch_uid="cases.reopen_case")
