"""import_ptv reads PTV open API (V11) JSON as the API returns it, all or nothing, idempotently.

The files under data/ptv/ are written by hand to the real V11 shape (PTV's open API view models).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from luukku.areas.models import Area
from luukku.catalogue.codelists import load_code_lists
from luukku.catalogue.models import (
    ChannelText,
    Service,
    ServiceChannel,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
)
from luukku.catalogue.ptv.exporter import export_catalogue
from luukku.catalogue.ptv.importer import PtvImporter, PtvImportError
from luukku.catalogue.tests.factories import AreaFactory, OrganisationFactory, ServiceFactory
from luukku.organisations.models import Organisation

DATA = Path(__file__).parent / "data" / "ptv"
KUOPIO_ID = uuid.UUID("c394768f-c3de-498b-8a56-af3c841b4299")
ELY_ID = uuid.UUID("9649941c-f770-46fd-a241-b20984ae370a")
UNKNOWN_ORG_ID = uuid.UUID("da3241f3-b6d1-4f0a-95a4-4ac89be29341")
RAKENNUSLUPA_ID = uuid.UUID("6e7fb30b-ad15-43ab-908f-efe4b0013261")
LOCATION_ID = uuid.UUID("40fe3555-2eae-4617-b853-4ebaaae00775")

pytestmark = pytest.mark.django_db


@pytest.fixture
def ptv_reference_data() -> dict[str, Any]:
    """Code lists and the two organisations the recorded files refer to, as they would be."""
    load_code_lists()
    kuopio_area = AreaFactory(code="297", name_fi="Kuopio", name_sv="Kuopio", name_en="Kuopio")
    return {
        "kuopio": OrganisationFactory(
            slug="kuopion-kaupunki",
            name_fi="Kuopion kaupunki",
            ptv_id=KUOPIO_ID,
            municipality=kuopio_area,
        ),
        "ely": OrganisationFactory(
            slug="pohjois-savon-ely-keskus",
            name_fi="Pohjois-Savon ELY-keskus",
            organisation_type=Organisation.Type.STATE,
            ptv_id=ELY_ID,
        ),
    }


def import_file(name: str, **options: Any) -> Any:
    return PtvImporter(**options).import_file(DATA / name)


def catalogue_snapshot() -> dict[str, Any]:
    """Everything the importer writes, keyed by PTV ids, without local keys or timestamps."""
    services = {}
    for service in Service.objects.prefetch_related(
        "texts",
        "service_classes",
        "target_groups",
        "life_events",
        "areas",
        "channels",
        "roles__organisation",
    ):
        services[str(service.ptv_id)] = {
            "slug": service.slug,
            "fields": (
                service.source,
                service.service_type,
                service.charge_type,
                service.area_type,
                service.domain,
                tuple(service.languages),
            ),
            "texts": sorted((t.kind, t.language, t.value) for t in service.texts.all()),
            "classes": sorted(c.code for c in service.service_classes.all()),
            "groups": sorted(c.code for c in service.target_groups.all()),
            "events": sorted(c.code for c in service.life_events.all()),
            "areas": sorted((a.area_type, a.code) for a in service.areas.all()),
            "channels": sorted(str(c.ptv_id) for c in service.channels.all()),
            "roles": sorted(
                (str(r.organisation.ptv_id), r.role, r.provision_type) for r in service.roles.all()
            ),
        }
    channels = {}
    for channel in ServiceChannel.objects.select_related(
        "organisation", "municipality"
    ).prefetch_related("texts", "hours", "areas"):
        channels[str(channel.ptv_id)] = {
            "slug": channel.slug,
            "fields": (
                channel.channel_type,
                str(channel.organisation.ptv_id),
                channel.url,
                channel.phone,
                channel.phone_charge,
                channel.email,
                channel.street_address,
                channel.postal_code,
                channel.post_office,
                channel.municipality.code if channel.municipality else None,
                channel.latitude,
                channel.longitude,
                tuple(channel.languages),
            ),
            "texts": sorted((t.kind, t.language, t.value) for t in channel.texts.all()),
            "hours": sorted(
                (
                    h.kind,
                    str(h.valid_from),
                    str(h.valid_to),
                    -1 if h.weekday is None else h.weekday,
                    str(h.opens),
                    str(h.closes),
                    h.is_closed,
                    h.description,
                )
                for h in channel.hours.all()
            ),
            "areas": sorted((a.area_type, a.code) for a in channel.areas.all()),
        }
    return {"services": services, "channels": channels}


def texts_of(owner: Service | ServiceChannel, kind: str) -> dict[str, str]:
    return {t.language: t.value for t in owner.texts.all() if t.kind == kind}


# -- single records ------------------------------------------------------------------------------


def test_single_service_is_imported_with_texts_codes_area_and_organisations(ptv_reference_data):
    result = import_file("service.json")

    service = Service.objects.get(ptv_id=RAKENNUSLUPA_ID)
    assert service.slug == "rakennuslupa"  # from sourceId
    assert service.source == "ptv"
    assert service.service_type == Service.Type.PERMISSION_AND_OBLIGATION
    assert service.charge_type == Service.ChargeType.CHARGED
    assert service.area_type == Service.AreaType.LIMITED
    assert service.domain == "built-environment"  # from service class P2.1
    assert service.languages == ["fi", "sv", "en"]
    assert texts_of(service, ServiceText.Kind.NAME) == {
        "fi": "Rakennuslupa",
        "sv": "Bygglov",
        "en": "Building permit",
    }
    assert texts_of(service, ServiceText.Kind.ALTERNATIVE_NAME) == {"fi": "Rakentamislupa"}
    assert service.summary("sv").startswith("Bygglov behövs")
    assert "Lupapiste.fi" in service.description("fi")
    assert texts_of(service, ServiceText.Kind.PROCESSING_TIME) == {
        "fi": "Käsittely kestää yleensä 4–8 viikkoa."
    }
    assert texts_of(service, ServiceText.Kind.CONDITIONS)["fi"].startswith("Lupamaksu")
    assert texts_of(service, ServiceText.Kind.REQUIREMENTS)["fi"].startswith("Hakijan")
    assert sorted(service.keywords("fi")) == ["rakennusvalvonta", "talon rakentaminen"]
    assert service.keywords("sv") == ["bygglov"]
    assert [c.code for c in service.service_classes.all()] == ["P2.1"]
    assert sorted(c.code for c in service.target_groups.all()) == ["KR1", "KR2"]
    assert [c.code for c in service.life_events.all()] == ["KE6"]
    assert [a.code for a in service.areas.all()] == ["297"]
    roles = {(r.organisation.slug, r.role, r.provision_type) for r in service.roles.all()}
    assert roles == {
        ("kuopion-kaupunki", ServiceOrganisation.Role.RESPONSIBLE, ""),
        (
            "kuopion-kaupunki",
            ServiceOrganisation.Role.PRODUCER,
            ServiceOrganisation.ProvisionType.SELF_PRODUCED,
        ),
    }
    # Its four channels are not in this file nor in the catalogue yet.
    assert result.skipped_links == 4
    assert result.services_created == 1


@pytest.mark.parametrize(
    ("file_name", "channel_type", "expected"),
    [
        ("channel_echannel.json", ServiceChannel.Type.E_CHANNEL,
         {"url": "https://www.lupapiste.fi", "email": "tuki@lupapiste.fi",
          "phone": "+358 401234567", "phone_charge": "Puhelun hinta: pvm/mpm"}),
        ("channel_webpage.json", ServiceChannel.Type.WEB_PAGE,
         {"url": "https://www.kuopio.fi/rakennusvalvonta", "phone": "", "email": ""}),
        ("channel_printable_form.json", ServiceChannel.Type.PRINTABLE_FORM,
         {"url": "https://www.kuopio.fi/documents/rakennuslupahakemus.pdf",
          "email": "rakennusvalvonta@kuopio.fi",
          "slug": "rakennuslupahakemus-tulostettava-lomake"}),
        ("channel_phone.json", ServiceChannel.Type.PHONE,
         {"phone": "+358 295025500", "phone_charge": "Puhelun hinta: pvm/mpm",
          "slug": "te-palvelut-puhelin"}),
        ("channel_service_location.json", ServiceChannel.Type.SERVICE_LOCATION,
         {"street_address": "Suokatu 42", "postal_code": "70110", "post_office": "KUOPIO",
          "phone": "+358 17182111", "email": "rakennusvalvonta@kuopio.fi",
          "url": "https://www.kuopio.fi/rakennusvalvonta"}),
    ],
)  # fmt: skip
def test_single_channel_of_each_type(ptv_reference_data, file_name, channel_type, expected):
    raw = json.loads((DATA / file_name).read_text(encoding="utf-8"))

    import_file(file_name)

    channel = ServiceChannel.objects.get(ptv_id=raw["id"])
    assert channel.channel_type == channel_type
    assert channel.organisation.ptv_id == uuid.UUID(raw["organizationId"])
    names = texts_of(channel, ChannelText.Kind.NAME)
    assert names["fi"] == next(
        n["value"] for n in raw["serviceChannelNames"] if n["language"] == "fi"
    )
    assert texts_of(channel, ChannelText.Kind.SUMMARY)["fi"]
    for field_name, value in expected.items():
        assert getattr(channel, field_name) == value, field_name
    assert [a.code for a in channel.areas.all()] == ["297"]


def test_service_location_keeps_address_coordinates_and_opening_hours(ptv_reference_data):
    import_file("channel_service_location.json")

    channel = ServiceChannel.objects.get(ptv_id=LOCATION_ID)
    assert channel.municipality == Area.objects.get(code="297")
    # PTV gives ETRS-TM35FIN metres; we keep WGS84 degrees (Kuopio market square).
    assert channel.latitude == Decimal("62.892458")
    assert channel.longitude == Decimal("27.678239")
    assert texts_of(channel, ChannelText.Kind.ALTERNATIVE_NAME) == {
        "fi": "Kaupungintalo, rakennusvalvonta"
    }
    regular = channel.hours.filter(kind=ServiceHours.Kind.STANDARD).order_by("weekday")
    assert [(h.weekday, h.opens, h.closes) for h in regular] == [
        (0, time(8), time(15, 45)),
        (1, time(8), time(15, 45)),
        (2, time(8), time(15, 45)),
        (3, time(8), time(18)),
        (4, time(8), time(14)),
    ]
    assert {h.valid_from for h in regular} == {date(2026, 1, 1)}
    assert {h.description for h in regular} == {"Torstaisin ilta-aukiolo"}
    holidays = channel.hours.get(kind=ServiceHours.Kind.EXCEPTION)
    assert (holidays.valid_from, holidays.valid_to) == (date(2026, 12, 24), date(2026, 12, 26))
    assert holidays.is_closed
    assert holidays.description == "Joulunpyhät"


def test_a_place_without_street_address_keeps_its_point(ptv_reference_data):
    record = json.loads((DATA / "channel_service_location.json").read_text(encoding="utf-8"))
    record["addresses"] = [{
        "type": "Location", "subType": "Other", "streetAddress": None,
        "otherAddress": {"latitude": "6973788.958", "longitude": "534480.384",
                         "postalCode": "70100", "postOffice": [], "additionalInformation": []},
        "locationAbroad": [], "entrances": [], "country": "FI",
    }]  # fmt: skip

    PtvImporter().import_document(record)

    channel = ServiceChannel.objects.get(ptv_id=LOCATION_ID)
    assert (channel.street_address, channel.postal_code) == ("", "70100")
    assert (channel.latitude, channel.longitude) == (Decimal("62.892458"), Decimal("27.678239"))
    exported = export_catalogue()["itemList"][0]["addresses"][0]
    assert exported["subType"] == "Other"
    assert exported["otherAddress"]["latitude"] == "6973788.958"


def test_bad_postal_code_and_coordinates_are_problems(ptv_reference_data):
    record = json.loads((DATA / "channel_service_location.json").read_text(encoding="utf-8"))
    street = record["addresses"][0]["streetAddress"]
    street["postalCode"] = "7011"
    street["latitude"] = "pohjoinen"

    with pytest.raises(PtvImportError) as error:
        PtvImporter().import_document(record)

    problems = [str(p) for p in error.value.problems]
    assert any("postalCode: not a Finnish postal code: '7011'" in p for p in problems)
    assert any("latitude: not a coordinate" in p for p in problems)
    assert not ServiceChannel.objects.exists()


def test_phone_hours_given_as_a_span_of_days_become_one_row_per_day(ptv_reference_data):
    import_file("channel_phone.json")

    channel = ServiceChannel.objects.get(slug="te-palvelut-puhelin")
    assert sorted(channel.hours.values_list("weekday", "opens", "closes")) == [
        (day, time(9), time(16)) for day in range(5)
    ]


# -- lists and pages ------------------------------------------------------------------------------


def test_list_links_the_service_and_its_channels(ptv_reference_data):
    result = import_file("list.json")

    assert (result.services_created, result.channels_created, result.skipped_links) == (1, 4, 0)
    service = Service.objects.get(slug="rakennuslupa")
    assert sorted(c.channel_type for c in service.channels.all()) == [
        "EChannel",
        "PrintableForm",
        "ServiceLocation",
        "WebPage",
    ]


def test_page_with_item_list_creates_missing_organisation_areas_and_name_slug(
    ptv_reference_data,
):
    result = import_file("page.json")

    assert (result.services_created, result.channels_created) == (2, 1)
    # A service without sourceId gets its slug from the Finnish name.
    neuvola = Service.objects.get(slug="aitiys-ja-lastenneuvola")
    assert neuvola.domain == "health"
    tyonhaku = Service.objects.get(slug="tyonhaku")
    assert [c.slug for c in tyonhaku.channels.all()] == ["te-palvelut-puhelin"]
    assert result.skipped_links == 1  # "Oma asiointi" is in neither the file nor the catalogue
    # The region and its municipality Siilinjärvi did not exist: both are made from the file.
    region = Area.objects.get(area_type=Area.Type.REGION, code="11")
    assert (region.name_fi, region.name_sv) == ("Pohjois-Savo", "Norra Savolax")
    assert Area.objects.filter(code="297").count() == 1  # the existing Kuopio is reused
    assert [a.code for a in tyonhaku.areas.all()] == ["11"]
    # The purchased producer we did not know is created from the reference and reported.
    stub = Organisation.objects.get(ptv_id=UNKNOWN_ORG_ID)
    assert stub.name_fi == "Savon Työvalmennus Oy"
    assert stub.organisation_type == Organisation.Type.ORGANISATION
    assert result.organisations_created == [f"Savon Työvalmennus Oy ({UNKNOWN_ORG_ID})"]
    producers = tyonhaku.roles.filter(role=ServiceOrganisation.Role.PRODUCER)
    assert {(r.organisation.ptv_id, r.provision_type) for r in producers} == {
        (ELY_ID, ServiceOrganisation.ProvisionType.SELF_PRODUCED),
        (UNKNOWN_ORG_ID, ServiceOrganisation.ProvisionType.PURCHASED),
    }


def test_unknown_organisations_can_be_refused(ptv_reference_data):
    with pytest.raises(PtvImportError) as error:
        import_file("page.json", create_missing_organisations=False)

    assert any(
        str(UNKNOWN_ORG_ID) in str(p) and p.position == "itemList[0]" for p in error.value.problems
    )
    assert not Service.objects.exists()
    assert not Organisation.objects.filter(ptv_id=UNKNOWN_ORG_ID).exists()


# -- re-import ------------------------------------------------------------------------------------


def test_importing_the_same_files_twice_leaves_the_database_as_it_was(ptv_reference_data):
    for name in ("list.json", "page.json"):
        import_file(name)
    before = catalogue_snapshot()
    keys_before = {
        "services": list(Service.objects.order_by("pk").values_list("pk", "updated_at")),
        "texts": list(ServiceText.objects.order_by("pk").values_list("pk", flat=True)),
        "hours": list(ServiceHours.objects.order_by("pk").values_list("pk", flat=True)),
        "organisations": Organisation.objects.count(),
        "areas": Area.objects.count(),
    }

    again = [import_file(name) for name in ("list.json", "page.json")]

    assert catalogue_snapshot() == before
    assert keys_before == {
        "services": list(Service.objects.order_by("pk").values_list("pk", "updated_at")),
        "texts": list(ServiceText.objects.order_by("pk").values_list("pk", flat=True)),
        "hours": list(ServiceHours.objects.order_by("pk").values_list("pk", flat=True)),
        "organisations": Organisation.objects.count(),
        "areas": Area.objects.count(),
    }
    assert [(r.services_unchanged, r.channels_unchanged) for r in again] == [(1, 4), (2, 1)]
    assert all(r.services_created == r.services_updated == 0 for r in again)


def test_reimport_applies_changes_but_keeps_the_slug(ptv_reference_data, tmp_path):
    import_file("service.json")
    record = json.loads((DATA / "service.json").read_text(encoding="utf-8"))
    record["sourceId"] = "rakennuslupa-uusi"
    record["serviceNames"][0]["value"] = "Rakennuslupa ja toimenpidelupa"
    record["keywords"] = [{"value": "lupa", "language": "fi"}]
    record["lifeEvents"] = []
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(record), encoding="utf-8")

    result = PtvImporter().import_file(changed)

    service = Service.objects.get(ptv_id=RAKENNUSLUPA_ID)
    assert result.services_updated == 1
    assert service.slug == "rakennuslupa"  # used everywhere, so never changed by an import
    assert service.name("fi") == "Rakennuslupa ja toimenpidelupa"
    assert service.keywords("fi") == ["lupa"]
    assert not service.life_events.exists()


def test_a_service_of_our_own_with_the_same_slug_is_adopted(ptv_reference_data):
    ours = ServiceFactory.create(slug="rakennuslupa", domain="built-environment")
    ours.areas.add(Area.objects.get(code="297"))

    import_file("service.json")

    assert Service.objects.count() == 1
    adopted = Service.objects.get(pk=ours.pk)
    assert adopted.ptv_id == RAKENNUSLUPA_ID
    assert adopted.name("en") == "Building permit"


def test_a_slug_held_by_another_ptv_service_is_a_problem(ptv_reference_data):
    ServiceFactory(slug="rakennuslupa", ptv_id=uuid.uuid4())

    with pytest.raises(PtvImportError) as error:
        import_file("service.json")

    assert "already belongs to another service" in str(error.value.problems[0])
    assert Service.objects.count() == 1


# -- bad files ------------------------------------------------------------------------------------


def test_malformed_json_names_line_and_column_and_writes_nothing(ptv_reference_data):
    with pytest.raises(PtvImportError) as error:
        import_file("malformed.json")

    message = str(error.value.problems[0])
    assert "malformed JSON at line 8, column 5" in message
    assert "malformed.json" in message
    assert not Service.objects.exists()


def test_invalid_records_are_all_listed_and_nothing_is_written(ptv_reference_data):
    organisations_before = Organisation.objects.count()

    with pytest.raises(PtvImportError) as error:
        import_file("invalid_records.json")

    problems = [str(p) for p in error.value.problems]
    expected = [
        (
            "itemList[1] (id 98f0b89a-c99a-45d0-b80c-b267611d01ce) serviceNames",
            "missing Finnish name",
        ),
        (
            "itemList[2] (id 5d1f3b0e-8f0c-4f7e-9d4a-1c2b3a4d5e6f) serviceClasses[0]",
            "unknown service class code 'P99.9'",
        ),
        ("itemList[3] (id not-a-uuid) id", "bad UUID 'not-a-uuid'"),
        (
            "itemList[4] (id 7c9e6679-7425-40de-944b-e07fc1f90ae7) serviceChannelType",
            "unknown value 'Fax'",
        ),
    ]
    for where, reason in expected:
        assert any(p.startswith(where) and reason in p for p in problems), (where, problems)
    assert not any(p.startswith("itemList[0]") for p in problems)
    # The valid first record was not written either, nor anything it refers to.
    assert not Service.objects.exists()
    assert not ServiceChannel.objects.exists()
    assert Organisation.objects.count() == organisations_before
    assert not Area.objects.filter(area_type=Area.Type.REGION).exists()


def test_a_file_that_is_not_utf8_is_refused(ptv_reference_data, tmp_path):
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('[{"serviceNames": "Äitiysneuvola"}]'.encode("latin-1"))

    with pytest.raises(PtvImportError) as error:
        PtvImporter().import_file(latin1)

    assert "not UTF-8 text" in str(error.value.problems[0])


def test_progress_bars_go_to_stderr(ptv_reference_data, capsys):
    import_file("page.json", progress=True)

    captured = capsys.readouterr()
    assert "Validating" in captured.err
    assert "Writing" in captured.err
    assert "3/3" in captured.err
    assert captured.out == ""


def test_a_record_that_is_neither_service_nor_channel_is_a_problem(ptv_reference_data):
    with pytest.raises(PtvImportError) as error:
        PtvImporter().import_document([{"id": str(uuid.uuid4()), "organizationNames": []}])

    assert "neither a service" in str(error.value.problems[0])


def test_missing_code_lists_are_pointed_out():
    with pytest.raises(PtvImportError) as error:
        import_file("service.json")

    assert any("run manage.py load_code_lists" in str(p) for p in error.value.problems)


# -- the command and the search index ------------------------------------------------------------


def test_command_reports_what_it_did(ptv_reference_data, capsys):
    call_command("import_ptv", str(DATA / "page.json"), "--no-progress")

    out = capsys.readouterr().out
    assert "Services: 2 created, 0 updated, 0 unchanged." in out
    assert "Savon Työvalmennus Oy" in out


def test_command_fails_with_every_problem_listed(ptv_reference_data, capsys):
    with pytest.raises(CommandError, match="4 problem"):
        call_command("import_ptv", str(DATA / "invalid_records.json"), "--no-progress")

    err = capsys.readouterr().err
    assert "missing Finnish name" in err
    assert "unknown value 'Fax'" in err
    assert not Service.objects.exists()


def test_imported_services_are_reindexed_after_commit(
    ptv_reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    calls: list[list[int]] = []
    monkeypatch.setattr(
        "luukku.catalogue.tasks.reindex_services.delay", lambda ids: calls.append(ids)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = import_file("page.json")

    assert calls == [result.service_ids]
    assert sorted(result.service_ids) == sorted(Service.objects.values_list("pk", flat=True))


def test_reindex_can_be_left_out(
    ptv_reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    calls: list[list[int]] = []
    monkeypatch.setattr(
        "luukku.catalogue.tasks.reindex_services.delay", lambda ids: calls.append(ids)
    )

    with django_capture_on_commit_callbacks(execute=True):
        import_file("page.json", reindex=False)

    assert calls == []
