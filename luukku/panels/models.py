"""Customer panels (asiakasraati): recruitment, a stratified random draw, sessions, outputs.

A panel recruits volunteers with a public sign-up form, then draws its members by sortition
(sortition.py) so that the panel looks like the population of its area. Members meet in
sessions; a session's recommendations are answered by the service manager and published.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luukku.areas.demographics import AgeBand, CustomerType, Sex
from luukku.areas.models import Area
from luukku.catalogue.models import Service
from luukku.core.models import ConsentText
from luukku.organisations.models import Organisation

# Youth panels (nuorisoraati) take ages 13–29 unless the panel says otherwise.
YOUTH_AGES = (13, 29)
CUSTOMER_MIN_AGE = 15
# Below this age the guardian's consent is needed too.
GUARDIAN_AGE = 15
ANONYMISED_NAME = "–"


class Panel(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("customer panel")
        YOUTH = "youth", _("youth panel")

    class Status(models.TextChoices):
        RECRUITING = "recruiting", _("recruiting")
        SELECTED = "selected", _("members drawn")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="panels",
        help_text=_("The organisation that runs the panel and answers its recommendations."),
        verbose_name=_("organisation"),
    )
    name_fi = models.CharField(max_length=200, verbose_name=_("Finnish name"))
    name_sv = models.CharField(max_length=200, blank=True, verbose_name=_("Swedish name"))
    name_en = models.CharField(max_length=200, blank=True, verbose_name=_("English name"))
    description_fi = models.TextField(verbose_name=_("Finnish description"))
    description_sv = models.TextField(blank=True, verbose_name=_("Swedish description"))
    description_en = models.TextField(blank=True, verbose_name=_("English description"))
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.CUSTOMER, verbose_name=_("kind")
    )
    min_age = models.PositiveSmallIntegerField(
        default=CUSTOMER_MIN_AGE, verbose_name=_("minimum age")
    )
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("maximum age"))
    municipalities = models.ManyToManyField(
        Area,
        blank=True,
        related_name="panels",
        limit_choices_to={"area_type": Area.Type.MUNICIPALITY},
        help_text=_("Who may sign up, and whose population the panel mirrors."),
        verbose_name=_("municipalities"),
    )
    size = models.PositiveSmallIntegerField(verbose_name=_("number of members"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.RECRUITING, verbose_name=_("status")
    )
    signup_until = models.DateField(verbose_name=_("sign-up open until"))
    retention_days = models.PositiveIntegerField(
        default=365,
        help_text=_(
            "Volunteers' contact details are deleted this many days after the panel closes "
            "(those never drawn: after the draw)."
        ),
        verbose_name=_("retention period (days)"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1), name="panel_size_positive"),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=models.F("min_age")),
                name="panel_age_range",
            ),
            models.CheckConstraint(condition=Q(retention_days__gte=1), name="panel_retention"),
        ]
        verbose_name = _("customer panel")
        verbose_name_plural = _("customer panels")

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        language = language or get_language() or "fi"
        return str(getattr(self, f"name_{language}", "") or self.name_fi)

    def description(self, language: str | None = None) -> str:
        language = language or get_language() or "fi"
        return str(getattr(self, f"description_{language}", "") or self.description_fi)

    def is_open_for_signup(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.status == self.Status.RECRUITING and day <= self.signup_until


class Volunteer(models.Model):
    """One person who signed up. Contact details are erased when the retention period ends;
    the background (municipality, band, sex, type) stays for counts."""

    class Status(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer")
        SELECTED = "selected", _("member")
        RESERVE = "reserve", _("reserve")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REPLACED = "replaced", _("replaced")

    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="volunteers", verbose_name=_("panel")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail address"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone number"))
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("birth year")
    )
    age_band = models.CharField(
        max_length=6,
        choices=AgeBand.choices,
        help_text=_("At sign-up; kept when the birth year is erased."),
        verbose_name=_("age band"),
    )
    municipality = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    sex = models.CharField(max_length=6, choices=Sex.choices, verbose_name=_("sex"))
    customer_type = models.CharField(
        max_length=10, choices=CustomerType.choices, verbose_name=_("customer type")
    )
    interests = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Service fields (catalogue domains) the volunteer is interested in."),
        verbose_name=_("interests"),
    )
    consent = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent given")
    )
    consented_at = models.DateTimeField(verbose_name=_("consent given at"))
    guardian_name = models.CharField(max_length=200, blank=True, verbose_name=_("guardian's name"))
    guardian_email = models.EmailField(blank=True, verbose_name=_("guardian's e-mail address"))
    guardian_consent = models.ForeignKey(
        ConsentText,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("guardian's consent"),
    )
    guardian_consented_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("guardian's consent given at")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.VOLUNTEER, verbose_name=_("status")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("signed up"))
    anonymised_at = models.DateTimeField(null=True, blank=True, verbose_name=_("anonymised"))

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One sign-up per address and panel; erased rows (empty e-mail) do not collide.
            models.UniqueConstraint(
                fields=["panel", "email"],
                condition=~Q(email=""),
                name="unique_panel_volunteer_email",
            ),
        ]
        indexes = [models.Index(fields=["panel", "status"])]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        # Never the name or address: this string ends up in logs and admin messages.
        return f"volunteer #{self.pk}"


class Selection(models.Model):
    """One draw: the seed, the algorithm and the quota report, so that anyone can re-run it."""

    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="selections", verbose_name=_("panel")
    )
    seed = models.BigIntegerField(verbose_name=_("seed"))
    size = models.PositiveSmallIntegerField(verbose_name=_("number of members"))
    algorithm = models.CharField(max_length=40, verbose_name=_("algorithm version"))
    report = models.JSONField(default=dict, verbose_name=_("quota report"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    made_at = models.DateTimeField(default=timezone.now, verbose_name=_("drawn at"))

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("selection")
        verbose_name_plural = _("selections")

    def __str__(self) -> str:
        return f"{self.panel} {self.made_at:%Y-%m-%d} seed {self.seed}"


class SelectionMember(models.Model):
    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="members", verbose_name=_("selection")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="seats", verbose_name=_("volunteer")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("seat"))
    replacement_for = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    replacement_seed = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("seed of the replacement draw")
    )
    added_at = models.DateTimeField(default=timezone.now, verbose_name=_("added"))

    class Meta:
        ordering = ["selection", "position", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "volunteer"], name="unique_selection_volunteer"
            ),
        ]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")

    def __str__(self) -> str:
        return f"seat {self.position}: volunteer #{self.volunteer_id}"


class PanelSession(models.Model):
    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("panel")
    )
    starts_at = models.DateTimeField(verbose_name=_("starts"))
    place = models.CharField(max_length=200, verbose_name=_("place"))
    agenda = models.TextField(blank=True, verbose_name=_("agenda"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("panel session")
        verbose_name_plural = _("panel sessions")

    def __str__(self) -> str:
        return f"{self.panel} {self.starts_at:%Y-%m-%d}"


class Attendance(models.Model):
    session = models.ForeignKey(
        PanelSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    member = models.ForeignKey(
        SelectionMember,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("member"),
    )
    present = models.BooleanField(default=False, verbose_name=_("present"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="unique_attendance"),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.session} {self.member}: {self.present}"


class Recommendation(models.Model):
    """A panel's output to a service, and the service manager's public response to it."""

    session = models.ForeignKey(
        PanelSession,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("session"),
    )
    text = models.TextField(verbose_name=_("recommendation"))
    services = models.ManyToManyField(
        Service, blank=True, related_name="panel_recommendations", verbose_name=_("services")
    )
    response = models.TextField(blank=True, verbose_name=_("response"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responded by"),
    )
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("responded"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published"))

    class Meta:
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(response=""),
                name="recommendation_published_with_response",
            ),
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
