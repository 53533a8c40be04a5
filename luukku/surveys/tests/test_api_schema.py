"""schemathesis against the answer API's part of /api/schema/: whatever a client sends, the
answer is one the document describes, and never a server error."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from luukku.surveys.models import Survey
from luukku.surveys.tests.factories import TouchpointFactory, standard_survey

SURVEY_ID = "6f1c0b57-8c56-4f0e-9d7a-3f5b2a1e9c11"
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).include(
    operation_id="surveys_response_create"
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As in intake's conformance test: the test's transaction must survive each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _seed() -> None:
    if Survey.objects.filter(public_id=SURVEY_ID).exists():
        return
    survey = standard_survey(public_id=SURVEY_ID)
    TouchpointFactory.create(survey=survey, code="fuzz-link")


@override_settings(SURVEYS_SUBMIT_RATE="")
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_answer_api_conforms_to_its_openapi_document(case):
    _seed()
    # Half the cases go to the real survey, so that the body checks behind the 404 are fuzzed.
    if zlib.crc32(repr(case.body).encode()) % 2 == 0:
        case.path_parameters = {"public_id": SURVEY_ID}
    # A body valid by the document may still be refused: the answers must fit the survey's
    # questions, which OpenAPI cannot express. Every other check runs, server errors included.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
