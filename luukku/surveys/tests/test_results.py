"""Results on a known set of answers: exact counts, means, CSAT and NPS; and a staff survey's
small groups that stay hidden, also from anyone subtracting the shown groups from the total."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.surveys import results
from luukku.surveys.models import Question, Response, Survey
from luukku.surveys.results import MIN_GROUP_SIZE, Filters, suppress_groups, survey_results
from luukku.surveys.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
    standard_survey,
)

pytestmark = pytest.mark.django_db


def answer(survey: Survey, response: Response | None = None, **values) -> Response:
    """One complete response with answers by question code (choices as lists)."""
    response = response or ResponseFactory.create(survey=survey)
    for code, value in values.items():
        question = survey.questions.get(code=code)
        if question.is_scale:
            AnswerFactory.create(response=response, question=question, number=value)
        elif question.is_choice:
            chosen, other = value if isinstance(value, tuple) else (value, "")
            AnswerFactory.create(response=response, question=question, choices=chosen, text=other)
        else:
            AnswerFactory.create(response=response, question=question, text=value)
    return response


@pytest.fixture
def answered():
    """Five complete answers and one partial one (which never counts)."""
    survey = standard_survey()
    answer(survey, overall=5, nps=10, smiley=5, contact_channel=["a"], topics=["x", "y"])
    answer(survey, overall=4, nps=9, smiley=4, contact_channel=["a"], topics=["x"])
    answer(survey, overall=4, nps=9, smiley=3, contact_channel=["b"], comments="Hyvä palvelu")
    answer(
        survey,
        overall=2,
        nps=7,
        what_wrong="Jonot",
        contact_channel=(["other"], "Chatissa"),
        topics=["z"],
    )
    answer(survey, overall=1, nps=3)
    partial = ResponseFactory.create(
        survey=survey, status=Response.Status.PARTIAL, submitted_at=None
    )
    answer(survey, partial, overall=1, nps=0)
    return survey


def by_code(survey_result: results.SurveyResults) -> dict[str, results.QuestionResult]:
    return {item.question.code: item for item in survey_result.questions}


def test_scale_results_count_complete_responses_only(answered):
    outcome = survey_results(answered)
    overall = by_code(outcome)["overall"].scale

    assert outcome.complete == 5
    assert overall is not None
    assert overall.n == 5
    assert [(value, count) for value, count, _percent in overall.distribution] == [
        (1, 1),
        (2, 1),
        (3, 0),
        (4, 2),
        (5, 1),
    ]
    assert overall.mean == 3.2
    assert overall.csat_percent == 60.0
    assert overall.nps is None


def test_nps_splits_promoters_passives_and_detractors(answered):
    nps = by_code(survey_results(answered))["nps"].scale

    assert nps is not None
    assert (nps.promoters, nps.passives, nps.detractors) == (3, 1, 1)
    assert nps.nps == 40.0
    assert nps.mean == 7.6
    assert nps.csat_percent is None


def test_smiley_csat_is_over_those_who_answered_it(answered):
    smiley = by_code(survey_results(answered))["smiley"].scale

    assert smiley is not None
    assert (smiley.n, smiley.mean, smiley.csat_percent) == (3, 4.0, 66.7)


def test_choices_have_counts_shares_and_the_other_texts(answered):
    items = by_code(survey_results(answered))
    single = items["contact_channel"].choice
    multiple = items["topics"].choice

    assert single is not None
    assert multiple is not None
    assert single.n == 4
    assert [(c.code, c.count, c.percent) for c in single.choices] == [
        ("a", 2, 50.0),
        ("b", 1, 25.0),
        ("other", 1, 25.0),
    ]
    assert single.other_texts == ["Chatissa"]
    assert multiple.n == 3
    assert [(c.code, c.count, c.percent) for c in multiple.choices] == [
        ("x", 2, 66.7),
        ("y", 1, 33.3),
        ("z", 1, 33.3),
    ]


def test_free_texts_are_listed(answered):
    items = by_code(survey_results(answered))

    assert items["comments"].text == results.TextResult(n=1, texts=["Hyvä palvelu"])
    assert items["what_wrong"].text == results.TextResult(n=1, texts=["Jonot"])


def test_filters_narrow_by_touchpoint_channel_and_period(answered):
    kiosk = TouchpointFactory.create(survey=answered)
    at_kiosk = answer(answered, overall=3)
    Response.objects.filter(pk=at_kiosk.pk).update(
        touchpoint=kiosk, channel="walk_in", submitted_at=timezone.now() - timedelta(days=40)
    )
    today = timezone.localdate()

    assert survey_results(answered, Filters(touchpoint_id=kiosk.pk)).complete == 1
    assert survey_results(answered, Filters(channel="walk_in")).complete == 1
    assert survey_results(answered, Filters(since=today - timedelta(days=7))).complete == 5
    assert survey_results(answered, Filters(until=today - timedelta(days=30))).complete == 1


def test_hidden_results_show_only_the_count(answered):
    answered.hide_results_until_closed = True
    answered.save()

    outcome = survey_results(answered)

    assert (outcome.visible, outcome.complete, outcome.questions) == (False, 5, [])
    answered.status = Survey.Status.CLOSED
    answered.save()
    assert survey_results(answered).visible


# -- staff surveys: groups under 5 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "shown", "other"),
    [
        ({"a": 10, "b": 7}, {"a": 10, "b": 7}, 0),
        ({"a": 6, "b": 3, "c": 3}, {"a": 6}, 6),
        # The merged 1 would be the total minus the shown 13: the smallest shown unit joins it.
        ({"a": 6, "b": 7, "c": 1}, {"b": 7}, 7),
        ({"a": 6, "b": 5, "c": 2, "d": 1}, {"a": 6}, 8),
        ({"a": 3, "b": 1}, {}, 0),
        ({"a": 5}, {"a": 5}, 0),
    ],
)
def test_small_groups_are_merged_and_never_computable(counts, shown, other):
    groups = suppress_groups(counts)

    assert groups.shown == shown
    assert groups.other == other


def test_suppression_holds_for_any_group_sizes():
    rng = random.Random(5)
    for _ in range(500):
        counts = {f"u{i}": rng.randint(1, 12) for i in range(rng.randint(1, 8))}
        groups = suppress_groups(counts)
        total = sum(counts.values())
        assert all(size >= MIN_GROUP_SIZE for size in groups.shown.values())
        assert groups.other == 0 or groups.other >= MIN_GROUP_SIZE
        if total >= MIN_GROUP_SIZE:
            # Whatever is not shown by name is reported together, and is large enough.
            assert sum(groups.shown.values()) + groups.other == total
        else:
            assert (groups.shown, groups.other) == ({}, 0)


def staff_survey_with_units(sizes: dict[str, int]) -> tuple[Survey, dict[str, int]]:
    survey = SurveyFactory.create(kind=Survey.Kind.STAFF)
    QuestionFactory.create(survey=survey, code="wellbeing", kind=Question.Kind.RATING)
    QuestionFactory.create(survey=survey, code="ideas", kind=Question.Kind.FREE_TEXT)
    units = {}
    for name, size in sizes.items():
        unit = OrganisationFactory.create(
            parent=survey.organisation, name_fi=name, name_sv=name, name_en=name
        )
        units[name] = unit.pk
        for index in range(size):
            response = ResponseFactory.create(survey=survey, staff_unit=unit, service=None)
            answer(survey, response, wellbeing=1 + index % 5)
    return survey, units


def test_a_staff_survey_under_five_shows_nothing():
    survey, _units = staff_survey_with_units({"Pieni": 4})

    outcome = survey_results(survey)

    assert (outcome.enough, outcome.complete, outcome.questions, outcome.units) == (
        False,
        4,
        [],
        [],
    )


def test_a_staff_survey_shows_large_units_and_merges_the_small_ones():
    survey, _units = staff_survey_with_units({"Iso": 6, "Keski": 7, "Pieni": 1})

    with translation.override("en"):
        outcome = survey_results(survey)

    assert outcome.enough
    # "Pieni" (1) alone would be the total 14 minus 13: "Iso" (the smaller shown) joins it.
    assert [(unit.label, unit.n) for unit in outcome.units] == [
        ("Keski", 7),
        ("other units", 7),
    ]
    assert outcome.units[0].means == [2.57]  # 1, 2, 3, 4, 5, 1, 2


def test_staff_free_texts_need_five_writers():
    survey, _units = staff_survey_with_units({"Iso": 6})
    ideas = survey.questions.get(code="ideas")
    for response in list(survey.responses.all())[:4]:
        AnswerFactory.create(response=response, question=ideas, text="Lisää kahvia")

    text = by_code(survey_results(survey))["ideas"].text

    assert text == results.TextResult(n=4, texts=[], hidden=True)


def test_a_staff_survey_ignores_filters():
    survey, _units = staff_survey_with_units({"Iso": 6})

    narrowed = survey_results(survey, Filters(since=timezone.localdate() + timedelta(days=1)))

    assert narrowed.complete == 6
