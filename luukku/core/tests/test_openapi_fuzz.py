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

bench/fuzz_api.py runs the same against the production server with many more examples; both
seed and prepare their cases with fuzzing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from luukku.core.tests.fuzzing import prepare_case, seed_fuzz_data
from luukku.intake.tests.factories import ServiceRequestFactory
from luukku.router import services as router_services
from luukku.router.tests.factories import create_small_catalogue

# hypothesis' max_examples per operation (valid and invalid cases together, plus the explicit
# examples): 18 operations, about 1,860 cases, about 90 s on SQLite or PostgreSQL.
EXAMPLES_PER_OPERATION = 25

KEY = "fuzz-test-key-0123456789abcdef0123"
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
def _keep_the_test_connection(keep_test_connection: None) -> None:
    """Every test here calls the WSGI app directly (luukku/conftest.py)."""


@pytest.fixture(autouse=True)
def _uploads_and_limits(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    router_services.forget_loaded_model()
    yield
    router_services.forget_loaded_model()
    cache.clear()


@pytest.fixture
def session_cookie(
    request: pytest.FixtureRequest, db: None, django_capture_on_commit_callbacks: Any
) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        return seed_fuzz_data(key=KEY, with_router="routing" in request.node.name)


def call_and_check(case: Any, session: str) -> None:
    kwargs = prepare_case(case, key=KEY, session=session)
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
