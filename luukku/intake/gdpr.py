"""What intake holds about a person: feedback and service requests, their timeline and images.

Found by the contact details given (e-mail, phone) and by an e-mail address or identity code the
customer wrote into the text. Anonymising keeps the request row with its service, kind, channel,
organisation, status and dates, so counts and handling times stay; it clears names, contact
details, device and account ids, titles, descriptions, replies, attribute answers and the
address, rounds the location to about a kilometre and deletes the images (files included).

Free text is cleared, not scrubbed: the scrubber (insights) finds identifiers by their shape,
but a matter's text identifies its writer by its content too (a street, a family situation, an
illness), which no pattern finds; and nothing that counts reads these texts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import ERASED, Kind, Person, Record

from .models import MediaAttachment, RequestEvent, ServiceRequest

RETENTION_SETTING = "LUUKKU_REQUEST_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 730
LOCATION_PLACES = Decimal("0.01")  # about 1 km north-south, 0.5 km east-west in Finland

KINDS = (
    Kind(
        key="service_requests",
        models=(
            "intake.ServiceRequest",
            "intake.RequestEvent",
        ),
        description="Feedback and service requests: contact details, texts, location, status.",
        purpose="Handling the feedback or request and answering the customer.",
        legal_basis="Public task (GDPR 6(1)(e)); contact details with the customer's consent.",
        retention=f"Personal details anonymised {RETENTION_SETTING} (default 2 years) after the "
        "request closed; the row stays for statistics.",
    ),
    Kind(
        key="media_attachments",
        models=("intake.MediaAttachment",),
        description="Images attached to a request (file name, size, SHA-256).",
        purpose="Showing the handlers what the request is about.",
        legal_basis="Public task (GDPR 6(1)(e)).",
        retention="Deleted with the request's personal details.",
    ),
)


def requests_of(person: Person) -> QuerySet[ServiceRequest]:
    """The requests that are about the person (still holding their identifiers)."""
    condition = Q(pk__in=[])
    if person.email:
        condition |= Q(email__iexact=person.email) | Q(description__icontains=person.email)
    if person.identity_code:
        condition |= Q(description__icontains=person.identity_code)
    return gdpr.matching(ServiceRequest.objects.all(), condition, person)


def find(person: Person) -> list[Record]:
    records = []
    for request in requests_of(person).prefetch_related("media").order_by("pk"):
        records.append(Record.of("service_requests", request))
        records.extend(Record.of("media_attachments", media) for media in request.media.all())
    return records


REQUEST_FIELDS = (
    "service_request_id", "kind", "service", "title", "description", "first_name", "last_name",
    "email", "phone", "device_id", "account_id", "consent", "consent_text", "address_string",
    "address_id", "lat", "long", "attributes", "media_urls", "status", "detailed_status",
    "status_notes", "channel", "agency_responsible", "locale", "requested_at", "updated_at",
)  # fmt: skip


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    requests, media = [], []
    for request in (
        requests_of(person)
        .select_related("service", "agency_responsible")
        .prefetch_related("events", "media")
        .order_by("requested_at", "pk")
    ):
        item = gdpr.row(request, REQUEST_FIELDS)
        item["events"] = [
            gdpr.row(event, ("state", "at", "note")) for event in request.events.all()
        ]
        requests.append(item)
        for attachment in request.media.all():
            media.append(
                {
                    "service_request_id": request.service_request_id,
                    "file": attachment.file.name,
                    "original_name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "sha256": gdpr.sha256_of(attachment.file),
                    "created_at": gdpr.plain(attachment.created_at),
                }
            )
    return {"service_requests": requests, "media_attachments": media}


def _coarse(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(LOCATION_PLACES, rounding=ROUND_HALF_UP)


def anonymise_requests(pks: list[int]) -> dict[str, int]:
    """Anonymise these requests (see the module's docstring); counts of requests and images.

    Image files are deleted once the transaction commits, so a rollback (or a dry run) keeps
    them with their rows."""
    requests = list(ServiceRequest.objects.filter(pk__in=pks).only("pk", "lat", "long"))
    for request in requests:
        request.lat, request.long = _coarse(request.lat), _coarse(request.long)
    ServiceRequest.objects.bulk_update(requests, ["lat", "long"])
    ServiceRequest.objects.filter(pk__in=pks).update(
        title="",
        description=ERASED,
        first_name="",
        last_name="",
        email="",
        phone="",
        device_id="",
        account_id="",
        client_tracking_code="",
        address_string="",
        address_id="",
        attributes={},
        media_urls=[],
        status_notes="",
    )
    RequestEvent.objects.filter(request_id__in=pks).exclude(note="").update(note="")
    attachments = list(MediaAttachment.objects.filter(request_id__in=pks))
    for attachment in attachments:
        if attachment.file.name:
            transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    MediaAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    return {"service_requests": len(requests), "media_attachments": len(attachments)}


def erase(person: Person, now: datetime) -> dict[str, int]:
    return anonymise_requests(list(requests_of(person).values_list("pk", flat=True)))


def holds(person: Person) -> list[str]:
    return [
        f"Request {number} is still open."
        for number in requests_of(person)
        .filter(status=ServiceRequest.Status.OPEN)
        .values_list("service_request_id", flat=True)
    ]


def expired_requests(now: datetime) -> QuerySet[ServiceRequest]:
    """Closed requests whose retention period has passed and that still hold personal data."""
    days = gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS)
    return ServiceRequest.objects.filter(
        status=ServiceRequest.Status.CLOSED, updated_at__lt=now - timedelta(days=days)
    ).exclude(description=ERASED)


def apply_retention(now: datetime) -> dict[str, int]:
    """Anonymise expired requests in batches, one transaction each; safe to run again."""
    totals = {"service_requests": 0, "media_attachments": 0}
    for counts in gdpr.in_batches(expired_requests(now), anonymise_requests):
        for key, value in counts.items():
            totals[key] += value
    return totals


gdpr.register(
    gdpr.Provider(
        app_label="intake", kinds=KINDS, find=find, export=export, erase=erase, holds=holds
    )
)
