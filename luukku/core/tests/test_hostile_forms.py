"""The public forms refuse malformed input field by field and keep nothing.

One module for the three forms a resident fills in without an account: feedback (/palaute/),
a survey answer (/kysely/) and a panel sign-up (/raati/). Each gets over-long text, a NUL byte,
a malformed e-mail address and choice values that are not among the choices; the answer is the
form again (400 or 200) with a message on each bad field, and no row is written.

Other control characters (a bell, an escape) are kept as text, as in the Open311 API: a
customer's text is stored as written and escaped wherever it is shown (see
test_control_characters_in_a_customers_text_keep_the_xml_well_formed). PostgreSQL cannot store
a NUL byte in text: the feedback and sign-up forms refuse it on the field, the survey service
drops it from the answer.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from luukku.catalogue.tests.factories import ServiceFactory
from luukku.intake.forms import MAX_DESCRIPTION_LENGTH
from luukku.intake.models import ServiceRequest
from luukku.notifications.models import Notification
from luukku.panels.models import Volunteer
from luukku.panels.tests.conftest import Region, region  # noqa: F401
from luukku.panels.tests.factories import PanelFactory
from luukku.surveys.answering import MAX_TEXT_LENGTH
from luukku.surveys.models import Answer, Response, Touchpoint
from luukku.surveys.tests.factories import TouchpointFactory, standard_survey

pytestmark = pytest.mark.django_db


def field_errors(response: Any) -> dict[str, list[str]]:
    """The form's errors by field, as the page shows them next to each field."""
    form = response.context["form"]
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def assert_shown_next_to_fields(response: Any, fields: list[str]) -> None:
    html = response.content.decode()
    for name in fields:
        assert f'id="id_{name}_error"' in html, name


# Feedback


def feedback(client: Client, **overrides: Any) -> Any:
    data = {
        "kind": "service_request",
        "service": "katuvalot",
        "description": "Katuvalo ei pala.",
        "token": uuid.uuid4().hex,
        "website": "",
        **overrides,
    }
    return client.post("/en/palaute/uusi/", data)


def test_feedback_refuses_each_malformed_field_and_stores_nothing(client: Client) -> None:
    ServiceFactory.create(slug="katuvalot", accepts_feedback=True)

    response = feedback(
        client,
        kind="complaint-or-whatever",
        description="x" * (MAX_DESCRIPTION_LENGTH + 1),
        address="Kauppakatu\x00 1",
        email="not an address@",
        phone="0" * 41,
        consent="on",
        latitude="north",
        longitude="200",
    )

    assert response.status_code == 400
    errors = field_errors(response)
    assert "Select a valid choice." in errors["kind"][0]
    assert f"at most {MAX_DESCRIPTION_LENGTH} characters" in errors["description"][0]
    assert errors["address"] == ["Null characters are not allowed."]
    assert errors["email"][0] == "Enter the e-mail address in the form name@example.fi."
    assert "at most 40 characters" in errors["phone"][0]
    assert errors["latitude"] == ["Enter a number."]
    assert "less than or equal to 180" in errors["longitude"][0]
    assert_shown_next_to_fields(response, ["kind", "description", "address", "email"])
    assert ServiceRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_nul_byte_in_the_feedback_text_is_refused_in_finnish(client: Client) -> None:
    ServiceFactory.create(slug="katuvalot", accepts_feedback=True)

    response = client.post(
        "/palaute/uusi/",
        {
            "kind": "service_request",
            "service": "katuvalot",
            "description": "Valo\x00 ei pala",
            "token": uuid.uuid4().hex,
            "website": "",
        },
    )

    assert response.status_code == 400
    assert field_errors(response)["description"] == ["Tyhjiä merkkejä (null) ei sallita."]
    assert ServiceRequest.objects.count() == 0


# Survey answer


SURVEY_FORM = {
    "nonce": "n-1",
    "q-overall": "4",
    "q-nps": "9",
    "q-contact_channel": "b",
    "q-topics": ["x", "z"],
    "q-comments": "Kiitos",
}


def test_a_survey_answer_refuses_each_malformed_field_and_stores_nothing(client: Client) -> None:
    link = TouchpointFactory.create(survey=standard_survey(), kind=Touchpoint.Kind.OPEN_LINK)

    response = client.post(
        f"/en/kysely/t/{link.code}/",
        {
            **SURVEY_FORM,
            "q-overall": "4; DROP TABLE",
            "q-nps": "-1",
            "q-contact_channel": "not-a-choice",
            "q-topics": ["x", "nope"],
            "q-comments": "y" * (MAX_TEXT_LENGTH + 1),
        },
    )

    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) >= {"q-overall", "q-nps", "q-contact_channel", "q-topics", "q-comments"}
    assert errors["q-contact_channel"] == [
        "Unknown option: not-a-choice. Choose from the options given."
    ]
    assert "nope" in errors["q-topics"][0]
    assert f"at most {MAX_TEXT_LENGTH} characters" in errors["q-comments"][0]
    assert_shown_next_to_fields(response, ["q-overall", "q-contact_channel", "q-comments"])
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_nul_byte_in_a_survey_answer_is_dropped_not_stored(client: Client) -> None:
    """The survey service strips NUL bytes from text answers (answering.py) rather than
    refusing the whole answer over an invisible character; none reaches the database."""
    link = TouchpointFactory.create(survey=standard_survey(), kind=Touchpoint.Kind.OPEN_LINK)

    response = client.post(
        f"/en/kysely/t/{link.code}/", {**SURVEY_FORM, "q-comments": "Kii\x00tos"}
    )

    assert response.status_code == 302
    assert Answer.objects.get(question__code="comments").text == "Kiitos"


# Panel sign-up


def test_a_panel_sign_up_refuses_each_malformed_field_and_stores_nothing(
    client: Client,
    region: Region,  # noqa: F811
) -> None:
    panel = PanelFactory.create()

    response = client.post(
        f"/en/raati/{panel.pk}/ilmoittaudu/",
        {
            "name": "N" * 201,
            "email": "maija@@example",
            "phone": "040\x00123",
            "birth_year": str(timezone.localdate().year - 40),
            "municipality": "999999",
            "sex": "robot",
            "customer_type": "person",
            "interests": ["health", "astrology"],
            "consent_given": "on",
            "consent_id": region.membership.pk,
        },
    )

    assert response.status_code in (200, 400)
    errors = field_errors(response)
    assert "at most 200 characters" in errors["name"][0]
    assert errors["email"] == ["Enter the e-mail address in the form name@example.fi."]
    assert errors["phone"] == ["Null characters are not allowed."]
    assert "Select a valid choice" in errors["municipality"][0]
    assert "Select a valid choice" in errors["sex"][0]
    assert "astrology" in errors["interests"][0]
    assert_shown_next_to_fields(response, ["name", "email", "sex"])
    assert Volunteer.objects.count() == 0
