"""Accessibility feedback (Act on the Provision of Digital Services 306/2019, § 15).

Anyone may report content they cannot use; the region must answer within 14 days. The deadline
rule lives in `services.answer_due`, not here, so that every write path uses the same rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessibilityFeedback(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ANSWERED = "answered", _("Answered")

    reference = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The number given to the sender on the receipt page."),
        verbose_name=_("reference number"),
    )
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    due_at = models.DateTimeField(
        help_text=_("The answer is due 14 days after receipt."), verbose_name=_("answer due")
    )
    page_url = models.CharField(max_length=500, blank=True, verbose_name=_("page address"))
    description = models.TextField(verbose_name=_("description"))
    wants_answer = models.BooleanField(default=True, verbose_name=_("wants an answer"))
    contact_name = models.CharField(max_length=200, blank=True, verbose_name=_("contact name"))
    contact_email = models.EmailField(blank=True, verbose_name=_("contact email"))
    language = models.CharField(max_length=8, default="fi", verbose_name=_("language"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.RECEIVED, verbose_name=_("status")
    )
    answer = models.TextField(blank=True, verbose_name=_("answer"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.reference or f"{self.received_at:%Y-%m-%d} {self.description[:40]}"

    @property
    def has_contact_details(self) -> bool:
        return bool(self.contact_name or self.contact_email)
