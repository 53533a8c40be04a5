"""Feedback and service requests as the 6Aika Issue Reporting API (Open311 GeoReport v2) sees them.

A `ServiceRequest` is every kind of feedback (praise, complaint, ... service request): GeoReport
calls them all requests. Its `status` is GeoReport's open/closed; the finer 6Aika state lives in
`detailed_status` and the append-only `RequestEvent` timeline (the API's request_history).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service
from luukku.organisations.models import Organisation

from .open311.throttling import validate_rate

# Crockford's base32: no I, L, O or U, so a code read aloud over the phone is unambiguous.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
API_KEY_PREFIX_LENGTH = 8


def hash_api_key(raw_key: str) -> str:
    """SHA-256 of the key: the key is 32 random bytes, so a slow password hash adds nothing."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_public_id() -> str:
    """A short code that sorts by day and can be typed from a letter: 261125-7K3QXM."""
    day = timezone.localdate().strftime("%y%m%d")
    tail = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
    return f"{day}-{tail}"


def new_token() -> str:
    return uuid.uuid4().hex


class ApiClient(models.Model):
    """An application allowed to POST requests: a city system, an app or a bot. One key each."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(
        max_length=API_KEY_PREFIX_LENGTH,
        editable=False,
        help_text=_("The first characters of the key, to tell keys apart."),
        verbose_name=_("key prefix"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(
        default=True,
        help_text=_(
            "A deactivated key is refused at once by this server and within a minute by the "
            "others (they keep a copy of the keys; OPEN311_REFERENCE_TTL)."
        ),
        verbose_name=_("active"),
    )
    throttle_rate = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_rate],
        help_text=_("Requests per period, e.g. 120/minute. Empty: the default rate."),
        verbose_name=_("throttle rate"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    def set_new_key(self) -> str:
        """Give the client a fresh key and return it: the only time the key is ever visible."""
        raw_key = secrets.token_urlsafe(32)
        self.key_hash = hash_api_key(raw_key)
        self.key_prefix = raw_key[:API_KEY_PREFIX_LENGTH]
        return raw_key


class ServiceAttribute(models.Model):
    """An extra question a service asks (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("string")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("text")
        SINGLE_VALUE_LIST = "singlevaluelist", _("one choice from a list")
        MULTI_VALUE_LIST = "multivaluelist", _("many choices from a list")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("service")
    )
    code = models.SlugField(max_length=60, verbose_name=_("code"))
    datatype = models.CharField(
        max_length=20, choices=Datatype.choices, default=Datatype.STRING, verbose_name=_("datatype")
    )
    variable = models.BooleanField(
        default=True,
        help_text=_("False for an informational text that asks for no answer."),
        verbose_name=_("asks for a value"),
    )
    required = models.BooleanField(default=False, verbose_name=_("required"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    description_fi = models.TextField(verbose_name=_("Finnish description"))
    description_sv = models.TextField(blank=True, verbose_name=_("Swedish description"))
    description_en = models.TextField(blank=True, verbose_name=_("English description"))
    datatype_description = models.CharField(
        max_length=200, blank=True, verbose_name=_("datatype description")
    )
    values = models.JSONField(
        default=list,
        blank=True,
        help_text=_('For lists: [{"key": "...", "name": "..."}, ...].'),
        verbose_name=_("values"),
    )

    class Meta:
        ordering = ["service", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="unique_service_attribute")
        ]
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")

    def __str__(self) -> str:
        return f"{self.service}: {self.code}"

    def description(self, language: str | None = None) -> str:
        language = language or get_language() or "fi"
        return getattr(self, f"description_{language}", "") or self.description_fi

    def value_keys(self) -> set[str]:
        return {str(value.get("key")) for value in self.values if isinstance(value, dict)}


class ServiceRequest(models.Model):
    class Kind(models.TextChoices):
        PRAISE = "praise", _("praise")
        COMPLAINT = "complaint", _("complaint")
        SUGGESTION = "suggestion", _("suggestion")
        QUESTION = "question", _("question")
        SERVICE_REQUEST = "service_request", _("service request")

    class Status(models.TextChoices):
        """GeoReport v2's two states."""

        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class DetailedStatus(models.TextChoices):
        """The 6Aika finer states; each maps to open or closed (see `STATUS_OF`)."""

        RECEIVED = "RECEIVED", _("received")
        ALLOCATED = "ALLOCATED", _("allocated")
        HANDLING = "HANDLING", _("being handled")
        IN_PROCESS = "IN_PROCESS", _("in process")
        PUBLIC_WORKS_NEW = "PUBLIC_WORKS_NEW", _("sent to public works")
        PUBLIC_WORKS_COMPLETED = "PUBLIC_WORKS_COMPLETED", _("public works completed")
        SCHEDULED = "SCHEDULED", _("scheduled")
        DONE = "DONE", _("done")
        CLOSED = "CLOSED", _("closed")
        REJECTED = "REJECTED", _("rejected")
        MERGED = "MERGED", _("merged into another request")

    class Moderation(models.TextChoices):
        UNMODERATED = "unmoderated", _("not yet moderated")
        PUBLIC = "public", _("public")
        HIDDEN = "hidden", _("hidden")

    class Channel(models.TextChoices):
        API = "api", _("Open311 API")
        WEB = "web", _("web form")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("email")
        SERVICE_POINT = "service_point", _("service point")

    service_request_id = models.CharField(
        max_length=20, unique=True, default=new_public_id, verbose_name=_("request ID")
    )
    token = models.CharField(
        max_length=32, unique=True, default=new_token, editable=False, verbose_name=_("token")
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        help_text=_("Empty when the customer did not know: the request goes to triage."),
        verbose_name=_("service"),
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.SERVICE_REQUEST, verbose_name=_("kind")
    )
    title = models.CharField(max_length=200, blank=True, verbose_name=_("title"))
    description = models.TextField(verbose_name=_("description"))
    lat = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    long = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )
    address_string = models.CharField(max_length=300, blank=True, verbose_name=_("address"))
    address_id = models.CharField(max_length=100, blank=True, verbose_name=_("address ID"))
    attributes = models.JSONField(default=dict, blank=True, verbose_name=_("attributes"))
    # Personal data: never shown by the public API.
    email = models.EmailField(blank=True, verbose_name=_("email"))
    first_name = models.CharField(max_length=100, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, blank=True, verbose_name=_("last name"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone number"))
    device_id = models.CharField(max_length=200, blank=True, verbose_name=_("device ID"))
    account_id = models.CharField(max_length=200, blank=True, verbose_name=_("account ID"))
    consent = models.BooleanField(
        default=False,
        help_text=_("The customer agreed to be contacted with the details given."),
        verbose_name=_("consent given"),
    )
    consent_text = models.TextField(
        blank=True,
        help_text=_("The consent wording the customer saw."),
        verbose_name=_("consent text"),
    )
    service_object_id = models.CharField(
        max_length=200, blank=True, verbose_name=_("service object ID")
    )
    service_object_type = models.CharField(
        max_length=200, blank=True, verbose_name=_("service object type")
    )
    media_urls = models.JSONField(default=list, blank=True, verbose_name=_("media URLs"))
    status = models.CharField(
        max_length=6, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    detailed_status = models.CharField(
        max_length=30,
        choices=DetailedStatus.choices,
        default=DetailedStatus.RECEIVED,
        verbose_name=_("detailed status"),
    )
    status_notes = models.TextField(
        blank=True, help_text=_("The public reply."), verbose_name=_("public reply")
    )
    service_notice = models.TextField(blank=True, verbose_name=_("service notice"))
    agency_responsible = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("responsible organisation"),
    )
    moderation = models.CharField(
        max_length=12,
        choices=Moderation.choices,
        default=Moderation.UNMODERATED,
        verbose_name=_("moderation"),
    )
    locale = models.CharField(max_length=10, blank=True, verbose_name=_("language"))
    channel = models.CharField(
        max_length=20, choices=Channel.choices, default=Channel.API, verbose_name=_("channel")
    )
    api_client = models.ForeignKey(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("API client"),
    )
    jurisdiction_id = models.CharField(max_length=100, blank=True, verbose_name=_("jurisdiction"))
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_requests",
        verbose_name=_("merged into"),
    )
    idempotency_key = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The client's key for retries: one request per client and key."),
        verbose_name=_("idempotency key"),
    )
    idempotency_source = models.CharField(
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("Whose key it is: an API client, or the web form."),
    )
    client_tracking_code = models.CharField(
        max_length=200, blank=True, verbose_name=_("client's tracking code")
    )
    requested_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("requested at")
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))
    expected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expected by"))

    STATUS_OF: dict[str, str] = {
        DetailedStatus.DONE: Status.CLOSED,
        DetailedStatus.CLOSED: Status.CLOSED,
        DetailedStatus.REJECTED: Status.CLOSED,
        DetailedStatus.MERGED: Status.CLOSED,
        DetailedStatus.PUBLIC_WORKS_COMPLETED: Status.CLOSED,
    }

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["moderation", "-requested_at"], name="intake_req_public_idx"),
            models.Index(fields=["service", "-requested_at"], name="intake_req_service_idx"),
            models.Index(fields=["lat", "long"], name="intake_req_place_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_source", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_idempotency_key_per_source",
            )
        ]
        verbose_name = _("feedback or service request")
        verbose_name_plural = _("feedback and service requests")

    def __str__(self) -> str:
        return self.service_request_id

    @property
    def is_public(self) -> bool:
        return self.moderation == self.Moderation.PUBLIC

    @classmethod
    def status_for(cls, detailed_status: str) -> str:
        return cls.STATUS_OF.get(detailed_status, cls.Status.OPEN)


class RequestEvent(models.Model):
    """One change in a request's life (6Aika request_history). Rows are never changed."""

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        ALLOCATED = "allocated", _("allocated")
        HANDLING = "handling", _("being handled")
        DONE = "done", _("done")
        REOPENED = "reopened", _("reopened")
        MERGED = "merged", _("merged")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    state = models.CharField(max_length=20, choices=State.choices, verbose_name=_("state"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("time"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    handler = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("A label for the handler shown publicly, e.g. a unit's name."),
        verbose_name=_("handler"),
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"])]
        default_permissions = ("add", "view")
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request_id} {self.state} {self.at:%Y-%m-%d %H:%M}"


class MediaAttachment(models.Model):
    """An uploaded image, already processed (content-sniffed, EXIF location stripped)."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="media", verbose_name=_("request")
    )
    file = models.FileField(upload_to="intake/%Y/%m/", verbose_name=_("file"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveIntegerField(verbose_name=_("size in bytes"))
    original_name = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("Kept for staff only: a file name can carry personal data."),
        verbose_name=_("original file name"),
    )
    exif_kept = models.BooleanField(
        default=False,
        help_text=_("The customer chose to keep the image's location data."),
        verbose_name=_("location data kept"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("media attachment")
        verbose_name_plural = _("media attachments")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.file.name}"
