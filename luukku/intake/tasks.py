"""Background jobs of intake: the e-mail confirmation of feedback sent with the public form.

`connect()` (called from IntakeConfig.ready) ties the confirmation to `request_submitted`, which
intake sends only after the request's transaction has committed: the worker always finds the
row, and a rolled-back submission sends nothing. API submissions get no e-mail: the client
application answers its own user, and the Open311 POST path stays free of mail work.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import gdpr
from .models import ServiceRequest
from .signals import request_submitted

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
logger = logging.getLogger(__name__)


def public_base_url() -> str:
    return str(getattr(settings, "INTAKE_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL)).rstrip("/")


@shared_task(
    name="intake.send_confirmation",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_confirmation(request_pk: int) -> bool:
    """E-mail the tracking code and the status page's address; False when there is no address."""
    request = ServiceRequest.objects.select_related("service").filter(pk=request_pk).first()
    if request is None or not request.email:
        return False
    language = request.locale if request.locale in dict(settings.LANGUAGES) else "fi"
    with translation.override(language):
        context = {
            "item": request,
            "status_url": public_base_url()
            + reverse("intake_public:status", args=[request.service_request_id]),
        }
        subject = render_to_string("intake/email/confirmation_subject.txt", context)
        body = render_to_string("intake/email/confirmation.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[request.email],
    )
    return True


def queue_confirmation(sender: object, request: ServiceRequest, **kwargs: Any) -> None:
    """Queue the confirmation; a failure is logged, never raised.

    This runs after the request has been committed and is about to be acknowledged: a broker
    that is down (or, without a broker, a mail server that is down) must not turn a stored
    request into an error page that makes the customer send it again.
    """
    if request.channel != ServiceRequest.Channel.WEB or not request.email:
        return
    try:
        send_confirmation.delay(request.pk)
    except Exception:
        logger.exception("Could not send the confirmation of request %s", request.pk)


def connect() -> None:
    request_submitted.connect(queue_confirmation, dispatch_uid="intake.queue_confirmation")


@shared_task(name="luukku.intake.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Daily: anonymise the personal details of requests closed longer ago than
    LUUKKU_REQUEST_RETENTION_DAYS (the rules are in gdpr.py, shared with erase_person)."""
    counts = gdpr.apply_retention(timezone.now())
    logger.info("Request retention: %s", counts)
    return counts
