"""The service router's data: trained model versions, training examples and the triage queue.

A `RouterModel` row is one trained version: its fitted scikit-learn pipeline as bytes, signed
with an HMAC keyed from SECRET_KEY (a pickle runs code when loaded, so a blob whose signature does
not match is never unpickled), and the training report that says what it learnt from and how well
it did. Exactly one version is active at a time; `services.suggest` uses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service
from luukku.core.models import Language

# A message longer than this is cut before it is stored as an example or a triage item; the
# API refuses longer text outright (see api.py).
MAX_TEXT_LENGTH = 2000


class RouterModel(models.Model):
    """One trained version of the router, with the report of its training."""

    version = models.PositiveIntegerField(unique=True, verbose_name=_("version"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    algorithm = models.CharField(max_length=100, verbose_name=_("algorithm"))
    parameters = models.JSONField(default=dict, blank=True, verbose_name=_("parameters"))
    report = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "Examples per source and service, cross-validated accuracy, evaluations, duration."
        ),
        verbose_name=_("training report"),
    )
    blob = models.BinaryField(editable=False, verbose_name=_("fitted model"))
    signature = models.CharField(max_length=64, editable=False, verbose_name=_("signature"))
    is_active = models.BooleanField(default=False, verbose_name=_("active"))

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_router_model",
            ),
        ]
        verbose_name = _("router model")
        verbose_name_plural = _("router models")

    def __str__(self) -> str:
        return f"v{self.version} {self.algorithm}{' (active)' if self.is_active else ''}"


class RoutingExample(models.Model):
    """A message known to be about a service: what the router learns from besides the catalogue."""

    class Source(models.TextChoices):
        CATALOGUE = "catalogue", _("catalogue")
        DEMO = "demo", _("demo handled case")
        CASE = "case", _("handled case")
        TRIAGE = "triage", _("triage decision")

    text = models.CharField(max_length=MAX_TEXT_LENGTH, verbose_name=_("text"))
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="routing_examples",
        verbose_name=_("service"),
    )
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.FINNISH, verbose_name=_("language")
    )
    source = models.CharField(max_length=12, choices=Source.choices, verbose_name=_("source"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["text", "service"], name="unique_routing_example"),
        ]
        verbose_name = _("routing example")
        verbose_name_plural = _("routing examples")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.text[:40]}"


class TriageItem(models.Model):
    """A message the router was unsure about, waiting for a person to pick its service."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        DECIDED = "decided", _("decided")

    text = models.CharField(max_length=MAX_TEXT_LENGTH, verbose_name=_("text"))
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.FINNISH, verbose_name=_("language")
    )
    suggestions = models.JSONField(
        default=list,
        blank=True,
        help_text=_("What the router suggested: slug and confidence, best first."),
        verbose_name=_("suggestions"),
    )
    source = models.CharField(
        max_length=40,
        help_text=_("Where the message came from, for example case or service_request."),
        verbose_name=_("source"),
    )
    source_id = models.CharField(max_length=100, blank=True, verbose_name=_("source ID"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.WAITING,
        db_index=True,
        verbose_name=_("status"),
    )
    decided_service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided service"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source_id=""),
                name="unique_triage_item_source",
            ),
            models.CheckConstraint(
                condition=models.Q(status="waiting", decided_at__isnull=True)
                | models.Q(status="decided", decided_at__isnull=False),
                name="triage_decided_has_time",
            ),
        ]
        verbose_name = _("triage item")
        verbose_name_plural = _("triage items")

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} {self.status}"
