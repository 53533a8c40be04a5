"""GET /api/v1/routing/suggest: staff only, clear errors, in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import UserFactory, user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.intake.tests.factories import ApiClientFactory, raw_key_of
from luukku.router.models import MAX_TEXT_LENGTH, RouterModel

pytestmark = pytest.mark.django_db

URL = "/api/v1/routing/suggest"


@pytest.fixture
def agent_client(client: Client) -> Client:
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))
    return client


def test_staff_get_suggestions_best_first(trained: RouterModel, agent_client: Client) -> None:
    response = agent_client.get(URL, {"text": "Lapselle päivähoitopaikkaa", "lang": "fi"})

    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == trained.version
    slugs = [suggestion["slug"] for suggestion in body["suggestions"]]
    assert slugs[0] == "varhaiskasvatus"
    assert len(slugs) == 3
    first = body["suggestions"][0]
    assert set(first) >= {"slug", "name", "organisation", "confidence"}
    assert first["name"] == "Varhaiskasvatus"
    confidences = [suggestion["confidence"] for suggestion in body["suggestions"]]
    assert confidences == sorted(confidences, reverse=True)


def test_names_follow_the_language(trained: RouterModel, agent_client: Client) -> None:
    response = agent_client.get(URL, {"text": "I need a building permit", "lang": "en"})

    assert response.json()["suggestions"][0]["name"] == "Building permit"


def test_an_organisations_api_key_is_staff(trained: RouterModel, client: Client) -> None:
    key = raw_key_of(ApiClientFactory.create(organisation=OrganisationFactory.create()))

    response = client.get(URL, {"text": "hammassärky"}, HTTP_X_API_KEY=key)

    assert response.status_code == 200
    assert response.json()["suggestions"][0]["slug"] == "hammashoito"


@pytest.mark.parametrize("who", ["anonymous", "no role", "catalogue manager"])
def test_others_are_refused(trained: RouterModel, client: Client, who: str) -> None:
    if who == "no role":
        client.force_login(UserFactory.create())
    elif who == "catalogue manager":
        client.force_login(user_with_role(Role.SERVICE_MANAGER))

    response = client.get(URL, {"text": "hammassärky"})

    assert response.status_code == 403


def test_public_or_unknown_api_keys_are_refused(trained: RouterModel, client: Client) -> None:
    public_key = raw_key_of(ApiClientFactory.create(organisation=None))
    assert client.get(URL, {"text": "kirja"}, HTTP_X_API_KEY=public_key).status_code == 403
    assert client.get(URL, {"text": "kirja"}, HTTP_X_API_KEY="not-a-key").status_code == 403


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        # The API answers in Finnish, the site's default language, like the catalogue API.
        ({}, "text", "vaaditaan"),
        ({"text": "   "}, "text", "tyhjä"),
        ({"text": "x" * (MAX_TEXT_LENGTH + 1)}, "text", str(MAX_TEXT_LENGTH)),
        ({"text": "kirja", "lang": "de"}, "lang", '"de"'),
        ({"text": "kirja", "municipality": "Atlantis"}, "municipality", "Unknown municipality"),
        ({"text": "kirja", "limit": "0"}, "limit", "1"),
    ],
)
def test_bad_parameters_are_400_with_the_reason(
    trained: RouterModel, agent_client: Client, params: dict, field: str, message: str
) -> None:
    response = agent_client.get(URL, params)

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_without_a_trained_model_the_api_says_so(catalogue: dict, agent_client: Client) -> None:
    response = agent_client.get(URL, {"text": "kirja"})

    assert response.status_code == 503
    assert "train_router" in response.json()["detail"]


def test_the_endpoint_is_in_the_openapi_document(client: Client) -> None:
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/routing/suggest"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"text", "lang"}
    assert "apiKey" in schema["components"]["securitySchemes"]
