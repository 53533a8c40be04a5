"""Factories for surveys: a survey, its questions and choices, touchpoints, responses."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.surveys.models import (
    Answer,
    Choice,
    Question,
    Response,
    Survey,
    Touchpoint,
)
from luukku.surveys.tokens import new_public_code


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    organisation = factory.SubFactory(OrganisationFactory)
    title_fi = factory.Sequence(lambda n: f"Asiakaskysely {n}")
    title_sv = factory.Sequence(lambda n: f"Kundenkät {n}")
    title_en = factory.Sequence(lambda n: f"Customer survey {n}")
    intro_fi = "Kerro, miten onnistuimme."
    thanks_fi = "Kiitos vastauksestasi!"
    status = Survey.Status.OPEN


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"q{n}")
    kind = Question.Kind.RATING
    text_fi = factory.Sequence(lambda n: f"Kysymys {n}")
    text_sv = factory.Sequence(lambda n: f"Fråga {n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.SINGLE_CHOICE)
    position = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"c{n}")
    label_fi = factory.Sequence(lambda n: f"Vaihtoehto {n}")
    label_sv = factory.Sequence(lambda n: f"Alternativ {n}")
    label_en = factory.Sequence(lambda n: f"Option {n}")


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    survey = factory.SubFactory(SurveyFactory)
    kind = Touchpoint.Kind.OPEN_LINK
    code = factory.LazyFunction(new_public_code)
    channel = "web"


def standard_survey(**survey_fields: Any) -> Survey:
    """A survey with every question kind and one condition, in three languages.

    overall (rating 1–5, required) · what_wrong (free text, shown when overall ≤ 2) ·
    nps (0–10) · contact_channel (single choice a/b, with 'other') · topics (multiple x/y/z) ·
    smiley (1–5) · comments (free text).
    """
    survey: Survey = SurveyFactory.create(**survey_fields)
    overall = QuestionFactory.create(
        survey=survey,
        code="overall",
        kind=Question.Kind.RATING,
        required=True,
        measure=Question.Measure.SATISFACTION,
        text_fi="Kuinka tyytyväinen olit palveluun kokonaisuutena?",
        text_sv="Hur nöjd var du med servicen som helhet?",
        text_en="How satisfied were you with the service overall?",
    )
    QuestionFactory.create(
        survey=survey,
        code="what_wrong",
        kind=Question.Kind.FREE_TEXT,
        text_fi="Mikä meni pieleen?",
        text_sv="Vad gick fel?",
        text_en="What went wrong?",
        show_if_question=overall,
        show_if_operator=Question.Operator.AT_MOST,
        show_if_value=2,
    )
    QuestionFactory.create(
        survey=survey,
        code="nps",
        kind=Question.Kind.NPS,
        measure=Question.Measure.RECOMMENDATION,
        text_fi="Kuinka todennäköisesti suosittelisit palvelua läheisellesi?",
        text_sv="Hur sannolikt är det att du skulle rekommendera servicen?",
        text_en="How likely are you to recommend the service?",
    )
    single = QuestionFactory.create(
        survey=survey,
        code="contact_channel",
        kind=Question.Kind.SINGLE_CHOICE,
        allows_other=True,
        text_fi="Miten asioit?",
        text_sv="Hur uträttade du ärendet?",
        text_en="How did you get in touch?",
    )
    for position, (code, fi, sv, en) in enumerate(
        [
            ("a", "Puhelimessa", "Per telefon", "By phone"),
            ("b", "Paikan päällä", "På plats", "In person"),
        ]
    ):
        ChoiceFactory.create(
            question=single, position=position, code=code, label_fi=fi, label_sv=sv, label_en=en
        )
    multiple = QuestionFactory.create(
        survey=survey,
        code="topics",
        kind=Question.Kind.MULTIPLE_CHOICE,
        text_fi="Mitä asiasi koski?",
        text_sv="Vad gällde ärendet?",
        text_en="What was your matter about?",
    )
    for position, (code, fi, sv, en) in enumerate(
        [
            ("x", "Asuminen", "Boende", "Housing"),
            ("y", "Terveys", "Hälsa", "Health"),
            ("z", "Työ", "Arbete", "Work"),
        ]
    ):
        ChoiceFactory.create(
            question=multiple, position=position, code=code, label_fi=fi, label_sv=sv, label_en=en
        )
    QuestionFactory.create(
        survey=survey,
        code="smiley",
        kind=Question.Kind.SMILEY,
        text_fi="Miltä asiointi tuntui?",
        text_sv="Hur kändes besöket?",
        text_en="How did the visit feel?",
    )
    QuestionFactory.create(
        survey=survey,
        code="comments",
        kind=Question.Kind.FREE_TEXT,
        text_fi="Muuta kerrottavaa?",
        text_sv="Något annat?",
        text_en="Anything else?",
    )
    return survey


class ResponseFactory(factory.django.DjangoModelFactory):
    """A complete response with no answers; add Answer rows with AnswerFactory."""

    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    status = Response.Status.COMPLETE
    submitted_at = factory.LazyFunction(timezone.now)
    service = factory.SubFactory(ServiceFactory)
    channel = "web"


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
