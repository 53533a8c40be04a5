"""Reads for feedback and service requests: the Open311 list filters and lookups by id or token.

Lists show only public requests. A request fetched by its own id or token is always answered
(the customer or the client application holds the id), whatever its moderation state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from luukku.catalogue.models import Service

from . import reference
from .models import MediaAttachment, RequestEvent, ServiceAttribute, ServiceRequest

EARTH_RADIUS_M = 6_371_000.0
# Attributes the list and detail querysets fill (see `_with_relations`).
MEDIA = "prefetched_media"
HISTORY = "prefetched_history"


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


def _with_relations(
    queryset: QuerySet[ServiceRequest], *, with_history: bool
) -> QuerySet[ServiceRequest]:
    """The public columns, and the merged-into request the extensions show; `attach_relations`
    adds the rest."""
    queryset = queryset.only(*PUBLIC_FIELDS)
    if with_history:
        return queryset.select_related("merged_into").only(
            *PUBLIC_FIELDS, "merged_into__service_request_id"
        )
    return queryset


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


def attach_relations(requests: Sequence[ServiceRequest], *, with_history: bool) -> None:
    """Services, agencies and their names from the process's `reference` copy; media and (only
    when the extensions show it) the history of a page of requests in one plain query each."""
    if not requests:
        return
    known = reference.current()
    if not all(
        known.knows(service_id=r.service_id, organisation_id=r.agency_responsible_id)
        for r in requests
    ):
        known = reference.refreshed()
    request_ids = [r.pk for r in requests]
    media: dict[int, list[MediaAttachment]] = {request_id: [] for request_id in request_ids}
    for attachment in MediaAttachment.objects.filter(request_id__in=request_ids).order_by(
        "created_at", "id"
    ):
        media[attachment.request_id].append(attachment)
    history: dict[int, list[RequestEvent]] = {request_id: [] for request_id in request_ids}
    if with_history:
        for event in RequestEvent.objects.filter(request_id__in=request_ids).order_by("at", "id"):
            history[event.request_id].append(event)
    for request in requests:
        if request.service_id is not None:
            request.service = known.services[request.service_id]
        if request.agency_responsible_id is not None:
            request.agency_responsible = known.organisations[request.agency_responsible_id]
        setattr(request, MEDIA, media[request.pk])
        if with_history:
            setattr(request, HISTORY, history[request.pk])


def filter_requests(
    filters: RequestFilters, *, with_history: bool = True
) -> QuerySet[ServiceRequest]:
    """The requests an Open311 GET lists, newest first; service_request_id overrides the rest."""
    queryset = ServiceRequest.objects.all()
    if filters.service_request_ids:
        queryset = queryset.filter(service_request_id__in=filters.service_request_ids)
        return _with_relations(queryset.order_by("-requested_at", "-id"), with_history=with_history)

    queryset = queryset.filter(moderation=ServiceRequest.Moderation.PUBLIC)
    if filters.service_codes:
        queryset = queryset.filter(service__slug__in=filters.service_codes)
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
    return _with_relations(queryset.order_by("-requested_at", "-id"), with_history=with_history)


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
) -> list[ServiceRequest]:
    """One page of `filter_requests`, with what `attach_relations` adds."""
    offset = (page - 1) * page_size
    found = list(queryset[offset : offset + page_size])
    attach_relations(found, with_history=with_history)
    return found


def request_by_id(service_request_id: str, *, with_history: bool = True) -> ServiceRequest | None:
    """Any request by its public id, whatever its moderation: the holder of the id may see it."""
    matching = ServiceRequest.objects.filter(service_request_id=service_request_id)
    found = _with_relations(matching, with_history=with_history).first()
    if found is not None:
        attach_relations([found], with_history=with_history)
    return found


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
    service = reference.current().services_by_slug.get(service_code)
    if service is None:
        service = reference.refreshed().services_by_slug.get(service_code)
    return service if service is not None and service.accepts_feedback else None


def attributes_of(service: Service) -> Sequence[ServiceAttribute]:
    """The service's questions in their order (from the process's `reference` copy)."""
    known = reference.current()
    if not known.knows(service_id=service.pk):
        known = reference.refreshed()
    return known.attributes.get(service.pk, [])
