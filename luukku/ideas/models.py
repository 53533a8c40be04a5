"""Staff ideas and observed customer needs (the seeds' kehittämisteot), linked to services.

Staff see where services fail customers; an idea is how that observation reaches the people who
can change the service. Every idea names at least one service, and the managers of the
organisations responsible for or producing those services decide on it. Ideas are shared
region-wide: any staff member may read, comment on and support any idea.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service
from luukku.core.models import TimeStampedModel
from luukku.organisations.models import Organisation


class Idea(TimeStampedModel):
    class Kind(models.TextChoices):
        IDEA = "idea", _("development idea")
        NEED = "need", _("observed customer need")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_EXPERIMENT = "in_experiment", _("in experiment")
        ADOPTED = "adopted", _("adopted")
        DECLINED = "declined", _("declined")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(verbose_name=_("description"))
    services = models.ManyToManyField(Service, related_name="ideas", verbose_name=_("services"))
    # The idea stays when its author leaves: it belongs to the service, not to the person.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        verbose_name=_("author"),
    )
    author_unit = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        help_text=_("The organisation or unit the author worked in when writing the idea."),
        verbose_name=_("author's unit"),
    )
    status = models.CharField(
        max_length=15, choices=Status.choices, default=Status.NEW, verbose_name=_("status")
    )
    decision_reason = models.TextField(
        blank=True,
        help_text=_("Why the idea was adopted or declined; the latest decision's reason."),
        verbose_name=_("reason for the decision"),
    )
    status_changed_at = models.DateTimeField(
        default=timezone.now, verbose_name=_("status changed at")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="idea_status_created"),
            models.Index(fields=["-created_at"], name="idea_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["adopted", "declined"]) | ~Q(decision_reason=""),
                name="idea_decision_has_reason",
            ),
        ]
        verbose_name = _("staff idea")
        verbose_name_plural = _("staff ideas")

    def __str__(self) -> str:
        return self.title


class IdeaComment(models.Model):
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="comments", verbose_name=_("idea")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="idea_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("comment"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("idea comment")
        verbose_name_plural = _("idea comments")

    def __str__(self) -> str:
        return self.body[:40]


class IdeaSupport(models.Model):
    """One staff member backing an idea; withdrawing it deletes the row."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="supports", verbose_name=_("idea")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="idea_supports",
        verbose_name=_("supporter"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="idea_support_once_per_user"),
        ]
        verbose_name = _("idea support")
        verbose_name_plural = _("idea supports")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}"


class IdeaStatusChange(models.Model):
    """The idea's history: who moved it from which status to which, why and when."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("idea")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    from_status = models.CharField(
        max_length=15,
        choices=Idea.Status.choices,
        blank=True,
        help_text=_("Empty for the submission itself."),
        verbose_name=_("from status"),
    )
    to_status = models.CharField(
        max_length=15, choices=Idea.Status.choices, verbose_name=_("to status")
    )
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("idea status change")
        verbose_name_plural = _("idea status changes")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_status or '–'} → {self.to_status}"
