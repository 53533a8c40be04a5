"""The outbox: one row per message to send, written in the transaction of the change it reports.

A message exists if and only if its cause committed. Workers (tasks.deliver_pending) send due
rows later; a worker or broker that is down only delays delivery, it never loses a message.
In-app notifications need no sending: they are delivered the moment their row commits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")
        IN_APP = "in_app", _("in-app")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(
        max_length=60,
        verbose_name=_("kind"),
        help_text=_("What the message is about, e.g. assignment or escalation."),
    )
    channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL, verbose_name=_("channel")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    address = models.CharField(
        max_length=254,
        blank=True,
        verbose_name=_("address"),
        help_text=_("E-mail address or phone number; empty for in-app notifications."),
    )
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("message"))
    # For messages carrying a secret (a one-time survey link): the text is emptied once sent,
    # so the outbox keeps no usable link and nothing that ties the recipient to their answer.
    forget_body_when_sent = models.BooleanField(
        default=False, verbose_name=_("message removed once sent")
    )
    language = models.CharField(max_length=5, default="fi", verbose_name=_("language"))
    dedupe_key = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("deduplication key"),
        help_text=_("A second notification with the same key is not created."),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        verbose_name=_("status"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt"))
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created")
    )
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("marked read"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(sent_at__isnull=False) | Q(status="failed"),
                name="notification_sent_has_sent_at",
            ),
        ]
        indexes = [
            # The drain's query: due pending rows, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notification_due_idx",
            ),
            # The header's unread count and the staff list.
            models.Index(
                fields=["recipient", "channel", "read_at"],
                name="notification_inbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_channel_display()}, {self.get_status_display()})"
