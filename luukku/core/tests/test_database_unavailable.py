"""A database that is down: clients get 503 with Retry-After (and retry), not a 500."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError
from django.http import HttpResponse

from luukku.catalogue.tests.factories import ServiceFactory
from luukku.core.database_unavailable import RETRY_AFTER_SECONDS, DatabaseUnavailableMiddleware
from luukku.intake.models import ServiceRequest
from luukku.intake.tests.factories import ApiClientFactory, raw_key_of

pytestmark = pytest.mark.django_db

MIDDLEWARE = "luukku.core.database_unavailable.DatabaseUnavailableMiddleware"


@pytest.fixture
def with_middleware(settings):
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], MIDDLEWARE, *settings.MIDDLEWARE[1:]]


def post_feedback(client, api_key):
    return client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "katuvalot", "description": "Valo ei pala."},
        headers={"Idempotency-Key": "k-1"},
    )


def test_open311_post_while_the_database_is_down_is_a_503_to_retry(client, with_middleware):
    ServiceFactory.create(slug="katuvalot")
    api_client = ApiClientFactory.create()
    down = OperationalError('connection to server at "127.0.0.1" failed: Connection refused')
    with mock.patch("luukku.intake.services.submit_request", side_effect=down):
        response = post_feedback(client, raw_key_of(api_client))

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body[0]["code"] == 503
    assert body[0]["description"]
    assert not ServiceRequest.objects.exists()

    # The database is back: the same submission goes through.
    response = post_feedback(client, raw_key_of(api_client))
    assert response.status_code == 200
    assert ServiceRequest.objects.count() == 1


def test_a_page_while_the_database_is_down_is_a_plain_503(rf):
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    request = rf.get("/fi/henkilosto/")
    response = middleware.process_exception(
        request, OperationalError("the database system is shutting down")
    )
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/plain")
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_other_database_errors_stay_server_errors(client, with_middleware):
    ServiceFactory.create(slug="katuvalot")
    api_client = ApiClientFactory.create()
    client.raise_request_exception = False
    with mock.patch(
        "luukku.intake.services.submit_request", side_effect=IntegrityError("a real bug")
    ):
        response = post_feedback(client, raw_key_of(api_client))
    assert response.status_code == 500
    assert "Retry-After" not in response
