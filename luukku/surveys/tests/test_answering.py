"""Saving answers: once per invitation or key, updated on resend, partial and resumed, every bad
value refused with a clear message, hidden questions dropped, staff answers unlinked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import MembershipFactory, user_with_role
from luukku.cases.tests.factories import CaseFactory
from luukku.catalogue.tests.factories import (
    AreaFactory,
    OrganisationFactory,
    ServiceChannelFactory,
    ServiceFactory,
)
from luukku.core.models import ConsentText
from luukku.surveys import answering
from luukku.surveys.answering import SurveyAnswerError, SurveyUnavailable, save_response
from luukku.surveys.models import (
    Answer,
    Invitation,
    Response,
    StaffParticipation,
    Survey,
    Touchpoint,
)
from luukku.surveys.tests.factories import (
    QuestionFactory,
    SurveyFactory,
    TouchpointFactory,
    standard_survey,
)
from luukku.surveys.tokens import new_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the tests start in Finnish, the site's default)."""
    with translation.override("en"):
        yield


GOOD = {"overall": 4, "nps": 9, "contact_channel": "a", "topics": ["x", "y"], "comments": "Hyvä"}


def invite(survey: Survey, *, expires_in: timedelta = timedelta(days=14), **fields):
    """An invitation as invitations.py makes one; returns (plain token, invitation)."""
    token, token_hash = new_token()
    touchpoint = TouchpointFactory.create(survey=survey, kind=Touchpoint.Kind.CASE_CLOSED)
    invitation = Invitation.objects.create(
        survey=survey,
        touchpoint=touchpoint,
        token_hash=token_hash,
        sent_via=Invitation.SentVia.EMAIL,
        expires_at=timezone.now() + expires_in,
        **fields,
    )
    return token, invitation


def answers_of(response: Response) -> dict[str, object]:
    result: dict[str, object] = {}
    for answer in Answer.objects.filter(response=response).select_related("question"):
        if answer.number is not None:
            result[answer.question.code] = answer.number
        elif answer.choices:
            result[answer.question.code] = answer.choices
        else:
            result[answer.question.code] = answer.text
    return result


def errors_of(survey, values, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(SurveyAnswerError) as caught:
        save_response(survey, values, **kwargs)
    return caught.value.errors


def test_a_complete_answer_is_stored_with_every_value():
    survey = standard_survey()
    saved = save_response(survey, GOOD, language="sv")
    assert saved.created
    response = saved.response
    assert response.status == Response.Status.COMPLETE
    assert response.submitted_at is not None
    assert response.language == "sv"
    assert answers_of(response) == {**GOOD, "contact_channel": ["a"]}


def test_an_invited_answer_lands_once_and_a_resend_replaces_it():
    survey = standard_survey()
    _, invitation = invite(survey)
    first = save_response(survey, GOOD, invitation=invitation)
    second = save_response(survey, {"overall": 5}, invitation=invitation)
    assert first.created
    assert not second.created
    assert Response.objects.filter(survey=survey).count() == 1
    assert answers_of(second.response) == {"overall": 5}


def test_the_same_idempotency_key_updates_instead_of_duplicating():
    survey = standard_survey()
    save_response(survey, GOOD, idempotency_key="abc-1")
    again = save_response(survey, GOOD, idempotency_key="abc-1")
    assert not again.created
    assert Response.objects.filter(survey=survey).count() == 1
    save_response(survey, GOOD, idempotency_key="abc-2")
    assert Response.objects.filter(survey=survey).count() == 2


def test_another_invitations_or_touchpoints_key_cannot_overwrite_its_answer():
    survey = standard_survey()
    _, invitation = invite(survey)
    theirs = save_response(survey, GOOD, invitation=invitation, idempotency_key="guessed")
    _, mine = invite(survey)
    link = TouchpointFactory.create(survey=survey, kind=Touchpoint.Kind.OPEN_LINK)
    for kwargs in ({"invitation": mine}, {"touchpoint": link}, {}):
        errors = errors_of(survey, {"overall": 1}, idempotency_key="guessed", **kwargs)
        assert errors == {
            "idempotency_key": [
                "This idempotency key was already used for another answer. "
                "Send each new answer with a new key."
            ]
        }
    assert answers_of(theirs.response) == {**GOOD, "contact_channel": ["a"]}
    assert Response.objects.filter(survey=survey).count() == 1


def test_only_a_keyed_hash_of_the_idempotency_key_is_stored():
    survey = standard_survey()
    saved = save_response(survey, GOOD, idempotency_key="client-key-1")
    stored = Response.objects.get(pk=saved.response.pk).idempotency_key
    assert "client-key-1" not in stored
    assert len(stored) == 64
    assert not save_response(survey, GOOD, idempotency_key="client-key-1").created


def test_a_partial_answer_skips_required_questions_and_is_resumed_by_its_token():
    survey = standard_survey()
    partial = save_response(survey, {"nps": 7}, status=Response.Status.PARTIAL)
    assert partial.resume_token
    assert partial.response.status == Response.Status.PARTIAL
    assert partial.response.submitted_at is None
    found = answering.resumable_response(survey, partial.resume_token)
    assert found == partial.response

    done = save_response(survey, {"overall": 3, "nps": 7}, resume_token=partial.resume_token)
    assert not done.created
    assert done.response.pk == partial.response.pk
    assert done.response.status == Response.Status.COMPLETE
    # Submitted: the browser's token no longer opens the answer.
    assert answering.resumable_response(survey, partial.resume_token) is None


def test_a_missing_required_answer_is_named():
    survey = standard_survey()
    assert errors_of(survey, {"nps": 7}) == {"overall": ["Answer this question."]}
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("values", "code", "message"),
    [
        ({"overall": 6}, "overall", "Choose a number from 1 to 5."),
        ({"overall": 4, "nps": -1}, "nps", "Choose a number from 0 to 10."),
        ({"overall": "neljä"}, "overall", "Choose a number from 1 to 5."),
        ({"overall": True}, "overall", "Choose a number from 1 to 5."),
        ({"overall": 4, "contact_channel": "c"}, "contact_channel", "Unknown option: c."),
        ({"overall": 4, "contact_channel": ["a", "b"]}, "contact_channel", "Choose only one"),
        ({"overall": 4, "topics": ["x", "nope"]}, "topics", "Unknown option: nope."),
        ({"overall": 4, "topics": {"x": 1}}, "topics", "Choose from the options given."),
        ({"overall": 4, "comments": "x" * 5001}, "comments", "Write at most 5000 characters"),
        ({"overall": 4, "comments": 12}, "comments", "Write the answer as text."),
        ({"overall": 4, "nosuch": 1}, "nosuch", "This survey has no such question."),
    ],
)
def test_bad_values_get_a_clear_message_and_nothing_is_stored(values, code, message):
    survey = standard_survey()
    errors = errors_of(survey, values)
    assert message in errors[code][0]
    assert not Response.objects.exists()


def test_other_needs_its_text_and_only_where_allowed():
    survey = standard_survey()
    errors = errors_of(survey, {"overall": 4, "contact_channel": "other"})
    assert errors == {"contact_channel": ["Write what the other option is."]}
    errors = errors_of(survey, {"overall": 4, "topics": ["other"]}, other={"topics": "x"})
    assert "Unknown option: other." in errors["topics"][0]

    saved = save_response(
        survey, {"overall": 4, "contact_channel": "other"}, other={"contact_channel": " Chatissa "}
    )
    answer = saved.response.answers.get(question__code="contact_channel")
    assert answer.choices == ["other"]
    assert answer.text == "Chatissa"


def test_an_answer_to_a_hidden_question_is_dropped():
    survey = standard_survey()
    # what_wrong is shown only when overall <= 2.
    saved = save_response(survey, {"overall": 5, "what_wrong": "Kaikki"})
    assert "what_wrong" not in answers_of(saved.response)
    saved = save_response(survey, {"overall": 2, "what_wrong": "Jono"})
    assert answers_of(saved.response)["what_wrong"] == "Jono"


def test_a_required_conditional_question_is_required_only_when_shown():
    survey = SurveyFactory.create()
    first = QuestionFactory.create(survey=survey, code="a", kind="rating")
    QuestionFactory.create(
        survey=survey,
        code="b",
        kind="text",
        required=True,
        show_if_question=first,
        show_if_operator="lte",
        show_if_value=2,
    )
    save_response(survey, {"a": 4})
    assert errors_of(survey, {"a": 1}) == {"b": ["Answer this question."]}


def test_background_uses_the_standard_categories():
    survey = standard_survey()
    kuopio = AreaFactory.create(code="297", name_fi="Kuopio")
    saved = save_response(
        survey,
        GOOD,
        background={
            "municipality": "297",
            "age_band": "25-34",
            "sex": "female",
            "customer_type": "person",
        },
    )
    response = saved.response
    assert (response.municipality, response.age_band, response.sex, response.customer_type) == (
        kuopio,
        "25-34",
        "female",
        "person",
    )
    errors = errors_of(
        survey, GOOD, background={"municipality": "999", "age_band": "20-30", "shoe": "42"}
    )
    assert errors == {
        "municipality": ["Choose a municipality from the list."],
        "age_band": ["Choose from the options given."],
        "shoe": ["Unknown background question."],
    }


def test_a_region_code_is_not_a_municipality():
    survey = standard_survey()
    AreaFactory.create(code="11", area_type="Province", name_fi="Pohjois-Savo")
    errors = errors_of(survey, GOOD, background={"municipality": "11"})
    assert errors == {"municipality": ["Choose a municipality from the list."]}


def test_a_closed_or_not_yet_open_survey_takes_no_answers():
    closed = standard_survey(status=Survey.Status.CLOSED)
    with pytest.raises(SurveyUnavailable) as caught:
        save_response(closed, GOOD)
    assert caught.value.reason == SurveyUnavailable.CLOSED
    later = standard_survey(opens_at=timezone.now() + timedelta(days=1))
    with pytest.raises(SurveyUnavailable):
        save_response(later, GOOD)


def test_an_expired_invitation_is_refused_even_for_an_update():
    survey = standard_survey()
    _, invitation = invite(survey, expires_in=timedelta(days=-1))
    with pytest.raises(SurveyUnavailable) as caught:
        save_response(survey, GOOD, invitation=invitation)
    assert caught.value.reason == SurveyUnavailable.EXPIRED
    assert "expired" in caught.value.errors["token"][0]


def test_an_invitation_whose_answer_was_removed_cannot_be_used_again():
    survey = standard_survey()
    _, invitation = invite(survey)
    save_response(survey, GOOD, invitation=invitation).response.delete()
    invitation.refresh_from_db()
    with pytest.raises(SurveyUnavailable) as caught:
        save_response(survey, GOOD, invitation=invitation)
    assert caught.value.reason == SurveyUnavailable.USED


def test_an_anonymous_answer_forgets_the_case_but_keeps_the_double_invitation_guard():
    survey = standard_survey()
    case = CaseFactory.create()
    service = ServiceFactory.create()
    _, invitation = invite(
        survey, case=case, case_key="k" * 64, service=service, channel="phone", language="fi"
    )
    saved = save_response(survey, {"nps": 3}, invitation=invitation, status="partial")
    invitation.refresh_from_db()
    assert invitation.case is None
    assert invitation.case_key == "k" * 64
    assert invitation.first_answered_at is not None
    assert saved.resume_token == ""  # the invitation's own link resumes it
    response = saved.response
    assert (response.service, response.channel, response.touchpoint) == (
        service,
        "phone",
        invitation.touchpoint,
    )


def test_an_identified_answer_keeps_the_case_only_with_consent():
    survey = standard_survey(identified=True)
    text = ConsentText.objects.create(
        purpose=ConsentText.Purpose.SURVEY_IDENTIFIED,
        version=1,
        text_fi="Suostun",
        text_sv="Jag samtycker",
        text_en="I agree",
        valid_from=timezone.now() - timedelta(days=1),
    )
    case = CaseFactory.create()
    _, with_consent = invite(survey, case=case)
    saved = save_response(survey, GOOD, invitation=with_consent, consent=True)
    with_consent.refresh_from_db()
    assert with_consent.case == case
    assert saved.response.consent == text
    assert saved.response.consented_at is not None

    _, without = invite(survey, case=CaseFactory.create())
    saved = save_response(survey, GOOD, invitation=without)
    without.refresh_from_db()
    assert without.case is None
    assert saved.response.consent is None


def test_a_resend_without_consent_withdraws_it_with_the_case_link():
    survey = standard_survey(identified=True)
    ConsentText.objects.create(
        purpose=ConsentText.Purpose.SURVEY_IDENTIFIED,
        version=1,
        text_fi="Suostun",
        text_sv="Jag samtycker",
        text_en="I agree",
        valid_from=timezone.now() - timedelta(days=1),
    )
    _, invitation = invite(survey, case=CaseFactory.create())
    save_response(survey, GOOD, invitation=invitation, consent=True)
    saved = save_response(survey, GOOD, invitation=invitation)
    invitation.refresh_from_db()
    response = Response.objects.get(pk=saved.response.pk)
    assert invitation.case is None
    assert (response.consent, response.consented_at) == (None, None)


def test_a_touchpoint_answer_remembers_service_channel_location_and_organisation():
    survey = standard_survey()
    location = ServiceChannelFactory.create()
    service = ServiceFactory.create()
    touchpoint = TouchpointFactory.create(
        survey=survey,
        kind=Touchpoint.Kind.LOCATION,
        location=location,
        service=service,
        channel="walk_in",
    )
    response = save_response(survey, GOOD, touchpoint=touchpoint).response
    # The builder gives only case-closed touchpoints an organisation: a QR code or kiosk
    # answer names the organisation of the location that served the respondent.
    assert (
        response.touchpoint,
        response.location,
        response.service,
        response.channel,
        response.organisation,
    ) == (touchpoint, location, service, "walk_in", location.organisation)


def test_a_kiosk_asks_only_the_scale_questions():
    survey = standard_survey()
    kiosk = TouchpointFactory.create(
        survey=survey, kind=Touchpoint.Kind.KIOSK, location=ServiceChannelFactory.create()
    )
    saved = save_response(survey, {"smiley": 5, "overall": 4, "comments": "ei"}, touchpoint=kiosk)
    assert answers_of(saved.response) == {"smiley": 5, "overall": 4}


def test_a_touchpoint_of_another_survey_or_inactive_is_refused():
    survey = standard_survey()
    other = TouchpointFactory.create()
    assert "touchpoint" in errors_of(survey, GOOD, touchpoint=other)
    inactive = TouchpointFactory.create(survey=survey, active=False)
    assert "touchpoint" in errors_of(survey, GOOD, touchpoint=inactive)


# Staff surveys ------------------------------------------------------------------------------


@pytest.fixture
def staff_setup():
    city = OrganisationFactory.create(name_fi="Kaupunki")
    unit = OrganisationFactory.create(parent=city, name_fi="Kirjasto")
    survey = SurveyFactory.create(organisation=city, kind=Survey.Kind.STAFF)
    QuestionFactory.create(survey=survey, code="wellbeing", kind="rating", required=True)
    return {"city": city, "unit": unit, "survey": survey}


def test_a_staff_answer_is_stored_without_any_link_to_the_person(staff_setup):
    survey = staff_setup["survey"]
    user = user_with_role(Role.CASE_OWNER, staff_setup["unit"])
    saved = save_response(survey, {"wellbeing": 4}, staff_user=user)
    response = saved.response
    assert response.staff_unit == staff_setup["unit"]
    assert StaffParticipation.objects.filter(survey=survey, user=user).count() == 1
    # Nothing on the response points at a user, and its times are at day precision.
    user_links = [
        f.name
        for f in Response._meta.get_fields()
        if getattr(f, "related_model", None) is type(user)
    ]
    assert user_links == []
    for moment in (response.started_at, response.updated_at, response.submitted_at):
        local = timezone.localtime(moment)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def test_a_second_staff_answer_is_refused_with_the_reason(staff_setup):
    survey = staff_setup["survey"]
    user = user_with_role(Role.CASE_OWNER, staff_setup["unit"])
    save_response(survey, {"wellbeing": 4}, staff_user=user)
    with pytest.raises(SurveyUnavailable) as caught:
        save_response(survey, {"wellbeing": 2}, staff_user=user)
    assert caught.value.reason == SurveyUnavailable.ALREADY_ANSWERED
    assert "cannot be changed" in caught.value.errors["survey"][0]
    assert Response.objects.filter(survey=survey).count() == 1


def test_the_same_staff_form_sent_twice_counts_once(staff_setup):
    survey = staff_setup["survey"]
    user = user_with_role(Role.CASE_OWNER, staff_setup["unit"])
    save_response(survey, {"wellbeing": 4}, staff_user=user, idempotency_key="n1")
    again = save_response(survey, {"wellbeing": 4}, staff_user=user, idempotency_key="n1")
    assert not again.created
    assert Response.objects.filter(survey=survey).count() == 1


def test_staff_of_another_organisation_or_of_the_parent_may_not_answer(staff_setup):
    survey = SurveyFactory.create(organisation=staff_setup["unit"], kind=Survey.Kind.STAFF)
    outsider = user_with_role(Role.CASE_OWNER, OrganisationFactory.create())
    parent_staff = user_with_role(Role.CASE_OWNER, staff_setup["city"])
    for user in (outsider, parent_staff, None):
        with pytest.raises(SurveyUnavailable) as caught:
            save_response(survey, {}, staff_user=user)
        assert caught.value.reason == SurveyUnavailable.NOT_ELIGIBLE
    assert not Response.objects.exists()


def test_a_member_of_several_units_chooses_one_of_their_own(staff_setup):
    survey = staff_setup["survey"]
    user = user_with_role(Role.CASE_OWNER, staff_setup["unit"])
    second = OrganisationFactory.create(parent=staff_setup["city"], name_fi="Uimahalli")
    MembershipFactory.create(user=user, organisation=second, role=Role.CASE_OWNER)
    assert errors_of(survey, {"wellbeing": 3}, staff_user=user) == {
        "staff_unit": ["Choose the unit you answer for."]
    }
    foreign = OrganisationFactory.create()
    assert "staff_unit" in errors_of(survey, {"wellbeing": 3}, staff_user=user, staff_unit=foreign)
    saved = save_response(survey, {"wellbeing": 3}, staff_user=user, staff_unit=second)
    assert saved.response.staff_unit == second


def test_a_staff_survey_cannot_be_saved_half_way(staff_setup):
    user = user_with_role(Role.CASE_OWNER, staff_setup["unit"])
    errors = errors_of(staff_setup["survey"], {}, staff_user=user, status="partial")
    assert "status" in errors


def test_the_staff_survey_list_shows_eligible_open_surveys_and_what_was_answered(staff_setup):
    user = user_with_role(Role.CASE_OWNER, staff_setup["unit"])
    other = SurveyFactory.create(kind=Survey.Kind.STAFF)
    SurveyFactory.create(organisation=staff_setup["city"], kind="staff", status="closed")
    assert answering.staff_surveys_for(user) == [(staff_setup["survey"], False)]
    save_response(staff_setup["survey"], {"wellbeing": 5}, staff_user=user)
    assert answering.staff_surveys_for(user) == [(staff_setup["survey"], True)]
    assert other not in [s for s, _ in answering.staff_surveys_for(user)]


def test_sent_answers_are_not_turned_back_into_a_draft():
    survey = standard_survey()
    _, invitation = invite(survey)
    save_response(survey, GOOD, invitation=invitation)
    errors = errors_of(survey, {"nps": 1}, invitation=invitation, status="partial")
    assert "status" in errors
    assert Response.objects.get().status == Response.Status.COMPLETE
