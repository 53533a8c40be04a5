"""Accessibility feedback (Act 306/2019 §15): every report gets an answer within 14 days."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ANSWER_DEADLINE = timedelta(days=14)


class AccessibilityFeedback(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        ANSWERED = "answered", _("answered")

    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    page_url = models.CharField(max_length=500, blank=True)
    description = models.TextField()
    wants_answer = models.BooleanField(default=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="fi")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_at"]
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} {self.description[:40]}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.due_at is None:
            self.due_at = self.received_at + ANSWER_DEADLINE
        super().save(*args, **kwargs)  # type: ignore[arg-type]
