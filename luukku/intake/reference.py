"""A per-process copy of the catalogue data every Open311 answer and submission names, and
of the API clients whose keys every submission checks.

A region has tens of services and a few hundred organisations; every GET names some of them and
every POST checks its service, its questions (attributes) and who is responsible for it. Reading
them per request cost more than the request's own query, so each app server keeps them here.

Freshness: a process forgets its copy when it saves one of these models itself (apps.py
connects the receivers), and re-reads it after `OPEN311_REFERENCE_TTL` seconds in any case, so
a change made in another process (the admin, an import) reaches every server within that time.
A request naming a service or organisation the copy does not know re-reads it at once. So
does a key the copy does not know (one query for that key, not a re-read of everything: a
client guessing keys must not make the server reload its copy), while a key deactivated in
another process still works there for at most the TTL: the admin says so.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from luukku.catalogue.models import Service, ServiceOrganisation, ServiceText
from luukku.organisations.models import Organisation

from .models import ApiClient, ServiceAttribute

# The attribute of a cached Service that holds its names by language.
NAME_TEXTS = "prefetched_name_texts"


@dataclass(frozen=True)
class Reference:
    services: dict[int, Service]
    services_by_slug: dict[str, Service]
    attributes: dict[int, list[ServiceAttribute]]  # by service id, in their order
    roles: dict[int, list[ServiceOrganisation]]  # by service id, with their organisations
    organisations: dict[int, Organisation]  # with their municipality
    municipalities: dict[str, Organisation]  # a municipality's own top-level organisation
    api_clients: dict[str, ApiClient]  # the active ones, by the hash of their key
    loaded_at: float


_current: Reference | None = None


def forget(**_: object) -> None:
    """Drop this process's copy (a receiver of the models' save and delete signals)."""
    global _current  # noqa: PLW0603
    _current = None


def current() -> Reference:
    global _current  # noqa: PLW0603
    now = time.monotonic()
    copy = _current
    if copy is None or now - copy.loaded_at >= settings.OPEN311_REFERENCE_TTL:
        copy = _current = _load(now)
    return copy


def knowing(
    *,
    service_ids: Iterable[int | None] = (),
    organisation_ids: Iterable[int | None] = (),
    slugs: Iterable[str] = (),
) -> Reference:
    """The copy, re-read once when it lacks one of these (created after it was read)."""
    copy = current()
    if (
        any(i is not None and i not in copy.services for i in service_ids)
        or any(i is not None and i not in copy.organisations for i in organisation_ids)
        or any(slug not in copy.services_by_slug for slug in slugs)
    ):
        copy = refreshed()
    return copy


def refreshed() -> Reference:
    """A fresh copy: for a request that names something created after the copy was read."""
    forget()
    return current()


def _load(now: float) -> Reference:
    services = Service.objects.in_bulk()
    names: dict[int, dict[str, str]] = {service_id: {} for service_id in services}
    name_rows = ServiceText.objects.filter(kind=ServiceText.Kind.NAME).values_list(
        "service_id", "language", "value"
    )
    for service_id, language, value in name_rows:
        names[service_id][language] = value
    for service_id, service in services.items():
        setattr(service, NAME_TEXTS, names[service_id])
    organisations = Organisation.objects.select_related("municipality").in_bulk()
    attributes: dict[int, list[ServiceAttribute]] = {service_id: [] for service_id in services}
    for attribute in ServiceAttribute.objects.order_by("order", "code"):
        attributes[attribute.service_id].append(attribute)
    roles: dict[int, list[ServiceOrganisation]] = {service_id: [] for service_id in services}
    for role in ServiceOrganisation.objects.order_by("id"):
        role.organisation = organisations[role.organisation_id]
        roles[role.service_id].append(role)
    municipalities: dict[str, Organisation] = {}
    for organisation in sorted(organisations.values(), key=lambda o: o.pk):
        area = organisation.municipality
        if (
            organisation.organisation_type == Organisation.Type.MUNICIPALITY
            and organisation.parent_id is None
            and area is not None
            and area.area_type == area.Type.MUNICIPALITY
        ):
            municipalities.setdefault(area.code, organisation)
    api_clients = {client.key_hash: client for client in ApiClient.objects.filter(is_active=True)}
    return Reference(
        services=services,
        services_by_slug={service.slug: service for service in services.values()},
        attributes=attributes,
        roles=roles,
        organisations=organisations,
        municipalities=municipalities,
        api_clients=api_clients,
        loaded_at=now,
    )
