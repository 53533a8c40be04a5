"""Writes for feedback and service requests: submission, progress, moderation and merging.

Every function here is the only way its change happens: views, the API, the admin and the
management commands all call these, so the event timeline and the hand-off signals never miss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.organisations.models import Organisation

from .models import (
    ApiClient,
    MediaAttachment,
    RequestEvent,
    ServiceAttribute,
    ServiceRequest,
    new_public_id,
)
from .routing import responsible_organisation, service_roles
from .selectors import attributes_of
from .signals import request_progressed, request_submitted

MAX_MEDIA_URLS = 10


class SubmissionError(ValueError):
    """A submission that cannot be accepted; `field` names the offending input."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class MediaUpload:
    """An image ready to store: what the image processing (media.py) hands over."""

    file: File
    content_type: str
    size: int
    original_name: str = ""
    exif_kept: bool = False


@dataclass(frozen=True)
class SubmitResult:
    request: ServiceRequest
    created: bool = True
    events: list[RequestEvent] = field(default_factory=list)


def default_moderation() -> str:
    """New feedback is public at once in the demo; a deploy may hold it for moderation."""
    value = getattr(settings, "INTAKE_DEFAULT_MODERATION", ServiceRequest.Moderation.PUBLIC)
    if value not in ServiceRequest.Moderation.values:
        return ServiceRequest.Moderation.UNMODERATED
    return str(value)


def idempotency_source_for(*, api_client: ApiClient | None, channel: str) -> str:
    """Whose namespace an idempotency key lives in: each API client has its own."""
    if api_client is not None:
        return f"api:{api_client.pk}"
    return channel


def submit_request(
    *,
    description: str,
    service: Service | None = None,
    kind: str = ServiceRequest.Kind.SERVICE_REQUEST,
    title: str = "",
    lat: Decimal | None = None,
    long: Decimal | None = None,
    address_string: str = "",
    address_id: str = "",
    attributes: Mapping[str, object] | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    device_id: str = "",
    account_id: str = "",
    consent: bool = False,
    consent_text: str = "",
    service_object_id: str = "",
    service_object_type: str = "",
    media_urls: Sequence[str] = (),
    media: Sequence[MediaUpload] = (),
    locale: str = "",
    channel: str = ServiceRequest.Channel.API,
    api_client: ApiClient | None = None,
    jurisdiction_id: str = "",
    idempotency_key: str = "",
    client_tracking_code: str = "",
    moderation: str | None = None,
    agency_responsible: Organisation | None = None,
) -> SubmitResult:
    """Store one piece of feedback, or return the one already stored under the same key.

    A retry with the same `idempotency_key` (per API client, or per channel without a client)
    returns the first request unchanged and sends no signal: the client may have lost our answer,
    but the customer spoke once. The request is committed before this returns inside an outer
    transaction's commit, so an acknowledged id always exists.
    """
    if not description.strip():
        raise SubmissionError("description", _("A description is required."))
    if kind not in ServiceRequest.Kind.values:
        raise SubmissionError("kind", _("Unknown kind of feedback."))
    if (lat is None) != (long is None):
        raise SubmissionError("lat", _("Give both latitude and longitude, or neither."))
    if lat is not None and long is not None:
        _check_coordinates(lat, long)
    if len(media_urls) > MAX_MEDIA_URLS:
        raise SubmissionError("media_url", _("Too many media URLs."))

    # A retry is found by the unique (source, key) constraint when its insert fails below, not
    # by a look-up first: that would cost every first submission a query to find a retry.
    source = idempotency_source_for(api_client=api_client, channel=channel)

    request = ServiceRequest(
        service=service,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        lat=lat,
        long=long,
        address_string=address_string.strip(),
        address_id=address_id.strip(),
        attributes=dict(attributes or {}),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        device_id=device_id,
        account_id=account_id,
        consent=consent,
        consent_text=consent_text,
        service_object_id=service_object_id,
        service_object_type=service_object_type,
        media_urls=list(media_urls),
        locale=locale,
        channel=channel,
        api_client=api_client,
        jurisdiction_id=jurisdiction_id,
        idempotency_key=idempotency_key,
        idempotency_source=source if idempotency_key else "",
        client_tracking_code=client_tracking_code,
        moderation=moderation or default_moderation(),
        agency_responsible=agency_responsible or _default_agency(service, lat, long),
    )
    for attempt in range(ID_ATTEMPTS):
        try:
            with transaction.atomic():
                request.save(force_insert=True)
                for upload in media:
                    MediaAttachment.objects.create(
                        request=request,
                        file=upload.file,
                        content_type=upload.content_type,
                        size=upload.size,
                        original_name=upload.original_name[:255],
                        exif_kept=upload.exif_kept,
                    )
                event = RequestEvent.objects.create(
                    request=request, state=RequestEvent.State.RECEIVED, at=request.requested_at
                )
            break
        except IntegrityError:
            # A retry of a stored submission (or two retries raced and the other one won): the
            # first request is the answer.
            if idempotency_key:
                existing = _by_idempotency_key(source, idempotency_key)
                if existing is not None:
                    return SubmitResult(request=existing, created=False)
            # Else the random part of the public id collided with another request's (about
            # once in a billion a day): draw another. Checking first would cost every request
            # a query for what almost never happens.
            taken = ServiceRequest.objects.filter(
                service_request_id=request.service_request_id
            ).exists()
            if not taken or attempt == ID_ATTEMPTS - 1:
                raise
            request.pk = None
            request.service_request_id = new_public_id()
    transaction.on_commit(lambda: request_submitted.send(sender=ServiceRequest, request=request))
    return SubmitResult(request=request, created=True, events=[event])


# How many public ids a submission draws before it gives up (see submit_request).
ID_ATTEMPTS = 5


def _by_idempotency_key(source: str, key: str) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(idempotency_source=source, idempotency_key=key).first()


def _check_coordinates(lat: Decimal, long: Decimal) -> None:
    if not Decimal(-90) <= lat <= Decimal(90):
        raise SubmissionError("lat", _("Latitude must be between -90 and 90."))
    if not Decimal(-180) <= long <= Decimal(180):
        raise SubmissionError("long", _("Longitude must be between -180 and 180."))


def _default_agency(
    service: Service | None, lat: Decimal | None, long: Decimal | None
) -> Organisation | None:
    """Who owns the request, by service and place (`routing`); None goes to triage.

    A service with no responsible organisation at all falls back to its first producer; one
    whose responsible organisations the place cannot decide between goes to triage.
    """
    if service is None:
        return None
    routed = responsible_organisation(service, lat, long)
    if routed is not None:
        return routed
    roles = service_roles(service)
    if any(role.role == ServiceOrganisation.Role.RESPONSIBLE for role in roles):
        return None
    return roles[0].organisation if roles else None


def clean_attributes(service: Service, submitted: Mapping[str, Sequence[str]]) -> dict[str, object]:
    """Check the answers to a service's questions against its definition.

    `submitted` maps an attribute code to the values given (a multi-value list may repeat the
    code). Unknown codes are ignored, as GeoReport clients may send attributes of an older
    definition; required ones must be there; list answers must be keys of the list.
    """
    cleaned: dict[str, object] = {}
    for attribute in attributes_of(service):
        if not attribute.variable:
            continue
        values = [v.strip() for v in submitted.get(attribute.code, []) if v.strip()]
        if not values:
            if attribute.required:
                raise SubmissionError(
                    f"attribute[{attribute.code}]",
                    _("The attribute %(code)s is required.") % {"code": attribute.code},
                )
            continue
        cleaned[attribute.code] = _clean_attribute_value(attribute, values)
    return cleaned


def _clean_attribute_value(attribute: ServiceAttribute, values: list[str]) -> object:
    field_name = f"attribute[{attribute.code}]"
    datatype = attribute.datatype
    if datatype == ServiceAttribute.Datatype.MULTI_VALUE_LIST:
        keys = attribute.value_keys()
        if any(value not in keys for value in values):
            raise SubmissionError(field_name, _("A value is not one of the list's keys."))
        return list(dict.fromkeys(values))
    value = values[-1]
    if datatype == ServiceAttribute.Datatype.SINGLE_VALUE_LIST:
        if value not in attribute.value_keys():
            raise SubmissionError(field_name, _("The value is not one of the list's keys."))
        return value
    if datatype == ServiceAttribute.Datatype.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise SubmissionError(field_name, _("The value must be a number.")) from None
        if not number.is_finite():
            raise SubmissionError(field_name, _("The value must be a number."))
        return str(number)
    if datatype == ServiceAttribute.Datatype.DATETIME:
        parsed = _parse_datetime(value)
        if parsed is None:
            raise SubmissionError(field_name, _("The value must be an ISO 8601 date and time."))
        return parsed.isoformat()
    return value[:2000]


def _parse_datetime(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


# Which GeoReport-visible event each detailed status writes into the request history.
_EVENT_FOR_STATUS: dict[str, str] = {
    ServiceRequest.DetailedStatus.RECEIVED: RequestEvent.State.RECEIVED,
    ServiceRequest.DetailedStatus.ALLOCATED: RequestEvent.State.ALLOCATED,
    ServiceRequest.DetailedStatus.HANDLING: RequestEvent.State.HANDLING,
    ServiceRequest.DetailedStatus.IN_PROCESS: RequestEvent.State.HANDLING,
    ServiceRequest.DetailedStatus.PUBLIC_WORKS_NEW: RequestEvent.State.HANDLING,
    ServiceRequest.DetailedStatus.SCHEDULED: RequestEvent.State.HANDLING,
    ServiceRequest.DetailedStatus.PUBLIC_WORKS_COMPLETED: RequestEvent.State.DONE,
    ServiceRequest.DetailedStatus.DONE: RequestEvent.State.DONE,
    ServiceRequest.DetailedStatus.CLOSED: RequestEvent.State.DONE,
    ServiceRequest.DetailedStatus.REJECTED: RequestEvent.State.DONE,
    ServiceRequest.DetailedStatus.MERGED: RequestEvent.State.MERGED,
}


@transaction.atomic
def progress_request(
    *,
    request: ServiceRequest,
    detailed_status: str,
    note: str = "",
    handler: str = "",
    status_notes: str | None = None,
    agency_responsible: Organisation | None = None,
) -> RequestEvent:
    """Move a request to `detailed_status`, keeping open/closed in step, and log the change."""
    if detailed_status not in ServiceRequest.DetailedStatus.values:
        raise SubmissionError("detailed_status", _("Unknown status."))
    was_closed = request.status == ServiceRequest.Status.CLOSED
    request.detailed_status = detailed_status
    request.status = ServiceRequest.status_for(detailed_status)
    fields = ["detailed_status", "status", "updated_at"]
    if status_notes is not None:
        request.status_notes = status_notes
        fields.append("status_notes")
    if agency_responsible is not None:
        request.agency_responsible = agency_responsible
        fields.append("agency_responsible")
    request.save(update_fields=fields)
    state = _EVENT_FOR_STATUS[detailed_status]
    if was_closed and request.status == ServiceRequest.Status.OPEN:
        state = RequestEvent.State.REOPENED
    event = RequestEvent.objects.create(request=request, state=state, note=note, handler=handler)
    transaction.on_commit(
        lambda: request_progressed.send(sender=ServiceRequest, request=request, event=event)
    )
    return event


@transaction.atomic
def reopen_request(*, request: ServiceRequest, note: str) -> RequestEvent:
    """A customer says "not fixed": the request opens again and reaches its owner."""
    return progress_request(
        request=request, detailed_status=ServiceRequest.DetailedStatus.RECEIVED, note=note
    )


@transaction.atomic
def set_moderation(*, request: ServiceRequest, moderation: str) -> None:
    if moderation not in ServiceRequest.Moderation.values:
        raise SubmissionError("moderation", _("Unknown moderation state."))
    request.moderation = moderation
    request.save(update_fields=["moderation", "updated_at"])


@transaction.atomic
def merge_request(
    *, duplicate: ServiceRequest, survivor: ServiceRequest, handler: str = ""
) -> RequestEvent:
    """Close `duplicate` as merged: the API then points to the surviving request."""
    if duplicate.pk == survivor.pk:
        raise SubmissionError("merged_into", _("A request cannot be merged into itself."))
    target = survivor
    while target.merged_into_id is not None:  # always point at the end of a merge chain
        target = ServiceRequest.objects.get(pk=target.merged_into_id)
        if target.pk == duplicate.pk:
            raise SubmissionError("merged_into", _("A request cannot be merged into itself."))
    duplicate.merged_into = target
    duplicate.save(update_fields=["merged_into", "updated_at"])
    return progress_request(
        request=duplicate,
        detailed_status=ServiceRequest.DetailedStatus.MERGED,
        note=_("Merged into %(id)s.") % {"id": target.service_request_id},
        handler=handler,
    )


@transaction.atomic
def create_api_client(
    *, name: str, organisation: Organisation | None = None, throttle_rate: str = ""
) -> tuple[ApiClient, str]:
    """Register a client application; returns it and its key, which is never shown again."""
    client = ApiClient(name=name, organisation=organisation, throttle_rate=throttle_rate)
    raw_key = client.set_new_key()
    client.save()
    return client, raw_key
