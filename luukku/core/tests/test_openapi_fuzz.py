"""schemathesis over every operation of both OpenAPI documents, signed in and not.

Luukku publishes two documents: the hand-written Open311 one (/open311/v2/openapi.json) and
drf-spectacular's /api/schema/ (catalogue, routing and survey answer APIs). The conformance
tests in intake and surveys cover one document each with anonymous or fixed credentials; this
module runs every operation of both with the credentials that reach the code behind the
permission check (an organisation's API key, a staff session) on some cases and none on others,
in both generation modes (valid and invalid input), and with a real PNG among Open311 uploads.

Checks: no server error, only documented status codes, content types and headers, response
bodies that match the document, and invalid input refused with a 4xx. Positive data acceptance
stays off: GeoReport's rules across parameters and a survey's own questions cannot be written
in OpenAPI, so a request valid by the document may still be a correct 400.

bench/fuzz_api.py runs the same against the production server with many more examples.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from PIL import Image
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.intake.models import ApiClient, ServiceAttribute, hash_api_key
from luukku.intake.tests.factories import ServiceAttributeFactory, ServiceRequestFactory
from luukku.router import services as router_services
from luukku.router import training
from luukku.router.tests.factories import create_small_catalogue
from luukku.surveys.tests.factories import TouchpointFactory, standard_survey

# hypothesis' max_examples per operation (valid and invalid cases together, plus the explicit
# examples): 18 operations, about 1,860 cases, about 90 s on SQLite or PostgreSQL.
EXAMPLES_PER_OPERATION = 25

KEY = "fuzz-test-key-0123456789abcdef0123"
SURVEY_ID = "0b8f3c1e-5d2a-4c7b-9e6f-1a2b3c4d5e6f"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

app = get_wsgi_application()
open311 = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", app)
api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
# Cases run per operation label, printed at the end of the module (pytest -s shows it).
CASES_RUN: dict[str, int] = {}
fuzz_settings = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture(scope="module", autouse=True)
def _report_cases() -> Iterator[None]:
    yield
    if CASES_RUN:
        print(  # noqa: T201
            f"\nOpenAPI fuzz: {sum(CASES_RUN.values())} cases over {len(CASES_RUN)} operations, "
            f"{EXAMPLES_PER_OPERATION} examples per operation"
        )


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Django closes the connection after each request: inside the test's transaction that
    would end the transaction on PostgreSQL (Django's test client prevents the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _uploads_and_limits(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    router_services.forget_loaded_model()
    yield
    router_services.forget_loaded_model()
    cache.clear()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def seed_fuzz_data(*, with_router: bool) -> str:
    """Services, a trained router (when asked: training takes seconds), a request, a survey
    and an organisation's API key, so that valid calls find real rows. Returns the session
    cookie of a staff member who routes."""
    catalogue = create_small_catalogue()
    if with_router:
        training.store(training.train(cross_validation=False))
    service = catalogue["varhaiskasvatus"]
    ServiceAttributeFactory.create(
        service=service,
        code="vika",
        datatype=ServiceAttribute.Datatype.SINGLE_VALUE_LIST,
        values=[{"key": "dark", "name": "Pimeä"}],
    )
    request = ServiceRequestFactory.create(
        service=service, lat=Decimal("62.89"), long=Decimal("27.67"), title="Valo"
    )
    request.media_urls = ["https://example.fi/a.jpg"]
    request.save(update_fields=["media_urls"])
    ApiClient.objects.create(
        name="fuzz",
        key_hash=hash_api_key(KEY),
        key_prefix=KEY[:8],
        organisation=OrganisationFactory.create(),
    )
    TouchpointFactory.create(survey=standard_survey(public_id=SURVEY_ID), code="fuzz-link")
    browser = Client()
    browser.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))
    return str(browser.cookies["sessionid"].value)


@pytest.fixture
def session_cookie(
    request: pytest.FixtureRequest, db: None, django_capture_on_commit_callbacks: Any
) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        return seed_fuzz_data(with_router="routing" in request.node.name)


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def credentials(case: Any, session: str) -> dict[str, Any]:
    """Point a case at real data and give it credentials, or none, by a hash of the case:
    the same case always gets the same treatment, and each kind gets about a third.

    Only values that are already valid by the document are replaced, and real data (a known
    service, a PNG, the seeded survey) only in valid cases, so that an invalid case stays
    invalid and must still be refused."""
    choice = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 3
    positive = case.meta is None or case.meta.generation.mode.is_positive
    headers = dict(case.headers or {})
    headers.pop("X-Api-Key", None)
    kwargs: dict[str, Any] = {}
    body = case.body
    if isinstance(body, dict) and _filled(body.get("api_key")) and choice:
        body["api_key"] = KEY
        if positive and choice == 1:
            if _filled(body.get("service_code")):
                body["service_code"] = "varhaiskasvatus"
            if "media[]" in body:
                body["media[]"] = [png_bytes()]
    if choice == 1:
        headers["X-Api-Key"] = KEY
    elif choice == 2:
        kwargs["cookies"] = {"sessionid": session}
    if positive and choice and case.path_parameters:
        if "public_id" in case.path_parameters:
            case.path_parameters["public_id"] = SURVEY_ID
        if "slug" in case.path_parameters and choice == 1:
            case.path_parameters["slug"] = "rakennuslupa"
    case.headers = headers
    return kwargs


def call_and_check(case: Any, session: str) -> None:
    kwargs = credentials(case, session)
    CASES_RUN[case.operation.label] = CASES_RUN.get(case.operation.label, 0) + 1
    case.call_and_validate(checks=CHECKS, **kwargs)


@override_settings(OPEN311_THROTTLE_RATES={"ip": "", "key": ""})
@pytest.mark.django_db
@open311.parametrize()
@fuzz_settings
def test_every_open311_operation_survives_fuzzing(case: Any, session_cookie: str) -> None:
    call_and_check(case, session_cookie)


@override_settings(SURVEYS_SUBMIT_RATE="")
@pytest.mark.django_db
@api.parametrize()
@fuzz_settings
def test_every_rest_api_operation_survives_fuzzing(case: Any, session_cookie: str) -> None:
    call_and_check(case, session_cookie)


def test_both_documents_are_fuzzed_whole() -> None:
    """A new operation joins the fuzz run by being in a document; none is filtered out."""
    assert len(list(open311.get_all_operations())) == 14
    loaded = list(api.get_all_operations())
    assert all(isinstance(result, Ok) for result in loaded)
    labels = {result.ok().label for result in loaded if isinstance(result, Ok)}
    assert labels == {
        "GET /api/v1/routing/suggest",
        "GET /api/v1/services",
        "GET /api/v1/services/{slug}",
        "POST /api/v1/surveys/{public_id}/responses/",
    }


@pytest.mark.django_db
def test_an_empty_optional_query_parameter_is_documented_as_left_out(client: Client) -> None:
    """Found by the fuzz run: `?lang=` answered 200 with the default language, while the
    document allowed only fi, sv or en. DRF reads it as left out; the document now says so."""
    create_small_catalogue()
    document = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/services", "/api/v1/routing/suggest"):
        for parameter in document["paths"][path]["get"]["parameters"]:
            if parameter["in"] == "query":
                assert parameter.get("allowEmptyValue", False) is not parameter.get(
                    "required", False
                )

    response = client.get("/api/v1/services", {"lang": "", "page": "", "page_size": ""})

    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "Hammashoito"


# Server errors the production-shaped run (bench/fuzz_api.py on PostgreSQL) found.


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0271-03-12T01:59:20+17:58", 200),  # PostgreSQL takes offsets up to ±15:59 only
        ("2026-11-26T10:00:00-23:59", 200),
        ("0001-01-01T00:00:00+01:00", 400),  # before year 1 in UTC
        ("9999-12-31T23:59:59-01:00", 400),  # after year 9999 in UTC
    ],
)
@pytest.mark.parametrize("parameter", ["start_date", "end_date"])
@override_settings(OPEN311_THROTTLE_RATES={"ip": "", "key": ""})
def test_an_open311_date_with_any_offset_python_reads_is_an_answer_not_a_500(
    client: Client, fmt: str, value: str, status: int, parameter: str
) -> None:
    ServiceRequestFactory.create()

    response = client.get(f"/open311/v2/requests.{fmt}", {parameter: value})

    assert response.status_code == status, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameter", "value"),
    [("end_date", "0001-01-02T00:01:00Z"), ("start_date", "9999-12-30T00:00:00Z")],
)
@override_settings(OPEN311_THROTTLE_RATES={"ip": "", "key": ""})
def test_a_date_window_at_the_calendars_edge_is_held_within_it(
    client: Client, parameter: str, value: str
) -> None:
    """The default 90-day window before 0001-01-02 or after 9999-12-30 was an OverflowError."""
    ServiceRequestFactory.create()

    response = client.get("/open311/v2/requests.json", {parameter: value})

    assert response.status_code == 200, response.content
    assert response.json() == []


@pytest.mark.django_db
def test_a_service_list_page_past_any_database_offset_is_refused(client: Client) -> None:
    """page=10**19 made an OFFSET past PostgreSQL's bigint; the page is now bounded."""
    response = client.get("/api/v1/services", {"page": str(10**19)})

    assert response.status_code == 400
    assert "page" in response.json()
    document = client.get("/api/schema/?format=json").json()
    [page] = [
        parameter
        for parameter in document["paths"]["/api/v1/services"]["get"]["parameters"]
        if parameter["name"] == "page"
    ]
    assert page["schema"]["maximum"] == 1_000_000
