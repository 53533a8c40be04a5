"""The columnar extract: what enters it, what never does, and how it is replaced."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from luukku.catalogue.tests.factories import AreaFactory
from luukku.insights import extract, tasks
from luukku.surveys.models import Question, Response, Survey
from luukku.surveys.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    standard_survey,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def extract_file(tmp_path: Path, settings: Any) -> Path:
    settings.INSIGHTS_EXTRACT_PATH = tmp_path / "insights.duckdb"
    return Path(settings.INSIGHTS_EXTRACT_PATH)


def answer(survey: Survey, **fields: Any) -> Response:
    """A complete response to `survey`; `fields` are question codes → number or text, or
    response fields."""
    codes = {q.code: q for q in survey.questions.all()}
    response: Response = ResponseFactory.create(
        survey=survey, **{k: v for k, v in fields.items() if k not in codes}
    )
    for code, value in fields.items():
        if code in codes:
            number, text = (value, "") if isinstance(value, int) else (None, value)
            AnswerFactory.create(response=response, question=codes[code], number=number, text=text)
    return response


def rows(sql: str) -> list[tuple[Any, ...]]:
    con = extract.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_complete_customer_answers_enter_with_background_and_headline_scores(
    extract_file: Path,
) -> None:
    survey = standard_survey()
    QuestionFactory.create(survey=survey, code="easy", measure=Question.Measure.EFFORT)
    kuopio = AreaFactory.create(code="297")
    response = answer(
        survey,
        overall=4,
        nps=9,
        easy=5,
        smiley=2,
        municipality=kuopio,
        age_band="25-34",
        sex="male",
        customer_type="person",
        channel="phone",
        language="sv",
        submitted_at=datetime(2025, 1, 31, 22, 30, tzinfo=UTC),  # 1 February in Finland
    )

    summary = extract.refresh_extract()

    assert (summary.responses, summary.scores) == (1, 3)
    assert rows(
        "SELECT response_id, survey_id, survey_organisation_id, service_id, channel, "
        "municipality_code, age_band, sex, customer_type, language, "
        "CAST(submitted AS VARCHAR), CAST(month AS VARCHAR) FROM responses"
    ) == [
        (
            response.pk,
            survey.pk,
            survey.organisation_id,
            response.service_id,
            "phone",
            "297",
            "25-34",
            "male",
            "person",
            "sv",
            "2025-02-01",
            "2025-02-01",
        )
    ]
    # Only questions with a headline measure: the smiley here has none.
    assert rows("SELECT measure, value FROM scores ORDER BY measure") == [
        ("effort", 5.0),
        ("recommendation", 9.0),
        ("satisfaction", 4.0),
    ]
    # …and beside the response, so that dashboards read one table.
    assert rows("SELECT satisfaction, recommendation, effort FROM responses") == [(4.0, 9.0, 5.0)]


def test_staff_surveys_and_unfinished_answers_never_enter(extract_file: Path) -> None:
    staff = SurveyFactory.create(kind=Survey.Kind.STAFF)
    QuestionFactory.create(
        survey=staff, code="overall", kind=Question.Kind.RATING, measure="satisfaction"
    )
    answer(staff, overall=1)
    customer = standard_survey()
    answer(customer, overall=5, status=Response.Status.PARTIAL, submitted_at=None)

    summary = extract.refresh_extract()

    assert (summary.responses, summary.scores) == (0, 0)
    assert rows("SELECT count(*) FROM scores") == [(0,)]


def test_free_text_is_scrubbed_before_it_is_written(extract_file: Path) -> None:
    survey = standard_survey()
    answer(
        survey,
        overall=2,
        what_wrong="Kukaan ei vastannut. Soittakaa 040 123 4567 tai matti.meikalainen@example.fi",
    )

    extract.refresh_extract()

    ((code, text, language, rating),) = rows(
        "SELECT question_code, text, language, rating FROM texts"
    )
    assert (code, language, rating) == ("what_wrong", "fi", 2.0)
    assert text.startswith("Kukaan ei vastannut.")
    assert "040 123 4567" not in text
    assert "example.fi" not in text
    assert b"040 123 4567" not in extract_file.read_bytes()


def test_a_refresh_replaces_the_file_and_readers_see_the_new_one(extract_file: Path) -> None:
    survey = standard_survey()
    answer(survey, overall=3)
    extract.refresh_extract()
    reading = extract.connect()  # a page still reading when the refresh lands

    answer(survey, overall=5)
    extract.refresh_extract()

    assert rows("SELECT count(*) FROM responses") == [(2,)]
    assert reading.execute("SELECT count(*) FROM responses").fetchall() == [(1,)]
    reading.close()
    # Nothing half-written is left beside it.
    assert [p.name for p in extract_file.parent.iterdir()] == ["insights.duckdb"]


def test_a_failed_refresh_leaves_the_previous_extract_in_place(
    extract_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(standard_survey(), overall=3)
    extract.refresh_extract()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(extract, "_score_rows", broken)
    with pytest.raises(RuntimeError):
        extract.refresh_extract()

    assert rows("SELECT count(*) FROM responses") == [(1,)]
    assert [p.name for p in extract_file.parent.iterdir()] == ["insights.duckdb"]


def test_without_an_extract_reading_says_so(extract_file: Path) -> None:
    with pytest.raises(FileNotFoundError):
        extract.connect()


def test_the_command_and_the_task_rebuild_it(extract_file: Path) -> None:
    answer(standard_survey(), overall=4, nps=10)
    out = StringIO()

    call_command("refresh_insights", "--no-progress", stdout=out)

    assert "1 responses, 2 scores, 0 texts" in out.getvalue()
    assert tasks.refresh_extract.delay().get() == {"responses": 1, "scores": 2, "texts": 0}
