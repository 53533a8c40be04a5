"""The same answer sent by several workers at once still lands once (PostgreSQL).

Each thread has its own connection and transaction, as request workers do; the unique
constraints let one insert through and the others update that row.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.cases.tests.test_concurrency import run_in_threads
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.surveys.answering import SurveyUnavailable, save_response
from luukku.surveys.models import Response, StaffParticipation, Survey
from luukku.surveys.tests.factories import QuestionFactory, SurveyFactory, standard_survey
from luukku.surveys.tests.test_answering import invite

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers on the whole file, so no race",
    ),
]


def test_concurrent_sends_with_one_idempotency_key_make_one_response():
    survey = standard_survey()

    def work(i):
        return save_response(survey, {"overall": 1 + i % 5}, idempotency_key="same").created

    outcome = Counter(run_in_threads(work))
    assert outcome[True] == 1
    assert Response.objects.filter(survey=survey).count() == 1
    assert Response.objects.get().answers.count() == 1


def test_concurrent_sends_of_one_invitation_make_one_response():
    survey = standard_survey()
    _, invitation = invite(survey)

    def work(i):
        return save_response(survey, {"overall": 3}, invitation=invitation).created

    assert Counter(run_in_threads(work))[True] == 1
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_concurrent_staff_answers_of_one_person_count_once():
    city = OrganisationFactory.create()
    survey = SurveyFactory.create(organisation=city, kind=Survey.Kind.STAFF)
    QuestionFactory.create(survey=survey, code="wellbeing", kind="rating")
    user = user_with_role(Role.CASE_OWNER, city)

    def work(i):
        try:
            save_response(survey, {"wellbeing": 4}, staff_user=user, idempotency_key=f"form-{i}")
        except SurveyUnavailable:
            return "refused"
        return "saved"

    assert Counter(run_in_threads(work)) == {"saved": 1, "refused": 7}
    assert Response.objects.filter(survey=survey).count() == 1
    assert StaffParticipation.objects.filter(survey=survey, user=user).count() == 1
