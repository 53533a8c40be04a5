"""The admin speaks the staff's language: Finnish by default, Swedish on request.

The admin is outside `i18n_patterns`, so there is no /sv/admin/: LocaleMiddleware picks the
language from the language cookie (set by the language switcher) or the Accept-Language header.
"""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from luukku.catalogue.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

MODEL_LINK = re.compile(r'<a href="/admin/[a-z_]+/[a-z_]+/"[^>]*>([^<]+)</a>')
FIELD_LABEL = re.compile(r'<label[^>]*for="id_([a-z_]+)"[^>]*>([^<]+)</label>')


@pytest.fixture
def superuser_client(client: Client, django_user_model) -> Client:
    client.force_login(
        django_user_model.objects.create_superuser(username="admin", password="not-used-here")
    )
    return client


def _index_model_names(client: Client) -> set[str]:
    """The model names as the index page shows them (the rendered page, not the lazy context)."""
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return set(MODEL_LINK.findall(_text(response.content)))


def _change_form_labels(client: Client) -> dict[str, str]:
    """Field name → the label shown beside it on a service's change page."""
    service = ServiceFactory.create(slug="rakennuslupa")
    response = client.get(reverse("admin:catalogue_service_change", args=[service.pk]))
    assert response.status_code == 200
    labels = FIELD_LABEL.findall(_text(response.content))
    return {field: label.rstrip(" :") for field, label in labels}


def _changelist(client: Client) -> str:
    ServiceFactory.create(slug="kirjasto")
    response = client.get(reverse("admin:catalogue_service_changelist"))
    assert response.status_code == 200
    return _text(response.content)


def _text(content: bytes) -> str:
    return html.unescape(content.decode())


def test_the_finnish_admin_index_names_the_models_in_finnish(superuser_client):
    names = _index_model_names(superuser_client)

    assert {
        "Palvelut",
        "Asiointikanavat",
        "Palveluluokat",
        "Kohderyhmät",
        "Elämäntapahtumat",
        "Alueet",
        "Organisaatiot",
        "Roolijäsenyydet",
        "Tapahtumaloki",
    } <= names
    assert not names & {"Services", "Service channels", "Role memberships", "Organisations"}


def test_the_finnish_service_change_list_has_finnish_column_headers(superuser_client):
    page = _changelist(superuser_client)

    for header in ("Tunniste", "Palvelutyyppi", "Aihealue", "Aluetyyppi"):
        assert f">{header}</a>" in page
    assert ">Service type</a>" not in page


def test_the_finnish_service_change_form_has_finnish_field_labels(superuser_client):
    labels = _change_form_labels(superuser_client)

    assert labels["service_type"] == "Palvelutyyppi"
    assert labels["service_classes"] == "Palveluluokat"
    assert labels["life_events"] == "Elämäntapahtumat"
    assert labels["channels"] == "Asiointikanavat"
    assert labels["accepts_feedback"] == "Ottaa vastaan palautetta"


def test_the_swedish_admin_follows_the_language_cookie(superuser_client):
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    names = _index_model_names(superuser_client)
    labels = _change_form_labels(superuser_client)
    page = _changelist(superuser_client)

    assert {"Tjänster", "Servicekanaler", "Serviceklasser", "Målgrupper", "Livssituationer"} <= (
        names
    )
    assert "Palvelut" not in names
    assert labels["service_type"] == "Tjänstetyp"
    assert labels["service_classes"] == "Serviceklasser"
    assert labels["channels"] == "Servicekanaler"
    assert ">Tjänstetyp</a>" in page


def test_the_swedish_admin_follows_the_browser_language(superuser_client):
    superuser_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv-FI,sv;q=0.9,en;q=0.5"

    names = _index_model_names(superuser_client)

    assert {"Tjänster", "Servicekanaler", "Rollmedlemskap", "Organisationer"} <= names
