"""The customer's whole matter (a case), its service needs (tasks) and everything that happened.

The invariant the one-stop shop rests on lives here as database constraints, not only in code:
an open case always has exactly one responsible owner (one non-null column) and a next action
date; a closed case has an outcome. `services.py` is the only writer; it locks the case row
(select_for_update) before changing ownership, so concurrent transfers serialise.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luukku.areas.models import Area
from luukku.catalogue.models import Service
from luukku.core.identifiers import business_id_validator
from luukku.intake.models import ServiceRequest
from luukku.organisations.models import Organisation


class Channel(models.TextChoices):
    """Where the matter came in (and where a customer update came from)."""

    FEEDBACK = "feedback", _("feedback / Open311")
    PHONE = "phone", _("phone call")
    WALK_IN = "walk_in", _("service point visit")
    MOBILE_VAN = "mobile_van", _("mobile service van")
    EMAIL = "email", _("email")
    CHAT = "chat", _("chat")


class Sensitivity(models.TextChoices):
    GENERAL = "general", _("general")
    SOCIAL_HEALTH = "social_health", _("social and health care")


class Customer(models.Model):
    """A person, company, community or partner. Identity codes are kept only as a keyed hash."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        COMPANY = "company", _("company")
        COMMUNITY = "community", _("community")
        PARTNER = "partner", _("other partner")

    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("customer type"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    business_id = models.CharField(
        max_length=9,
        blank=True,
        validators=[business_id_validator],
        verbose_name=_("business ID"),
    )
    # HMAC-SHA256 of the normalised henkilötunnus with a key from settings: lets staff find the
    # same person again without the code being stored or shown (services.identity_code_hash).
    identity_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    identity_code_masked = models.CharField(
        max_length=11, blank=True, editable=False, verbose_name=_("personal identity code")
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone number"))
    municipality = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    language = models.CharField(max_length=5, default="fi", verbose_name=_("language"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identity_code_hash"],
                condition=~Q(identity_code_hash=""),
                name="unique_customer_identity_code",
            ),
            models.UniqueConstraint(
                fields=["business_id"],
                condition=~Q(business_id=""),
                name="unique_customer_business_id",
            ),
            models.CheckConstraint(
                condition=Q(kind="person") | Q(identity_code_hash=""),
                name="identity_code_only_for_persons",
            ),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class ServiceLevel(models.Model):
    """Promised handling times of a service (its SLA); Open311's expected_datetime follows it."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="service_level", verbose_name=_("service")
    )
    first_response_hours = models.PositiveIntegerField(
        default=24, verbose_name=_("first response within (hours)")
    )
    resolution_days = models.PositiveIntegerField(
        default=14, verbose_name=_("resolved within (days)")
    )
    stalled_after_days = models.PositiveIntegerField(
        default=5,
        help_text=_("Open work with no event for this many days counts as stalled."),
        verbose_name=_("stalled after (days)"),
    )

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return str(self.service)


# Crockford's base32 (no I, L, O, U), as intake's request ids: unambiguous when read aloud.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_reference() -> str:
    """A short case number that sorts by day and can be read over the phone: A261125-7K3QX."""
    day = timezone.localdate().strftime("%y%m%d")
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))
    return f"A{day}-{tail}"


class CaseQuerySet(models.QuerySet["Case"]):
    """Shared read shapes of cases; the work queue (selectors) and the metrics reuse these."""

    def open(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.OPEN)

    def with_in_transition(self) -> CaseQuerySet:
        """Annotate `in_transition`: open, and no task is active (between two service needs).

        A case whose tasks are all done or cancelled, or that has none yet, is nobody's work
        but its owner's: the queue shows it so that the next step is not forgotten.
        """
        active_task = Task.objects.filter(case=OuterRef("pk"), status__in=Task.ACTIVE)
        return self.annotate(
            in_transition=ExpressionWrapper(
                Q(status=Case.Status.OPEN) & ~Exists(active_task),
                output_field=models.BooleanField(),
            )
        )

    def in_transition(self) -> CaseQuerySet:
        active_task = Task.objects.filter(case=OuterRef("pk"), status__in=Task.ACTIVE)
        return self.filter(status=Case.Status.OPEN).exclude(Exists(active_task))


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("solved")
        PARTLY = "partly", _("partly solved")
        NOT_SOLVED = "not_solved", _("not solved")
        # Only merge_cases sets this: the duplicate's matter lives on in the surviving case.
        MERGED = "merged", _("merged into another case")

    reference = models.CharField(
        max_length=20, unique=True, editable=False, verbose_name=_("case number")
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("customer"),
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    channel = models.CharField(max_length=12, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    # The one responsible owner and the unit they act for. Kept after closing (who owned it last).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    owner_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner's unit"),
    )
    next_action_on = models.DateField(null=True, blank=True, verbose_name=_("next action"))
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due"))
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, blank=True, verbose_name=_("outcome")
    )
    first_contact_resolution = models.BooleanField(
        default=False,
        help_text=_("Solved during the first contact, without handing over."),
        verbose_name=_("first-contact resolution"),
    )
    owner_changes = models.PositiveIntegerField(default=0, editable=False)
    service_request = models.OneToOneField(
        ServiceRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
        verbose_name=_("feedback or service request"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("escalated"))
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    opened_at = models.DateTimeField(default=timezone.now, verbose_name=_("opened"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed"))

    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed") | Q(next_action_on__isnull=False),
                name="open_case_has_next_action",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(outcome="") & Q(closed_at__isnull=True))
                | (Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False)),
                name="closed_case_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "next_action_on"], name="case_owner_queue"),
            models.Index(fields=["owner_unit", "status", "next_action_on"], name="case_unit_queue"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Task(models.Model):
    """One service need of the case, for the producing organisation's unit."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting for the customer")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="case_tasks",
        verbose_name=_("producing unit"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
        verbose_name=_("assignee"),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    sensitivity = models.CharField(
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.GENERAL,
        verbose_name=_("sensitivity"),
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    next_action_on = models.DateField(null=True, blank=True, verbose_name=_("next action"))
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due"))
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("escalated"))
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["done", "cancelled"]) | Q(next_action_on__isnull=False),
                name="active_task_has_next_action",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "status", "next_action_on"], name="task_unit_queue"
            ),
            models.Index(fields=["assignee", "status"], name="task_assignee_queue"),
            # The unit and lead queues read only active tasks, sorted by next action: with the
            # statuses in the condition, the sort comes from the index, not a sort of all rows.
            models.Index(
                fields=["organisation", "next_action_on"],
                name="task_active_queue",
                condition=Q(status__in=["open", "in_progress", "waiting"]),
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.service}"


class Note(models.Model):
    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("internal")
        CUSTOMER = "customer", _("visible to the customer")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case")
    )
    task = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=_("task"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    author_unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("author's unit")
    )
    body = models.TextField(verbose_name=_("note"))
    visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        verbose_name=_("visibility"),
    )
    sensitivity = models.CharField(
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.GENERAL,
        verbose_name=_("sensitivity"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_visibility_display()}"


class Consent(models.Model):
    """The customer's recorded, revocable consent to share the case with an organisation."""

    class Scope(models.TextChoices):
        SUMMARY = "summary", _("the case summary and the other tasks")
        FULL = "full", _("the whole case including notes")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="consents", verbose_name=_("case")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, verbose_name=_("scope"))
    includes_social_health = models.BooleanField(
        default=False, verbose_name=_("includes social and health care content")
    )
    how_given = models.CharField(
        max_length=200,
        help_text=_("For example: orally on the phone, signed form."),
        verbose_name=_("how the consent was given"),
    )
    given_at = models.DateTimeField(default=timezone.now, verbose_name=_("given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_consent_per_organisation",
            ),
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation_id} ({self.scope})"


class CaseEvent(models.Model):
    """Append-only timeline: everything that happened to the case, who did it and why."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        TASK_ADDED = "task_added", _("service need added")
        TASK_CHANGED = "task_changed", _("task changed")
        OWNER_TRANSFERRED = "owner_transferred", _("ownership transferred")
        NOTE_ADDED = "note_added", _("note added")
        CUSTOMER_UPDATE = "customer_update", _("customer update")
        NEXT_ACTION_SET = "next_action_set", _("next action set")
        CONSENT_GIVEN = "consent_given", _("consent given")
        CONSENT_REVOKED = "consent_revoked", _("consent revoked")
        ESCALATED = "escalated", _("escalated")
        MERGED = "merged", _("merged")
        SPLIT = "split", _("split")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    task = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("task"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("event"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("from"),
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("to"),
    )
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_timeline")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.at:%Y-%m-%d %H:%M}"
