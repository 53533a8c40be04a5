"""Exports an analyst can open directly: the same columns for every response, readable XLSX,
no formulas smuggled in, staff survey units that stay hidden, and an audit row every time."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.core.models import AuditEvent
from luukku.surveys import exports
from luukku.surveys.exports import ExportRefused, export_survey, response_id
from luukku.surveys.models import Question, Survey
from luukku.surveys.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
    standard_survey,
)
from luukku.surveys.tests.test_results import answer

pytestmark = pytest.mark.django_db

WIDE_QUESTION_COLUMNS = [
    "overall",
    "what_wrong",
    "nps",
    "contact_channel",
    "contact_channel__other",
    "topics__x",
    "topics__y",
    "topics__z",
    "smiley",
    "comments",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def analyst(db):
    return user_with_role(Role.ANALYST)


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_every_response_has_the_same_columns_whatever_the_conditions_showed(analyst):
    survey = standard_survey()
    touchpoint = TouchpointFactory.create(survey=survey, kind="open_link")
    unhappy = answer(survey, overall=1, what_wrong="Jonotin tunnin", contact_channel=["a"])
    happy = answer(survey, overall=5, topics=["x", "z"], comments="Kiitos")
    happy.touchpoint = touchpoint
    happy.save()

    made = export_survey(survey=survey, file_format="csv", layout="wide", actor=analyst)

    rows = read_csv(made.content)
    header = list(rows[0])
    assert header[-len(WIDE_QUESTION_COLUMNS) :] == WIDE_QUESTION_COLUMNS
    assert header[:2] == ["response_id", "submitted"]
    by_id = {row["response_id"]: row for row in rows}
    skipped = by_id[response_id(happy.pk)]
    assert skipped["what_wrong"] == ""  # not shown: an empty cell, not a missing column
    assert (skipped["topics__x"], skipped["topics__y"], skipped["topics__z"]) == ("1", "0", "1")
    assert (skipped["touchpoint_kind"], skipped["touchpoint_code"]) == (
        "open_link",
        touchpoint.code,
    )
    shown = by_id[response_id(unhappy.pk)]
    assert shown["what_wrong"] == "Jonotin tunnin"
    assert (shown["contact_channel"], shown["topics__x"]) == ("a", "")  # unanswered: empty
    assert made.rows == 2


def test_an_answer_to_a_question_its_condition_hid_is_not_exported(analyst):
    survey = standard_survey()
    answer(survey, overall=5, what_wrong="Ei tämän pitäisi näkyä")

    made = export_survey(survey=survey, file_format="csv", layout="wide", actor=analyst)

    assert read_csv(made.content)[0]["what_wrong"] == ""


def test_the_response_id_is_opaque_and_stable():
    assert response_id(17) == response_id(17)
    assert response_id(17) != response_id(18)
    assert response_id(17) != "17"
    assert len(response_id(17)) == 16


def test_xlsx_opens_with_finnish_characters_and_numbers_as_numbers(analyst):
    survey = standard_survey()
    answer(survey, overall=4, nps=9, comments="Hyvää työtä, kiitos äänestä")

    made = export_survey(survey=survey, file_format="xlsx", layout="wide", actor=analyst)

    sheet = first_sheet(made.content)
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    values = dict(zip(header, row, strict=True))
    assert values["overall"] == 4
    assert values["nps"] == 9
    assert values["comments"] == "Hyvää työtä, kiitos äänestä"
    assert made.filename.endswith(".xlsx")


def test_cells_that_look_like_formulas_are_escaped_in_csv_and_xlsx(analyst):
    survey = standard_survey()
    answer(
        survey,
        overall=3,
        comments='=HYPERLINK("http://evil.example","klikkaa")',
        contact_channel=(["other"], "+358 40 123"),
    )

    csv_row = read_csv(
        export_survey(survey=survey, file_format="csv", layout="wide", actor=analyst).content
    )[0]
    xlsx = export_survey(survey=survey, file_format="xlsx", layout="wide", actor=analyst)
    sheet = first_sheet(xlsx.content)
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    xlsx_row = dict(zip(header, row, strict=True))

    assert csv_row["comments"] == '\'=HYPERLINK("http://evil.example","klikkaa")'
    assert csv_row["contact_channel__other"] == "'+358 40 123"
    assert str(xlsx_row["comments"]).startswith("'=")
    assert sheet.cell(row=2, column=header.index("comments") + 1).data_type == "s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("@SUM(A1)", "'@SUM(A1)"), ("-1+1", "'-1+1"), ("tavallinen", "tavallinen"), (3, 3)],
)
def test_safe_cell(value, expected):
    assert exports.safe_cell(value) == expected


def test_the_long_format_has_a_row_per_answer(analyst):
    survey = standard_survey()
    response = answer(
        survey,
        overall=2,
        what_wrong="Hidas",
        topics=["x", "y"],
        contact_channel=(["other"], "Chat"),
    )

    made = export_survey(survey=survey, file_format="csv", layout="long", actor=analyst)

    rid = response_id(response.pk)
    assert [
        (r["response_id"], r["question"], r["kind"], r["value"], r["choice"], r["other_text"])
        for r in read_csv(made.content)
    ] == [
        (rid, "overall", "rating", "2", "", ""),
        (rid, "what_wrong", "text", "Hidas", "", ""),
        (rid, "contact_channel", "single", "", "other", "Chat"),
        (rid, "topics", "multiple", "", "x", ""),
        (rid, "topics", "multiple", "", "y", ""),
    ]


def test_every_export_is_audit_logged(analyst):
    survey = standard_survey()
    answer(survey, overall=5)

    export_survey(survey=survey, file_format="xlsx", layout="long", actor=analyst)

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == analyst
    assert event.object_id == str(survey.pk)
    assert event.details["format"] == "xlsx"
    assert event.details["layout"] == "long"
    assert event.details["rows"] == 1


def test_hidden_results_cannot_be_exported(analyst):
    survey = standard_survey(hide_results_until_closed=True)
    answer(survey, overall=5)

    with pytest.raises(ExportRefused, match="hidden until it closes"):
        export_survey(survey=survey, file_format="csv", layout="wide", actor=analyst)

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def staff_survey(sizes: dict[str, int]) -> Survey:
    survey = SurveyFactory.create(kind=Survey.Kind.STAFF)
    question = QuestionFactory.create(survey=survey, code="wellbeing", kind=Question.Kind.RATING)
    for name, size in sizes.items():
        unit = OrganisationFactory.create(parent=survey.organisation, slug=name)
        for _ in range(size):
            response = ResponseFactory.create(survey=survey, staff_unit=unit, service=None)
            AnswerFactory.create(response=response, question=question, number=3)
    return survey


def test_a_staff_survey_under_five_cannot_be_exported(analyst):
    survey = staff_survey({"pieni": 4})

    with pytest.raises(ExportRefused, match="at least 5"):
        export_survey(survey=survey, file_format="csv", layout="wide", actor=analyst)


def test_staff_exports_name_only_large_units_and_nothing_that_identifies(analyst):
    survey = staff_survey({"iso": 6, "keski": 7, "pieni": 1})

    rows = read_csv(
        export_survey(survey=survey, file_format="csv", layout="wide", actor=analyst).content
    )

    assert list(rows[0]) == ["response_id", "submitted", "staff_unit", "wellbeing"]
    units = [row["staff_unit"] for row in rows]
    # "pieni" alone could be computed from the total, so "iso" is merged with it.
    assert sorted(set(units)) == ["keski", "other"]
    assert units.count("other") == 7
    assert all(len(row["submitted"]) == len("2025-01-31") for row in rows)
    assert [row["response_id"] for row in rows] == sorted(row["response_id"] for row in rows)


def first_sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_a_staff_surveys_few_written_answers_stay_out_of_the_export_as_off_the_page(
    analyst, layout
):
    """Three texts among six respondents: the results page hides them, so must the export."""
    survey = staff_survey({"iso": 6})
    few = QuestionFactory.create(survey=survey, code="improve", kind=Question.Kind.FREE_TEXT)
    many = QuestionFactory.create(survey=survey, code="thanks", kind=Question.Kind.FREE_TEXT)
    for index, response in enumerate(survey.responses.all()):
        AnswerFactory.create(response=response, question=many, text=f"kiitos {index}")
        if index < 3:
            AnswerFactory.create(response=response, question=few, text=f"tunnistettava {index}")

    content = export_survey(survey=survey, file_format="csv", layout=layout, actor=analyst).content

    text = content.decode("utf-8-sig")
    assert "tunnistettava" not in text
    assert text.count("kiitos") == 6
