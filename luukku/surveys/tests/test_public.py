"""The answer pages as a respondent uses them: an invitation link, a QR code, the kiosk, saving
half-way, errors on the fields, and the staff survey behind a login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceChannelFactory
from luukku.surveys.models import Response, StaffParticipation, Survey, Touchpoint
from luukku.surveys.tests.factories import (
    QuestionFactory,
    SurveyFactory,
    TouchpointFactory,
    standard_survey,
)
from luukku.surveys.tests.test_answering import invite
from luukku.surveys.views_public import RESUME_COOKIE_PREFIX

pytestmark = pytest.mark.django_db

FORM = {
    "nonce": "n-1",
    "q-overall": "4",
    "q-nps": "9",
    "q-contact_channel": "b",
    "q-topics": ["x", "z"],
    "q-comments": "Kiitos",
}


def url(name: str, *args: object, language: str = "fi") -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.fixture
def open_link():
    survey = standard_survey()
    return TouchpointFactory.create(survey=survey, kind=Touchpoint.Kind.OPEN_LINK)


def test_the_open_survey_page_is_in_the_respondents_language(client, open_link):
    html = client.get(url("surveys:touchpoint", open_link.code, language="sv")).content.decode()
    assert "Hur nöjd var du med servicen som helhet?" in html
    assert "Save and continue later" in html or "Spara" in html
    # Without scripts the conditional question is there, with its hint.
    assert "Vad gick fel?" in html
    assert "data-condition" in html


def test_an_answer_through_the_page_is_stored_with_its_language_and_touchpoint(client, open_link):
    response = client.post(url("surveys:touchpoint", open_link.code, language="en"), FORM)
    assert response.status_code == 302
    assert response["Location"] == url("surveys:thanks", open_link.survey.public_id, language="en")
    stored = Response.objects.get()
    assert (stored.language, stored.touchpoint, stored.status) == ("en", open_link, "complete")
    assert stored.answers.get(question__code="topics").choices == ["x", "z"]


def test_the_same_form_sent_twice_is_one_answer(client, open_link):
    page = url("surveys:touchpoint", open_link.code)
    client.post(page, FORM)
    client.post(page, {**FORM, "q-overall": "5"})
    stored = Response.objects.get()
    assert stored.answers.get(question__code="overall").number == 5


def test_errors_are_listed_at_the_top_and_on_each_field(client, open_link):
    response = client.post(
        url("surveys:touchpoint", open_link.code, language="en"),
        {**FORM, "q-overall": "", "q-nps": "11", "q-contact_channel": "other"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_q-overall"' in html
    assert 'id="id_q-overall_error"' in html
    assert "Answer this question." in html
    assert "Choose a number from 0 to 10." in html
    assert "Write what the other option is." in html
    assert 'aria-invalid="true"' in html
    assert not Response.objects.exists()


def test_saving_half_way_keeps_the_answer_in_an_httponly_cookie_and_fills_the_form_again(
    client, open_link
):
    page = url("surveys:touchpoint", open_link.code)
    response = client.post(page, {"nonce": "n-2", "q-nps": "6", "save": "1"})
    assert response.status_code == 302
    assert response["Location"] == page
    cookie = response.cookies[f"{RESUME_COOKIE_PREFIX}{open_link.survey.public_id.hex}"]
    assert cookie["httponly"]
    partial = Response.objects.get()
    assert partial.status == Response.Status.PARTIAL

    html = client.get(page).content.decode()
    assert 'value="6" id="id_q-nps_6" checked' in html

    client.post(page, {**FORM, "nonce": "n-3"})
    partial.refresh_from_db()
    assert partial.status == Response.Status.COMPLETE
    assert Response.objects.count() == 1


def test_an_invitation_page_answers_once_and_a_resend_updates(client):
    survey = standard_survey()
    token, invitation = invite(survey)
    page = url("surveys:invitation", token)
    assert client.get(page).status_code == 200
    client.post(page, FORM)
    client.post(page, {**FORM, "nonce": "other", "q-overall": "2", "q-what_wrong": "Jono"})
    stored = Response.objects.get()
    assert stored.invitation == invitation
    assert stored.answers.get(question__code="what_wrong").text == "Jono"
    # Coming back shows the answer given, to change, no longer to save as a draft.
    html = client.get(page).content.decode()
    assert "Jono" in html
    assert 'name="save"' not in html


def test_an_unknown_invitation_is_not_found_and_an_expired_one_says_so(client):
    survey = standard_survey()
    assert client.get(url("surveys:invitation", "nosuchtoken")).status_code == 404
    token, _ = invite(survey, expires_in=timedelta(days=-1))
    response = client.get(url("surveys:invitation", token, language="en"))
    assert response.status_code == 410
    assert "This survey link has expired." in response.content.decode()


def test_a_closed_survey_says_so(client, open_link):
    Survey.objects.filter(pk=open_link.survey_id).update(status=Survey.Status.CLOSED)
    response = client.get(url("surveys:touchpoint", open_link.code, language="en"))
    assert response.status_code == 410
    assert "This survey is closed" in response.content.decode()


def test_a_case_closed_touchpoint_has_no_open_page(client):
    touchpoint = TouchpointFactory.create(
        survey=standard_survey(), kind=Touchpoint.Kind.CASE_CLOSED
    )
    assert client.get(url("surveys:touchpoint", touchpoint.code)).status_code == 404


@pytest.fixture
def kiosk():
    survey = standard_survey()
    return TouchpointFactory.create(
        survey=survey,
        kind=Touchpoint.Kind.KIOSK,
        location=ServiceChannelFactory.create(),
        channel="walk_in",
    )


def test_the_kiosk_shows_only_the_scale_questions_without_saving_for_later(client, kiosk):
    html = client.get(url("surveys:kiosk", kiosk.code)).content.decode()
    assert "Miltä asiointi tuntui?" in html
    assert "Muuta kerrottavaa?" not in html
    assert 'name="save"' not in html
    assert "site-nav" not in html  # no menu to wander off to


def test_a_kiosk_answer_is_recorded_with_its_touchpoint_location_and_channel(client, kiosk):
    page = url("surveys:kiosk", kiosk.code)
    response = client.post(page, {"nonce": "k1", "q-smiley": "5", "q-overall": "4"})
    assert response["Location"] == url("surveys:kiosk_thanks", kiosk.code)
    # A double tap sends the same form again: still one answer.
    client.post(page, {"nonce": "k1", "q-smiley": "5", "q-overall": "4"})
    # The next person gets a new form and a new answer.
    client.post(page, {"nonce": "k2", "q-smiley": "1", "q-overall": "2"})
    stored = Response.objects.order_by("pk")
    assert stored.count() == 2
    first = stored[0]
    assert (first.touchpoint, first.location, first.channel, first.resume_token_hash) == (
        kiosk,
        kiosk.location,
        "walk_in",
        "",
    )


def test_the_kiosk_thank_you_page_returns_to_an_empty_form(client, kiosk):
    html = client.get(url("surveys:kiosk_thanks", kiosk.code)).content.decode()
    kiosk_url = url("surveys:kiosk", kiosk.code)
    assert f'<meta http-equiv="refresh" content="10;url={kiosk_url}">' in html
    assert f'data-url="{kiosk_url}"' in html
    assert "surveys/kiosk.js" in html


def test_a_kiosk_code_at_the_touchpoint_address_goes_to_the_kiosk(client, kiosk):
    response = client.get(url("surveys:touchpoint", kiosk.code))
    assert response["Location"] == url("surveys:kiosk", kiosk.code)


# Staff surveys ------------------------------------------------------------------------------


@pytest.fixture
def staff_survey():
    city = OrganisationFactory.create()
    unit = OrganisationFactory.create(parent=city)
    survey = SurveyFactory.create(organisation=city, kind=Survey.Kind.STAFF, title_en="Wellbeing")
    QuestionFactory.create(survey=survey, code="wellbeing", kind="rating", required=True)
    return survey, unit


def test_staff_survey_pages_need_a_login(client, staff_survey):
    survey, _ = staff_survey
    for page in (url("surveys:staff_surveys"), url("surveys:staff_answer", survey.public_id)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_staff_answer_through_the_page_once(client, staff_survey):
    survey, unit = staff_survey
    user = user_with_role(Role.CASE_OWNER, unit)
    client.force_login(user)
    listing = client.get(url("surveys:staff_surveys", language="en")).content.decode()
    assert url("surveys:staff_answer", survey.public_id, language="en") in listing
    page = url("surveys:staff_answer", survey.public_id)
    assert 'name="save"' not in client.get(page).content.decode()
    response = client.post(page, {"nonce": "s1", "q-wellbeing": "4"})
    assert response.status_code == 302
    assert StaffParticipation.objects.filter(user=user, survey=survey).exists()
    again = client.get(url("surveys:staff_answer", survey.public_id, language="en"))
    assert "You have already answered" in again.content.decode()


def test_staff_of_another_organisation_are_refused(client, staff_survey):
    survey, _ = staff_survey
    client.force_login(user_with_role(Role.CASE_OWNER, OrganisationFactory.create()))
    response = client.get(url("surveys:staff_answer", survey.public_id, language="en"))
    assert response.status_code == 403
    assert "for the staff of" in response.content.decode()
    response = client.post(url("surveys:staff_answer", survey.public_id), {"q-wellbeing": "4"})
    assert response.status_code == 403
    assert not Response.objects.exists()
