"""The alliance view: where several producers offer the same kind of service in the same place.

The alliance model asks the municipality, the region and the state not to produce duplicate
services. This selector finds the candidates: for each service class and municipality, the
producers whose services cover that municipality, when there are at least two of them.

A service covers a municipality when it is nationwide (PTV `Nationwide` or
`NationwideExceptAlandIslands`: Pohjois-Savo is not on Åland), or when it is limited to areas
that include the municipality (the municipality itself, or the region it belongs to). A
municipal producer counts only in its own municipality (`Organisation.municipality`), so that
four towns' building control under one "building permit" service are not taken for duplicates;
a joint municipal authority is therefore counted in its home municipality only.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luukku.areas.models import Area
from luukku.organisations.models import Organisation

from .models import Service, ServiceClass, ServiceOrganisation

NATIONWIDE_AREA_TYPES = (Service.AreaType.NATIONWIDE, Service.AreaType.NATIONWIDE_EXCEPT_ALAND)


class ProducerLevel(models.TextChoices):
    """The administrative level of a producer, in the order the view lists them."""

    STATE = "state", gettext_lazy("state")
    REGION = "region", gettext_lazy("region")
    MUNICIPALITY = "municipality", gettext_lazy("municipality")
    COMPANY = "company", gettext_lazy("company")
    OTHER = "other", gettext_lazy("other")


_LEVEL_BY_ORGANISATION_TYPE: dict[str, ProducerLevel] = {
    Organisation.Type.STATE: ProducerLevel.STATE,
    Organisation.Type.REGION: ProducerLevel.REGION,
    Organisation.Type.REGIONAL_ORGANISATION: ProducerLevel.REGION,
    Organisation.Type.SOTE_PUBLIC: ProducerLevel.REGION,
    Organisation.Type.MUNICIPALITY: ProducerLevel.MUNICIPALITY,
    Organisation.Type.COMPANY: ProducerLevel.COMPANY,
    Organisation.Type.SOTE_PRIVATE: ProducerLevel.COMPANY,
    Organisation.Type.ORGANISATION: ProducerLevel.OTHER,
}
_LEVEL_ORDER = {level: index for index, level in enumerate(ProducerLevel)}


def producer_level(organisation: Organisation) -> ProducerLevel:
    """State, region, municipality, company or other, from the PTV organisation type.

    Public social and health care producers are the wellbeing services county's (region's);
    private ones are companies.
    """
    return _LEVEL_BY_ORGANISATION_TYPE.get(organisation.organisation_type, ProducerLevel.OTHER)


@dataclass(frozen=True)
class AllianceEntry:
    """One producer's service in a group."""

    organisation: Organisation
    level: ProducerLevel
    service: Service
    provision_type: str
    # The top of the organisation's unit tree: two units of one organisation are one producer.
    root_organisation_id: int

    @property
    def provision_label(self) -> str:
        if not self.provision_type:
            return ""
        return str(ServiceOrganisation.ProvisionType(self.provision_type).label)


@dataclass(frozen=True)
class AllianceGroup:
    """A service class in a municipality with two or more producers."""

    service_class: ServiceClass
    municipality: Area
    entries: list[AllianceEntry]

    @property
    def producer_count(self) -> int:
        """Distinct producers, counting the units of one organisation as that organisation."""
        return len({entry.root_organisation_id for entry in self.entries})


def alliance_groups(
    *, service_class: ServiceClass | None = None, municipality: Area | None = None
) -> list[AllianceGroup]:
    """Every (service class, municipality) with at least two distinct producer organisations.

    Units of one organisation (the wellbeing services county's elderly care and disability
    services, say) count as one producer: the alliance is about overlaps between organisations.

    Groups are ordered by service class code and municipality name; entries inside a group by
    level (state first) and organisation name. Runs a fixed number of queries whatever the size
    of the catalogue.
    """
    municipalities = _municipalities(municipality)
    by_region: dict[int, list[Area]] = defaultdict(list)
    for area in municipalities:
        if area.parent_id is not None:
            by_region[area.parent_id].append(area)

    cells: dict[tuple[int, int], list[AllianceEntry]] = defaultdict(list)
    classes: dict[int, ServiceClass] = {}
    places = {area.pk: area for area in municipalities}
    roots = _root_organisations()
    for service in _producing_services(service_class, municipality):
        covered = _covered_municipalities(service, municipalities, by_region)
        if not covered:
            continue
        entries = [
            AllianceEntry(
                organisation=role.organisation,
                level=producer_level(role.organisation),
                service=service,
                provision_type=role.provision_type,
                root_organisation_id=roots.get(role.organisation_id, role.organisation_id),
            )
            for role in service.producer_roles  # type: ignore[attr-defined]
        ]
        for klass in service.service_classes.all():
            if service_class is not None and klass.pk != service_class.pk:
                continue
            classes[klass.pk] = klass
            for area in covered:
                cells[(klass.pk, area.pk)].extend(
                    entry for entry in entries if _produces_in(entry, area)
                )

    groups = [
        AllianceGroup(
            service_class=classes[class_id],
            municipality=places[area_id],
            entries=sorted(entries, key=_entry_order),
        )
        for (class_id, area_id), entries in cells.items()
        if len({entry.root_organisation_id for entry in entries}) >= 2
    ]
    groups.sort(key=lambda g: (_natural_key(g.service_class.code), g.municipality.name_fi))
    return groups


def service_classes_with_producers() -> QuerySet[ServiceClass]:
    """The service classes worth offering in the filter: those with a produced service."""
    return (
        ServiceClass.objects.filter(services__roles__role=ServiceOrganisation.Role.PRODUCER)
        .distinct()
        .order_by("code")
    )


def municipalities() -> QuerySet[Area]:
    return Area.objects.filter(area_type=Area.Type.MUNICIPALITY).order_by("name_fi")


CSV_DELIMITER = ";"  # Finnish Excel reads ';' as the column separator (the comma is decimal)
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def alliance_csv(groups: Iterable[AllianceGroup], language: str) -> str:
    """The groups as CSV for Finnish Excel: UTF-8 with a byte order mark, ';' separated.

    Without the BOM Excel reads the file as Windows-1252 and mangles ä and ö. Cells that Excel
    would run as a formula are prefixed with an apostrophe (CSV injection).
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(
        [
            _("Service class code"),
            _("Service class"),
            _("Municipality code"),
            _("Municipality"),
            _("Producer"),
            _("Business ID"),
            _("Level"),
            _("Organisation type"),
            _("Service identifier"),
            _("Service"),
            _("Provision type"),
        ]
    )
    for group in groups:
        for entry in group.entries:
            organisation = entry.organisation
            writer.writerow(
                _safe_cell(value)
                for value in (
                    group.service_class.code,
                    group.service_class.label(language),
                    group.municipality.code,
                    group.municipality.name(language),
                    organisation.name(language),
                    organisation.business_id,
                    str(entry.level.label),
                    organisation.get_organisation_type_display(),
                    entry.service.slug,
                    entry.service.name(language),
                    entry.provision_label,
                )
            )
    return buffer.getvalue()


def _root_organisations() -> dict[int, int]:
    """Organisation id → the id of the top of its unit tree, from one query."""
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    roots: dict[int, int] = {}
    for pk in parents:
        node, seen = pk, {pk}
        while parents.get(node) is not None and parents[node] not in seen:
            node = parents[node]
            seen.add(node)
        roots[pk] = node
    return roots


def _municipalities(only: Area | None) -> list[Area]:
    if only is not None:
        return [only]
    return list(municipalities())


def _producing_services(
    service_class: ServiceClass | None, municipality: Area | None
) -> QuerySet[Service]:
    producer_roles = ServiceOrganisation.objects.filter(
        role=ServiceOrganisation.Role.PRODUCER
    ).select_related("organisation")
    services = Service.objects.filter(roles__role=ServiceOrganisation.Role.PRODUCER)
    if service_class is not None:
        services = services.filter(service_classes=service_class)
    if municipality is not None:
        covering = Q(area_type__in=NATIONWIDE_AREA_TYPES) | Q(areas=municipality)
        if municipality.parent_id is not None:
            covering |= Q(areas=municipality.parent_id)
        services = services.filter(covering)
    return (
        Service.objects.filter(pk__in=services.values("pk"))
        .prefetch_related(
            "texts",
            "service_classes",
            "areas",
            Prefetch("roles", queryset=producer_roles, to_attr="producer_roles"),
        )
        .order_by("slug")
    )


def _covered_municipalities(
    service: Service, municipalities: list[Area], by_region: dict[int, list[Area]]
) -> list[Area]:
    if service.area_type in NATIONWIDE_AREA_TYPES:
        return municipalities
    wanted = {area.pk for area in municipalities}
    covered: dict[int, Area] = {}
    for area in service.areas.all():
        if area.pk in wanted:
            covered[area.pk] = area
        for child in by_region.get(area.pk, []):
            covered[child.pk] = child
    return [area for area in municipalities if area.pk in covered]


def _produces_in(entry: AllianceEntry, area: Area) -> bool:
    """A municipality (or its unit) produces for its own residents only.

    One catalogue entry such as "building permit" is often produced by each municipality's own
    building control; they do not duplicate each other. Other producers (state, region,
    companies, associations) count wherever the service is offered.
    """
    home = entry.organisation.municipality_id
    return entry.level != ProducerLevel.MUNICIPALITY or home is None or home == area.pk


def _entry_order(entry: AllianceEntry) -> tuple[int, str, str]:
    return (_LEVEL_ORDER[entry.level], entry.organisation.name_fi, entry.service.slug)


def _natural_key(code: str) -> list[int | str]:
    """P2 before P10, P10.1 before P10.2."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def _safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value
