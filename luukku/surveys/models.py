"""Surveys, where they are offered (touchpoints), who was invited, and the answers given.

Texts are kept per language in `*_fi`, `*_sv`, `*_en` columns: every survey is shown in the
respondent's language and falls back to Finnish. Answers keep only what analysis needs
(service, channel, location, organisation, a standard background); an anonymous survey's
answers cannot be traced back to the case that invited them (see Invitation.case).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luukku.areas.demographics import AgeBand, CustomerType, Sex
from luukku.areas.models import Area
from luukku.cases.models import Case
from luukku.catalogue.models import Service, ServiceChannel
from luukku.core.models import ConsentText
from luukku.organisations.models import Organisation

LANGUAGES = ("fi", "sv", "en")


def translated(instance: models.Model, field: str, language: str | None = None) -> str:
    """`field` in `language` (the active one by default), falling back to Finnish."""
    language = (language or get_language() or "fi")[:2]
    value = getattr(instance, f"{field}_{language}", "") if language in LANGUAGES else ""
    return str(value or getattr(instance, f"{field}_fi", ""))


class Channel(models.TextChoices):
    """How the respondent was served (not how the survey reached them: see Touchpoint.Kind)."""

    WEB = "web", _("web service")
    PHONE = "phone", _("phone")
    WALK_IN = "walk_in", _("service point")
    MOBILE_VAN = "mobile_van", _("mobile service van")
    EMAIL = "email", _("email")
    CHAT = "chat", _("chat")


class Survey(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("customer survey")
        STAFF = "staff", _("staff survey")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class ExpiryAction(models.TextChoices):
        DELETE = "delete", _("delete the answers")
        ANONYMISE = "anonymise", _("keep ratings and choices, remove free text and links")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.CUSTOMER, verbose_name=_("kind")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="surveys",
        help_text=_("The organisation that owns the survey and sees its results."),
        verbose_name=_("organisation"),
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        help_text=_("Leave empty for a survey about several services or the whole region."),
        verbose_name=_("service"),
    )
    title_fi = models.CharField(max_length=200, verbose_name=_("Finnish title"))
    title_sv = models.CharField(max_length=200, blank=True, verbose_name=_("Swedish title"))
    title_en = models.CharField(max_length=200, blank=True, verbose_name=_("English title"))
    intro_fi = models.TextField(blank=True, verbose_name=_("Finnish introduction"))
    intro_sv = models.TextField(blank=True, verbose_name=_("Swedish introduction"))
    intro_en = models.TextField(blank=True, verbose_name=_("English introduction"))
    thanks_fi = models.TextField(blank=True, verbose_name=_("Finnish thank-you text"))
    thanks_sv = models.TextField(blank=True, verbose_name=_("Swedish thank-you text"))
    thanks_en = models.TextField(blank=True, verbose_name=_("English thank-you text"))
    identified = models.BooleanField(
        default=False,
        help_text=_(
            "Identified answers stay linked to the case and customer (with consent). "
            "Anonymous answers keep no link to anyone."
        ),
        verbose_name=_("identified"),
    )
    asks_background = models.BooleanField(
        default=True,
        help_text=_(
            "Ask the optional background questions (municipality, age, sex, customer type)."
        ),
        verbose_name=_("asks background"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    opens_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opens"))
    closes_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closes"))
    hide_results_until_closed = models.BooleanField(
        default=False, verbose_name=_("hide results until the survey closes")
    )
    retention_days = models.PositiveIntegerField(
        default=730,
        help_text=_("How long answers are kept after they were given."),
        verbose_name=_("retention period (days)"),
    )
    expiry_action = models.CharField(
        max_length=10,
        choices=ExpiryAction.choices,
        default=ExpiryAction.ANONYMISE,
        verbose_name=_("when the retention period ends"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="customer") | Q(identified=False),
                name="staff_surveys_are_anonymous",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
            models.CheckConstraint(condition=Q(retention_days__gte=1), name="survey_retention"),
        ]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title()

    def title(self, language: str | None = None) -> str:
        return translated(self, "title", language)

    def intro(self, language: str | None = None) -> str:
        return translated(self, "intro", language)

    def thanks(self, language: str | None = None) -> str:
        return translated(self, "thanks", language)

    def accepts_answers(self, at: Any = None) -> bool:
        """Open, and now between its opening and closing times (where set)."""
        at = at or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at is not None and at < self.opens_at:
            return False
        return self.closes_at is None or at < self.closes_at

    def results_visible(self, at: Any = None) -> bool:
        """False while results are to stay hidden and the survey still takes answers."""
        if not self.hide_results_until_closed:
            return True
        at = at or timezone.now()
        if self.status == self.Status.CLOSED:
            return True
        return self.closes_at is not None and at >= self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("rating 1–5")
        NPS = "nps", _("recommendation 0–10 (NPS)")
        SMILEY = "smiley", _("smiley scale 1–5")
        SINGLE_CHOICE = "single", _("single choice")
        MULTIPLE_CHOICE = "multiple", _("multiple choice")
        FREE_TEXT = "text", _("free text")

    class Measure(models.TextChoices):
        """What a scale question measures, so that insights can compare it across surveys."""

        SATISFACTION = "satisfaction", _("satisfaction (1–5)")
        RECOMMENDATION = "recommendation", _("likelihood to recommend (NPS)")
        EFFORT = "effort", _("ease (1–5, higher is easier)")

    # Which question kinds can carry each measure.
    MEASURE_KINDS: dict[str, tuple[str, ...]] = {
        "satisfaction": ("rating", "smiley"),
        "recommendation": ("nps",),
        "effort": ("rating", "smiley"),
    }

    class Operator(models.TextChoices):
        AT_MOST = "lte", _("is at most")
        AT_LEAST = "gte", _("is at least")
        EQUALS = "eq", _("is")
        ANY_OF = "in", _("is any of")

    # The numeric range each scale kind accepts.
    SCALES: dict[str, tuple[int, int]] = {"rating": (1, 5), "nps": (0, 10), "smiley": (1, 5)}

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    code = models.SlugField(
        max_length=40,
        help_text=_("A short stable name used as the column name in exports, e.g. q1 or overall."),
        verbose_name=_("code"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("question type"))
    text_fi = models.CharField(max_length=500, verbose_name=_("Finnish question"))
    text_sv = models.CharField(max_length=500, blank=True, verbose_name=_("Swedish question"))
    text_en = models.CharField(max_length=500, blank=True, verbose_name=_("English question"))
    help_fi = models.CharField(max_length=500, blank=True, verbose_name=_("Finnish help text"))
    help_sv = models.CharField(max_length=500, blank=True, verbose_name=_("Swedish help text"))
    help_en = models.CharField(max_length=500, blank=True, verbose_name=_("English help text"))
    required = models.BooleanField(default=False, verbose_name=_("required"))
    allows_other = models.BooleanField(
        default=False,
        help_text=_("For choice questions: an 'other' option with a free-text field."),
        verbose_name=_("allows 'other'"),
    )
    measure = models.CharField(
        max_length=20,
        choices=Measure.choices,
        blank=True,
        help_text=_(
            "For scale questions: what the answer measures. Insights compare satisfaction, "
            "recommendation and ease across surveys, services and municipalities."
        ),
        verbose_name=_("measures"),
    )
    show_if_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependants",
        help_text=_("Show this question only when the answer to that earlier question matches."),
        verbose_name=_("show only if"),
    )
    show_if_operator = models.CharField(
        max_length=3, choices=Operator.choices, blank=True, verbose_name=_("condition")
    )
    show_if_value = models.JSONField(
        null=True,
        blank=True,
        help_text=_("A number for scales, a choice code or a list of choice codes."),
        verbose_name=_("condition value"),
    )

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="unique_question_code"),
            models.CheckConstraint(
                condition=Q(show_if_question__isnull=True, show_if_operator="")
                | (Q(show_if_question__isnull=False) & ~Q(show_if_operator="")),
                name="question_condition_complete",
            ),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.code}: {self.text()}"

    def text(self, language: str | None = None) -> str:
        return translated(self, "text", language)

    def help(self, language: str | None = None) -> str:
        return translated(self, "help", language)

    @property
    def is_scale(self) -> bool:
        return self.kind in self.SCALES

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    code = models.SlugField(max_length=40, verbose_name=_("code"))
    label_fi = models.CharField(max_length=200, verbose_name=_("Finnish label"))
    label_sv = models.CharField(max_length=200, blank=True, verbose_name=_("Swedish label"))
    label_en = models.CharField(max_length=200, blank=True, verbose_name=_("English label"))

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="unique_choice_code"),
            models.CheckConstraint(condition=~Q(code="other"), name="choice_code_not_other"),
        ]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return translated(self, "label", language)


class Touchpoint(models.Model):
    """Where and how a survey is offered; every answer remembers the touchpoint it came from."""

    class Kind(models.TextChoices):
        CASE_CLOSED = "case_closed", _("a case closed (link by email or text message)")
        LOCATION = "location", _("a visit to a service location (QR code)")
        KIOSK = "kiosk", _("a kiosk at a service location")
        SERVICE_PAGE = "service_page", _("a link on the service page")
        OPEN_LINK = "open_link", _("an open link")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="touchpoints", verbose_name=_("survey")
    )
    kind = models.CharField(max_length=15, choices=Kind.choices, verbose_name=_("touchpoint"))
    code = models.CharField(
        max_length=20, unique=True, editable=False, verbose_name=_("public code")
    )
    label = models.CharField(max_length=200, blank=True, verbose_name=_("label"))
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_touchpoints",
        help_text=_("Case-closed: only cases with a task for this service. Others: recorded."),
        verbose_name=_("service"),
    )
    location = models.ForeignKey(
        ServiceChannel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_touchpoints",
        limit_choices_to={"channel_type": ServiceChannel.Type.SERVICE_LOCATION},
        verbose_name=_("service location"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_touchpoints",
        help_text=_("Case-closed: only cases owned by this organisation or its units."),
        verbose_name=_("organisation"),
    )
    channel = models.CharField(
        max_length=12,
        choices=Channel.choices,
        blank=True,
        help_text=_("Recorded with answers that do not come from a case (e.g. service point)."),
        verbose_name=_("channel"),
    )
    prefer_sms = models.BooleanField(
        default=False,
        help_text=_("Case-closed: send the link by text message when the customer has a phone."),
        verbose_name=_("prefer text message"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        ordering = ["survey", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["location", "kiosk"]) | Q(location__isnull=False),
                name="location_touchpoint_has_location",
            ),
        ]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")

    def __str__(self) -> str:
        return self.label or f"{self.get_kind_display()} ({self.code})"


class Invitation(models.Model):
    """One person's one-time link to a survey. Only a keyed hash of the token is stored."""

    class SentVia(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey")
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("touchpoint"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # For an anonymous survey the case is cleared when the first answer is saved, so no answer
    # can be followed back to a case or customer; `case_key` (a keyed hash) still stops a
    # second invitation for the same closing.
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
        verbose_name=_("case"),
    )
    case_key = models.CharField(max_length=64, blank=True, editable=False)
    sent_via = models.CharField(max_length=5, choices=SentVia.choices, verbose_name=_("sent via"))
    # What the answer will record, copied when the invitation is made.
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=5, default="fi", verbose_name=_("language"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    first_answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "case_key"],
                condition=~Q(case_key=""),
                name="one_invitation_per_case_closing",
            ),
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.survey} / {self.get_sent_via_display()} {self.created_at:%Y-%m-%d}"

    def is_valid(self, at: Any = None) -> bool:
        return (at or timezone.now()) < self.expires_at


class Response(models.Model):
    """One respondent's answers to one survey; partial until submitted, updated on resubmit."""

    class Status(models.TextChoices):
        PARTIAL = "partial", _("partial")
        COMPLETE = "complete", _("complete")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        verbose_name=_("touchpoint"),
    )
    invitation = models.OneToOneField(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="response",
        verbose_name=_("invitation"),
    )
    # Lets a browser without an invitation come back to its partial answer (cookie-held token).
    resume_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The keyed hash (tokens.hash_idempotency_key) of a client's key for one submission: a
    # retried POST updates instead of duplicating.
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        verbose_name=_("service"),
    )
    channel = models.CharField(
        max_length=12, choices=Channel.choices, blank=True, verbose_name=_("channel")
    )
    location = models.ForeignKey(
        ServiceChannel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        verbose_name=_("service location"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        help_text=_("The organisation that served the respondent."),
        verbose_name=_("organisation"),
    )
    staff_unit = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_survey_responses",
        help_text=_("Staff surveys: the respondent's unit, shown only in groups of 5 or more."),
        verbose_name=_("unit"),
    )
    language = models.CharField(max_length=5, default="fi", verbose_name=_("language"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PARTIAL, verbose_name=_("status")
    )
    # Staff surveys store these at day precision, so they cannot be matched to a login.
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted"))
    municipality = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"area_type": Area.Type.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    age_band = models.CharField(
        max_length=6, choices=AgeBand.choices, blank=True, verbose_name=_("age band")
    )
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True, verbose_name=_("sex"))
    customer_type = models.CharField(
        max_length=10, choices=CustomerType.choices, blank=True, verbose_name=_("customer type")
    )
    consent = models.ForeignKey(
        ConsentText,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent given"),
    )
    consented_at = models.DateTimeField(null=True, blank=True, verbose_name=_("consent given at"))
    anonymised_at = models.DateTimeField(null=True, blank=True, verbose_name=_("anonymised"))

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_response_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["resume_token_hash"],
                condition=~Q(resume_token_hash=""),
                name="unique_response_resume_token",
            ),
            models.CheckConstraint(
                condition=Q(status="partial") | Q(submitted_at__isnull=False),
                name="complete_response_has_submitted_at",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "status", "submitted_at"], name="response_results"),
            models.Index(fields=["submitted_at"], name="response_submitted"),
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk} ({self.get_status_display()})"


class Answer(models.Model):
    """The answer to one question: a number (scales), choice codes, or text ("other" included)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    number = models.SmallIntegerField(null=True, blank=True, verbose_name=_("number"))
    choices = models.JSONField(default=list, blank=True, verbose_name=_("choices"))
    text = models.TextField(blank=True, verbose_name=_("text"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question.code}={self.number if self.number is not None else self.choices}"


class StaffParticipation(models.Model):
    """That a staff member has answered a staff survey, and nothing about what or when.

    A random key and no timestamps: neither order nor time can pair it with a response.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="participations", verbose_name=_("survey")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_participations",
        verbose_name=_("staff member"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_participation_per_person"),
        ]
        verbose_name = _("staff survey participation")
        verbose_name_plural = _("staff survey participations")

    def __str__(self) -> str:
        return f"{self.survey} / {self.user}"
