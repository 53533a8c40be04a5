"""What the outbox holds about a person: messages sent to their address, or to them as staff.

Anonymising keeps the row (kind, channel, status, times: delivery figures stay) and removes the
address, subject and message. A message not yet sent cannot be sent without its address: it is
marked failed, saying why, so the drain does not try it again and again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import ERASED, Kind, Person, Record

from .models import Notification
from .services import DEFAULT_RETENTION_DAYS

ERASED_ERROR = "Address erased (right to erasure or retention)."
RETENTION_SETTING = "LUUKKU_NOTIFICATION_RETENTION_DAYS"

KINDS = (
    Kind(
        key="notifications",
        models=("notifications.Notification",),
        description="Messages to the person: address, subject, text, delivery status.",
        purpose="Telling the customer (or the staff member) about their matter.",
        legal_basis="Public task (GDPR 6(1)(e)); the customer's consent to be contacted.",
        retention=f"Sent messages (read in-app messages) deleted {RETENTION_SETTING} (default "
        "180 days) after sending; failed ones lose address and text after the same period.",
    ),
)


def notifications_of(person: Person) -> QuerySet[Notification]:
    condition = Q(pk__in=[])
    if person.email:
        condition |= Q(address__iexact=person.email)
    if person.username:
        condition |= Q(recipient__username=person.username)
    return gdpr.matching(Notification.objects.all(), condition, person, phone_fields=("address",))


def find(person: Person) -> list[Record]:
    return [Record.of("notifications", n) for n in notifications_of(person).order_by("pk")]


FIELDS = (
    "kind", "channel", "address", "subject", "body", "language", "status", "created_at",
    "sent_at", "read_at",
)  # fmt: skip


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    rows = notifications_of(person).order_by("created_at", "pk")
    return {"notifications": [gdpr.row(notification, FIELDS) for notification in rows]}


def anonymise_notifications(pks: list[int]) -> int:
    rows = Notification.objects.filter(pk__in=pks)
    rows.filter(status=Notification.Status.PENDING).update(
        status=Notification.Status.FAILED, last_error=ERASED_ERROR
    )
    return rows.filter(~Q(address="") | ~Q(body="") | ~Q(subject=ERASED)).update(
        address="", subject=ERASED, body=""
    )


def erase(person: Person, now: datetime) -> dict[str, int]:
    pks = list(notifications_of(person).values_list("pk", flat=True))
    return {"notifications": anonymise_notifications(pks)}


def expired_failed(now: datetime) -> QuerySet[Notification]:
    """Failed messages older than the retention period that still hold an address or text (the
    daily prune deletes delivered ones but keeps failed ones for an operator)."""
    days = gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS)
    return Notification.objects.filter(
        status=Notification.Status.FAILED, created_at__lt=now - timedelta(days=days)
    ).filter(~Q(address="") | ~Q(body=""))


def apply_retention(now: datetime) -> int:
    return sum(gdpr.in_batches(expired_failed(now), anonymise_notifications))


gdpr.register(
    gdpr.Provider(app_label="notifications", kinds=KINDS, find=find, export=export, erase=erase)
)
