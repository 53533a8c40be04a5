"""Reads for feedback and service requests: the Open311 list filters and lookups by id or token.

Lists show only public requests. A request fetched by its own id or token is always answered
(the customer or the client application holds the id), whatever its moderation state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from luukku.catalogue.models import Service
from luukku.organisations.models import Organisation

from . import reference
from .models import MediaAttachment, RequestEvent, ServiceAttribute, ServiceRequest

EARTH_RADIUS_M = 6_371_000.0
# Attributes the list and detail querysets fill (see `_with_relations`).


@dataclass(frozen=True)
class RequestFilters:
    """Every GET requests filter, already validated; an empty value means "not given"."""

    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    near: tuple[float, float, float] | None = None  # lat, long, radius in metres
    bbox: tuple[float, float, float, float] | None = None  # left, bottom, right, top
    service_object_id: str = ""
    service_object_type: str = ""
    agency_responsible: str = ""
    search: str = ""


# The columns a public answer shows (representations.request_dict); contact details and the
# client's bookkeeping are never read for the API, which also keeps each row cheap to build.
PUBLIC_FIELDS = (
    "id",
    "service_request_id",
    "service_id",
    "agency_responsible_id",
    "title",
    "description",
    "status",
    "detailed_status",
    "status_notes",
    "service_notice",
    "moderation",
    "requested_at",
    "updated_at",
    "expected_at",
    "address_string",
    "address_id",
    "lat",
    "long",
    "media_urls",
    "service_object_id",
    "service_object_type",
    "merged_into_id",
)


@dataclass(slots=True)
class PublicRequest:
    """A request as the public API shows it: its public columns (`PUBLIC_FIELDS`, in order),
    its service and agency, media and history. Plain attributes rather than a model instance
    per row: building 50 model instances cost more than the query that read them."""

    id: int
    service_request_id: str
    service_id: int | None
    agency_responsible_id: int | None
    title: str
    description: str
    status: str
    detailed_status: str
    status_notes: str
    service_notice: str
    moderation: str
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    address_string: str
    address_id: str
    lat: Decimal | None
    long: Decimal | None
    media_urls: list[str]
    service_object_id: str
    service_object_type: str
    merged_into_id: int | None
    has_media: bool
    merged_into_request_id: str | None = None
    service: Service | None = None
    agency_responsible: Organisation | None = None
    media: list[MediaAttachment] = field(default_factory=list)
    history: list[RequestEvent] = field(default_factory=list)


def public_requests(
    queryset: QuerySet[ServiceRequest], *, with_history: bool
) -> list[PublicRequest]:
    """The rows of `queryset` with their service, agency and media, and (only when the
    extensions show it) their history and merge target: services and agencies come from the
    process's `reference` copy, media and history in one plain query each."""
    columns: tuple[str, ...] = (*PUBLIC_FIELDS, "has_media")
    if with_history:
        columns = (*columns, "merged_into__service_request_id")
    # Few requests have attachments: asking which do in the same query spares the others a
    # second round trip.
    has_media = Exists(MediaAttachment.objects.filter(request_id=OuterRef("pk")))
    rows = queryset.annotate(has_media=has_media).values_list(*columns)
    found = [PublicRequest(*row) for row in rows]
    if not found:
        return found
    known = reference.knowing(
        service_ids=[r.service_id for r in found],
        organisation_ids=[r.agency_responsible_id for r in found],
    )
    by_id = {r.id: r for r in found}
    if with_media := [r.id for r in found if r.has_media]:
        for attachment in MediaAttachment.objects.filter(request_id__in=with_media).order_by(
            "created_at", "id"
        ):
            by_id[attachment.request_id].media.append(attachment)
    if with_history:
        for event in RequestEvent.objects.filter(request_id__in=by_id).order_by("at", "id"):
            by_id[event.request_id].history.append(event)
    for request in found:
        if request.service_id is not None:
            request.service = known.services[request.service_id]
        if request.agency_responsible_id is not None:
            request.agency_responsible = known.organisations[request.agency_responsible_id]
    return found


def filter_requests(filters: RequestFilters) -> QuerySet[ServiceRequest]:
    """The requests an Open311 GET lists, newest first; service_request_id overrides the rest."""
    queryset = ServiceRequest.objects.all()
    if filters.service_request_ids:
        queryset = queryset.filter(service_request_id__in=filters.service_request_ids)
        return queryset.order_by("-requested_at", "-id")

    queryset = queryset.filter(moderation=ServiceRequest.Moderation.PUBLIC)
    if filters.service_codes:
        # By id rather than through a join on the slug: PostgreSQL then walks the
        # (service, requested_at) index instead of filtering every request of the period.
        queryset = queryset.filter(service_id__in=_service_ids(filters.service_codes))
    if filters.start is not None:
        queryset = queryset.filter(requested_at__gte=filters.start)
    if filters.end is not None:
        queryset = queryset.filter(requested_at__lte=filters.end)
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.updated_after is not None:
        queryset = queryset.filter(updated_at__gte=filters.updated_after)
    if filters.updated_before is not None:
        queryset = queryset.filter(updated_at__lte=filters.updated_before)
    if filters.service_object_id:
        queryset = queryset.filter(service_object_id=filters.service_object_id)
    if filters.service_object_type:
        queryset = queryset.filter(service_object_type=filters.service_object_type)
    if filters.agency_responsible:
        queryset = queryset.filter(
            Q(agency_responsible__slug=filters.agency_responsible)
            | Q(agency_responsible__name_fi__iexact=filters.agency_responsible)
            | Q(agency_responsible__name_sv__iexact=filters.agency_responsible)
            | Q(agency_responsible__name_en__iexact=filters.agency_responsible)
        )
    if filters.bbox is not None:
        left, bottom, right, top = filters.bbox
        queryset = queryset.filter(
            long__gte=_dec(left), long__lte=_dec(right), lat__gte=_dec(bottom), lat__lte=_dec(top)
        )
    if filters.near is not None:
        queryset = _within_radius(queryset, *filters.near)
    for word in filters.search.split():
        queryset = queryset.filter(
            Q(description__icontains=word)
            | Q(title__icontains=word)
            | Q(address_string__icontains=word)
        )
    return queryset.order_by("-requested_at", "-id")


def _service_ids(codes: Sequence[str]) -> list[int]:
    known = reference.knowing(slugs=codes)
    return [known.services_by_slug[code].pk for code in codes if code in known.services_by_slug]


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


def _within_radius(
    queryset: QuerySet[ServiceRequest], lat: float, long: float, radius_m: float
) -> QuerySet[ServiceRequest]:
    """Haversine distance in SQL, after a bounding box that the (lat, long) index can serve."""
    lat_delta = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    long_delta = min(math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)), 180.0)
    queryset = queryset.filter(
        lat__gte=_dec(max(lat - lat_delta, -90.0)),
        lat__lte=_dec(min(lat + lat_delta, 90.0)),
        long__gte=_dec(long - long_delta),
        long__lte=_dec(long + long_delta),
    )
    lat_r = Value(math.radians(lat), output_field=FloatField())
    long_r = Value(math.radians(long), output_field=FloatField())
    half_dlat = (Radians(F("lat"), output_field=FloatField()) - lat_r) / 2
    half_dlong = (Radians(F("long"), output_field=FloatField()) - long_r) / 2
    a = Power(Sin(half_dlat), 2) + Cos(lat_r) * Cos(
        Radians(F("lat"), output_field=FloatField())
    ) * Power(Sin(half_dlong), 2)
    distance = 2 * EARTH_RADIUS_M * ASin(Sqrt(a))
    return queryset.alias(distance_m=distance).filter(distance_m__lte=radius_m)


def paginate(
    queryset: QuerySet[ServiceRequest], *, page: int, page_size: int, with_history: bool = True
) -> list[PublicRequest]:
    """One page of `filter_requests`, as `public_requests` shows it."""
    offset = (page - 1) * page_size
    return public_requests(queryset[offset : offset + page_size], with_history=with_history)


def request_by_id(service_request_id: str, *, with_history: bool = True) -> PublicRequest | None:
    """Any request by its public id, whatever its moderation: the holder of the id may see it."""
    matching = ServiceRequest.objects.filter(service_request_id=service_request_id)
    found = public_requests(matching, with_history=with_history)
    return found[0] if found else None


def request_by_token(token: str) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(token=token).only("service_request_id", "token").first()


def feedback_services() -> QuerySet[Service]:
    """The catalogue's services that accept feedback: Open311's service list."""
    return (
        Service.objects.filter(accepts_feedback=True)
        .prefetch_related("texts", "attributes")
        .order_by("slug")
    )


def feedback_service(service_code: str) -> Service | None:
    """One service with its texts and attributes, for its Open311 service definition."""
    return feedback_services().filter(slug=service_code).first()


def service_accepting_feedback(service_code: str) -> Service | None:
    """The service a new request names (from the process's `reference` copy)."""
    service = reference.knowing(slugs=[service_code]).services_by_slug.get(service_code)
    return service if service is not None and service.accepts_feedback else None


def attributes_of(service: Service) -> Sequence[ServiceAttribute]:
    """The service's questions in their order (from the process's `reference` copy)."""
    return reference.knowing(service_ids=[service.pk]).attributes.get(service.pk, [])
