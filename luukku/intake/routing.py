"""Who answers a request: the responsible organisation follows from the service and the place.

The rules, in order (`responsible_organisation`):

1. No service ("I don't know"): nobody yet; the request goes to triage (None).
2. A service organised by the state or the region alone (for example `maantiet`, the state roads,
   organised by the ELY centre; health services, by the wellbeing services county): its
   responsible organisation, wherever the place is. Which road is a state road is decided by the
   service the customer picks, "Maantiet" or "Katujen kunnossapito": Luukku keeps no road
   network to tell them apart by the point.
3. A service organised by municipalities alone (every responsible organisation is a
   municipality, for example `katujen-kunnossapito`, street maintenance): the municipality that
   contains the point answers, even when the catalogue lists only some municipalities as
   responsible (the demo lists the four largest for services every municipality runs).
   A service shared by municipalities and the state or region (for example `joukkoliikenne`:
   Kuopio's own transport and the ELY centre for the rest): a listed municipality answers for
   a point inside it, and the first non-municipal responsible organisation answers elsewhere.
   Without a point, or with a point outside the region or near a municipal boundary (rule 4),
   the service's single responsible organisation answers when there is exactly one; otherwise
   the request goes to triage.
4. Near a boundary. Municipal areas are approximated by their centre points (the nearest centre
   wins: areas without PostGIS or boundary polygons). That approximation is least reliable where
   two municipalities meet, so a point whose two nearest centres are within
   `BOUNDARY_MARGIN_METRES` (1 km) of the same distance is "on the boundary" and is NOT routed
   by the centres: it goes to triage, where a person reads the address. Routing a street
   complaint to the wrong town is the bouncing the one-stop shop exists to stop.
5. A point further than `REGION_RADIUS_METRES` (40 km) from every centre is outside the region:
   it is not given to any municipality.

Centre points come from a JSON file (`INTAKE_MUNICIPALITY_CENTRES_FILE`, by default the demo
region's `areas.json`: `{"municipalities": [{"code", "latitude", "longitude"}, ...]}`), because
the areas table has no coordinates yet.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.organisations.models import Organisation

from . import reference

BOUNDARY_MARGIN_METRES = 1_000.0
REGION_RADIUS_METRES = 40_000.0
EARTH_RADIUS_METRES = 6_371_000.0
DEFAULT_CENTRES_FILE = Path(__file__).resolve().parent.parent / "demo" / "data" / "areas.json"


@dataclass(frozen=True)
class MunicipalityCentre:
    code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Placement:
    """Where a point falls: the municipality (Statistics Finland code) and how sure that is."""

    municipality_code: str | None
    distance_metres: float | None
    on_boundary: bool = False

    @property
    def is_decided(self) -> bool:
        return self.municipality_code is not None and not self.on_boundary


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance: accurate to well under 1 % at Finland's latitudes."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def centres_file() -> Path:
    return Path(getattr(settings, "INTAKE_MUNICIPALITY_CENTRES_FILE", DEFAULT_CENTRES_FILE))


@lru_cache(maxsize=4)
def _load_centres(path: Path) -> tuple[MunicipalityCentre, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        MunicipalityCentre(
            code=str(row["code"]),
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
        )
        for row in data["municipalities"]
        if row.get("latitude") is not None and row.get("longitude") is not None
    )


def municipality_centres() -> tuple[MunicipalityCentre, ...]:
    return _load_centres(centres_file())


def place(latitude: float, longitude: float) -> Placement:
    """The municipality whose centre is nearest, unless the point is outside or on a boundary."""
    ranked = sorted(
        (distance_metres(latitude, longitude, centre.latitude, centre.longitude), centre.code)
        for centre in municipality_centres()
    )
    if not ranked or ranked[0][0] > REGION_RADIUS_METRES:
        return Placement(municipality_code=None, distance_metres=ranked[0][0] if ranked else None)
    nearest_distance, nearest_code = ranked[0]
    on_boundary = len(ranked) > 1 and ranked[1][0] - nearest_distance <= BOUNDARY_MARGIN_METRES
    return Placement(
        municipality_code=nearest_code, distance_metres=nearest_distance, on_boundary=on_boundary
    )


def responsible_organisation(
    service: Service | None,
    latitude: float | Decimal | None,
    longitude: float | Decimal | None,
) -> Organisation | None:
    """The organisation that owns a request for `service` at the point; None means triage.

    The rules and why are in the module docstring.
    """
    if service is None:
        return None
    responsible = [
        role.organisation
        for role in service_roles(service)
        if role.role == ServiceOrganisation.Role.RESPONSIBLE
    ]
    single = responsible[0] if len(responsible) == 1 else None
    municipal = [organisation for organisation in responsible if _is_municipal(organisation)]
    others = [organisation for organisation in responsible if not _is_municipal(organisation)]
    if not municipal:
        # Organised by the state or the region (or nobody listed): the place does not matter.
        return responsible[0] if responsible else None
    if latitude is None or longitude is None:
        return single
    placement = place(float(latitude), float(longitude))
    if not placement.is_decided:
        return single
    listed = _listed_municipality(placement.municipality_code, municipal)
    if listed is not None:
        return listed
    if others:
        return others[0]
    return _municipality_organisation(placement.municipality_code) or single


def _is_municipal(organisation: Organisation) -> bool:
    return organisation.organisation_type == Organisation.Type.MUNICIPALITY


def _listed_municipality(code: str | None, municipal: list[Organisation]) -> Organisation | None:
    for organisation in municipal:
        if _municipality_code(organisation) == code:
            return organisation
    return None


def _municipality_organisation(code: str | None) -> Organisation | None:
    """The municipality's own top-level organisation (not one of its units)."""
    if code is None:
        return None
    return reference.current().municipalities.get(code)


def service_roles(service: Service) -> list[ServiceOrganisation]:
    """The service's responsible and producing organisations, in catalogue order."""
    return reference.knowing(service_ids=[service.pk]).roles.get(service.pk, [])


def _municipality_code(organisation: Organisation) -> str | None:
    municipality = organisation.municipality
    return municipality.code if municipality is not None else None
