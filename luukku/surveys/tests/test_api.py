"""The answer API: 201 for a new answer, 200 for a resend, 400 with a message per question,
404 for no such survey, 409 for a closed one, 410 for an expired invitation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from luukku.catalogue.tests.factories import ServiceChannelFactory
from luukku.surveys.models import Response, Survey, Touchpoint
from luukku.surveys.tests.factories import SurveyFactory, TouchpointFactory, standard_survey
from luukku.surveys.tests.test_answering import invite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    """The limit has its own test below; the others post freely (one address, many tests)."""
    settings.SURVEYS_SUBMIT_RATE = ""


BODY = {
    "language": "sv",
    "answers": {"overall": 4, "nps": 9, "contact_channel": "other", "topics": ["x", "y"]},
    "other": {"contact_channel": "Chatissa"},
}


def post(client, survey, body, **headers):
    return client.post(
        reverse("surveys_api:responses", args=[survey.public_id]),
        body,
        content_type="application/json",
        headers=headers,
    )


def test_a_new_answer_is_created_and_a_resend_with_the_same_key_updates_it(client):
    survey = standard_survey()
    first = post(client, survey, BODY, **{"Idempotency-Key": "app-1"})
    assert first.status_code == 201
    assert first.json()["status"] == "complete"
    assert "resume_token" not in first.json()
    again = post(
        client, survey, {**BODY, "answers": {"overall": 2}}, **{"Idempotency-Key": "app-1"}
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    stored = Response.objects.get()
    assert stored.language == "sv"
    assert stored.answers.get().number == 2


def test_a_key_used_through_another_invitation_is_refused_and_the_answer_kept(client):
    survey = standard_survey()
    token, _ = invite(survey)
    assert post(client, survey, {**BODY, "token": token}, **{"Idempotency-Key": "k1"}).status_code
    other_token, _ = invite(survey)
    refused = post(
        client,
        survey,
        {**BODY, "token": other_token, "answers": {"overall": 1}},
        **{"Idempotency-Key": "k1"},
    )
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["idempotency_key"]
    assert Response.objects.get().answers.get(question__code="overall").number == 4


def test_the_id_reveals_no_row_number(client):
    survey = standard_survey()
    answer_id = post(client, survey, BODY).json()["id"]
    assert str(Response.objects.get().pk) != answer_id
    assert len(answer_id) == 24


def test_an_invited_answer_sent_twice_lands_once(client):
    survey = standard_survey()
    token, invitation = invite(survey)
    assert post(client, survey, {**BODY, "token": token}).status_code == 201
    assert post(client, survey, {**BODY, "token": token}).status_code == 200
    assert Response.objects.get().invitation == invitation


def test_a_partial_answer_returns_a_resume_token_that_continues_it(client):
    survey = standard_survey()
    partial = post(client, survey, {"status": "partial", "answers": {"nps": 3}})
    assert partial.status_code == 201
    token = partial.json()["resume_token"]
    done = post(client, survey, {"resume_token": token, "answers": {"overall": 5, "nps": 3}})
    assert done.status_code == 200
    assert Response.objects.get().status == "complete"


def test_bad_answers_get_a_message_per_question(client):
    survey = standard_survey()
    response = post(
        client,
        survey,
        {
            "language": "en",
            "answers": {"overall": 9, "topics": ["x", "q"], "contact_channel": "other"},
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "overall": ["Choose a number from 1 to 5."],
            "topics": ["Unknown option: q. Choose from the options given."],
            "contact_channel": ["Write what the other option is."],
        }
    }
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "de"}, "language"),
        ({"status": "done"}, "status"),
        ({"answers": ["overall"]}, "answers"),
        ({"background": {"sex": "x"}}, "sex"),
        ({"touchpoint": "nosuch", "answers": {"overall": 3}}, "touchpoint"),
        ({"token": "nosuch", "answers": {"overall": 3}}, "token"),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field(client, body, field):
    response = post(client, standard_survey(), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_body_that_is_not_json_is_refused(client):
    survey = standard_survey()
    url = reverse("surveys_api:responses", args=[survey.public_id])
    assert client.post(url, "{", content_type="application/json").status_code == 400
    assert client.post(url, {"answers": "x"}).status_code == 415


def test_an_overlong_idempotency_key_is_refused(client):
    response = post(client, standard_survey(), BODY, **{"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert "idempotency_key" in response.json()["errors"]


def test_unknown_draft_and_staff_surveys_are_not_found(client):
    assert post(client, Survey(public_id=uuid.uuid4()), BODY).status_code == 404
    assert post(client, standard_survey(status="draft"), BODY).status_code == 404
    assert post(client, SurveyFactory.create(kind="staff"), {}).status_code == 404


def test_a_closed_survey_is_a_conflict_and_an_expired_invitation_gone(client):
    closed = standard_survey(status=Survey.Status.CLOSED)
    response = post(client, closed, {**BODY, "language": "en"})
    assert response.status_code == 409
    assert response.json()["errors"]["survey"] == ["This survey is closed and takes no answers."]
    survey = standard_survey()
    token, _ = invite(survey, expires_in=timedelta(seconds=-1))
    response = post(client, survey, {**BODY, "token": token, "language": "en"})
    assert response.status_code == 410
    assert "expired" in response.json()["errors"]["token"][0]


def test_messages_come_in_the_respondents_language(client):
    survey = standard_survey()
    finnish = post(client, survey, {"answers": {"overall": 9}})
    swedish = post(client, survey, {"language": "sv", "answers": {"overall": 9}})
    assert finnish.json()["errors"]["overall"] == ["Valitse luku väliltä 1–5."]
    assert swedish.json()["errors"]["overall"] != finnish.json()["errors"]["overall"]


def test_a_kiosk_app_answer_remembers_the_location(client):
    survey = standard_survey()
    kiosk = TouchpointFactory.create(
        survey=survey, kind=Touchpoint.Kind.KIOSK, location=ServiceChannelFactory.create()
    )
    response = post(
        client, survey, {"touchpoint": kiosk.code, "answers": {"smiley": 4, "overall": 5}}
    )
    assert response.status_code == 201
    assert Response.objects.get().location == kiosk.location


def test_answers_are_limited_per_address(client, settings):
    cache.clear()
    settings.SURVEYS_SUBMIT_RATE = "2/minute"
    survey = standard_survey()
    statuses = [post(client, survey, BODY).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
