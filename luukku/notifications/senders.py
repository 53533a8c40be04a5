"""How an outbox row leaves the building: e-mail through Django's mail backend, text messages
through a pluggable sender (settings.LUUKKU_SMS_BACKEND, a dotted path to a class).

An SMS sender is any class with `send(address, body)` that raises on failure; the outbox
retries it. The default writes to the log with the phone number masked, so the demo and
development never text anyone. The surveys issue reuses `get_sms_sender()`.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from luukku.core.masking import PHONE_MASK, mask_personal_data, mask_phone_numbers

from .models import Notification

DEFAULT_SMS_BACKEND = "luukku.notifications.senders.ConsoleSmsSender"
logger = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send(self, address: str, body: str) -> None:
        """Send `body` to the phone number `address`; raise on failure."""


def masked_phone(address: str) -> str:
    masked = mask_phone_numbers(address)
    return PHONE_MASK if masked == address else masked


class ConsoleSmsSender:
    """Writes the message to the log instead of sending it: the number is masked, and so is any
    personal data in the text."""

    def send(self, address: str, body: str) -> None:
        logger.info("SMS to %s: %s", masked_phone(address), mask_personal_data(body))


def get_sms_sender() -> SmsSender:
    path = getattr(settings, "LUUKKU_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    sender: SmsSender = import_string(path)()
    return sender


def send_email(address: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=[address]).send(fail_silently=False)


def deliver(notification: Notification) -> None:
    """Send one notification through its channel; raises when the channel fails."""
    channel = notification.channel
    if channel == Notification.Channel.EMAIL:
        send_email(notification.address, notification.subject, notification.body)
    elif channel == Notification.Channel.SMS:
        text = notification.body or notification.subject
        get_sms_sender().send(notification.address, text)
    elif channel == Notification.Channel.IN_APP:
        return  # delivered by being written
    else:
        raise ValueError(f"Unknown notification channel: {channel!r}")
