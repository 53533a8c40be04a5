"""Survey answers past their retention period are deleted or anonymised; stale partial answers
and unused invitations go sooner. Time travels by passing the job a later `now`."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from luukku.cases.tests.factories import CaseFactory
from luukku.catalogue.tests.factories import AreaFactory
from luukku.surveys import retention, tasks
from luukku.surveys.models import Answer, Invitation, Question, Response, Survey, Touchpoint
from luukku.surveys.tests.factories import (
    AnswerFactory,
    ResponseFactory,
    TouchpointFactory,
    standard_survey,
)
from luukku.surveys.tokens import new_token

pytestmark = pytest.mark.django_db

NOTHING = {"deleted": 0, "anonymised": 0, "partial_deleted": 0, "invitations_deleted": 0}
GIVEN = datetime(2025, 3, 17, 14, 3, 27, tzinfo=timezone.get_default_timezone())


def invitation_for(survey, *, expires_at=None, case=None):
    touchpoint = TouchpointFactory.create(survey=survey, kind=Touchpoint.Kind.CASE_CLOSED)
    return Invitation.objects.create(
        survey=survey,
        touchpoint=touchpoint,
        token_hash=new_token()[1],
        case=case,
        sent_via=Invitation.SentVia.EMAIL,
        created_at=GIVEN - timedelta(days=1),
        expires_at=expires_at or GIVEN + timedelta(days=29),
    )


def answered(survey, *, at=GIVEN, **fields):
    """A complete response with a rating, an 'other' choice with its text and a free text."""
    response = ResponseFactory.create(
        survey=survey,
        started_at=at - timedelta(minutes=3),
        updated_at=at,
        submitted_at=at,
        consented_at=at,
        resume_token_hash=new_token()[1],
        idempotency_key=f"key-{at.timestamp()}-{Response.objects.count()}",
        **fields,
    )
    questions = {question.code: question for question in survey.questions.all()}
    AnswerFactory.create(response=response, question=questions["overall"], number=2)
    AnswerFactory.create(
        response=response, question=questions["contact_channel"], choices=["other"], text="Chatti"
    )
    AnswerFactory.create(response=response, question=questions["topics"], choices=["x", "z"])
    AnswerFactory.create(
        response=response, question=questions["what_wrong"], text="Matti Meikäläinen, Kauppak. 1"
    )
    return response


def test_expired_answers_are_anonymised_keeping_what_statistics_need():
    survey = standard_survey(retention_days=365, expiry_action=Survey.ExpiryAction.ANONYMISE)
    municipality = AreaFactory.create()
    case = CaseFactory.create()
    invitation = invitation_for(survey, case=case)
    response = answered(
        survey, invitation=invitation, municipality=municipality, age_band="65-74", sex="female"
    )
    fresh = answered(survey, at=GIVEN + timedelta(days=300))

    counts = retention.apply_retention(now=GIVEN + timedelta(days=366))

    assert counts == {**NOTHING, "anonymised": 1}
    response.refresh_from_db()
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert not case.survey_invitations.exists()
    assert response.invitation_id is None
    assert (response.resume_token_hash, response.idempotency_key) == ("", "")
    month = GIVEN.replace(day=1, hour=0, minute=0, second=0)
    assert response.submitted_at == month
    assert response.started_at == month
    assert response.updated_at == month
    assert response.consented_at == month
    assert response.anonymised_at is not None
    assert (response.municipality, response.age_band, response.sex) == (
        municipality,
        "65-74",
        "female",
    )
    assert (response.service_id, response.channel) != (None, "")
    kept = {answer.question.code: answer for answer in response.answers.all()}
    assert set(kept) == {"overall", "contact_channel", "topics"}  # the free text is gone
    assert kept["overall"].number == 2
    assert (kept["contact_channel"].choices, kept["contact_channel"].text) == (["other"], "")
    assert kept["topics"].choices == ["x", "z"]

    fresh.refresh_from_db()
    assert fresh.anonymised_at is None
    assert fresh.answers.filter(text="Chatti").exists()


def test_a_second_run_changes_nothing():
    survey = standard_survey(retention_days=30)
    response = answered(survey)
    later = GIVEN + timedelta(days=31)
    retention.apply_retention(now=later)
    response.refresh_from_db()
    first_anonymised_at = response.anonymised_at

    assert retention.apply_retention(now=later + timedelta(days=1)) == NOTHING
    response.refresh_from_db()
    assert response.anonymised_at == first_anonymised_at


def test_a_delete_survey_deletes_expired_answers_and_their_invitations():
    survey = standard_survey(retention_days=90, expiry_action=Survey.ExpiryAction.DELETE)
    invitation = invitation_for(survey, case=CaseFactory.create())
    answered(survey, invitation=invitation)
    fresh = answered(survey, at=GIVEN + timedelta(days=60))

    counts = retention.apply_retention(now=GIVEN + timedelta(days=91))

    assert counts == {**NOTHING, "deleted": 1}
    assert list(Response.objects.all()) == [fresh]
    assert Answer.objects.exclude(response=fresh).count() == 0
    assert not Invitation.objects.exists()


def test_partial_answers_are_deleted_after_30_days():
    survey = standard_survey()
    old = ResponseFactory.create(
        survey=survey, status=Response.Status.PARTIAL, submitted_at=None, updated_at=GIVEN
    )
    AnswerFactory.create(response=old, question=survey.questions.get(code="overall"), number=4)
    recent = ResponseFactory.create(
        survey=survey,
        status=Response.Status.PARTIAL,
        submitted_at=None,
        updated_at=GIVEN + timedelta(days=2),
    )

    counts = retention.apply_retention(now=GIVEN + timedelta(days=31))

    assert counts == {**NOTHING, "partial_deleted": 1}
    assert list(Response.objects.all()) == [recent]
    assert not Answer.objects.exists()


def test_unused_invitations_are_deleted_30_days_after_they_expire():
    survey = standard_survey()
    unused = invitation_for(survey, expires_at=GIVEN)
    still_in_grace = invitation_for(survey, expires_at=GIVEN + timedelta(days=10))
    used = invitation_for(survey, expires_at=GIVEN)
    answered(survey, invitation=used, at=GIVEN - timedelta(days=2))

    counts = retention.apply_retention(now=GIVEN + timedelta(days=31))

    assert counts == {**NOTHING, "invitations_deleted": 1}
    assert not Invitation.objects.filter(pk=unused.pk).exists()
    assert set(Invitation.objects.all()) == {still_in_grace, used}


def test_times_keep_their_month_as_read_in_finland():
    just_after_midnight = datetime(2025, 4, 1, 0, 30, tzinfo=timezone.get_default_timezone())
    start = retention.month_start(just_after_midnight)
    assert start is not None
    assert (start.month, start.day, start.hour) == (4, 1, 0)
    assert start < just_after_midnight


def test_work_goes_in_batches_until_everything_is_done(monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    survey = standard_survey(retention_days=10)
    for _ in range(5):
        answered(survey)

    counts = retention.apply_retention(now=GIVEN + timedelta(days=11))

    assert counts["anonymised"] == 5
    assert not Response.objects.filter(anonymised_at__isnull=True).exists()
    assert not Answer.objects.filter(question__kind=Question.Kind.FREE_TEXT).exists()


def test_the_daily_task_runs_the_job():
    survey = standard_survey(retention_days=1, expiry_action=Survey.ExpiryAction.DELETE)
    answered(survey, at=timezone.now() - timedelta(days=2))
    assert tasks.apply_retention.delay().get() == {**NOTHING, "deleted": 1}
    assert not Response.objects.exists()
