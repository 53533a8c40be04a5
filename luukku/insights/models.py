"""Insight alerts: a significant drop in satisfaction or a surge of a complaint theme.

An alert is written once per kind, service, organisation, theme and period (its `key`), so the
daily detection can run again without alerting twice. The evidence (both windows' n, mean and
interval, the test statistic, p-value and quotes) is kept as detected, because the answers it was
computed from may later be anonymised or removed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service
from luukku.organisations.models import Organisation


class InsightAlert(models.Model):
    class Kind(models.TextChoices):
        DROP = "drop", _("satisfaction drop")
        THEME_SURGE = "theme_surge", _("complaint theme surge")

    key = models.CharField(max_length=200, unique=True, editable=False)
    kind = models.CharField(max_length=15, choices=Kind.choices, verbose_name=_("kind"))
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="insight_alerts",
        verbose_name=_("service"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="insight_alerts",
        help_text=_("The organisation whose survey the answers came from."),
        verbose_name=_("organisation"),
    )
    measure = models.CharField(max_length=20, blank=True, verbose_name=_("measure"))
    theme = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The complaint theme's label (its most characteristic words)."),
        verbose_name=_("theme"),
    )
    period_start = models.DateField(verbose_name=_("recent period starts"))
    period_end = models.DateField(verbose_name=_("recent period ends"))
    evidence = models.JSONField(default=dict, verbose_name=_("evidence"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="alert_scope")]
        verbose_name = _("insight alert")
        verbose_name_plural = _("insight alerts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"

    @staticmethod
    def key_for(
        *, kind: str, service_id: int | None, organisation_id: int | None, theme: str, start: Any
    ) -> str:
        """The identity that makes a repeated detection find the alert it already wrote."""
        return f"{kind}:{service_id or '-'}:{organisation_id or '-'}:{theme[:100]}:{start}"

    def summary(self) -> str:
        """The evidence in one plain sentence, in the active language."""
        evidence = self.evidence
        subject = evidence.get("subject", "")
        if self.kind == self.Kind.DROP:
            return gettext(
                "Satisfaction with %(subject)s fell from %(before).1f (n %(n_before)d) to "
                "%(after).1f (n %(n_after)d); p = %(p)s."
            ) % {
                "subject": subject,
                "before": evidence["baseline"]["mean"],
                "n_before": evidence["baseline"]["n"],
                "after": evidence["recent"]["mean"],
                "n_after": evidence["recent"]["n"],
                "p": format_p(evidence["p_value"]),
            }
        return gettext(
            "Complaints about “%(theme)s” in %(subject)s rose from %(before).0f %% of written "
            "answers (n %(n_before)d) to %(after).0f %% (n %(n_after)d); p = %(p)s."
        ) % {
            "theme": self.theme,
            "subject": subject,
            "before": 100 * evidence["baseline"]["share"],
            "n_before": evidence["baseline"]["n"],
            "after": 100 * evidence["recent"]["share"],
            "n_after": evidence["recent"]["n"],
            "p": format_p(evidence["p_value"]),
        }


def format_p(p_value: float) -> str:
    """A p-value as people read it: three decimals, and "< 0.001" below that."""
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"
