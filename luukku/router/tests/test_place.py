"""Place decides between producers of the same service."""

from __future__ import annotations

import pytest

from luukku.areas.models import Area
from luukku.catalogue.tests.factories import AreaFactory, OrganisationFactory
from luukku.organisations.models import Organisation
from luukku.router import services

from .conftest import train_and_activate
from .factories import add_responsible, create_small_catalogue

pytestmark = pytest.mark.django_db


def _municipality(code: str, name: str) -> tuple[Area, Organisation]:
    area = AreaFactory.create(code=code, name_fi=name, name_sv=name, name_en=name)
    organisation = OrganisationFactory.create(
        slug=f"{name.lower()}-kunta",
        organisation_type=Organisation.Type.MUNICIPALITY,
        municipality=area,
        name_fi=f"{name}n kaupunki",
    )
    return area, organisation


@pytest.fixture
def region() -> dict[str, object]:
    kuopio, kuopio_city = _municipality("297", "Kuopio")
    iisalmi, iisalmi_city = _municipality("140", "Iisalmi")
    rautavaara, rautavaara_municipality = _municipality("686", "Rautavaara")
    kuopio_daycare = OrganisationFactory.create(
        slug="kuopio-varhaiskasvatus", parent=kuopio_city, municipality=kuopio
    )
    iisalmi_daycare = OrganisationFactory.create(
        slug="iisalmi-varhaiskasvatus", parent=iisalmi_city, municipality=iisalmi
    )
    private_daycare = OrganisationFactory.create(
        slug="paivakoti-satumetsa", organisation_type=Organisation.Type.COMPANY, municipality=kuopio
    )
    county = OrganisationFactory.create(
        slug="hyvinvointialue", organisation_type=Organisation.Type.REGION, municipality=kuopio
    )
    dental_unit = OrganisationFactory.create(
        slug="suun-terveydenhuolto", parent=county, organisation_type=Organisation.Type.REGION
    )
    dental_clinic = OrganisationFactory.create(
        slug="hammasklinikka", organisation_type=Organisation.Type.COMPANY, municipality=kuopio
    )
    catalogue = create_small_catalogue(
        producers={
            # The private daycare is listed first: the municipality's own unit still wins.
            "varhaiskasvatus": [private_daycare, kuopio_daycare, iisalmi_daycare],
            "hammashoito": [dental_clinic, dental_unit],
        }
    )
    add_responsible(catalogue["varhaiskasvatus"], kuopio_city, iisalmi_city)
    add_responsible(catalogue["hammashoito"], county)
    add_responsible(catalogue["kirjasto"], kuopio_city)
    train_and_activate()
    return {
        "kuopio": kuopio,
        "kuopio_daycare": kuopio_daycare,
        "iisalmi_daycare": iisalmi_daycare,
        "rautavaara_municipality": rautavaara_municipality,
        "dental_unit": dental_unit,
        "county": county,
        "catalogue": catalogue,
    }


def _producer(text: str, municipality: Area | str | None) -> Organisation | None:
    suggestion = services.suggest(text, municipality=municipality)[0]
    return suggestion.organisation


def test_the_municipalitys_own_unit_produces_a_municipal_service(region: dict) -> None:
    message = "päivähoitopaikka lapselle"
    assert _producer(message, region["kuopio"]) == region["kuopio_daycare"]
    assert _producer(message, "297") == region["kuopio_daycare"]
    assert _producer(message, "Iisalmi") == region["iisalmi_daycare"]
    assert _producer(message, "iisalmi") == region["iisalmi_daycare"]


def test_a_regional_producer_serves_every_municipality(region: dict) -> None:
    assert _producer("hammassärky", "Iisalmi") == region["dental_unit"]
    assert _producer("hammassärky", "Kuopio") == region["dental_unit"]


def test_without_a_producer_there_the_responsible_organisation_by_place(region: dict) -> None:
    # Rautavaara is not listed for daycare: as in intake routing, its own municipality answers.
    assert _producer("päivähoitopaikka", "Rautavaara") == region["rautavaara_municipality"]


def test_without_a_place_the_single_responsible_organisation_or_none(region: dict) -> None:
    assert _producer("hammassärky", None) == region["county"]
    # Daycare is organised by two municipalities: without a place nobody can be named.
    assert _producer("päivähoitopaikka", None) is None


def test_an_unknown_municipality_is_no_place_for_callers_and_an_error_for_the_api(
    region: dict,
) -> None:
    assert _producer("päivähoitopaikka", "Atlantis") is None  # as without a place
    assert _producer("hammassärky", "Atlantis") == region["county"]
    with pytest.raises(services.RouterError, match="Unknown municipality"):
        services.suggest_or_raise("päivähoitopaikka", municipality="Atlantis")


def test_suggestions_cost_no_queries_once_loaded(
    region: dict, django_assert_num_queries: object
) -> None:
    services.suggest("päivähoitopaikka", municipality="297")
    with django_assert_num_queries(0):  # type: ignore[operator]
        services.suggest("hammassärky", municipality="Iisalmi")
        services.suggest("Jag behöver bygglov", language="sv", municipality=region["kuopio"])
