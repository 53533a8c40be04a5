"""Independent Open311 GeoReport v2 client libraries from PyPI, unmodified, against a live server.

Our own API tests (test_open311.py) check the answers as we read the specification; these check
that code written by others for other cities' servers works with Luukku as it is. Each test runs
the library against pytest-django's `live_server` (a real HTTP server in a thread) and asserts
what a user of that library would see.

- **georeport 0.3.1** (requests + xmltodict): GET only. Service list, service definition with
  attributes, request list with its filters (service_request_id, service_code, status,
  start_date/end_date), one request by id, jurisdiction_id, in JSON and XML; errors surface as
  `requests.HTTPError`, whose response carries the GeoReport error list. It has no POST (its
  `api_key` is stored but never sent), so it cannot exercise submission or retries.
- **civicbot 0.4.0** (stdlib urllib): JSON only (it always parses JSON, so no XML test). Service
  list, definition, request list with filters, one request, a token, and POST through
  `Open311Client.create_request` (with `validate_remote=True` it checks the form against our
  service definition first, so a missing required attribute is caught by the library itself);
  errors surface as `civicbot.HttpError` with the status and the GeoReport body. Its
  `create_request` cannot send a header or an extra field, so the idempotent retry builds the
  form with the library's `build_request` and sends it twice through the library's own
  `HttpTransport.post_form`, which takes headers (`Idempotency-Key`). Its transport waits 0.5 s
  between calls to one host by default; the tests give it a `RateLimiter(min_interval=0)`.

Not used, because they do not run on Python 3: `three` 0.8.0 (imports `itertools.ifilter`) and
`open311` 1.1 (Python 2 implicit relative imports); both fail on import and would need a patch.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import requests
import xmltodict  # type: ignore[import-untyped]
from civicbot import (  # type: ignore[import-untyped]
    Endpoint,
    HttpError,
    HttpTransport,
    Open311Client,
    ValidationError,
)
from civicbot.http import RateLimiter  # type: ignore[import-untyped]
from django.utils import timezone
from georeport import GeoReport  # type: ignore[import-untyped]

from luukku.catalogue.tests.factories import ServiceFactory
from luukku.intake import reference
from luukku.intake.models import ServiceAttribute, ServiceRequest
from luukku.intake.tests.factories import (
    ApiClientFactory,
    ServiceAttributeFactory,
    ServiceRequestFactory,
    raw_key_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

JURISDICTION = "pohjois-savo.fi"
HELSINKI_OFFSETS = (timedelta(hours=2), timedelta(hours=3))


@pytest.fixture(autouse=True)
def _fresh_reference(settings):
    """The live server runs in this process: start every test from the database, not a copy."""
    settings.OPEN311_JURISDICTIONS = [JURISDICTION]
    reference.forget()
    yield
    reference.forget()


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url + "/open311/v2/"


@pytest.fixture
def street_lights():
    service = ServiceFactory.create(
        slug="katuvalot",
        domain="transport",
        names={"fi": "Katuvalot", "sv": "Gatubelysning", "en": "Street lights"},
        summaries={"fi": "Rikkinäiset katuvalot", "en": "Broken street lights"},
    )
    ServiceAttributeFactory.create(
        service=service,
        code="vika",
        datatype=ServiceAttribute.Datatype.SINGLE_VALUE_LIST,
        required=True,
        order=1,
        description_en="What is wrong?",
        values=[{"key": "dark", "name": "Does not light"}, {"key": "blink", "name": "Blinks"}],
    )
    ServiceAttributeFactory.create(
        service=service, code="pylvas", datatype="number", order=2, description_en="Pole number"
    )
    return service


@pytest.fixture
def parks():
    return ServiceFactory.create(
        slug="puistot",
        domain="environment",
        names={"fi": "Puistot", "sv": "Parker", "en": "Parks"},
    )


@pytest.fixture
def three_requests(street_lights, parks):
    """Two street-light requests (the second newer) and one closed park request."""
    now = timezone.now()
    older = ServiceRequestFactory.create(
        service=street_lights,
        description="Valo ei pala Kauppakadulla.",
        address_string="Kauppakatu 1, Kuopio",
        requested_at=now - timedelta(days=2, minutes=7),
    )
    newer = ServiceRequestFactory.create(
        service=street_lights,
        description="Katuvalo vilkkuu.",
        requested_at=now - timedelta(hours=5),
    )
    closed = ServiceRequestFactory.create(
        service=parks,
        description="Penkki rikki.",
        status=ServiceRequest.Status.CLOSED,
        requested_at=now - timedelta(days=1),
    )
    return older, newer, closed


def as_datetime(value: str) -> datetime:
    """A GeoReport datetime as a client parses it: ISO 8601 that must carry its offset."""
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() in HELSINKI_OFFSETS, value
    return parsed


def same_second(parsed: datetime, stored: datetime) -> bool:
    return parsed == stored.replace(microsecond=0)


# georeport


def response_of(error: pytest.ExceptionInfo[requests.HTTPError]) -> requests.Response:
    """The HTTP answer georeport's `raise_for_status` carries: where a user reads the error."""
    assert error.value.response is not None
    return error.value.response


def georeport(base_url: str, fmt: str, jurisdiction: str | None = JURISDICTION) -> GeoReport:
    return GeoReport(base_url, jurisdiction=jurisdiction, output_format=fmt)


def test_georeport_service_list_json(base_url, street_lights, parks):
    services = georeport(base_url, "json").get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert sorted(by_code) == ["katuvalot", "puistot"]
    assert by_code["katuvalot"]["service_name"] == "Street lights"
    assert by_code["katuvalot"]["description"] == "Broken street lights"
    assert by_code["katuvalot"]["metadata"] is True
    assert by_code["katuvalot"]["group"] == "transport"
    assert by_code["puistot"]["metadata"] is False


def test_georeport_service_list_xml(base_url, street_lights, parks):
    services = georeport(base_url, "xml").get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert sorted(by_code) == ["katuvalot", "puistot"]
    assert by_code["puistot"]["service_name"] == "Parks"
    assert by_code["katuvalot"]["metadata"] == "true"
    assert by_code["katuvalot"]["type"] == "realtime"


def test_georeport_service_definition_json(base_url, street_lights):
    definition = georeport(base_url, "json").get_service_definition("katuvalot")
    assert definition["service_code"] == "katuvalot"
    first, second = definition["attributes"]
    assert first["code"] == "vika"
    assert first["datatype"] == "singlevaluelist"
    assert first["required"] is True
    assert first["description"] == "What is wrong?"
    assert first["values"] == [
        {"key": "dark", "name": "Does not light"},
        {"key": "blink", "name": "Blinks"},
    ]
    assert (second["code"], second["datatype"], second["order"]) == ("pylvas", "number", 2)


def test_georeport_service_definition_xml(base_url, street_lights):
    definition = georeport(base_url, "xml").get_service_definition("katuvalot")
    assert definition["service_code"] == "katuvalot"
    first, second = definition["attributes"]["attribute"]
    assert (first["code"], first["datatype"], first["required"]) == (
        "vika",
        "singlevaluelist",
        "true",
    )
    assert [v["key"] for v in first["values"]["value"]] == ["dark", "blink"]
    assert second["code"] == "pylvas"


def test_georeport_requests_json(base_url, three_requests):
    older, newer, closed = three_requests
    client = georeport(base_url, "json")
    listed = client.get_service_requests()
    ids = [r["service_request_id"] for r in listed]
    assert ids == [newer.service_request_id, closed.service_request_id, older.service_request_id]
    assert all(isinstance(i, str) for i in ids)
    assert "email" not in listed[0]

    assert [r["service_request_id"] for r in client.get_service_requests(status="closed")] == [
        closed.service_request_id
    ]
    by_code = client.get_service_requests(service_code="katuvalot", status="open")
    assert {r["service_request_id"] for r in by_code} == {
        older.service_request_id,
        newer.service_request_id,
    }
    # service_request_id overrides the other filters, as the specification says.
    both = client.get_service_requests(
        service_request_id=f"{older.service_request_id},{closed.service_request_id}",
        service_code="katuvalot",
    )
    assert {r["service_request_id"] for r in both} == {
        older.service_request_id,
        closed.service_request_id,
    }
    day_ago = (timezone.now() - timedelta(days=1, hours=1)).isoformat(timespec="seconds")
    recent = client.get_service_requests(start_date=day_ago)
    assert {r["service_request_id"] for r in recent} == {
        newer.service_request_id,
        closed.service_request_id,
    }

    one = client.get_service_request(older.service_request_id)
    assert one["service_request_id"] == older.service_request_id
    assert one["service_code"] == "katuvalot"
    assert one["service_name"] == "Street lights"
    assert one["status"] == "open"
    assert one["description"] == "Valo ei pala Kauppakadulla."
    assert one["address"] == "Kauppakatu 1, Kuopio"
    assert same_second(as_datetime(one["requested_datetime"]), older.requested_at)
    as_datetime(one["updated_datetime"])


def test_georeport_requests_xml(base_url, three_requests):
    older, newer, closed = three_requests
    client = georeport(base_url, "xml")
    listed = client.get_service_requests(service_code="katuvalot")
    assert [r["service_request_id"] for r in listed] == [
        newer.service_request_id,
        older.service_request_id,
    ]
    one = client.get_service_request(closed.service_request_id)
    assert one["service_request_id"] == closed.service_request_id
    assert one["status"] == "closed"
    assert one["service_name"] == "Parks"
    assert one["description"] == "Penkki rikki."
    assert same_second(as_datetime(one["requested_datetime"]), closed.requested_at)


def test_georeport_errors_json(base_url, street_lights):
    client = georeport(base_url, "json")
    with pytest.raises(requests.HTTPError) as unknown:
        client.get_service_request("nope")
    assert response_of(unknown).status_code == 404
    assert response_of(unknown).json() == [
        {"code": 404, "description": "Unknown service_request_id: nope."}
    ]
    with pytest.raises(requests.HTTPError) as bad_date:
        client.get_service_requests(start_date="yesterday")
    assert response_of(bad_date).status_code == 400
    error = response_of(bad_date).json()[0]
    assert error["code"] == 400
    assert "start_date" in error["description"]
    with pytest.raises(requests.HTTPError) as elsewhere:
        georeport(base_url, "json", jurisdiction="helsinki.fi").get_service_list()
    assert response_of(elsewhere).status_code == 404
    assert response_of(elsewhere).json()[0]["code"] == 404


def test_georeport_errors_xml(base_url, street_lights):
    client = georeport(base_url, "xml")
    with pytest.raises(requests.HTTPError) as unknown:
        client.get_service_definition("nope")
    assert response_of(unknown).status_code == 404
    error = xmltodict.parse(response_of(unknown).content)["errors"]["error"]
    assert error == {"code": "404", "description": "Unknown service_code: nope."}


# civicbot


@pytest.fixture
def civic(base_url) -> Open311Client:
    endpoint = Endpoint(id="luukku", name="Luukku", base_url=base_url, write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport, jurisdiction_id=JURISDICTION)


def test_civicbot_reads_services_and_definition(civic, street_lights, parks):
    services = civic.list_services()
    assert {s["service_code"]: s["service_name"] for s in services} == {
        "katuvalot": "Street lights",
        "puistot": "Parks",
    }
    definition = civic.get_service_definition("katuvalot")
    assert [a["code"] for a in definition["attributes"]] == ["vika", "pylvas"]
    assert definition["attributes"][0]["required"] is True


def test_civicbot_reads_requests_one_request_and_a_token(civic, three_requests):
    older, newer, closed = three_requests
    listed = civic.list_requests(service_code="katuvalot", status="open", page_size=1)
    assert [r["service_request_id"] for r in listed] == [newer.service_request_id]
    picked = civic.list_requests(
        service_request_ids=[closed.service_request_id, older.service_request_id]
    )
    assert {r["service_request_id"] for r in picked} == {
        closed.service_request_id,
        older.service_request_id,
    }
    one = civic.get_request(newer.service_request_id)
    assert one["description"] == "Katuvalo vilkkuu."
    assert one["status"] == "open"
    assert same_second(as_datetime(one["requested_datetime"]), newer.requested_at)
    assert civic.get_token(newer.token) == [
        {"service_request_id": newer.service_request_id, "token": newer.token}
    ]


def test_civicbot_posts_a_request_that_then_exists(civic, street_lights):
    key = raw_key_of(ApiClientFactory.create(name="Kansalaisbotti"))
    prepared = civic.create_request(
        "katuvalot",
        dry_run=False,
        confirm="SEND",
        api_key=key,
        validate_remote=True,
        lat=62.8924,
        lng=27.6770,
        description="Valo ei pala Puijonkadulla.",
        attributes={"vika": "dark", "pylvas": "17"},
    )
    assert prepared.dry_run is False
    assert len(prepared.response) == 1
    answer = prepared.response[0]
    assert "token" not in answer
    new_id = answer["service_request_id"]
    assert isinstance(new_id, str)
    stored = ServiceRequest.objects.get(service_request_id=new_id)
    assert stored.description == "Valo ei pala Puijonkadulla."
    assert stored.attributes["vika"] == "dark"
    assert stored.jurisdiction_id == JURISDICTION
    assert stored.api_client is not None
    assert stored.api_client.name == "Kansalaisbotti"
    fetched = civic.get_request(new_id)
    assert fetched["service_code"] == "katuvalot"
    assert fetched["lat"] == pytest.approx(62.8924)
    as_datetime(fetched["requested_datetime"])


def test_civicbot_checks_the_form_against_our_definition(civic, street_lights):
    """The library reads our definition and refuses a form without the required attribute."""
    key = raw_key_of(ApiClientFactory.create())
    with pytest.raises(ValidationError) as missing:
        civic.create_request(
            "katuvalot",
            dry_run=False,
            confirm="SEND",
            api_key=key,
            validate_remote=True,
            address_string="Kauppakatu 1, Kuopio",
            description="Pimeää.",
        )
    assert "'vika'" in str(missing.value)
    assert not ServiceRequest.objects.exists()


def test_civicbot_retry_with_an_idempotency_key_creates_one_request(civic, street_lights):
    key = raw_key_of(ApiClientFactory.create())
    prepared = civic.build_request(
        "katuvalot",
        api_key=key,
        address_string="Kauppakatu 1, Kuopio",
        description="Valo ei pala.",
        attributes={"vika": "blink"},
    )
    headers = {"Idempotency-Key": "civicbot-retry-1"}
    first = civic.http.post_form(prepared.url, prepared.form, headers=headers)
    second = civic.http.post_form(prepared.url, prepared.form, headers=headers)
    assert first == second
    assert ServiceRequest.objects.count() == 1
    assert ServiceRequest.objects.get().service_request_id == first[0]["service_request_id"]


def test_civicbot_surfaces_georeport_errors(civic, street_lights):
    with pytest.raises(HttpError) as unknown:
        civic.get_request("nope")
    assert unknown.value.status == 404
    assert json.loads(unknown.value.body) == [
        {"code": 404, "description": "Unknown service_request_id: nope."}
    ]
    with pytest.raises(HttpError) as bad_key:
        civic.create_request(
            "katuvalot",
            dry_run=False,
            confirm="SEND",
            api_key="not-a-key",
            address_string="Kauppakatu 1, Kuopio",
            description="Pimeää.",
            attributes={"vika": "dark"},
        )
    assert bad_key.value.status == 403
    assert json.loads(bad_key.value.body) == [{"code": 403, "description": "api_key is not valid."}]
    with pytest.raises(HttpError) as bad_value:
        civic.create_request(
            "katuvalot",
            dry_run=False,
            confirm="SEND",
            api_key=raw_key_of(ApiClientFactory.create()),
            address_string="Kauppakatu 1, Kuopio",
            description="Pimeää.",
            attributes={"vika": "smoke"},
        )
    assert bad_value.value.status == 400
    assert "vika" in json.loads(bad_value.value.body)[0]["description"]
    assert not ServiceRequest.objects.exists()
