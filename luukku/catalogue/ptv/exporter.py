"""Writing the catalogue back as PTV open API (V11) JSON: one list page with `itemList`.

The output uses the open API's field names and enum values, so `import_ptv` (and other PTV
readers) read it back. Only what the catalogue keeps is written; PTV fields we do not hold
(legislation, vouchers, ontology terms, per-connection details) are left out. A service or
channel made here, without a PTV id, is given a stable one derived from its slug (UUID v5),
so repeated exports agree and a re-import matches the same row. Organisations get theirs with
`Organisation.ensure_ptv_id()`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time
from pathlib import Path
from typing import Any

from django.db.models import Prefetch, QuerySet

from luukku.areas.models import Area
from luukku.catalogue.models import (
    ChannelText,
    Concept,
    Service,
    ServiceChannel,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
)
from luukku.catalogue.ptv.coordinates import wgs84_to_tm35fin
from luukku.catalogue.ptv.schema import LANGUAGES
from luukku.organisations.models import Organisation

# Namespace of the ids given to rows that PTV has not seen (uuid5 of "luukku:<kind>:<slug>").
LUUKKU_NAMESPACE = uuid.UUID("6b1c0f3e-2a4d-5e8f-9a7b-4c3d2e1f0a9b")

SERVICE_TYPES: dict[str, str] = {
    Service.Type.SERVICE: "Service",
    Service.Type.PERMISSION_AND_OBLIGATION: "PermitOrObligation",
    Service.Type.PROFESSIONAL_QUALIFICATION: "ProfessionalQualification",
}
CHARGE_TYPES: dict[str, str] = {
    Service.ChargeType.CHARGED: "Chargeable",
    Service.ChargeType.FREE: "FreeOfCharge",
    Service.ChargeType.OTHER: "Other",
}
AREA_TYPES: dict[str, str] = {
    Area.Type.MUNICIPALITY: "Municipality",
    Area.Type.REGION: "Region",
    Area.Type.BUSINESS_REGION: "BusinessSubRegion",
    Area.Type.HOSPITAL_REGION: "HospitalDistrict",
}
PROVISION_TYPES: dict[str, str] = {
    ServiceOrganisation.ProvisionType.SELF_PRODUCED: "SelfProducedServices",
    ServiceOrganisation.ProvisionType.PURCHASED: "ProcuredServices",
    ServiceOrganisation.ProvisionType.OTHER: "Other",
}
SERVICE_NAME_TYPES: dict[str, str] = {
    ServiceText.Kind.NAME: "Name",
    ServiceText.Kind.ALTERNATIVE_NAME: "AlternativeName",
}
SERVICE_DESCRIPTION_TYPES: dict[str, str] = {
    ServiceText.Kind.SUMMARY: "Summary",
    ServiceText.Kind.DESCRIPTION: "Description",
    ServiceText.Kind.USER_INSTRUCTION: "UserInstruction",
    ServiceText.Kind.CONDITIONS: "ChargeTypeAdditionalInfo",
    ServiceText.Kind.DEADLINE: "DeadLine",
    ServiceText.Kind.PROCESSING_TIME: "ProcessingTime",
    ServiceText.Kind.VALIDITY_TIME: "ValidityTime",
}
CHANNEL_NAME_TYPES: dict[str, str] = {
    ChannelText.Kind.NAME: "Name",
    ChannelText.Kind.ALTERNATIVE_NAME: "AlternativeName",
}
CHANNEL_DESCRIPTION_TYPES: dict[str, str] = {
    ChannelText.Kind.SUMMARY: "Summary",
    ChannelText.Kind.DESCRIPTION: "Description",
}
HOUR_TYPES: dict[str, str] = {
    ServiceHours.Kind.STANDARD: "DaysOfTheWeek",
    ServiceHours.Kind.EXCEPTION: "Exceptional",
}
WEEKDAY_NAMES = {day.value: day.name.capitalize() for day in ServiceHours.Weekday}
_STREET_AND_NUMBER = re.compile(r"^(.*?)\s+(\d.*)$")


def export_catalogue(
    services: QuerySet[Service] | None = None,
    channels: QuerySet[ServiceChannel] | None = None,
) -> dict[str, Any]:
    """The services and channels (all by default) as one PTV list page."""
    services = Service.objects.all() if services is None else services
    channels = ServiceChannel.objects.all() if channels is None else channels
    _give_organisations_ptv_ids(services, channels)
    items = [service_to_ptv(s) for s in _prefetch_services(services)]
    items += [channel_to_ptv(c) for c in _prefetch_channels(channels)]
    return {"pageNumber": 1, "pageSize": len(items), "pageCount": 1, "itemList": items}


def _give_organisations_ptv_ids(
    services: QuerySet[Service], channels: QuerySet[ServiceChannel]
) -> None:
    """Give every exported organisation its PTV id once, before the rows are read.

    Each service role and channel holds its own copy of an organisation; were the ids given
    while writing, two copies of one organisation without an id would get two different ones.
    """
    referenced = set(
        ServiceOrganisation.objects.filter(service__in=services).values_list(
            "organisation_id", flat=True
        )
    ) | set(channels.values_list("organisation_id", flat=True))
    for organisation in Organisation.objects.filter(pk__in=referenced, ptv_id=None):
        organisation.ensure_ptv_id()


def write_catalogue(path: str | Path, document: dict[str, Any]) -> None:
    Path(path).write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def ptv_id_of(row: Service | ServiceChannel) -> uuid.UUID:
    if row.ptv_id is not None:
        return row.ptv_id
    kind = "service" if isinstance(row, Service) else "channel"
    return uuid.uuid5(LUUKKU_NAMESPACE, f"luukku:{kind}:{row.slug}")


def _prefetch_services(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.order_by("slug").prefetch_related(
        Prefetch("texts", queryset=ServiceText.objects.order_by("pk")),
        Prefetch("service_classes", queryset=_concepts(Service.service_classes)),
        Prefetch("target_groups", queryset=_concepts(Service.target_groups)),
        Prefetch("life_events", queryset=_concepts(Service.life_events)),
        Prefetch("areas", queryset=Area.objects.prefetch_related("children").order_by("pk")),
        Prefetch(
            "roles",
            queryset=ServiceOrganisation.objects.select_related("organisation").order_by("pk"),
        ),
        Prefetch("channels", queryset=ServiceChannel.objects.prefetch_related("texts")),
    )


def _concepts(descriptor: Any) -> QuerySet[Any]:
    return descriptor.field.related_model.objects.select_related("parent").order_by("code")


def _prefetch_channels(channels: QuerySet[ServiceChannel]) -> QuerySet[ServiceChannel]:
    return (
        channels.order_by("slug")
        .select_related("organisation", "municipality")
        .prefetch_related(
            Prefetch("texts", queryset=ChannelText.objects.order_by("pk")),
            Prefetch("hours", queryset=ServiceHours.objects.order_by("pk")),
            Prefetch("areas", queryset=Area.objects.prefetch_related("children").order_by("pk")),
            Prefetch("services", queryset=Service.objects.prefetch_related("texts")),
        )
    )


# -- services -----------------------------------------------------------------------------------


def service_to_ptv(service: Service) -> dict[str, Any]:
    texts = list(service.texts.all())
    return {
        "id": str(ptv_id_of(service)),
        "sourceId": service.slug,
        "type": SERVICE_TYPES.get(service.service_type, "Service"),
        "serviceNames": _localized(texts, SERVICE_NAME_TYPES),
        "serviceChargeType": CHARGE_TYPES.get(service.charge_type),
        "areaType": service.area_type,
        "areas": [_area(area) for area in service.areas.all()],
        "serviceDescriptions": _localized(texts, SERVICE_DESCRIPTION_TYPES),
        "languages": list(service.languages),
        "serviceClasses": [{**_finto(c), "description": []} for c in service.service_classes.all()],
        "targetGroups": [_finto(c) for c in service.target_groups.all()],
        "lifeEvents": [_finto(c) for c in service.life_events.all()],
        "keywords": _language_items(texts, ServiceText.Kind.KEYWORD),
        "requirements": _language_items(texts, ServiceText.Kind.REQUIREMENTS),
        "serviceChannels": [
            {"serviceChannel": {"id": str(ptv_id_of(channel)), "name": channel.name("fi")}}
            for channel in sorted(service.channels.all(), key=lambda c: c.slug)
        ],
        "organizations": [_organisation_role(role) for role in service.roles.all()],
        "publishingStatus": "Published",
        "modified": service.updated_at.isoformat(),
    }


def _organisation_role(role: ServiceOrganisation) -> dict[str, Any]:
    organisation: Organisation = role.organisation
    return {
        "organization": {"id": str(organisation.ensure_ptv_id()), "name": organisation.name_fi},
        "roleType": role.role,
        "provisionType": PROVISION_TYPES.get(role.provision_type),
        "additionalInformation": [],
    }


def _finto(concept: Concept) -> dict[str, Any]:
    parent = concept.parent
    return {
        "name": [
            {"value": value, "language": language}
            for language in LANGUAGES
            if (value := getattr(concept, f"label_{language}"))
        ],
        "code": concept.code,
        "ontologyType": None,
        "uri": concept.uri,
        "parentId": None,
        "parentUri": parent.uri if parent else None,
    }


def _area(area: Area) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": AREA_TYPES.get(area.area_type, area.area_type),
        "code": area.code,
        "name": _names(area),
        "municipalities": [],
    }
    if area.area_type == Area.Type.REGION:
        data["municipalities"] = [
            {"code": m.code, "name": _names(m)}
            for m in sorted(area.children.all(), key=lambda m: m.code)
            if m.area_type == Area.Type.MUNICIPALITY
        ]
    return data


def _names(area: Area) -> list[dict[str, str]]:
    return [
        {"value": value, "language": language}
        for language in LANGUAGES
        if (value := getattr(area, f"name_{language}"))
    ]


def _localized(texts: Iterable[Any], types: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"language": t.language, "value": t.value, "type": types[t.kind]}
        for t in texts
        if t.kind in types
    ]


def _language_items(texts: Iterable[Any], kind: str) -> list[dict[str, str]]:
    return [{"value": t.value, "language": t.language} for t in texts if t.kind == kind]


# -- channels -----------------------------------------------------------------------------------


def channel_to_ptv(channel: ServiceChannel) -> dict[str, Any]:
    texts = list(channel.texts.all())
    language = channel.languages[0] if channel.languages else "fi"
    data: dict[str, Any] = {
        "id": str(ptv_id_of(channel)),
        "sourceId": channel.slug,
        "serviceChannelType": channel.channel_type,
        "organizationId": str(channel.organisation.ensure_ptv_id()),
        "serviceChannelNames": _localized(texts, CHANNEL_NAME_TYPES),
        "serviceChannelDescriptions": _localized(texts, CHANNEL_DESCRIPTION_TYPES),
        "areaType": "LimitedType" if channel.areas.all() else "Nationwide",
        "areas": [_area(area) for area in channel.areas.all()],
        "languages": list(channel.languages),
        "webPages": [],
        "serviceHours": _service_hours(list(channel.hours.all())),
        "services": [
            {"service": {"id": str(ptv_id_of(service)), "name": service.name("fi")}}
            for service in sorted(channel.services.all(), key=lambda s: s.slug)  # type: ignore[attr-defined]
        ],
        "publishingStatus": "Published",
        "modified": channel.updated_at.isoformat(),
    }
    emails = [{"value": channel.email, "language": language}] if channel.email else []
    phones = [_phone(channel, language)] if channel.phone else []
    if channel.channel_type == ServiceChannel.Type.PRINTABLE_FORM and channel.url:
        data["channelUrls"] = [
            {"language": language, "value": channel.url, "type": _form_type(channel.url)}
        ]
    elif channel.url:
        data["webPages"] = [{"url": channel.url, "value": channel.name("fi"), "language": language}]
    if channel.channel_type in (ServiceChannel.Type.PHONE, ServiceChannel.Type.SERVICE_LOCATION):
        data["phoneNumbers"] = [{"type": "Phone", **phone} for phone in phones]
    else:
        data["supportPhones"] = phones
    if channel.channel_type == ServiceChannel.Type.SERVICE_LOCATION:
        data["emails"] = emails
        data["addresses"] = _addresses(channel)
    else:
        data["supportEmails"] = emails
    return data


def _phone(channel: ServiceChannel, language: str) -> dict[str, Any]:
    prefix, _, number = channel.phone.partition(" ")
    if not prefix.startswith("+"):  # a national service number (0800…) has no country prefix
        prefix, number = "", channel.phone
    number = re.sub(r"\D", "", number)  # PTV wants digits only: "+358 17 182 111" → 17182111
    return {
        "additionalInformation": None,
        "serviceChargeType": "Other" if channel.phone_charge else None,
        "chargeDescription": channel.phone_charge or None,
        "prefixNumber": prefix or None,
        "isFinnishServiceNumber": not prefix,
        "number": number,
        "language": language,
    }


def _form_type(url: str) -> str:
    lowered = url.lower()
    if lowered.endswith((".doc", ".docx", ".odt", ".rtf")):
        return "DOC"
    if lowered.endswith((".xls", ".xlsx", ".ods")):
        return "Excel"
    return "PDF"


def _addresses(channel: ServiceChannel) -> list[dict[str, Any]]:
    latitude = longitude = None
    if channel.latitude is not None and channel.longitude is not None:
        northing, easting = wgs84_to_tm35fin(float(channel.latitude), float(channel.longitude))
        latitude, longitude = f"{northing:.3f}", f"{easting:.3f}"
    post_office = [{"value": channel.post_office, "language": "fi"}] if channel.post_office else []
    if not channel.street_address:
        if not (channel.postal_code or latitude):
            return []
        # A place without a street address: PTV's "other" address, a point and a postal code.
        other = {"latitude": latitude, "longitude": longitude, "postalCode": channel.postal_code,
                 "postOffice": post_office, "additionalInformation": []}  # fmt: skip
        return [{"type": "Location", "subType": "Other", "streetAddress": None,
                 "otherAddress": other, "country": "FI"}]  # fmt: skip
    match = _STREET_AND_NUMBER.match(channel.street_address)
    street, number = (match[1], match[2]) if match else (channel.street_address, "")
    municipality = channel.municipality
    return [
        {
            "type": "Location",
            "subType": "Single",
            "streetAddress": {
                "street": [{"value": street, "language": "fi"}] if street else [],
                "streetNumber": number or None,
                "postalCode": channel.postal_code,
                "postOffice": post_office,
                "municipality": (
                    {"code": municipality.code, "name": _names(municipality)}
                    if municipality
                    else None
                ),
                "additionalInformation": [],
                "latitude": latitude,
                "longitude": longitude,
                "coordinateState": "Ok" if latitude else None,
            },
            "country": "FI",
        }
    ]


def _service_hours(rows: list[ServiceHours]) -> list[dict[str, Any]]:
    """Rows sharing kind, validity, closure and note become one PTV service hour."""
    groups: dict[tuple[Any, ...], list[ServiceHours]] = defaultdict(list)
    for row in rows:
        key = (row.kind, row.valid_from, row.valid_to, row.is_closed, row.description)
        groups[key].append(row)
    hours = []
    for (kind, valid_from, valid_to, is_closed, description), group in groups.items():
        always_open = any(
            r.weekday is None and r.opens == time(0) and r.closes == time(0) for r in group
        )
        opening = [
            _opening_hour(r)
            for r in group
            if r.opens is not None
            and r.closes is not None
            and not (r.weekday is None and r.opens == time(0) and r.closes == time(0))
        ]
        hours.append(
            {
                "serviceHourType": HOUR_TYPES.get(kind, "DaysOfTheWeek"),
                "validFrom": _datetime(valid_from),
                "validTo": _datetime(valid_to),
                "isClosed": is_closed,
                "validForNow": valid_from is None,
                "isAlwaysOpen": always_open,
                "isReservation": False,
                "additionalInformation": (
                    [{"value": description, "language": "fi"}] if description else []
                ),
                "openingHour": opening,
            }
        )
    return hours


def _opening_hour(row: ServiceHours) -> dict[str, Any]:
    assert row.opens is not None  # noqa: S101 - filtered above
    assert row.closes is not None  # noqa: S101
    day_to = None
    if row.weekday is not None and row.closes <= row.opens:
        day_to = WEEKDAY_NAMES[(row.weekday + 1) % 7]  # open over midnight
    return {
        "dayFrom": WEEKDAY_NAMES.get(row.weekday) if row.weekday is not None else None,
        "dayTo": day_to,
        "from": row.opens.strftime("%H:%M"),
        "to": row.closes.strftime("%H:%M"),
    }


def _datetime(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00" if value else None
