"""Reading and validating PTV open API (V11) JSON into plain records, before anything is written.

The shapes follow PTV's open API view models (vrk-kpa/ptv-releases, src/PTV.Domain.Model/Models/
OpenApi): V11VmOpenApiService, the V11 channel models, VmOpenApiLocalizedListItem (language,
value, type), VmOpenApiLanguageItem (language, value), V4VmOpenApiFintoItem (code, uri, ...),
V6VmOpenApiServiceOrganization, V11VmOpenApiServiceHour, V4VmOpenApiPhoneWithType and
V9VmOpenApiAddressLocation. Enum values are the ones the open API writes (EnumOpenApiValue:
"PermitOrObligation", "FreeOfCharge", "ProcuredServices", "Exceptional", ...); the internal
names PTV accepts on input ("PermissionAndObligation", "PurchaseServices", ...) are read too.

Every problem is collected, with the record's position and id, so that one run lists all of
them; the importer writes nothing while there is any.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from luukku.areas.models import Area
from luukku.catalogue.models import (
    ChannelText,
    Service,
    ServiceChannel,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
)
from luukku.catalogue.ptv.coordinates import tm35fin_to_wgs84

LANGUAGES = ("fi", "sv", "en")
HELSINKI = ZoneInfo("Europe/Helsinki")

# Open API value → our value. Our models keep PTV's internal enum names.
SERVICE_TYPES: dict[str, str] = {
    "Service": Service.Type.SERVICE,
    "PermitOrObligation": Service.Type.PERMISSION_AND_OBLIGATION,
    "PermissionAndObligation": Service.Type.PERMISSION_AND_OBLIGATION,
    "ProfessionalQualification": Service.Type.PROFESSIONAL_QUALIFICATION,
    "ProfessionalQualifications": Service.Type.PROFESSIONAL_QUALIFICATION,
}
CHARGE_TYPES: dict[str, str] = {
    "Chargeable": Service.ChargeType.CHARGED,
    "Charged": Service.ChargeType.CHARGED,
    "FreeOfCharge": Service.ChargeType.FREE,
    "Free": Service.ChargeType.FREE,
    "Other": Service.ChargeType.OTHER,
}
AREA_INFORMATION_TYPES: dict[str, str] = {
    "Nationwide": Service.AreaType.NATIONWIDE,
    "WholeCountry": Service.AreaType.NATIONWIDE,
    "NationwideExceptAlandIslands": Service.AreaType.NATIONWIDE_EXCEPT_ALAND,
    "WholeCountryExceptAlandIslands": Service.AreaType.NATIONWIDE_EXCEPT_ALAND,
    "LimitedType": Service.AreaType.LIMITED,
    "AreaType": Service.AreaType.LIMITED,
}
AREA_TYPES: dict[str, str] = {
    "Municipality": Area.Type.MUNICIPALITY,
    "Region": Area.Type.REGION,
    "Province": Area.Type.REGION,
    "BusinessSubRegion": Area.Type.BUSINESS_REGION,
    "BusinessRegions": Area.Type.BUSINESS_REGION,
    "HospitalDistrict": Area.Type.HOSPITAL_REGION,
    "HospitalRegions": Area.Type.HOSPITAL_REGION,
}
ROLE_TYPES: dict[str, str] = {
    "Responsible": ServiceOrganisation.Role.RESPONSIBLE,
    # Another organisation responsible for the same service: still a responsible one for us.
    "OtherResponsible": ServiceOrganisation.Role.RESPONSIBLE,
    "Producer": ServiceOrganisation.Role.PRODUCER,
}
PROVISION_TYPES: dict[str, str] = {
    "SelfProducedServices": ServiceOrganisation.ProvisionType.SELF_PRODUCED,
    "SelfProduced": ServiceOrganisation.ProvisionType.SELF_PRODUCED,
    "ProcuredServices": ServiceOrganisation.ProvisionType.PURCHASED,
    "PurchaseServices": ServiceOrganisation.ProvisionType.PURCHASED,
    "Other": ServiceOrganisation.ProvisionType.OTHER,
    "VoucherServices": ServiceOrganisation.ProvisionType.OTHER,
}
CHANNEL_TYPES: dict[str, str] = {choice.value: choice.value for choice in ServiceChannel.Type}
SERVICE_NAME_TYPES: dict[str, str] = {
    "Name": ServiceText.Kind.NAME,
    "AlternativeName": ServiceText.Kind.ALTERNATIVE_NAME,
    "AlternateName": ServiceText.Kind.ALTERNATIVE_NAME,
}
SERVICE_DESCRIPTION_TYPES: dict[str, str | None] = {
    "Summary": ServiceText.Kind.SUMMARY,
    "ShortDescription": ServiceText.Kind.SUMMARY,
    "Description": ServiceText.Kind.DESCRIPTION,
    "UserInstruction": ServiceText.Kind.USER_INSTRUCTION,
    "ServiceUserInstruction": ServiceText.Kind.USER_INSTRUCTION,
    "ChargeTypeAdditionalInfo": ServiceText.Kind.CONDITIONS,
    "DeadLine": ServiceText.Kind.DEADLINE,
    "DeadLineAdditionalInfo": ServiceText.Kind.DEADLINE,
    "ProcessingTime": ServiceText.Kind.PROCESSING_TIME,
    "ProcessingTimeAdditionalInfo": ServiceText.Kind.PROCESSING_TIME,
    "ValidityTime": ServiceText.Kind.VALIDITY_TIME,
    "ValidityTimeAdditionalInfo": ServiceText.Kind.VALIDITY_TIME,
    # Valid PTV types that the catalogue does not keep (they come from PTV's general
    # descriptions and are shown there): read and left out.
    "ServiceType": None,
    "ServiceTypeAdditionalInfo": None,
    "BackgroundDescription": None,
    "GeneralDescriptionTypeAdditionalInformation": None,
}
CHANNEL_NAME_TYPES: dict[str, str] = {
    "Name": ChannelText.Kind.NAME,
    "AlternativeName": ChannelText.Kind.ALTERNATIVE_NAME,
    "AlternateName": ChannelText.Kind.ALTERNATIVE_NAME,
}
CHANNEL_DESCRIPTION_TYPES: dict[str, str | None] = {
    "Summary": ChannelText.Kind.SUMMARY,
    "ShortDescription": ChannelText.Kind.SUMMARY,
    "Description": ChannelText.Kind.DESCRIPTION,
}
SERVICE_HOUR_TYPES: dict[str, str] = {
    "DaysOfTheWeek": ServiceHours.Kind.STANDARD,
    "Standard": ServiceHours.Kind.STANDARD,
    # Hours over midnight are kept as a weekday row whose closing time is before its opening.
    "OverMidnight": ServiceHours.Kind.STANDARD,
    "Special": ServiceHours.Kind.STANDARD,
    "Exceptional": ServiceHours.Kind.EXCEPTION,
    "Exception": ServiceHours.Kind.EXCEPTION,
}
WEEKDAYS: dict[str, int] = {day.name.capitalize(): day.value for day in ServiceHours.Weekday}

# ISO 639 (two or three letters, as PTV sends them: fi, sv, se, smn), optionally with subtags.
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_COUNTRY_PREFIX = re.compile(r"\+\d{1,4}")
_MANY_DASHES = re.compile(r"-{2,}")
_PHONE_SEPARATORS = re.compile(r"[\s-]")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:00)?$")
_POSTAL_CODE = re.compile(r"^\d{5}$")
_SOURCE_ID = re.compile(r"^[A-Za-z0-9.-]+$")
_T = TypeVar("_T")
_NO_ID = uuid.UUID(int=0)  # stands in for a bad id; such a record is never written
_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()

SERVICE_SLUG_MAX = Service._meta.get_field("slug").max_length or 80
CHANNEL_SLUG_MAX = ServiceChannel._meta.get_field("slug").max_length or 100
URL_MAX = ServiceChannel._meta.get_field("url").max_length or 500
PHONE_MAX = ServiceChannel._meta.get_field("phone").max_length or 40
PHONE_CHARGE_MAX = ServiceChannel._meta.get_field("phone_charge").max_length or 200
STREET_MAX = ServiceChannel._meta.get_field("street_address").max_length or 200
POST_OFFICE_MAX = ServiceChannel._meta.get_field("post_office").max_length or 100
HOURS_DESCRIPTION_MAX = ServiceHours._meta.get_field("description").max_length or 200


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Text:
    kind: str
    language: str
    value: str


@dataclass(frozen=True)
class AreaRef:
    """An area by its national code, with the names PTV gives so a missing one can be made."""

    area_type: str
    code: str
    names: tuple[tuple[str, str], ...] = ()
    parent: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.area_type, self.code)


@dataclass(frozen=True)
class OrganisationRole:
    ptv_id: uuid.UUID
    name: str
    role: str
    provision_type: str


@dataclass(frozen=True)
class HoursRow:
    """One ServiceHours row; the tuple form is what re-imports compare."""

    kind: str
    valid_from: date | None
    valid_to: date | None
    weekday: int | None
    opens: time | None
    closes: time | None
    is_closed: bool
    description: str


@dataclass
class ServiceRecord:
    position: str
    ptv_id: uuid.UUID
    source_id: str
    fi_name: str
    service_type: str
    charge_type: str
    area_type: str
    languages: list[str]
    texts: list[Text]
    service_classes: list[str]
    target_groups: list[str]
    life_events: list[str]
    areas: list[AreaRef]
    organisations: list[OrganisationRole]
    channel_ids: list[uuid.UUID]


@dataclass
class ChannelRecord:
    position: str
    ptv_id: uuid.UUID
    source_id: str
    fi_name: str
    channel_type: str
    organisation_id: uuid.UUID
    languages: list[str]
    texts: list[Text]
    url: str = ""
    phone: str = ""
    phone_charge: str = ""
    email: str = ""
    street_address: str = ""
    postal_code: str = ""
    post_office: str = ""
    municipality: AreaRef | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    areas: list[AreaRef] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)
    service_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """A reason a record (or the whole file) cannot be imported."""

    position: str
    record_id: str
    path: str
    message: str

    def __str__(self) -> str:
        where = self.position or "file"
        if self.record_id:
            where += f" (id {self.record_id})"
        if self.path:
            where += f" {self.path}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class KnownCodes:
    """The national codes in our database, against which references are checked."""

    service_classes: frozenset[str]
    target_groups: frozenset[str]
    life_events: frozenset[str]


@dataclass
class ParsedFile:
    services: list[ServiceRecord] = field(default_factory=list)
    channels: list[ChannelRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Organisation names seen in service references, for organisations we may have to create.
    organisation_names: dict[uuid.UUID, str] = field(default_factory=dict)
    # Municipalities listed under a region area: where a new municipality belongs.
    region_municipalities: list[AreaRef] = field(default_factory=list)


class PtvFormatError(Exception):
    """The file is not PTV open API JSON at all (malformed JSON or an unknown top level)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# Entry points


def load_json(text: str, *, source: str = "") -> Any:
    """Parse JSON text, turning a syntax error into a Problem that names line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem(
            position=source or "file",
            record_id="",
            path="",
            message=f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}",
        )
        raise PtvFormatError([problem]) from error


def iter_records(document: Any) -> Iterator[tuple[str, Any]]:
    """(position, record) for each item: a single object, a list or a paged `itemList`."""
    if isinstance(document, dict) and "itemList" in document:
        items = document["itemList"]
        if not isinstance(items, list):
            raise PtvFormatError([Problem("file", "", "itemList", "must be a list")])
        for index, item in enumerate(items):
            yield f"itemList[{index}]", item
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield f"[{index}]", item
    elif isinstance(document, dict):
        yield "record", document
    else:
        raise PtvFormatError(
            [Problem("file", "", "", "expected a PTV service or channel, a list or a page")]
        )


def count_records(document: Any) -> int:
    if isinstance(document, dict) and isinstance(document.get("itemList"), list):
        return len(document["itemList"])
    if isinstance(document, list):
        return len(document)
    return 1


def parse_records(records: Iterator[tuple[str, Any]], known: KnownCodes) -> ParsedFile:
    """Validate every record; the result holds the parsed records and all problems found."""
    parsed = ParsedFile()
    seen_ids: dict[uuid.UUID, str] = {}
    seen_sources: dict[tuple[str, str], str] = {}
    for position, raw in records:
        reader = _RecordReader(position, raw, known, parsed)
        record = reader.read()
        if record is None:
            continue
        kind = "service" if isinstance(record, ServiceRecord) else "channel"
        if record.ptv_id in seen_ids:
            reader.problem("id", f"the same id is also at {seen_ids[record.ptv_id]}")
            continue
        seen_ids[record.ptv_id] = position
        if record.source_id:
            key = (kind, record.source_id.lower())
            if key in seen_sources:
                reader.problem("sourceId", f"the same sourceId is also at {seen_sources[key]}")
                continue
            seen_sources[key] = position
        if isinstance(record, ServiceRecord):
            parsed.services.append(record)
        else:
            parsed.channels.append(record)
    return parsed


def source_id_to_slug(source_id: str) -> str:
    """PTV's sourceId allows letters, digits, '-' and '.'; a slug keeps '-' for both."""
    return _MANY_DASHES.sub("-", source_id.strip().lower().replace(".", "-")).strip("-")


# ---------------------------------------------------------------------------------------------
# Reading one record


class _RecordReader:
    def __init__(self, position: str, raw: Any, known: KnownCodes, parsed: ParsedFile) -> None:
        self.position = position
        self.raw = raw
        self.known = known
        self.parsed = parsed
        self.record_id = ""
        self.failed = False

    def problem(self, path: str, message: str) -> None:
        self.failed = True
        self.parsed.problems.append(Problem(self.position, self.record_id, path, message))

    def read(self) -> ServiceRecord | ChannelRecord | None:
        if not isinstance(self.raw, dict):
            self.problem("", "a record must be a JSON object")
            return None
        raw_id = self.raw.get("id")
        self.record_id = str(raw_id) if raw_id is not None else ""
        is_channel = "serviceChannelType" in self.raw or "serviceChannelNames" in self.raw
        is_service = "serviceNames" in self.raw
        if is_channel:
            record: ServiceRecord | ChannelRecord = self._channel()
        elif is_service:
            record = self._service()
        else:
            self.problem("", "neither a service (serviceNames) nor a channel (serviceChannelType)")
            return None
        return None if self.failed else record

    # -- services ------------------------------------------------------------------------------

    def _service(self) -> ServiceRecord:
        raw = self.raw
        ptv_id = self._uuid(raw.get("id"), "id") or _NO_ID
        texts = self._localized(raw.get("serviceNames"), "serviceNames", SERVICE_NAME_TYPES)
        texts += self._localized(
            raw.get("serviceDescriptions"), "serviceDescriptions", SERVICE_DESCRIPTION_TYPES
        )
        texts += self._language_items(raw.get("keywords"), "keywords", ServiceText.Kind.KEYWORD)
        texts += self._language_items(
            raw.get("requirements"), "requirements", ServiceText.Kind.REQUIREMENTS
        )
        fi_name = self._finnish_name(texts, ServiceText.Kind.NAME, "serviceNames")
        self._no_duplicates(texts, "serviceNames/serviceDescriptions", {ServiceText.Kind.KEYWORD})

        service_type = self._enum(raw.get("type") or "Service", SERVICE_TYPES, "type")
        charge = raw.get("serviceChargeType")
        charge_type = self._enum(charge, CHARGE_TYPES, "serviceChargeType") if charge else ""
        area_type = self._enum(
            raw.get("areaType") or "LimitedType", AREA_INFORMATION_TYPES, "areaType"
        )
        service_classes = self._codes(
            raw.get("serviceClasses"),
            "serviceClasses",
            self.known.service_classes,
            "service class",
        )
        # Listed beside the record's other problems; unknown codes are reported by _codes.
        if not service_classes and not raw.get("serviceClasses"):
            self.problem("serviceClasses", "a service needs at least one service class")
        organisations = self._organisations(raw.get("organizations"))
        return ServiceRecord(
            position=self.position,
            ptv_id=ptv_id,
            source_id=self._source_id(SERVICE_SLUG_MAX),
            fi_name=fi_name,
            service_type=service_type,
            charge_type=charge_type,
            area_type=area_type,
            languages=self._languages(raw.get("languages")),
            texts=texts,
            service_classes=service_classes,
            target_groups=self._codes(
                raw.get("targetGroups"), "targetGroups", self.known.target_groups, "target group"
            ),
            life_events=self._codes(
                raw.get("lifeEvents"), "lifeEvents", self.known.life_events, "life event"
            ),
            areas=self._areas(raw.get("areas"), "areas"),
            organisations=organisations,
            channel_ids=self._references(
                raw.get("serviceChannels"), "serviceChannels", "serviceChannel"
            ),
        )

    def _organisations(self, items: Any) -> list[OrganisationRole]:
        roles: list[OrganisationRole] = []
        seen: set[tuple[uuid.UUID, str]] = set()
        for index, item in enumerate(self._list(items, "organizations")):
            path = f"organizations[{index}]"
            if not isinstance(item, dict):
                self.problem(path, "must be an object")
                continue
            role = self._enum(item.get("roleType"), ROLE_TYPES, f"{path}.roleType")
            provision = ""
            if role == ServiceOrganisation.Role.PRODUCER:
                provision = self._enum(
                    item.get("provisionType"), PROVISION_TYPES, f"{path}.provisionType"
                )
            organisation = item.get("organization")
            raw_id = organisation.get("id") if isinstance(organisation, dict) else None
            if raw_id is None:
                raw_id = item.get("organizationId")
            if raw_id is None:
                if role == ServiceOrganisation.Role.RESPONSIBLE:
                    self.problem(path, "a responsible organisation needs an id")
                # A producer named only in free text (PTV allows it for purchased or other
                # provision) is not an organisation we can link.
                continue
            ptv_id = self._uuid(raw_id, f"{path}.organization.id")
            if ptv_id is None:
                continue
            name = ""
            if isinstance(organisation, dict) and isinstance(organisation.get("name"), str):
                name = organisation["name"].strip()
                if name:
                    self.parsed.organisation_names.setdefault(ptv_id, name)
            if (ptv_id, role) in seen:
                continue
            seen.add((ptv_id, role))
            roles.append(OrganisationRole(ptv_id, name, role, provision))
        return roles

    # -- channels ------------------------------------------------------------------------------

    def _channel(self) -> ChannelRecord:
        raw = self.raw
        ptv_id = self._uuid(raw.get("id"), "id") or _NO_ID
        channel_type = self._enum(
            raw.get("serviceChannelType"), CHANNEL_TYPES, "serviceChannelType"
        )
        texts = self._localized(
            raw.get("serviceChannelNames"), "serviceChannelNames", CHANNEL_NAME_TYPES
        )
        texts += self._localized(
            raw.get("serviceChannelDescriptions"),
            "serviceChannelDescriptions",
            CHANNEL_DESCRIPTION_TYPES,
        )
        fi_name = self._finnish_name(texts, ChannelText.Kind.NAME, "serviceChannelNames")
        self._no_duplicates(texts, "serviceChannelNames/serviceChannelDescriptions", set())
        record = ChannelRecord(
            position=self.position,
            ptv_id=ptv_id,
            source_id=self._source_id(CHANNEL_SLUG_MAX),
            fi_name=fi_name,
            channel_type=channel_type,
            organisation_id=self._uuid(raw.get("organizationId"), "organizationId") or _NO_ID,
            languages=self._languages(raw.get("languages")),
            texts=texts,
            areas=self._areas(raw.get("areas"), "areas"),
            hours=self._hours(raw.get("serviceHours"), "serviceHours"),
            service_ids=self._references(raw.get("services"), "services", "service"),
        )
        record.url = self._channel_url(channel_type)
        record.email = self._email(
            raw.get("emails")
            if channel_type == ServiceChannel.Type.SERVICE_LOCATION
            else raw.get("supportEmails"),
            "emails" if channel_type == ServiceChannel.Type.SERVICE_LOCATION else "supportEmails",
        )
        with_type = channel_type in (
            ServiceChannel.Type.PHONE,
            ServiceChannel.Type.SERVICE_LOCATION,
        )
        phones_field = "phoneNumbers" if with_type else "supportPhones"
        record.phone, record.phone_charge = self._phone(raw.get(phones_field), phones_field)
        if channel_type == ServiceChannel.Type.PHONE and not record.phone:
            self.problem("phoneNumbers", "a phone channel needs a phone number")
        if channel_type == ServiceChannel.Type.SERVICE_LOCATION:
            self._address(raw.get("addresses"), record)
        return record

    def _channel_url(self, channel_type: str) -> str:
        raw = self.raw
        candidates: list[tuple[str, str, str]] = []  # (path, language, url)
        if channel_type == ServiceChannel.Type.PRINTABLE_FORM:
            for index, item in enumerate(self._list(raw.get("channelUrls"), "channelUrls")):
                if isinstance(item, dict) and item.get("value"):
                    candidates.append(
                        (
                            f"channelUrls[{index}]",
                            str(item.get("language") or ""),
                            str(item["value"]).strip(),
                        )
                    )
        for index, item in enumerate(self._list(raw.get("webPages"), "webPages")):
            if isinstance(item, dict) and item.get("url"):
                candidates.append(
                    (
                        f"webPages[{index}]",
                        str(item.get("language") or ""),
                        str(item["url"]).strip(),
                    )
                )
        if not candidates:
            if channel_type in (ServiceChannel.Type.E_CHANNEL, ServiceChannel.Type.WEB_PAGE):
                self.problem("webPages", "an e-service or web page channel needs a URL")
            return ""
        path, _, url = _prefer_finnish(candidates)
        if len(url) > URL_MAX:
            self.problem(path, f"URL longer than {URL_MAX} characters")
            return ""
        try:
            _url_validator(url)
        except ValidationError:
            self.problem(path, f"not a valid http(s) URL: {url!r}")
            return ""
        return url

    def _email(self, items: Any, path: str) -> str:
        candidates = [
            (f"{path}[{index}]", str(item.get("language") or ""), str(item.get("value")).strip())
            for index, item in enumerate(self._list(items, path))
            if isinstance(item, dict) and item.get("value")
        ]
        if not candidates:
            return ""
        item_path, _, email = _prefer_finnish(candidates)
        try:
            _email_validator(email)
        except ValidationError:
            self.problem(item_path, f"not a valid e-mail address: {email!r}")
            return ""
        return email

    def _phone(self, items: Any, path: str) -> tuple[str, str]:
        candidates: list[tuple[str, str, Mapping[str, Any]]] = []
        for index, item in enumerate(self._list(items, path)):
            if not isinstance(item, dict):
                self.problem(f"{path}[{index}]", "must be an object")
                continue
            if item.get("type") not in (None, "Phone"):
                continue  # SMS and fax numbers are not kept
            candidates.append((f"{path}[{index}]", str(item.get("language") or ""), item))
        if not candidates:
            return "", ""
        item_path, _, item = _prefer_finnish(candidates)
        number = _PHONE_SEPARATORS.sub("", str(item.get("number") or ""))
        if not number.isdigit():
            self.problem(f"{item_path}.number", f"not a phone number: {item.get('number')!r}")
            return "", ""
        prefix = str(item.get("prefixNumber") or "").strip()
        if prefix and not _COUNTRY_PREFIX.fullmatch(prefix):
            self.problem(f"{item_path}.prefixNumber", f"not a country prefix: {prefix!r}")
            return "", ""
        is_service_number = bool(item.get("isFinnishServiceNumber"))
        phone = number if is_service_number or not prefix else f"{prefix} {number}"
        charge = str(item.get("chargeDescription") or "").strip()
        if len(phone) > PHONE_MAX:
            self.problem(f"{item_path}.number", f"longer than {PHONE_MAX} characters")
        if len(charge) > PHONE_CHARGE_MAX:
            self.problem(
                f"{item_path}.chargeDescription", f"longer than {PHONE_CHARGE_MAX} characters"
            )
        return phone, charge

    def _address(self, items: Any, record: ChannelRecord) -> None:
        for index, item in enumerate(self._list(items, "addresses")):
            path = f"addresses[{index}]"
            if not isinstance(item, dict):
                self.problem(path, "must be an object")
                continue
            if item.get("type") not in ("Location", "Visiting", None):
                continue  # postal addresses are not kept
            street = item.get("streetAddress")
            other = item.get("otherAddress")
            if not isinstance(street, dict) and isinstance(other, dict):
                # A place without a street address (a harbour, a market square): a point.
                path += ".otherAddress"
                record.postal_code = self._postal_code(other, path)
                record.post_office = _pick_language(
                    self._language_values(other.get("postOffice"), f"{path}.postOffice")
                )[:POST_OFFICE_MAX]
                record.latitude, record.longitude = self._coordinates(other, path)
                return
            if not isinstance(street, dict):
                continue
            path += ".streetAddress"
            name = _pick_language(self._language_values(street.get("street"), f"{path}.street"))
            number = str(street.get("streetNumber") or "").strip()
            record.street_address = f"{name} {number}".strip()
            if len(record.street_address) > STREET_MAX:
                self.problem(f"{path}.street", f"longer than {STREET_MAX} characters")
            record.postal_code = self._postal_code(street, path)
            record.post_office = _pick_language(
                self._language_values(street.get("postOffice"), f"{path}.postOffice")
            )[:POST_OFFICE_MAX]
            municipality = street.get("municipality")
            if isinstance(municipality, dict) and municipality.get("code"):
                record.municipality = self._area(
                    {"type": "Municipality", **municipality}, f"{path}.municipality"
                )
            record.latitude, record.longitude = self._coordinates(street, path)
            return

    def _postal_code(self, address: dict[str, Any], path: str) -> str:
        postal_code = str(address.get("postalCode") or "").strip()
        if postal_code and not _POSTAL_CODE.match(postal_code):
            self.problem(f"{path}.postalCode", f"not a Finnish postal code: {postal_code!r}")
            return ""
        return postal_code

    def _coordinates(
        self, street: dict[str, Any], path: str
    ) -> tuple[Decimal | None, Decimal | None]:
        raw_lat, raw_lon = street.get("latitude"), street.get("longitude")
        if raw_lat in (None, "") or raw_lon in (None, ""):
            return None, None
        try:
            lat, lon = float(raw_lat), float(raw_lon)
        except (TypeError, ValueError):
            self.problem(f"{path}.latitude", f"not a coordinate: {raw_lat!r}, {raw_lon!r}")
            return None, None
        if lat > 1000:  # ETRS-TM35FIN northing/easting in metres, as PTV gives them
            lat, lon = tm35fin_to_wgs84(lat, lon)
        if not (59.0 <= lat <= 71.0 and 19.0 <= lon <= 32.0):
            self.problem(f"{path}.latitude", f"coordinates outside Finland: {raw_lat}, {raw_lon}")
            return None, None
        quantum = Decimal("0.000001")
        return Decimal(repr(lat)).quantize(quantum), Decimal(repr(lon)).quantize(quantum)

    def _hours(self, items: Any, path: str) -> list[HoursRow]:
        rows: list[HoursRow] = []
        for index, item in enumerate(self._list(items, path)):
            item_path = f"{path}[{index}]"
            if not isinstance(item, dict):
                self.problem(item_path, "must be an object")
                continue
            kind = self._enum(
                item.get("serviceHourType"), SERVICE_HOUR_TYPES, f"{item_path}.serviceHourType"
            )
            valid_from = self._date(item.get("validFrom"), f"{item_path}.validFrom")
            valid_to = self._date(item.get("validTo"), f"{item_path}.validTo")
            is_closed = bool(item.get("isClosed"))
            description = _pick_language(
                self._language_values(
                    item.get("additionalInformation"), f"{item_path}.additionalInformation"
                )
            )[:HOURS_DESCRIPTION_MAX]
            base = {
                "kind": kind,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "is_closed": is_closed,
                "description": description,
            }
            opening = self._list(item.get("openingHour"), f"{item_path}.openingHour")
            if item.get("isAlwaysOpen"):
                rows.append(HoursRow(weekday=None, opens=time(0), closes=time(0), **base))
                continue
            if not opening:
                rows.append(HoursRow(weekday=None, opens=None, closes=None, **base))
                continue
            for slot_index, slot in enumerate(opening):
                rows.extend(
                    self._opening_hour(slot, f"{item_path}.openingHour[{slot_index}]", base)
                )
        return rows

    def _opening_hour(self, slot: Any, path: str, base: dict[str, Any]) -> list[HoursRow]:
        if not isinstance(slot, dict):
            self.problem(path, "must be an object")
            return []
        day_from = self._weekday(slot.get("dayFrom"), f"{path}.dayFrom")
        day_to = self._weekday(slot.get("dayTo"), f"{path}.dayTo")
        opens = self._time(slot.get("from"), f"{path}.from")
        closes = self._time(slot.get("to"), f"{path}.to")
        overnight = opens is not None and closes is not None and closes <= opens
        if day_from is None or day_to is None or day_to == day_from or overnight:
            return [HoursRow(weekday=day_from, opens=opens, closes=closes, **base)]
        # A span of days ("Monday to Friday, 8–16") becomes one row per day.
        days, day = [], day_from
        while True:
            days.append(day)
            if day == day_to:
                break
            day = (day + 1) % 7
        return [HoursRow(weekday=d, opens=opens, closes=closes, **base) for d in days]

    # -- shared pieces -------------------------------------------------------------------------

    def _list(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, "must be a list")
            return []
        return value

    def _uuid(self, value: Any, path: str) -> uuid.UUID | None:
        if value in (None, ""):
            self.problem(path, "missing")
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError:
            self.problem(path, f"bad UUID {value!r}")
            return None

    def _enum(self, value: Any, allowed: Mapping[str, Any], path: str) -> Any:
        if value in allowed:
            return allowed[value]
        names = ", ".join(sorted(allowed))
        self.problem(path, f"unknown value {value!r} (expected one of {names})")
        return ""

    def _source_id(self, max_length: int) -> str:
        value = self.raw.get("sourceId")
        if value in (None, ""):
            return ""
        value = str(value).strip()
        if not _SOURCE_ID.match(value):
            self.problem("sourceId", f"only letters, digits, '-' and '.' are allowed: {value!r}")
            return ""
        slug = source_id_to_slug(value)
        if not slug or len(slug) > max_length:
            self.problem("sourceId", f"cannot be a slug of 1–{max_length} characters: {value!r}")
            return ""
        return value

    def _languages(self, value: Any) -> list[str]:
        languages = []
        for index, language in enumerate(self._list(value, "languages")):
            if language in LANGUAGES:
                languages.append(language)
                continue
            if not isinstance(language, str) or not _LANGUAGE_CODE.fullmatch(language):
                self.problem(f"languages[{index}]", f"not a language code: {language!r}")
                continue
            languages.append(language)
        return languages

    def _localized(self, items: Any, path: str, types: Mapping[str, str | None]) -> list[Text]:
        texts = []
        for index, item in enumerate(self._list(items, path)):
            item_path = f"{path}[{index}]"
            if not isinstance(item, dict):
                self.problem(item_path, "must be an object")
                continue
            kind = self._enum(item.get("type"), types, f"{item_path}.type")
            text = self._text(item, item_path)
            if kind and text is not None:
                texts.append(Text(kind, text[0], text[1]))
        return texts

    def _language_items(self, items: Any, path: str, kind: str) -> list[Text]:
        texts = []
        for index, item in enumerate(self._list(items, path)):
            item_path = f"{path}[{index}]"
            if not isinstance(item, dict):
                self.problem(item_path, "must be an object")
                continue
            text = self._text(item, item_path)
            if text is not None:
                texts.append(Text(kind, text[0], text[1]))
        return texts

    def _language_values(self, items: Any, path: str) -> dict[str, str]:
        return {text.language: text.value for text in self._language_items(items, path, "")}

    def _text(self, item: Mapping[str, Any], path: str) -> tuple[str, str] | None:
        """(language, value) of a localized item; None for languages we do not keep."""
        language, value = item.get("language"), item.get("value")
        if not isinstance(language, str) or not language:
            self.problem(f"{path}.language", "missing")
            return None
        if not _LANGUAGE_CODE.fullmatch(language):
            self.problem(f"{path}.language", f"not a language code: {language!r}")
            return None
        if not isinstance(value, str):
            self.problem(f"{path}.value", "missing or not text")
            return None
        value = value.strip()
        if language not in LANGUAGES or not value:
            # PTV also has Sámi and other languages; the catalogue is in fi/sv/en.
            return None
        return language, value

    def _finnish_name(self, texts: list[Text], kind: str, path: str) -> str:
        for text in texts:
            if text.kind == kind and text.language == "fi":
                return text.value
        self.problem(path, "missing Finnish name (type Name, language fi)")
        return ""

    def _no_duplicates(self, texts: list[Text], path: str, repeatable: set[str]) -> None:
        seen: set[tuple[str, str]] = set()
        for text in texts:
            if text.kind in repeatable:
                continue
            key = (text.kind, text.language)
            if key in seen:
                self.problem(path, f"more than one {text.kind} in language {text.language}")
            seen.add(key)

    def _codes(self, items: Any, path: str, known: frozenset[str], label: str) -> list[str]:
        codes: list[str] = []
        for index, item in enumerate(self._list(items, path)):
            item_path = f"{path}[{index}]"
            if not isinstance(item, dict):
                self.problem(item_path, "must be an object")
                continue
            code = item.get("code")
            if not code and isinstance(item.get("uri"), str):
                code = item["uri"].rstrip("/").rsplit("/", 1)[-1]
            if not isinstance(code, str) or not code:
                self.problem(item_path, f"{label} without a code")
                continue
            code = code.strip()
            if code not in known:
                hint = "" if known else " (no codes loaded: run manage.py load_code_lists)"
                self.problem(item_path, f"unknown {label} code {code!r}{hint}")
                continue
            if code not in codes:
                codes.append(code)
        return codes

    def _areas(self, items: Any, path: str) -> list[AreaRef]:
        areas: list[AreaRef] = []
        for index, item in enumerate(self._list(items, path)):
            area = self._area(item, f"{path}[{index}]")
            if area is None:
                continue
            areas.append(area)
            if area.area_type == Area.Type.REGION:
                # The region's municipalities tell which region a new municipality is in.
                for m_index, municipality in enumerate(
                    self._list(item.get("municipalities"), f"{path}[{index}].municipalities")
                ):
                    if isinstance(municipality, dict):
                        self._area(
                            {"type": "Municipality", **municipality},
                            f"{path}[{index}].municipalities[{m_index}]",
                            parent=area.key,
                            collect=True,
                        )
        return areas

    def _area(
        self,
        item: Any,
        path: str,
        *,
        parent: tuple[str, str] | None = None,
        collect: bool = False,
    ) -> AreaRef | None:
        if not isinstance(item, dict):
            self.problem(path, "must be an object")
            return None
        area_type = self._enum(item.get("type"), AREA_TYPES, f"{path}.type")
        code = str(item.get("code") or "").strip()
        if not code or len(code) > 10:
            self.problem(f"{path}.code", f"missing or too long: {item.get('code')!r}")
            return None
        if not area_type:
            return None
        names = self._language_values(item.get("name"), f"{path}.name")
        area = AreaRef(area_type, code, tuple(sorted(names.items())), parent)
        if collect:
            self.parsed.region_municipalities.append(area)
        return area

    def _references(self, items: Any, path: str, key: str) -> list[uuid.UUID]:
        ids: list[uuid.UUID] = []
        for index, item in enumerate(self._list(items, path)):
            item_path = f"{path}[{index}].{key}.id"
            target = item.get(key) if isinstance(item, dict) else None
            raw_id = target.get("id") if isinstance(target, dict) else None
            ref = self._uuid(raw_id, item_path)
            if ref is not None and ref not in ids:
                ids.append(ref)
        return ids

    def _weekday(self, value: Any, path: str) -> int | None:
        if value in (None, ""):
            return None
        if value not in WEEKDAYS:
            self.problem(path, f"unknown weekday {value!r}")
            return None
        return WEEKDAYS[value]

    def _time(self, value: Any, path: str) -> time | None:
        if value in (None, ""):
            return None
        match = _TIME.match(str(value))
        if not match:
            self.problem(path, f"not a time of day (HH:MM): {value!r}")
            return None
        return time(int(match[1]), int(match[2]))

    def _date(self, value: Any, path: str) -> date | None:
        if value in (None, ""):
            return None
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.problem(path, f"not a date: {value!r}")
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(HELSINKI)
        return moment.date()


def _prefer_finnish(candidates: list[tuple[str, str, _T]]) -> tuple[str, str, _T]:
    for candidate in candidates:
        if candidate[1] == "fi":
            return candidate
    return candidates[0]


def _pick_language(values: dict[str, str]) -> str:
    for language in LANGUAGES:
        if values.get(language):
            return values[language]
    return ""
