"""Writing notifications into the outbox, and the staff's in-app inbox.

`notify` never sends: it writes a row in the caller's transaction and asks a worker to drain the
outbox once that transaction commits. A rolled-back change therefore notifies nobody, and a
committed one is delivered even if the worker or the broker is down at that moment (the beat
schedule drains the outbox every minute; tasks.deliver_pending).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Notification

if TYPE_CHECKING:
    from luukku.accounts.models import User

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = Notification._meta.get_field("subject").max_length or 200


class NotificationError(ValueError):
    """A notification that cannot be written; `field` names the offending argument."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _supported_language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _address_for(*, channel: str, recipient: User | None, address: str) -> str:
    address = address.strip()
    if channel == Notification.Channel.IN_APP:
        if recipient is None:
            raise NotificationError("recipient", "An in-app notification needs a recipient.")
        return ""
    if address:
        return address
    if channel == Notification.Channel.EMAIL and recipient is not None:
        # May be empty: the row is then written as failed, visible in the admin, rather than
        # breaking the caller's change over a missing e-mail address.
        return recipient.email.strip()
    if channel == Notification.Channel.SMS:
        raise NotificationError("address", "A text message needs a phone number.")
    raise NotificationError("address", "An e-mail notification needs a recipient or an address.")


def notify(
    *,
    kind: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    address: str = "",
    channel: str = Notification.Channel.EMAIL,
    language: str = "fi",
    dedupe_key: str = "",
    forget_body_when_sent: bool = False,
) -> Notification:
    """Write one outbox row in the caller's transaction; delivery happens after commit.

    With a `dedupe_key` a repeated call returns the first notification instead of writing a
    second one (e.g. an escalation retried by the hourly job). `forget_body_when_sent` empties
    the message once delivered, for texts that carry a secret such as a one-time link.
    """
    if channel not in Notification.Channel.values:
        raise NotificationError("channel", f"Unknown notification channel: {channel!r}.")
    if not kind.strip():
        raise NotificationError("kind", "A notification needs a kind.")
    if not subject.strip() and not body.strip():
        raise NotificationError("body", "A notification needs a subject or a message.")
    dedupe_key = dedupe_key.strip()
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    resolved_address = _address_for(channel=channel, recipient=recipient, address=address)

    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    now = timezone.now()
    notification = Notification(
        kind=kind.strip(),
        channel=channel,
        recipient=recipient,
        address=resolved_address,
        subject=subject,
        body=body,
        language=_supported_language(language),
        dedupe_key=dedupe_key,
        forget_body_when_sent=forget_body_when_sent,
        created_at=now,
        next_attempt_at=now,
    )
    if channel == Notification.Channel.IN_APP:
        # Delivered by being written: the recipient's list shows it once the change commits.
        notification.status = Notification.Status.SENT
        notification.sent_at = now
    elif not resolved_address:
        notification.status = Notification.Status.FAILED
        notification.last_error = "The recipient has no e-mail address."

    try:
        # A savepoint: a concurrent notify with the same key must not break the caller's
        # transaction, only turn this call into a no-op.
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        if not dedupe_key:
            raise
        return Notification.objects.get(dedupe_key=dedupe_key)

    if notification.status == Notification.Status.PENDING:
        _schedule_drain_after_commit()
    elif channel == Notification.Channel.IN_APP and recipient is not None:
        announce_unread_after_commit(recipient.pk)
    return notification


def _schedule_drain_after_commit() -> None:
    """One drain per transaction is enough, however many notifications it wrote."""
    from django.db import connection

    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is schedule_drain for entry in pending):
        return
    transaction.on_commit(schedule_drain)


def schedule_drain() -> None:
    """Ask a worker to drain the outbox now. A broker that is down loses nothing: the rows are
    committed and the beat schedule's next drain sends them."""
    from .tasks import deliver_pending

    try:
        deliver_pending.delay()
    except Exception as error:  # noqa: BLE001 - any broker failure must not fail the request
        # The error's class only: broker messages can carry URLs with credentials.
        logger.warning(
            "Notification drain not queued (%s); the periodic drain will send the outbox.",
            type(error).__name__,
        )


def user_group(user_id: int) -> str:
    """The channel-layer group of one user's open pages (consumers.NotificationConsumer)."""
    return f"notifications.user.{user_id}"


def announce_unread_after_commit(user_id: int) -> None:
    """Tell the user's open pages that their unread count changed, once this transaction
    commits (never for a rolled-back one); one event per user and transaction is enough."""
    from django.db import connection

    pending = getattr(connection, "run_on_commit", [])
    if any(getattr(entry[1], "user_id", None) == user_id for entry in pending):
        return
    transaction.on_commit(_UnreadAnnouncement(user_id))


class _UnreadAnnouncement:
    """An on-commit callback that knows whom it is for (so a transaction queues one per user)."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def __call__(self) -> None:
        announce_unread(self.user_id)


def announce_unread(user_id: int) -> None:
    """Send the event to the user's group. The notification is already committed: a channel
    layer that is down (Redis unreachable) costs only the live update, never the write, and the
    badge is right again on the next page load."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    try:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "notifications.unread"})
    except Exception as error:  # noqa: BLE001 - a live update must never fail the caller
        # The error's class only: its message can carry the layer's URL with credentials.
        logger.warning(
            "Live notification update not sent (%s); the page shows it on its next load.",
            type(error).__name__,
        )


def unread_for(user: User) -> QuerySet[Notification]:
    """The user's unread in-app notifications, newest first."""
    return Notification.objects.filter(
        recipient=user,
        channel=Notification.Channel.IN_APP,
        read_at__isnull=True,
    ).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return unread_for(user).count()


@transaction.atomic
def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all unread when no ids are given).

    Ids of other users' notifications are ignored, never marked: the count says how many of
    the user's own changed.
    """
    queryset = unread_for(user)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    changed = queryset.update(read_at=timezone.now())
    if changed:
        # The user's other tabs lower their badge too.
        announce_unread_after_commit(user.pk)
    return changed


DEFAULT_RETENTION_DAYS = 180


def prune_delivered(*, now: datetime | None = None) -> int:
    """Delete what the outbox no longer needs: e-mails and SMS sent, and in-app notifications
    read, longer ago than `LUUKKU_NOTIFICATION_RETENTION_DAYS` (they hold names and case
    numbers). Unread in-app notifications stay for their reader and failed rows for an operator.
    Returns how many rows went."""
    days = int(getattr(settings, "LUUKKU_NOTIFICATION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    sent = Q(status=Notification.Status.SENT)
    expired = (sent & ~Q(channel=Notification.Channel.IN_APP) & Q(sent_at__lt=cutoff)) | (
        sent & Q(channel=Notification.Channel.IN_APP) & Q(read_at__lt=cutoff)
    )
    deleted, _ = Notification.objects.filter(expired).delete()
    return deleted
