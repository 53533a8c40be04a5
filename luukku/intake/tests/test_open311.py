"""The Open311 API as a client application sees it, in JSON and XML."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from luukku.catalogue.models import ServiceOrganisation
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.intake import services
from luukku.intake.models import ApiClient, ServiceAttribute, ServiceRequest
from luukku.intake.tests.factories import (
    ApiClientFactory,
    ServiceAttributeFactory,
    ServiceRequestFactory,
    raw_key_of,
)

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def parse_xml(content: bytes) -> ET.Element:
    """Our own server's output, parsed to prove it is well-formed."""
    return ET.fromstring(content)  # noqa: S314


def get_json(client, path, **params):
    response = client.get(f"{BASE}/{path}.json", params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response, json.loads(response.content.decode())


def get_xml(client, path, **params):
    response = client.get(f"{BASE}/{path}.xml", params)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return response, parse_xml(response.content)


@pytest.fixture
def service():
    return ServiceFactory.create(
        slug="katuvalot",
        domain="transport",
        names={"fi": "Katuvalot", "sv": "Gatubelysning", "en": "Street lights"},
        summaries={"fi": "Rikkinäiset katuvalot", "en": "Broken street lights"},
        keywords={"en": ["lamp", "light"]},
    )


@pytest.fixture
def api_client():
    return ApiClientFactory.create(name="Palautesovellus")


def post(client, fmt="json", headers=None, **data):
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


# Discovery and services


def test_discovery_lists_the_endpoint_with_both_formats(client, settings):
    settings.OPEN311_CONTACT = "Luukku-tuki, luukku@pohjois-savo.example"
    settings.OPEN311_KEY_SERVICE = "Hae avain: https://luukku.pohjois-savo.example/avain"
    response, data = get_json(client, "discovery")
    assert response.status_code == 200
    assert data["contact"] == "Luukku-tuki, luukku@pohjois-savo.example"
    assert data["key_service"] == "Hae avain: https://luukku.pohjois-savo.example/avain"
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    assert data["changeset"].endswith("+02:00")
    _, root = get_xml(client, "discovery")
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("./endpoints/endpoint/formats/format")]
    assert formats == ["text/xml", "application/json"]


def test_services_are_the_feedback_services_with_codes_as_strings(client, service):
    ServiceFactory.create(slug="not-for-feedback", accepts_feedback=False)
    _, data = get_json(client, "services", locale="en")
    assert data == [
        {
            "service_code": "katuvalot",
            "service_name": "Street lights",
            "description": "Broken street lights",
            "metadata": False,
            "type": "realtime",
            "keywords": "lamp,light",
            "group": "transport",
        }
    ]
    _, root = get_xml(client, "services", locale="sv")
    assert root.tag == "services"
    assert [s.findtext("service_name") for s in root.findall("service")] == ["Gatubelysning"]
    assert root.find("service/metadata").text == "false"


def test_locale_falls_back_to_finnish_and_accepts_variants(client, service):
    service.texts.filter(language="en").delete()
    _, data = get_json(client, "services", locale="en_GB")
    assert data[0]["service_name"] == "Katuvalot"
    _, data = get_json(client, "services", locale="sv-FI")
    assert data[0]["service_name"] == "Gatubelysning"


def test_service_definition_with_attributes(client, service):
    ServiceAttributeFactory.create(
        service=service,
        code="vika",
        datatype=ServiceAttribute.Datatype.SINGLE_VALUE_LIST,
        required=True,
        order=1,
        description_en="What is wrong?",
        values=[{"key": "dark", "name": "Does not light"}, {"key": "blink", "name": "Blinks"}],
    )
    ServiceAttributeFactory.create(service=service, code="pole", order=2, datatype="number")
    _, data = get_json(client, "services/katuvalot", locale="en")
    assert data["service_code"] == "katuvalot"
    first, second = data["attributes"]
    assert first == {
        "variable": True,
        "code": "vika",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "",
        "order": 1,
        "description": "What is wrong?",
        "values": [{"key": "dark", "name": "Does not light"}, {"key": "blink", "name": "Blinks"}],
    }
    assert second["datatype"] == "number"
    assert "values" not in second
    _, services_list = get_json(client, "services")
    assert services_list[0]["metadata"] is True
    _, root = get_xml(client, "services/katuvalot")
    assert root.tag == "service_definition"
    keys = [v.text for v in root.findall("./attributes/attribute/values/value/key")]
    assert keys == ["dark", "blink"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404_in_georeport_form(client, fmt):
    response = client.get(f"{BASE}/services/nope.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert json.loads(response.content) == [
            {"code": 404, "description": "Unknown service_code: nope."}
        ]
    else:
        root = parse_xml(response.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
        assert root.findtext("error/description") == "Unknown service_code: nope."


@pytest.mark.parametrize(("path", "fmt"), [("nothing-here", "json"), ("nothing.xml", "xml")])
def test_unknown_endpoints_are_georeport_404s(client, path, fmt):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    if fmt == "json":
        assert json.loads(response.content)[0]["code"] == 404
    else:
        assert parse_xml(response.content).tag == "errors"


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert json.loads(response.content)[0]["code"] == 405


# Jurisdiction


def test_jurisdiction_is_checked(client, service, settings):
    settings.OPEN311_JURISDICTIONS = ["pohjois-savo.fi"]
    assert (
        client.get(f"{BASE}/services.json", {"jurisdiction_id": "pohjois-savo.fi"}).status_code
        == 200
    )
    response = client.get(f"{BASE}/services.xml", {"jurisdiction_id": "helsinki.fi"})
    assert response.status_code == 404
    assert parse_xml(response.content).findtext("error/code") == "404"
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": ""}).status_code == 200
    settings.OPEN311_JURISDICTION_REQUIRED = True
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 400
    assert "jurisdiction_id" in json.loads(response.content)[0]["description"]


# POST


def test_post_creates_a_request_and_answers_with_its_id_only(client, service, api_client):
    response = post(
        client,
        api_key=api_client.raw_key,
        service_code="katuvalot",
        description="Valo ei pala Kauppakadulla.",
        title="Pimeä katu",
        lat="62.8924",
        long="27.6770",
        address_string="Kauppakatu 1, Kuopio",
        email="matti@example.fi",
        first_name="Matti",
        phone="040 123 4567",
        media_url="https://example.fi/kuva.jpg",
        service_object_id="lamp-17",
        service_object_type="https://example.fi/lamps",
        jurisdiction_id="pohjois-savo.fi",
    )
    assert response.status_code == 200
    body = json.loads(response.content)
    stored = ServiceRequest.objects.get()
    assert body == [
        {"service_request_id": stored.service_request_id, "service_notice": "", "account_id": ""}
    ]
    assert "token" not in body[0]
    assert stored.api_client == api_client
    assert stored.channel == "api"
    assert stored.lat == Decimal("62.892400")
    assert stored.email == "matti@example.fi"
    assert stored.media_urls == ["https://example.fi/kuva.jpg"]
    assert stored.jurisdiction_id == "pohjois-savo.fi"


def test_post_answers_in_xml(client, service, api_client):
    response = post(
        client, "xml", api_key=api_client.raw_key, service_code="katuvalot", description="x"
    )
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    assert (
        root.findtext("request/service_request_id")
        == ServiceRequest.objects.get().service_request_id
    )


def test_post_multipart_with_an_image(client, service, api_client):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "oma-kuva.jpg"
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_client.raw_key,
            "service_code": "katuvalot",
            "description": "Kuva liitteenä",
            "media[]": [buffer],
        },
    )
    assert response.status_code == 200, response.content
    stored = ServiceRequest.objects.get()
    media = stored.media.get()
    assert media.content_type == "image/jpeg"
    assert "oma-kuva" not in str(media.file.name)
    _, data = get_json(client, f"requests/{stored.service_request_id}", extensions="true")
    assert data[0]["media_url"].startswith("http://testserver/media/intake/")
    assert data[0]["media_urls"] == [data[0]["media_url"]]


def test_post_with_a_file_that_is_not_an_image_is_400(client, service, api_client):
    from io import BytesIO

    upload = BytesIO(b"not an image at all")
    upload.name = "x.jpg"
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_client.raw_key,
            "service_code": "katuvalot",
            "description": "x",
            "media[]": [upload],
        },
    )
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "wrong-key"])
def test_post_without_a_valid_api_key_is_403(client, service, key, fmt):
    data = {"service_code": "katuvalot", "description": "x"}
    if key is not None:
        data["api_key"] = key
    response = client.post(f"{BASE}/requests.{fmt}", data)
    assert response.status_code == 403
    if fmt == "json":
        assert json.loads(response.content)[0]["code"] == 403
    else:
        assert parse_xml(response.content).findtext("error/code") == "403"
    assert not ServiceRequest.objects.exists()


def test_a_deactivated_key_is_refused(client, service, api_client):
    data = {"api_key": api_client.raw_key, "service_code": "katuvalot", "description": "x"}
    assert post(client, **data).status_code == 200  # the server now holds a copy of the key
    api_client.is_active = False
    api_client.save()
    assert post(client, **data).status_code == 403


def test_a_key_issued_after_the_server_read_its_copy_works_at_once(client, service, api_client):
    data = {"api_key": api_client.raw_key, "service_code": "katuvalot", "description": "x"}
    assert post(client, **data).status_code == 200
    newer = ApiClient(name="Issued by another server")
    raw_key = newer.set_new_key()
    ApiClient.objects.bulk_create([newer])  # as another process would: no signal here
    assert post(client, **{**data, "api_key": raw_key}).status_code == 200


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"description": "x"}, "service_code is required"),
        ({"service_code": "", "description": "x"}, "service_code is required"),
        ({"service_code": "nope", "description": "x"}, "Unknown service_code"),
        ({"service_code": "katuvalot"}, "description is required"),
        ({"service_code": "katuvalot", "description": "x", "lat": "62"}, "together"),
        ({"service_code": "katuvalot", "description": "x", "lat": "abc", "long": "1"}, "lat"),
        ({"service_code": "katuvalot", "description": "x", "lat": "95", "long": "1"}, "lat"),
        ({"service_code": "katuvalot", "description": "x", "lat": "nan", "long": "1"}, "lat"),
        ({"service_code": "katuvalot", "description": "x", "email": "not-mail"}, "email"),
        ({"service_code": "katuvalot", "description": "x", "media_url": "ftp://a"}, "media_url"),
        ({"service_code": "katuvalot", "description": "x", "title": "t" * 201}, "title"),
        ({"service_code": "katuvalot", "description": "x", "phone": "1" * 41}, "phone"),
        ({"service_code": "katuvalot", "description": "x\x00"}, "NUL"),
        ({"service_code": "katuvalot", "description": "x", "kind": "rant"}, "kind"),
    ],
)
def test_bad_post_input_is_400_naming_the_parameter(client, service, api_client, data, words):
    response = post(client, api_key=api_client.raw_key, **data)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body[0]["code"] == 400
    assert words in body[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_post_checks_attributes_against_the_service_definition(client, service, api_client):
    ServiceAttributeFactory.create(
        service=service,
        code="vika",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "dark", "name": "Pimeä"}],
    )
    base = {"api_key": api_client.raw_key, "service_code": "katuvalot", "description": "x"}
    response = post(client, **base)
    assert response.status_code == 400
    assert "attribute[vika]" in json.loads(response.content)[0]["description"]
    response = post(client, **base, **{"attribute[vika]": "sun"})
    assert response.status_code == 400
    response = post(client, **base, **{"attribute[vika]": "dark"})
    assert response.status_code == 200
    assert ServiceRequest.objects.get().attributes == {"vika": "dark"}


def test_post_with_wrong_jurisdiction_is_404(client, service, api_client):
    response = post(
        client,
        api_key=api_client.raw_key,
        service_code="katuvalot",
        description="x",
        jurisdiction_id="tampere.fi",
    )
    assert response.status_code == 404
    assert not ServiceRequest.objects.exists()


def test_retry_with_the_same_idempotency_key_never_creates_a_second(client, service, api_client):
    data = {"api_key": api_client.raw_key, "service_code": "katuvalot", "description": "x"}
    headers = {"Idempotency-Key": "8d1e-retry"}
    first = json.loads(post(client, headers=headers, **data).content)
    second = json.loads(post(client, headers=headers, **data).content)
    assert first == second
    assert ServiceRequest.objects.count() == 1
    other_client = ApiClientFactory.create()
    post(client, headers=headers, **{**data, "api_key": raw_key_of(other_client)})
    assert ServiceRequest.objects.count() == 2
    post(client, **{**data, "idempotency_key": "form-key"})
    post(client, **{**data, "idempotency_key": "form-key"})
    assert ServiceRequest.objects.count() == 3


def test_post_sends_the_hand_off_signal_after_commit(
    client, service, api_client, django_capture_on_commit_callbacks
):
    from luukku.intake.signals import request_submitted

    seen = []

    def receiver(sender, request, **kwargs):
        seen.append(request.service_request_id)

    request_submitted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post(client, api_key=api_client.raw_key, service_code="katuvalot", description="x")
    finally:
        request_submitted.disconnect(receiver)
    assert seen == [ServiceRequest.objects.get().service_request_id]


# GET requests


def test_list_shows_public_requests_newest_first_without_contact_details(client, service):
    now = timezone.now()
    old = ServiceRequestFactory.create(
        service=service, requested_at=now - timedelta(days=2), email="a@example.fi"
    )
    new = ServiceRequestFactory.create(
        service=service,
        requested_at=now - timedelta(hours=1),
        first_name="Maija",
        last_name="Meikäläinen",
        phone="0401234567",
        email="maija@example.fi",
    )
    ServiceRequestFactory.create(service=service, moderation="hidden")
    ServiceRequestFactory.create(service=service, moderation="unmoderated")
    response, data = get_json(client, "requests")
    assert [r["service_request_id"] for r in data] == [
        new.service_request_id,
        old.service_request_id,
    ]
    text = response.content.decode()
    for secret in ("Maija", "Meikäläinen", "0401234567", "example.fi"):
        assert secret not in text
    assert set(data[0]) >= {"service_code", "requested_datetime", "status", "description"}
    assert data[0]["service_code"] == "katuvalot"
    assert "title" not in data[0]


def test_free_text_is_masked_in_public_output(client, service):
    request = ServiceRequestFactory.create(
        service=service,
        description="Soita 040 123 4567 tai matti@example.fi, hetu 131052-308T.",
        title="Puh. +358401234567",
        status_notes="Vastattu osoitteeseen matti@example.fi",
    )
    response, data = get_json(client, f"requests/{request.service_request_id}", extensions="true")
    text = response.content.decode()
    for secret in ("4567", "example.fi", "131052", "308T"):
        assert secret not in text
    assert data[0]["description"].startswith("Soita *** ****")
    _, root = get_xml(client, f"requests/{request.service_request_id}", extensions="true")
    assert "example.fi" not in root.findtext("request/status_notes")


def test_request_fetched_by_id_is_answered_whatever_its_moderation(client, service):
    unmoderated = ServiceRequestFactory.create(service=service, moderation="unmoderated")
    hidden = ServiceRequestFactory.create(service=service, moderation="hidden", description="Rumaa")
    _, data = get_json(client, f"requests/{unmoderated.service_request_id}")
    assert data[0]["description"] == unmoderated.description
    _, data = get_json(client, f"requests/{hidden.service_request_id}")
    assert data[0]["service_request_id"] == hidden.service_request_id
    assert data[0]["description"] == ""
    _, data = get_json(
        client,
        "requests",
        service_request_id=f"{hidden.service_request_id},{unmoderated.service_request_id}",
    )
    assert len(data) == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_id_and_token_are_404(client, fmt):
    assert client.get(f"{BASE}/requests/nope.{fmt}").status_code == 404
    assert client.get(f"{BASE}/tokens/nope.{fmt}").status_code == 404


def test_token_leads_to_the_request_id(client, service):
    request = ServiceRequestFactory.create(service=service)
    _, data = get_json(client, f"tokens/{request.token}")
    assert data == [{"service_request_id": request.service_request_id, "token": request.token}]
    _, root = get_xml(client, f"tokens/{request.token}")
    assert root.findtext("request/service_request_id") == request.service_request_id


def test_xml_list_is_well_formed_and_shaped_as_the_spec(client, service):
    request = ServiceRequestFactory.create(
        service=service,
        description="Ääkköset & <merkit>",
        lat=Decimal("62.89"),
        long=Decimal("27.67"),
    )
    services.progress_request(request=request, detailed_status="ALLOCATED", handler="Katuyksikkö")
    response, root = get_xml(client, "requests", extensions="true")
    assert root.tag == "service_requests"
    item = root.find("request")
    assert item.findtext("description") == "Ääkköset & <merkit>"
    assert item.findtext("lat") == "62.89"
    assert item.findtext("detailed_status") == "ALLOCATED"
    states = [e.findtext("status") for e in item.findall("request_history/event")]
    assert states == ["received", "allocated"]
    assert item.findtext("request_history/event/time").endswith(("+02:00", "+03:00"))
    assert "&amp;" in response.content.decode("utf-8")


def test_extensions_add_the_citysdk_and_6aika_fields(client, service):
    survivor = ServiceRequestFactory.create(service=service)
    request = ServiceRequestFactory.create(
        service=service,
        title="Otsikko",
        service_object_id="lamp-1",
        service_object_type="lamps",
        media_urls=["https://example.fi/a.jpg"],
    )
    services.progress_request(
        request=request,
        detailed_status="DONE",
        note="Vaihdettu",
        handler="Urakoitsija",
        status_notes="Lamppu vaihdettu.",
    )
    _, plain = get_json(client, f"requests/{request.service_request_id}")
    assert "detailed_status" not in plain[0]
    assert plain[0]["status"] == "closed"
    assert plain[0]["status_notes"] == "Lamppu vaihdettu."
    assert plain[0]["media_url"] == "https://example.fi/a.jpg"
    _, data = get_json(client, f"requests/{request.service_request_id}", extensions="true")
    item = data[0]
    assert item["title"] == "Otsikko"
    assert item["media_urls"] == ["https://example.fi/a.jpg"]
    assert item["service_object_id"] == "lamp-1"
    assert item["service_object_type"] == "lamps"
    assert item["detailed_status"] == "DONE"
    assert [(h["status"], h["note"], h["handler"]) for h in item["request_history"]] == [
        ("received", "", ""),
        ("done", "Vaihdettu", "Urakoitsija"),
    ]
    assert item["extended_attributes"]["detailed_status"] == "DONE"
    services.merge_request(duplicate=request, survivor=survivor)
    _, data = get_json(client, f"requests/{request.service_request_id}", extensions="true")
    assert data[0]["merged_into"] == survivor.service_request_id
    assert data[0]["detailed_status"] == "MERGED"


def test_datetimes_carry_their_offset(client, service):
    ServiceRequestFactory.create(service=service)
    _, data = get_json(client, "requests")
    assert data[0]["requested_datetime"][-6:] in ("+02:00", "+03:00")
    assert data[0]["updated_datetime"][-6:] in ("+02:00", "+03:00")
    assert data[0]["expected_datetime"] is None


def ids(data):
    return {r["service_request_id"] for r in data}


def test_service_request_id_overrides_the_other_filters(client, service):
    old = ServiceRequestFactory.create(
        service=service, requested_at=timezone.now() - timedelta(days=400)
    )
    other = ServiceRequestFactory.create(service=service)
    _, data = get_json(
        client,
        "requests",
        service_request_id=f" {old.service_request_id} ,,{other.service_request_id}",
        service_code="something-else",
        status="closed",
    )
    assert ids(data) == {old.service_request_id, other.service_request_id}


def test_service_code_list_filter(client, service):
    other_service = ServiceFactory.create(slug="roskat")
    third = ServiceFactory.create(slug="puistot")
    a = ServiceRequestFactory.create(service=service)
    b = ServiceRequestFactory.create(service=other_service)
    ServiceRequestFactory.create(service=third)
    _, data = get_json(client, "requests", service_code="katuvalot,roskat")
    assert ids(data) == {a.service_request_id, b.service_request_id}


def test_default_window_is_the_last_90_days(client, service):
    now = timezone.now()
    recent = ServiceRequestFactory.create(service=service, requested_at=now - timedelta(days=89))
    ServiceRequestFactory.create(service=service, requested_at=now - timedelta(days=91))
    _, data = get_json(client, "requests")
    assert ids(data) == {recent.service_request_id}
    _, data = get_json(client, "requests", start_date="", end_date="")
    assert ids(data) == {recent.service_request_id}


def test_start_and_end_date(client, service):
    now = timezone.now()
    a = ServiceRequestFactory.create(service=service, requested_at=now - timedelta(days=200))
    b = ServiceRequestFactory.create(service=service, requested_at=now - timedelta(days=150))
    start = (now - timedelta(days=210)).isoformat()
    end = (now - timedelta(days=160)).isoformat()
    _, data = get_json(client, "requests", start_date=start, end_date=end)
    assert ids(data) == {a.service_request_id}
    _, data = get_json(client, "requests", start_date=start)
    assert ids(data) == {a.service_request_id, b.service_request_id}
    _, data = get_json(client, "requests", end_date=(now - timedelta(days=190)).isoformat())
    assert ids(data) == {a.service_request_id}
    _, data = get_json(client, "requests", start_date="2020-01-01", end_date="2020-01-31")
    assert data == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45"},
        {"updated_after": "soon"},
        {"status": "pending"},
        {"status": "open,maybe"},
        {"extensions": "perhaps"},
        {"lat": "62.9"},
        {"lat": "x", "long": "27"},
        {"lat": "62.9", "long": "27", "radius": "-5"},
        {"radius": "100"},
        {"bbox": "1,2,3"},
        {"bbox": "27.8,62.8,27.6,62.9"},
        {"bbox": "a,b,c,d"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "1001"},
        {"page_size": "-1"},
        {"search": "valo\x00"},
        {"service_code": ",".join(f"s{i}" for i in range(1001))},
        {"service_request_id": ",".join(f"r{i}" for i in range(1001))},
    ],
)
def test_bad_list_parameters_are_400(client, query, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", query)
    assert response.status_code == 400
    if fmt == "json":
        body = json.loads(response.content)
        assert body[0]["code"] == 400
        assert body[0]["description"]
    else:
        assert parse_xml(response.content).findtext("error/code") == "400"


def test_status_filter_accepts_one_or_both(client, service):
    open_request = ServiceRequestFactory.create(service=service)
    closed = ServiceRequestFactory.create(service=service, status="closed", detailed_status="DONE")
    _, data = get_json(client, "requests", status="open")
    assert ids(data) == {open_request.service_request_id}
    _, data = get_json(client, "requests", status="closed")
    assert ids(data) == {closed.service_request_id}
    _, data = get_json(client, "requests", status="open,closed")
    assert len(data) == 2


def test_updated_after_and_before(client, service):
    request = ServiceRequestFactory.create(service=service)
    ServiceRequest.objects.filter(pk=request.pk).update(
        updated_at=timezone.now() - timedelta(days=5)
    )
    fresh = ServiceRequestFactory.create(service=service)
    cutoff = (timezone.now() - timedelta(days=1)).isoformat()
    _, data = get_json(client, "requests", updated_after=cutoff)
    assert ids(data) == {fresh.service_request_id}
    _, data = get_json(client, "requests", updated_before=cutoff)
    assert ids(data) == {request.service_request_id}


def test_radius_filter(client, service):
    market = ServiceRequestFactory.create(
        service=service, lat=Decimal("62.892500"), long=Decimal("27.678000")
    )
    near = ServiceRequestFactory.create(
        service=service, lat=Decimal("62.895000"), long=Decimal("27.678000")
    )
    ServiceRequestFactory.create(
        service=service, lat=Decimal("62.600000"), long=Decimal("27.678000")
    )
    ServiceRequestFactory.create(service=service)  # no place
    _, data = get_json(client, "requests", lat="62.8925", long="27.678", radius="100")
    assert ids(data) == {market.service_request_id}
    _, data = get_json(client, "requests", lat="62.8925", long="27.678", radius="500")
    assert ids(data) == {market.service_request_id, near.service_request_id}
    _, data = get_json(client, "requests", lat="62.8925", long="27.678")
    assert ids(data) == {market.service_request_id, near.service_request_id}


def test_bbox_filter(client, service):
    inside = ServiceRequestFactory.create(
        service=service, lat=Decimal("62.89"), long=Decimal("27.67")
    )
    ServiceRequestFactory.create(service=service, lat=Decimal("60.17"), long=Decimal("24.94"))
    _, data = get_json(client, "requests", bbox="27.6,62.8,27.8,62.9")
    assert ids(data) == {inside.service_request_id}


def test_service_object_agency_and_search_filters(client, service):
    agency = OrganisationFactory.create(slug="kuopio", name_fi="Kuopion kaupunki")
    ServiceOrganisation.objects.create(
        service=service, organisation=agency, role=ServiceOrganisation.Role.RESPONSIBLE
    )
    lamp = ServiceRequestFactory.create(
        service=service,
        service_object_id="lamp-1",
        service_object_type="lamps",
        agency_responsible=agency,
        description="Katuvalo vilkkuu Puijonkadulla",
    )
    ServiceRequestFactory.create(service=service, description="Roskis täynnä")
    _, data = get_json(client, "requests", service_object_id="lamp-1", service_object_type="lamps")
    assert ids(data) == {lamp.service_request_id}
    _, data = get_json(client, "requests", agency_responsible="kuopio")
    assert ids(data) == {lamp.service_request_id}
    _, data = get_json(client, "requests", agency_responsible="kuopion kaupunki", locale="fi")
    assert ids(data) == {lamp.service_request_id}
    assert data[0]["agency_responsible"] == "Kuopion kaupunki"
    _, data = get_json(client, "requests", search="VILKKUU puijonkadulla")
    assert ids(data) == {lamp.service_request_id}
    _, data = get_json(client, "requests", search="vilkkuu roskis")
    assert data == []


def test_pages(client, service):
    now = timezone.now()
    made = [
        ServiceRequestFactory.create(service=service, requested_at=now - timedelta(minutes=i))
        for i in range(5)
    ]
    _, first = get_json(client, "requests", page_size="2")
    _, third = get_json(client, "requests", page_size="2", page="3")
    _, beyond = get_json(client, "requests", page_size="2", page="4")
    assert [r["service_request_id"] for r in first] == [m.service_request_id for m in made[:2]]
    assert [r["service_request_id"] for r in third] == [made[4].service_request_id]
    assert beyond == []


def test_list_query_count_does_not_grow_with_the_page(
    client, service, django_assert_max_num_queries
):
    for _ in range(10):
        request = ServiceRequestFactory.create(service=service)
        services.progress_request(request=request, detailed_status="HANDLING")
    with django_assert_max_num_queries(8):
        response = client.get(f"{BASE}/requests.json", {"extensions": "true"})
    assert len(json.loads(response.content)) == 10


# Throttling


def test_ip_throttle_answers_429_in_georeport_form(client, service, settings):
    settings.OPEN311_THROTTLE_RATES = {"ip": "3/minute", "key": "100/minute"}
    codes = [client.get(f"{BASE}/services.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get(f"{BASE}/services.xml")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert parse_xml(response.content).findtext("error/code") == "429"


def test_key_throttle_uses_the_clients_own_rate(client, service, settings):
    settings.OPEN311_THROTTLE_RATES = {"ip": "100/minute", "key": "100/minute"}
    limited = ApiClientFactory.create(throttle_rate="2/minute")
    data = {"api_key": raw_key_of(limited), "service_code": "katuvalot", "description": "x"}
    codes = [post(client, **data).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    other = ApiClientFactory.create()
    assert post(client, **{**data, "api_key": raw_key_of(other)}).status_code == 200


def test_a_post_costs_a_fixed_number_of_queries(
    client, service, api_client, django_assert_max_num_queries
):
    data = {"api_key": api_client.raw_key, "service_code": "katuvalot", "description": "x"}
    # Routing by place reads the service's responsible organisations, then its other roles.
    with django_assert_max_num_queries(11):
        response = post(client, headers={"Idempotency-Key": "q-1"}, **data)
    assert response.status_code == 200


def test_a_body_that_cannot_be_read_is_a_georeport_400(client, service, api_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = {f"field{i}": "x" for i in range(10)}
    response = post(client, api_key=api_client.raw_key, **data)
    assert response.status_code == 400
    assert json.loads(response.content)[0]["code"] == 400
    response = client.post(
        f"{BASE}/requests.xml", data=b"x", content_type="multipart/form-data"
    )  # no boundary: the parts cannot be told apart
    assert response.status_code == 400
    description = parse_xml(response.content).findtext("error/description") or ""
    assert "could not be read" in description


def test_a_multipart_body_with_no_complete_part_is_read_as_empty(client, service):
    response = client.post(
        f"{BASE}/requests.json",
        data=b'--nothing\r\nContent-Disposition: form-data; name="api_key"\r\n',
        content_type="multipart/form-data; boundary=nothing",
    )
    # Nothing arrived, not even the key: the answer says what is missing.
    assert response.status_code == 403
    assert json.loads(response.content)[0]["description"] == "api_key is required."


def test_control_characters_in_a_customers_text_keep_the_xml_well_formed(client, service):
    request = ServiceRequestFactory.create(service=service, description="Kello\x07 soi\x1b")
    _, root = get_xml(client, f"requests/{request.service_request_id}")
    assert root.findtext("request/description") == "Kello\ufffd soi\ufffd"
    _, data = get_json(client, f"requests/{request.service_request_id}")
    assert data[0]["description"] == "Kello\x07 soi\x1b"
