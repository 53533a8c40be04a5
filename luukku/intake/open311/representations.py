"""The GeoReport shapes of our objects, as plain data for `rendering.render`.

Public output never carries contact details, and free text goes through `mask_personal_data`.
A hidden request fetched by id shows its state but not its texts: staff hid them for a reason.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.utils import timezone

from luukku.catalogue.models import Service, ServiceText
from luukku.core.masking import mask_personal_data

from .. import reference
from ..models import ServiceAttribute, ServiceRequest
from ..selectors import PublicRequest

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"
# When this API's endpoints or formats last changed (Service Discovery's changeset).
DISCOVERY_CHANGESET = "2026-11-25T00:00:00+02:00"


def iso(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """ISO 8601 with the offset, in the site's time zone: 2026-11-25T14:05:00+02:00.

    `timezone.localtime` without its generality: this runs three times per listed request, so
    a caller formatting many may look the zone up once and pass it.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("iso() needs an aware datetime.")
    return value.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")


def service_name(service: Service | None, language: str) -> str:
    if service is None:
        return ""
    names: dict[str, str] | None = getattr(service, reference.NAME_TEXTS, None)
    if names is None:
        names = {
            t.language: t.value for t in service.texts.all() if t.kind == ServiceText.Kind.NAME
        }
    return names.get(language) or names.get("fi") or service.slug


def service_dict(service: Service, language: str) -> dict[str, Any]:
    keywords = [
        t.value
        for t in service.texts.all()
        if t.kind == ServiceText.Kind.KEYWORD and t.language == language
    ]
    return {
        "service_code": service.slug,
        "service_name": service_name(service, language),
        "description": service.text(ServiceText.Kind.SUMMARY, language),
        "metadata": bool(service.attributes.all()),
        "type": "realtime",
        "keywords": ",".join(keywords),
        "group": service.domain,
    }


def attribute_dict(attribute: ServiceAttribute, language: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": attribute.description(language),
    }
    if attribute.datatype in (
        ServiceAttribute.Datatype.SINGLE_VALUE_LIST,
        ServiceAttribute.Datatype.MULTI_VALUE_LIST,
    ):
        data["values"] = [
            {"key": str(value.get("key", "")), "name": str(value.get("name", ""))}
            for value in attribute.values
            if isinstance(value, dict)
        ]
    return data


def definition_dict(
    service: Service, attributes: list[ServiceAttribute], language: str
) -> dict[str, Any]:
    return {
        "service_code": service.slug,
        "attributes": [attribute_dict(attribute, language) for attribute in attributes],
    }


def _public_text(request: PublicRequest, value: str) -> str:
    if request.moderation == ServiceRequest.Moderation.HIDDEN:
        return ""
    return mask_personal_data(value)


def media_urls(request: PublicRequest, base_url: str) -> list[str]:
    if request.moderation == ServiceRequest.Moderation.HIDDEN:
        return []
    stored = [f"{base_url}{m.file.url}" for m in request.media]
    return [*request.media_urls, *stored]


def request_dict(
    request: PublicRequest, *, language: str, extensions: bool, base_url: str
) -> dict[str, Any]:
    """One request as GeoReport shows it; with `extensions`, the CitySDK and 6Aika fields too."""
    urls = media_urls(request, base_url)
    agency = request.agency_responsible
    zone = timezone.get_current_timezone()
    data: dict[str, Any] = {
        "service_request_id": request.service_request_id,
        "status": request.status,
        "status_notes": _public_text(request, request.status_notes),
        "service_name": service_name(request.service, language),
        "service_code": request.service.slug if request.service is not None else "",
        "description": _public_text(request, request.description),
        "agency_responsible": agency.name(language) if agency is not None else "",
        "service_notice": request.service_notice,
        "requested_datetime": iso(request.requested_at, zone),
        "updated_datetime": iso(request.updated_at, zone),
        "expected_datetime": iso(request.expected_at, zone),
        "address": _public_text(request, request.address_string),
        "address_id": request.address_id,
        "zipcode": "",
        "lat": float(request.lat) if request.lat is not None else None,
        "long": float(request.long) if request.long is not None else None,
        "media_url": urls[0] if urls else "",
    }
    if extensions:
        history = [
            {
                "time": iso(event.at, zone),
                "status": event.state,
                "note": mask_personal_data(event.note),
                "handler": event.handler,
            }
            for event in request.history
        ]
        extended = {
            "title": _public_text(request, request.title),
            "media_urls": urls,
            "service_object_id": request.service_object_id,
            "service_object_type": request.service_object_type,
            "detailed_status": request.detailed_status,
            "merged_into": request.merged_into_request_id or "",
            "request_history": history,
        }
        # The 6Aika document lists the extensions beside the base fields; Helsinki's server and
        # the 6Aika reference server put them in `extended_attributes`. Clients of both work.
        data.update(extended)
        data["extended_attributes"] = dict(extended)
    return data


def discovery_dict(base_url: str, changeset: str) -> dict[str, Any]:
    return {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION_URL,
                "url": base_url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
