"""export_ptv writes the catalogue as a PTV open API list page that import_ptv reads back."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command

from luukku.catalogue.models import Service, ServiceChannel, ServiceClass
from luukku.catalogue.ptv.coordinates import tm35fin_to_wgs84
from luukku.catalogue.ptv.exporter import export_catalogue, write_catalogue
from luukku.catalogue.ptv.importer import PtvImporter
from luukku.catalogue.tests.factories import (
    OrganisationFactory,
    ServiceChannelFactory,
    ServiceFactory,
)
from luukku.catalogue.tests.test_ptv_import import (
    LOCATION_ID,
    RAKENNUSLUPA_ID,
    catalogue_snapshot,
    import_file,
    ptv_reference_data,  # noqa: F401 - the fixture is shared with the import tests
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ptv_reference_data")]


def without_modified(document: dict) -> dict:
    return {
        **document,
        "itemList": [
            {key: value for key, value in item.items() if key != "modified"}
            for item in document["itemList"]
        ],
    }


def test_round_trip_import_export_import_gives_the_same_catalogue(tmp_path):
    for name in ("list.json", "page.json", "channel_phone.json"):
        import_file(name)
    first = catalogue_snapshot()
    exported = export_catalogue()
    path = tmp_path / "export.json"
    write_catalogue(path, exported)

    # A clean catalogue: reference data (code lists, organisations, areas) stays, as it would.
    Service.objects.all().delete()
    ServiceChannel.objects.all().delete()
    result = PtvImporter().import_file(path)

    assert (result.services_created, result.channels_created) == (3, 5)
    assert catalogue_snapshot() == first
    assert without_modified(export_catalogue()) == without_modified(exported)


def test_export_is_a_list_page_in_the_open_api_shape():
    import_file("list.json")

    document = export_catalogue()

    assert (document["pageNumber"], document["pageCount"]) == (1, 1)
    assert document["pageSize"] == len(document["itemList"]) == 5
    service = next(i for i in document["itemList"] if "serviceNames" in i)
    assert service["id"] == str(RAKENNUSLUPA_ID)
    assert service["sourceId"] == "rakennuslupa"
    assert service["type"] == "PermitOrObligation"
    assert service["serviceChargeType"] == "Chargeable"
    assert {"language": "sv", "value": "Bygglov", "type": "Name"} in service["serviceNames"]
    assert {
        "language": "fi",
        "value": "Käsittely kestää yleensä 4–8 viikkoa.",
        "type": "ProcessingTime",
    } in service["serviceDescriptions"]
    assert [c["code"] for c in service["serviceClasses"]] == ["P2.1"]
    assert service["serviceClasses"][0]["parentUri"].endswith("/ptvserclass2/code/P2")
    producer = next(o for o in service["organizations"] if o["roleType"] == "Producer")
    assert producer["provisionType"] == "SelfProducedServices"
    assert len(service["serviceChannels"]) == 4

    location = next(i for i in document["itemList"] if i.get("id") == str(LOCATION_ID))
    assert location["serviceChannelType"] == "ServiceLocation"
    street = location["addresses"][0]["streetAddress"]
    assert (street["street"][0]["value"], street["streetNumber"]) == ("Suokatu", "42")
    assert street["municipality"]["code"] == "297"
    # Coordinates go out as PTV has them: ETRS-TM35FIN metres.
    assert float(street["latitude"]) == pytest.approx(6973788.958, abs=0.2)
    latitude, longitude = tm35fin_to_wgs84(float(street["latitude"]), float(street["longitude"]))
    assert Decimal(f"{latitude:.6f}") == Decimal("62.892458")
    assert Decimal(f"{longitude:.6f}") == Decimal("27.678239")
    regular = next(h for h in location["serviceHours"] if h["serviceHourType"] == "DaysOfTheWeek")
    assert len(regular["openingHour"]) == 5
    assert {"dayFrom": "Thursday", "dayTo": None, "from": "08:00", "to": "18:00"} in regular[
        "openingHour"
    ]
    holidays = next(h for h in location["serviceHours"] if h["serviceHourType"] == "Exceptional")
    assert holidays["isClosed"] is True
    assert holidays["validFrom"] == "2026-12-24T00:00:00"


def test_a_service_of_our_own_gets_a_stable_id_and_is_matched_on_reimport(tmp_path):
    ours = ServiceFactory.create(slug="kirjasto", domain="education-and-culture")
    ours.service_classes.add(ServiceClass.objects.get(code="P25.1"))
    first = export_catalogue()
    item = first["itemList"][0]
    assert item["sourceId"] == "kirjasto"
    assert uuid.UUID(item["id"]).version == 5
    assert export_catalogue()["itemList"][0]["id"] == item["id"]
    path = tmp_path / "export.json"
    write_catalogue(path, first)

    PtvImporter().import_file(path)

    service = Service.objects.get()
    assert service.pk == ours.pk
    assert str(service.ptv_id) == item["id"]
    assert service.name("en") == "Service kirjasto"


def test_an_organisation_without_ptv_id_gets_one_id_everywhere_it_appears(tmp_path):
    producer = OrganisationFactory.create(slug="kuopion-kehitysyhtio", ptv_id=None)
    for slug in ("yritysneuvonta", "starttiraha"):
        service = ServiceFactory.create(
            slug=slug, domain="employment-and-business", producers=[producer]
        )
        service.service_classes.add(ServiceClass.objects.get(code="P11.2"))
    ServiceChannelFactory.create(slug="yritysneuvonta-puhelin", organisation=producer)

    document = export_catalogue()

    producer.refresh_from_db()
    assert producer.ptv_id is not None
    referenced = {
        role["organization"]["id"]
        for item in document["itemList"]
        for role in item.get("organizations", [])
    } | {item["organizationId"] for item in document["itemList"] if "organizationId" in item}
    assert referenced == {str(producer.ptv_id)}
    path = tmp_path / "export.json"
    write_catalogue(path, document)
    result = PtvImporter().import_file(path)
    assert result.organisations_created == []


def test_phone_numbers_go_out_as_digits_with_the_country_prefix_apart():
    organisation = OrganisationFactory.create()
    for slug, phone in (("neuvonta-puhelin", "+358 17 182 111"), ("palvelunumero", "0800 12 345")):
        ServiceChannelFactory.create(
            slug=slug,
            channel_type=ServiceChannel.Type.PHONE,
            phone=phone,
            organisation=organisation,
        )

    items = {i["sourceId"]: i for i in export_catalogue()["itemList"]}

    local = items["neuvonta-puhelin"]["phoneNumbers"][0]
    assert (local["prefixNumber"], local["number"], local["isFinnishServiceNumber"]) == (
        "+358",
        "17182111",
        False,
    )
    service_number = items["palvelunumero"]["phoneNumbers"][0]
    assert (service_number["prefixNumber"], service_number["number"]) == (None, "080012345")
    assert service_number["isFinnishServiceNumber"] is True


def test_export_command_writes_the_file(tmp_path):
    import_file("page.json")
    target = tmp_path / "catalogue.json"

    call_command("export_ptv", str(target))

    document = json.loads(target.read_text(encoding="utf-8"))
    assert sorted(i.get("sourceId") for i in document["itemList"]) == [
        "aitiys-ja-lastenneuvola",
        "te-palvelut-puhelin",
        "tyonhaku",
    ]


def test_export_command_can_take_one_service_and_its_channels(tmp_path):
    import_file("list.json")
    import_file("page.json")
    target = tmp_path / "one.json"

    call_command("export_ptv", str(target), "--service", "rakennuslupa")

    document = json.loads(target.read_text(encoding="utf-8"))
    assert len(document["itemList"]) == 5
    assert {i.get("serviceChannelType") for i in document["itemList"]} == {
        None,
        "EChannel",
        "WebPage",
        "PrintableForm",
        "ServiceLocation",
    }
