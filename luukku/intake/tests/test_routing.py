"""The responsible organisation follows from the service and the place, in the demo region."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from luukku.catalogue.models import Service
from luukku.demo.services import load_demo_region
from luukku.intake.models import ServiceRequest
from luukku.intake.routing import distance_metres, place, responsible_organisation
from luukku.intake.tests.factories import ApiClientFactory, raw_key_of

KUOPIO = (62.8924, 27.677)
KAAVI = (62.975, 28.48)
SIILINJARVI = (63.075, 27.66)
HELSINKI = (60.1699, 24.9384)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_region():
    load_demo_region()


def owner(slug: str | None, point: tuple[float, float] | None) -> str | None:
    service = Service.objects.get(slug=slug) if slug else None
    latitude, longitude = point if point else (None, None)
    organisation = responsible_organisation(service, latitude, longitude)
    return organisation.slug if organisation else None


def test_a_street_in_a_municipality_goes_to_that_municipality(demo_region):
    assert owner("katujen-kunnossapito", KUOPIO) == "kuopion-kaupunki"
    assert owner("katujen-kunnossapito", SIILINJARVI) == "siilinjarven-kunta"


def test_a_street_in_a_municipality_the_catalogue_does_not_list_still_goes_to_it(demo_region):
    # The demo lists only the four largest towns for street maintenance; Kaavi has streets too.
    assert owner("katujen-kunnossapito", KAAVI) == "kaavin-kunta"


def test_a_state_road_goes_to_the_ely_centre_wherever_it_is(demo_region):
    assert owner("maantiet", KAAVI) == "pohjois-savon-ely-keskus"
    assert owner("maantiet", KUOPIO) == "pohjois-savon-ely-keskus"
    assert owner("maantiet", None) == "pohjois-savon-ely-keskus"


def test_a_regional_service_goes_to_the_wellbeing_services_county(demo_region):
    assert owner("hammashoito", KAAVI) == "pohjois-savon-hyvinvointialue"


def test_a_shared_service_goes_to_the_listed_town_inside_it_and_to_the_state_elsewhere(
    demo_region,
):
    assert owner("joukkoliikenne", KUOPIO) == "kuopion-kaupunki"
    assert owner("joukkoliikenne", KAAVI) == "pohjois-savon-ely-keskus"


def test_without_a_service_the_request_goes_to_triage(demo_region):
    assert owner(None, KUOPIO) is None


def test_without_a_place_a_single_responsible_organisation_answers(demo_region):
    assert owner("vesihuolto", None) == "kuopion-kaupunki"
    # Four towns run street maintenance: without a place nobody can tell which.
    assert owner("katujen-kunnossapito", None) is None


def test_a_point_outside_the_region_is_not_given_to_a_municipality(demo_region):
    assert owner("katujen-kunnossapito", HELSINKI) is None
    assert owner("vesihuolto", HELSINKI) == "kuopion-kaupunki"


def test_a_point_between_two_town_centres_goes_to_triage(demo_region):
    midpoint = (
        (KUOPIO[0] + SIILINJARVI[0]) / 2,
        (KUOPIO[1] + SIILINJARVI[1]) / 2,
    )
    assert place(*midpoint).on_boundary
    assert owner("katujen-kunnossapito", midpoint) is None


def test_decimal_coordinates_from_the_model_are_accepted(demo_region):
    service = Service.objects.get(slug="katujen-kunnossapito")
    organisation = responsible_organisation(service, Decimal("62.892400"), Decimal("27.677000"))
    assert organisation is not None
    assert organisation.slug == "kuopion-kaupunki"


@pytest.fixture
def two_towns(tmp_path, settings):
    """Two centres on one meridian, about 10 km apart: the boundary is halfway."""
    path = tmp_path / "centres.json"
    path.write_text(
        json.dumps(
            {
                "municipalities": [
                    {"code": "001", "latitude": 63.0, "longitude": 27.0},
                    {"code": "002", "latitude": 63.09, "longitude": 27.0},
                ]
            }
        ),
        encoding="utf-8",
    )
    settings.INTAKE_MUNICIPALITY_CENTRES_FILE = path
    return path


# One degree of latitude is about 111.2 km: 0.0036° ≈ 400 m, 0.0054° ≈ 600 m.
@pytest.mark.parametrize(
    ("offset_degrees", "expected_code", "on_boundary"),
    [
        (0.0, "001", True),
        (-0.0036, "001", True),  # 400 m from the halfway line: the two distances differ by 800 m
        (0.0036, "002", True),
        (-0.0054, "001", False),  # 600 m: they differ by 1,200 m, more than the 1 km margin
        (0.0054, "002", False),
    ],
)
def test_the_boundary_margin_is_one_kilometre_of_difference(
    two_towns, offset_degrees, expected_code, on_boundary
):
    halfway = 63.045
    placement = place(halfway + offset_degrees, 27.0)

    assert placement.on_boundary is on_boundary
    assert placement.is_decided is (not on_boundary)
    if not on_boundary:
        assert placement.municipality_code == expected_code


def test_the_region_radius_is_forty_kilometres(two_towns):
    # 0.35° north of the northern centre ≈ 38.9 km; 0.37° ≈ 41.1 km.
    assert place(63.09 + 0.35, 27.0).municipality_code == "002"
    assert place(63.09 + 0.37, 27.0).municipality_code is None


def test_distance_is_a_great_circle_distance():
    # Kuopio to Siilinjärvi centres: about 20.3 km.
    assert distance_metres(*KUOPIO, *SIILINJARVI) == pytest.approx(20_330, rel=0.01)


def test_an_open311_post_is_routed_by_place_like_the_form(demo_region, client):
    key = raw_key_of(ApiClientFactory.create())
    for point, expected in ((SIILINJARVI, "siilinjarven-kunta"), (KAAVI, "kaavin-kunta")):
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "katujen-kunnossapito",
                "description": "Katuvalo ei pala risteyksessä.",
                "lat": str(point[0]),
                "long": str(point[1]),
            },
        )
        assert response.status_code == 200, response.content
        request_id = response.json()[0]["service_request_id"]
        stored = ServiceRequest.objects.get(service_request_id=request_id)
        assert stored.agency_responsible is not None
        assert stored.agency_responsible.slug == expected
