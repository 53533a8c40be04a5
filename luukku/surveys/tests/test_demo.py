"""The demo surveys: every touchpoint, a year of valid answers with a skewed background, a staff
survey with one unit too small to show, and a second load that writes nothing."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luukku.demo.services import load_demo_region
from luukku.surveys.conditions import AnswerValue, is_shown
from luukku.surveys.demo import (
    ANSWER_COUNT,
    CUSTOMER_SURVEY_ID,
    STAFF_SURVEY_ID,
    load_demo_surveys,
)
from luukku.surveys.models import Question, Response, Survey, Touchpoint

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def demo():
    """The demo region (without demo users) and the demo surveys; returns the rows written."""
    load_demo_region()
    return load_demo_surveys()


def test_kuopio_asks_how_it_did_at_every_touchpoint_in_three_languages(demo):
    survey = Survey.objects.get(public_id=CUSTOMER_SURVEY_ID)
    assert survey.organisation.slug == "kuopion-kaupunki"
    assert (survey.title("fi"), survey.title("sv"), survey.title("en")) == (
        "Miten onnistuimme?",
        "Hur lyckades vi?",
        "How did we do?",
    )
    assert survey.accepts_answers()
    kinds = set(survey.touchpoints.values_list("kind", flat=True))
    assert kinds == {"case_closed", "kiosk", "location", "service_page"}
    kiosk = survey.touchpoints.get(kind=Touchpoint.Kind.KIOSK)
    assert kiosk.location is not None
    assert kiosk.location.slug == "sp-kuopio-yhteispalvelupiste"
    for question in survey.questions.all():
        assert question.text_sv, question.code
        assert question.text_en, question.code
    assert survey.questions.filter(kind=Question.Kind.NPS).exists()
    assert survey.questions.filter(allows_other=True).exists()
    assert survey.questions.filter(show_if_question__isnull=False).exists()


def test_every_demo_answer_is_one_the_survey_accepts(demo):
    survey = Survey.objects.get(public_id=CUSTOMER_SURVEY_ID)
    questions = list(
        survey.questions.prefetch_related("choices").select_related("show_if_question")
    )
    responses = Response.objects.filter(survey=survey).prefetch_related("answers__question")
    assert responses.count() == ANSWER_COUNT
    for response in responses:
        values: dict[str, AnswerValue] = {}
        for answer in response.answers.all():
            question = answer.question
            if question.is_scale:
                low, high = Question.SCALES[question.kind]
                assert answer.number is not None
                assert low <= answer.number <= high
                values[question.code] = answer.number
            elif question.is_choice:
                codes = {choice.code for choice in question.choices.all()} | {"other"}
                assert set(answer.choices) <= codes
                assert ("other" in answer.choices) == bool(answer.text)
                values[question.code] = answer.choices
            else:
                assert answer.text
                values[question.code] = answer.text
        for question in questions:
            if question.code in values:
                assert is_shown(question, values), (response.pk, question.code)
        if response.touchpoint and response.touchpoint.kind == Touchpoint.Kind.KIOSK:
            assert all(answer.question.is_scale for answer in response.answers.all())
        assert "overall" in values


def test_answers_spread_over_a_year_with_older_women_over_represented(demo):
    responses = Response.objects.filter(survey__public_id=CUSTOMER_SURVEY_ID)
    months = responses.values_list("submitted_at__year", "submitted_at__month").distinct()
    assert len(set(months)) >= 12
    assert responses.values("service").distinct().count() >= 6
    assert responses.values("channel").distinct().count() >= 4
    assert responses.values("municipality").distinct().count() >= 5
    groups = Counter((r.age_band, r.sex) for r in responses)
    older_women = groups["65-74", "female"] + groups["75-", "female"]
    young_men = groups["15-24", "male"] + groups["25-34", "male"]
    assert older_women > 4 * young_men > 0
    free_texts = Response.objects.filter(
        survey__public_id=CUSTOMER_SURVEY_ID, answers__question__code="what_wrong"
    )
    assert free_texts.count() >= 10


def test_the_staff_survey_has_units_above_and_one_below_five(demo):
    survey = Survey.objects.get(public_id=STAFF_SURVEY_ID)
    assert survey.kind == Survey.Kind.STAFF
    assert not survey.identified
    per_unit = Counter(
        Response.objects.filter(survey=survey).values_list("staff_unit__slug", flat=True)
    )
    assert sorted(per_unit.values()) == [3, 6, 9, 12]
    for response in Response.objects.filter(survey=survey):
        assert response.submitted_at == response.started_at
        local = timezone.localtime(response.submitted_at)
        assert (local.hour, local.minute) == (0, 0)


def test_loading_twice_writes_nothing_the_second_time(demo):
    assert demo > ANSWER_COUNT
    with CaptureQueriesContext(connection) as queries:
        assert load_demo_surveys() == 0
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)]
    assert writes == []


def test_without_the_demo_region_nothing_is_loaded():
    assert load_demo_surveys() == 0
    assert not Survey.objects.exists()
