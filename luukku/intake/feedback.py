"""The public feedback form's rules: rate limit, likely duplicates, submitting and adding to a
request. The view only parses the form and calls these; every write goes through
`luukku.intake.services`, so the timeline and the hand-off signals are the API's own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luukku.accounts.permissions import has_permission, organisation_scope
from luukku.accounts.roles import HANDLE_FEEDBACK
from luukku.catalogue.models import Service
from luukku.core.audit import record
from luukku.core.models import AuditEvent

from .media import ProcessedImage
from .models import RequestEvent, ServiceRequest
from .routing import distance_metres
from .services import (
    MediaUpload,
    SubmitResult,
    merge_request,
    progress_request,
    reopen_request,
    submit_request,
)

DUPLICATE_RADIUS_METRES = 100.0
MAX_DUPLICATES_SHOWN = 5
DEFAULT_RATE = (10, 3600)  # submissions per IP address per window (seconds)
# The consent wording the form shows; the request stores it as the customer read it (in the
# language of the form), so what was agreed to can be shown later word for word.
CONSENT_TEXT = gettext_lazy(
    "I agree that my contact details may be used to answer this feedback and to ask for more "
    "information about it."
)


def form_rate() -> tuple[int, int]:
    """(submissions, seconds) from `INTAKE_FORM_RATE`, e.g. "10/3600"."""
    value = str(getattr(settings, "INTAKE_FORM_RATE", ""))
    try:
        count, seconds = (int(part) for part in value.split("/", 1))
    except ValueError:
        return DEFAULT_RATE
    return count, seconds


def rate_limited(ip_address: str, *, scope: str = "form") -> bool:
    """Count one submission from `ip_address` and tell whether it is over the limit.

    A fixed window in the shared cache: the first submission starts the window, the count is
    atomic (cache.incr), so two workers cannot both let the eleventh one through.
    """
    count, seconds = form_rate()
    key = f"intake:rate:{scope}:{ip_address}"
    if cache.add(key, 1, timeout=seconds):
        return count < 1
    try:
        current = cache.incr(key)
    except ValueError:
        # The window expired between add and incr: this is the first of a new window.
        cache.set(key, 1, timeout=seconds)
        current = 1
    return current > count


def likely_duplicates(
    service: Service | None, latitude: Decimal | None, longitude: Decimal | None
) -> list[ServiceRequest]:
    """Open, public requests of the same service within `DUPLICATE_RADIUS_METRES`, nearest first.

    A bounding box narrows the rows in the database (an index on lat/long); the exact
    great-circle distance decides.
    """
    if service is None or latitude is None or longitude is None:
        return []
    lat, lon = float(latitude), float(longitude)
    lat_delta = DUPLICATE_RADIUS_METRES / 111_195.0
    lon_delta = lat_delta / max(math.cos(math.radians(lat)), 0.01)
    candidates = ServiceRequest.objects.filter(
        service=service,
        status=ServiceRequest.Status.OPEN,
        moderation=ServiceRequest.Moderation.PUBLIC,
        merged_into__isnull=True,
        lat__gte=Decimal(str(round(lat - lat_delta, 6))),
        lat__lte=Decimal(str(round(lat + lat_delta, 6))),
        long__gte=Decimal(str(round(lon - lon_delta, 6))),
        long__lte=Decimal(str(round(lon + lon_delta, 6))),
    ).order_by("-requested_at")[:200]
    near = [
        (distance_metres(lat, lon, float(request.lat), float(request.long)), request)
        for request in candidates
        if request.lat is not None and request.long is not None
    ]
    near = [
        (distance, request) for distance, request in near if distance <= DUPLICATE_RADIUS_METRES
    ]
    near.sort(key=lambda pair: pair[0])
    return [request for _, request in near[:MAX_DUPLICATES_SHOWN]]


@dataclass(frozen=True)
class FormSubmission:
    """What the public form collected, cleaned."""

    kind: str
    service: Service | None
    description: str
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    images: Sequence[ProcessedImage] = ()
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    consent: bool = False
    idempotency_key: str = ""
    language: str = "fi"


def submit_from_form(submission: FormSubmission) -> SubmitResult:
    """Submit the form's feedback, routed to the organisation that owns it (routing.py).

    The form's hidden token is the idempotency key: a double click or a browser retry returns
    the request the first click made.
    """
    has_contact = bool(submission.email or submission.phone)
    return submit_request(
        description=submission.description,
        service=submission.service,
        kind=submission.kind,
        lat=submission.latitude,
        long=submission.longitude,
        address_string=submission.address,
        first_name=submission.first_name,
        last_name=submission.last_name,
        email=submission.email,
        phone=submission.phone,
        consent=submission.consent and has_contact,
        consent_text=str(CONSENT_TEXT) if submission.consent and has_contact else "",
        media=[
            MediaUpload(
                file=image.as_file(),
                content_type=image.content_type,
                size=image.size,
                original_name=image.original_name,
                exif_kept=image.kept_location,
            )
            for image in submission.images
        ],
        locale=submission.language,
        channel=ServiceRequest.Channel.WEB,
        idempotency_key=submission.idempotency_key,
    )


@transaction.atomic
def add_to_request(*, request: ServiceRequest, text: str) -> RequestEvent:
    """A customer adds to an existing request; on a closed one that means "not fixed".

    A closed request opens again (a `reopened` event that reaches its owner, the
    agency_responsible, through the request_progressed signal); an open one gets an event
    in its current state. The customer's words are appended to the description, which the
    public pages show masked; the public history only says what happened.
    """
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    text = text.strip()
    added = _("Added by the customer:")
    request.description = f"{request.description}\n\n{added} {text}"
    request.save(update_fields=["description", "updated_at"])
    if request.status == ServiceRequest.Status.CLOSED:
        return reopen_request(
            request=request, note=_("The customer reported that the matter is not fixed.")
        )
    return progress_request(
        request=request,
        detailed_status=request.detailed_status,
        note=_("The customer added information."),
    )


def may_handle(user: Any, request: ServiceRequest) -> bool:
    """Whether `user` may handle `request`: its organisation is in the user's scope.

    A request still in triage (no organisation) may be handled by anyone who handles feedback:
    the customer service agents are the ones who triage.
    """
    if not has_permission(user, HANDLE_FEEDBACK):
        return False
    scope = organisation_scope(user, HANDLE_FEEDBACK)
    if scope is None or request.agency_responsible_id is None:
        return True
    return scope.filter(pk=request.agency_responsible_id).exists()


@transaction.atomic
def merge_requests(
    *,
    duplicate: ServiceRequest,
    into: ServiceRequest,
    actor: Any,
    http_request: HttpRequest | None = None,
) -> RequestEvent:
    """Staff merge a duplicate into the request that survives, and the audit log says who.

    The merge itself (closing the duplicate, `merged_into`, the `merged` event the API shows) is
    `services.merge_request`; this adds the staff member's accountability.
    """
    event = merge_request(duplicate=duplicate, survivor=into)
    record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        target=duplicate,
        purpose="merge duplicate feedback",
        request=http_request,
        details={"merged_into": duplicate.merged_into_id},
    )
    return event
