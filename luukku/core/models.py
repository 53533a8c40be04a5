"""Building blocks shared by every app: timestamps, PTV-style translated texts, the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TranslatedText(models.Model):
    """One localised text as PTV keeps them: (language, type, value).

    Concrete subclasses add the foreign key to their owner and the `kind` choices they allow.
    """

    language = models.CharField(verbose_name=_("language"), max_length=8, choices=Language.choices)
    kind = models.CharField(verbose_name=_("text type"), max_length=40)
    value = models.TextField(verbose_name=_("text"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind}[{self.language}]: {self.value[:40]}"


class AuditEvent(models.Model):
    """Who did or saw what, when and why. Every read of personal data writes one.

    The row never holds personal data itself: only a reference to the object and a purpose.
    """

    class Action(models.TextChoices):
        READ = "read", _("read")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")

    at = models.DateTimeField(verbose_name=_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        verbose_name=_("actor's username"),
        max_length=150,
        blank=True,
        help_text=_("Username kept even if the user is deleted."),
    )
    action = models.CharField(verbose_name=_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("object type"),
    )
    object_id = models.CharField(verbose_name=_("object ID"), max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(verbose_name=_("purpose"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(verbose_name=_("IP address"), null=True, blank=True)
    details = models.JSONField(verbose_name=_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        # The audit trail is append-only: there is no change or delete permission to grant.
        default_permissions = ("add", "view")
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_id}"


class ConsentText(models.Model):
    """The wording a person agreed to, per purpose and version, in every language.

    A consent row elsewhere points at the exact text shown, so a later rewording never changes
    what someone is recorded as having agreed to. Texts are never edited once used: add a
    new version instead.
    """

    class Purpose(models.TextChoices):
        SURVEY_IDENTIFIED = "survey_identified", _("identified survey answer")
        SURVEY_CONTACT = "survey_contact", _("contact about a survey answer")
        PANEL_MEMBERSHIP = "panel_membership", _("customer panel membership")
        PANEL_GUARDIAN = "panel_guardian", _("guardian's consent for a panel member under 15")

    purpose = models.CharField(max_length=30, choices=Purpose.choices, verbose_name=_("purpose"))
    version = models.PositiveSmallIntegerField(verbose_name=_("version"))
    text_fi = models.TextField(verbose_name=_("Finnish text"))
    text_sv = models.TextField(verbose_name=_("Swedish text"))
    text_en = models.TextField(verbose_name=_("English text"))
    valid_from = models.DateTimeField(verbose_name=_("valid from"))

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="unique_consent_version"),
        ]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"

    def text(self, language: str) -> str:
        return str(getattr(self, f"text_{language}", "") or self.text_fi)

    @classmethod
    def current(cls, purpose: str) -> ConsentText | None:
        """The newest version already in force for `purpose`."""
        return (
            cls.objects.filter(purpose=purpose, valid_from__lte=timezone.now())
            .order_by("-version")
            .first()
        )
