"""A small region for the insight pages: two organisations' customer surveys, Kuopio's
population, and the extract built from them (in a temporary file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from luukku.areas.models import Area, PopulationGroup
from luukku.catalogue.models import Service
from luukku.catalogue.tests.factories import AreaFactory, OrganisationFactory, ServiceFactory
from luukku.insights import extract
from luukku.insights.models import InsightAlert
from luukku.organisations.models import Organisation
from luukku.surveys.models import Question, Survey
from luukku.surveys.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
)


@dataclass
class Region:
    kuopio: Area
    own: Organisation
    other: Organisation
    library: Service  # 24 answers to the own organisation's survey
    pool: Service  # 3 answers: hidden everywhere
    others_service: Service  # the other organisation's answers only
    survey: Survey


def answer(
    survey: Survey, question: Question, service: Service, rating: int, **fields: Any
) -> None:
    response = ResponseFactory.create(
        survey=survey,
        service=service,
        submitted_at=timezone.now() - timedelta(days=3),
        **fields,
    )
    AnswerFactory.create(response=response, question=question, number=rating)


def customer_survey(organisation: Organisation) -> tuple[Survey, Question]:
    survey = SurveyFactory.create(organisation=organisation, kind=Survey.Kind.CUSTOMER)
    question = QuestionFactory.create(
        survey=survey, kind=Question.Kind.RATING, code="overall", measure="satisfaction"
    )
    return survey, question


@pytest.fixture
def region(db: None, tmp_path: Path, settings: Any) -> Region:
    settings.INSIGHTS_EXTRACT_PATH = tmp_path / "insights.duckdb"
    kuopio = AreaFactory.create(code="297", name_fi="Kuopio", name_sv="Kuopio", name_en="Kuopio")
    for band, women, men in (("25-34", 8000, 8000), ("45-54", 7000, 7000), ("65-74", 6000, 5000)):
        PopulationGroup.objects.create(
            municipality=kuopio, year=2024, age_band=band, sex="female", population=women
        )
        PopulationGroup.objects.create(
            municipality=kuopio, year=2024, age_band=band, sex="male", population=men
        )
    own, other = OrganisationFactory.create(), OrganisationFactory.create()
    library = ServiceFactory.create()
    pool = ServiceFactory.create()
    others_service = ServiceFactory.create()
    survey, question = customer_survey(own)
    background = {"municipality": kuopio, "channel": "web", "customer_type": "person"}
    for index in range(24):
        answer(
            survey,
            question,
            library,
            5 if index % 3 else 3,
            age_band=("25-34", "45-54", "65-74")[index % 3],
            sex="female" if index % 4 else "male",
            **background,
        )
    for _index in range(3):
        answer(survey, question, pool, 1, age_band="65-74", sex="female", **background)
    other_survey, other_question = customer_survey(other)
    for _index in range(12):
        answer(
            other_survey,
            other_question,
            others_service,
            2,
            age_band="25-34",
            sex="male",
            **background,
        )
    extract.refresh_extract()
    return Region(kuopio, own, other, library, pool, others_service, survey)


def drop_alert(organisation: Organisation, subject: str) -> InsightAlert:
    """An alert on a satisfaction drop, as alerts.detect_alerts writes it."""
    today = timezone.localdate()
    return InsightAlert.objects.create(
        key=f"drop:{organisation.pk}",
        kind=InsightAlert.Kind.DROP,
        organisation=organisation,
        measure="satisfaction",
        period_start=today - timedelta(days=28),
        period_end=today,
        evidence={
            "subject": subject,
            "baseline": {"n": 310, "mean": 4.2, "low": 4.1, "high": 4.3},
            "recent": {"n": 41, "mean": 3.6, "low": 3.3, "high": 3.9},
            "test": "Welch t-test, one-sided",
            "statistic": -3.1,
            "p_value": 0.002,
        },
    )
