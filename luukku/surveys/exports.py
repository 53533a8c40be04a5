"""Survey exports for analysts: CSV and XLSX, wide (a row per response) or long (per answer).

Wide columns depend only on the survey's questions, never on which of them a respondent was
shown: a hidden or unanswered question is an empty cell. Column names:

- scales and free text: `<question>`;
- single choice: `<question>` holds the choice code (`other` for the 'other' option) and, when
  the question allows it, `<question>__other` the 'other' text;
- multiple choice: `<question>__<choice>` is 1 or 0 for each choice; with an 'other' option
  `<question>__other` (1/0) and `<question>__other_text`.

CSV is UTF-8 with a byte-order mark (so Excel reads ä and ö) and comma-separated; Finnish
Excel may ask for the separator: use Data > From Text, or the XLSX file. A cell that starts
with = + - @ (or a tab or carriage return) gets a leading apostrophe, so a spreadsheet never
runs it as a formula. The response id is a keyed hash, not the database key: it is stable
between exports but reveals neither order nor count.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from luukku.core import audit
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation

from .conditions import AnswerValue, shown_questions
from .models import Answer, Question, Response, Survey
from .results import (
    OTHER_GROUP,
    Filters,
    group_large_enough,
    responses_for,
    staff_unit_groups,
)
from .tokens import keyed_hash

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LAYOUTS = ("wide", "long")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML (and so XLSX) cannot hold.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LONG_HEADER = ["response_id", "question", "kind", "value", "choice", "other_text"]

Cell = str | int | None


class ExportRefused(Exception):
    """The export would show what the results page hides; the message says why."""


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes
    rows: int


def response_id(response_pk: int) -> str:
    """An opaque, stable id for a response: a keyed hash of its key."""
    return keyed_hash(b"survey-response:", str(response_pk))[:16]


def safe_cell(value: Cell) -> Cell:
    """Text a spreadsheet will show as text, never evaluate."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_XML.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


# -- columns ------------------------------------------------------------------------------------


def question_columns(question: Question) -> list[str]:
    code = question.code
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return [code, f"{code}__other"] if question.allows_other else [code]
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        columns = [f"{code}__{choice.code}" for choice in question.choices.all()]
        if question.allows_other:
            columns += [f"{code}__other", f"{code}__other_text"]
        return columns
    return [code]


def question_cells(question: Question, answer: Answer | None) -> list[Cell]:
    width = len(question_columns(question))
    if answer is None:
        return [None] * width
    if question.is_scale:
        return [answer.number]
    if question.kind == Question.Kind.FREE_TEXT:
        return [answer.text or None]
    chosen = answer.choices or []
    if not chosen:
        return [None] * width
    if question.kind == Question.Kind.SINGLE_CHOICE:
        cells: list[Cell] = [chosen[0]]
        if question.allows_other:
            cells.append(answer.text or None)
        return cells
    cells = [int(choice.code in chosen) for choice in question.choices.all()]
    if question.allows_other:
        cells += [int("other" in chosen), answer.text or None]
    return cells


# A customer survey's columns about the response itself, after its id and time.
RESPONSE_COLUMNS: dict[str, Callable[[Response], Cell]] = {
    "touchpoint_kind": lambda r: r.touchpoint.kind if r.touchpoint else None,
    "touchpoint_code": lambda r: r.touchpoint.code if r.touchpoint else None,
    "service": lambda r: r.service.slug if r.service else None,
    "channel": lambda r: r.channel or None,
    "location": lambda r: r.location.slug if r.location else None,
    "organisation": lambda r: r.organisation.slug if r.organisation else None,
    "language": lambda r: r.language,
    "municipality": lambda r: r.municipality.code if r.municipality else None,
    "age_band": lambda r: r.age_band or None,
    "sex": lambda r: r.sex or None,
    "customer_type": lambda r: r.customer_type or None,
}
STAFF_UNIT_COLUMN = "staff_unit"
# Names a question code may not take: its column would clash with one of these.
RESERVED_COLUMNS = frozenset({"response_id", "submitted", STAFF_UNIT_COLUMN, *RESPONSE_COLUMNS})


def base_columns(survey: Survey) -> list[tuple[str, Callable[[Response], Cell]]]:
    """Columns about the response itself; a staff survey's are only its id, day and unit."""

    def submitted(response: Response) -> Cell:
        moment = timezone.localtime(response.submitted_at)
        return moment.date().isoformat() if staff else moment.isoformat(timespec="seconds")

    staff = survey.kind == Survey.Kind.STAFF
    columns: list[tuple[str, Callable[[Response], Cell]]] = [
        ("response_id", lambda r: response_id(r.pk)),
        ("submitted", submitted),
    ]
    if staff:
        return columns
    return columns + list(RESPONSE_COLUMNS.items())


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.select_related("show_if_question").prefetch_related("choices"))


def _responses(survey: Survey, filters: Filters) -> QuerySet[Response]:
    return (
        responses_for(survey, filters)
        .select_related("touchpoint", "service", "location", "organisation", "municipality")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.only(
                    "response_id", "question_id", "number", "choices", "text"
                ),
            )
        )
        .order_by("submitted_at", "pk")
    )


def _staff_unit_column(responses: QuerySet[Response]) -> Callable[[Response], Cell]:
    """The unit's slug where its group is large enough, "other" for merged ones."""
    groups = staff_unit_groups(responses)
    slugs: dict[Hashable, str] = dict(
        Organisation.objects.filter(pk__in=[k for k in groups.shown if k is not None]).values_list(
            "pk", "slug"
        )
    )
    slugs[OTHER_GROUP] = OTHER_GROUP

    def unit(response: Response) -> Cell:
        key = groups.label_key(response.staff_unit_id)
        return None if key is None else slugs.get(key)

    return unit


def wide_table(survey: Survey, filters: Filters = Filters()) -> tuple[list[str], list[list[Cell]]]:  # noqa: B008
    questions = _questions(survey)
    responses = _responses(survey, filters)
    hidden = hidden_texts(survey, responses)
    columns = base_columns(survey)
    if survey.kind == Survey.Kind.STAFF:
        columns.append((STAFF_UNIT_COLUMN, _staff_unit_column(responses)))
    header = [name for name, _cell in columns] + [
        column for question in questions for column in question_columns(question)
    ]
    rows = []
    by_pk = {question.pk: question for question in questions}
    for response in _ordered(survey, responses):
        by_question = _without_hidden_texts(shown_answers(questions, response), by_pk, hidden)
        row = [cell(response) for _name, cell in columns]
        for question in questions:
            row += question_cells(question, by_question.get(question.pk))
        rows.append(row)
    return header, rows


def long_table(survey: Survey, filters: Filters = Filters()) -> tuple[list[str], list[list[Cell]]]:  # noqa: B008
    """One row per answer; a multiple-choice answer has a row per chosen code."""
    questions = _questions(survey)
    order = {question.pk: index for index, question in enumerate(questions)}
    by_pk = {question.pk: question for question in questions}
    rows: list[list[Cell]] = []
    responses = _responses(survey, filters)
    hidden = hidden_texts(survey, responses)
    for response in _ordered(survey, responses):
        rid = response_id(response.pk)
        answers = _without_hidden_texts(shown_answers(questions, response), by_pk, hidden).values()
        for answer in sorted(answers, key=lambda a: order[a.question_id]):
            question = by_pk[answer.question_id]
            rows.extend(
                [rid, question.code, question.kind, *cells]
                for cells in _long_cells(question, answer)
            )
    return LONG_HEADER, rows


def _long_cells(question: Question, answer: Answer) -> Iterator[list[Cell]]:
    if question.is_scale:
        yield [answer.number, None, None]
    elif question.kind == Question.Kind.FREE_TEXT:
        if answer.text:
            yield [answer.text, None, None]
    else:
        for code in answer.choices or []:
            yield [None, code, answer.text if code == "other" and answer.text else None]


def shown_answers(questions: list[Question], response: Response) -> dict[int, Answer]:
    """The response's answers by question, without answers to questions its conditions hid."""
    answers = {answer.question_id: answer for answer in response.answers.all()}
    values: dict[str, AnswerValue] = {
        question.code: answer_value(question, answers[question.pk])
        for question in questions
        if question.pk in answers
    }
    return {
        question.pk: answers[question.pk]
        for question in shown_questions(questions, values)
        if question.pk in answers
    }


def hidden_texts(survey: Survey, responses: QuerySet[Response]) -> set[int]:
    """A staff survey's questions with fewer than MIN_GROUP_SIZE written answers (free text or
    'other' text): the results page shows none of their texts, and neither does the export."""
    if survey.kind != Survey.Kind.STAFF:
        return set()
    counts = Counter(
        Answer.objects.filter(response__in=responses)
        .exclude(text="")
        .values_list("question_id", flat=True)
    )
    return {question_id for question_id, n in counts.items() if not group_large_enough(n)}


def _without_hidden_texts(
    answers: dict[int, Answer], questions: dict[int, Question], hidden: set[int]
) -> dict[int, Answer]:
    """The answers with the texts of `hidden` questions blanked (a free-text answer dropped)."""
    kept: dict[int, Answer] = {}
    for question_id, answer in answers.items():
        if question_id in hidden:
            if questions[question_id].kind == Question.Kind.FREE_TEXT:
                continue
            answer = Answer(
                response_id=answer.response_id,
                question_id=question_id,
                number=answer.number,
                choices=answer.choices,
                text="",
            )
        kept[question_id] = answer
    return kept


def answer_value(question: Question, answer: Answer) -> AnswerValue:
    if question.is_scale:
        return answer.number
    if question.is_choice:
        return list(answer.choices or [])
    return answer.text or None


def _ordered(survey: Survey, responses: QuerySet[Response]) -> Iterable[Response]:
    """Staff rows in the order of their opaque ids: submission order could pair them with
    logins."""
    if survey.kind != Survey.Kind.STAFF:
        return responses
    return sorted(responses, key=lambda r: response_id(r.pk))


# -- files --------------------------------------------------------------------------------------


def to_csv(header: list[str], rows: Iterable[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: Iterable[list[Cell]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_survey(
    *,
    survey: Survey,
    file_format: str,
    layout: str,
    actor: Any,
    filters: Filters = Filters(),  # noqa: B008
    request: HttpRequest | None = None,
) -> Export:
    """The export file, refused where the results page shows nothing; always audit-logged."""
    if file_format not in FORMATS or layout not in LAYOUTS:
        raise ExportRefused(_("Unknown export format."))
    if not survey.results_visible():
        raise ExportRefused(
            _("The results of this survey are hidden until it closes, and so are the exports.")
        )
    if survey.kind == Survey.Kind.STAFF and not group_large_enough(
        responses_for(survey, filters).count()
    ):
        raise ExportRefused(
            _("A staff survey can be exported only when it has at least 5 complete responses.")
        )
    header, rows = (wide_table if layout == "wide" else long_table)(survey, filters)
    name = f"survey-{str(survey.public_id)[:8]}-{layout}-{timezone.localdate():%Y%m%d}"
    content = to_csv(header, rows) if file_format == "csv" else to_xlsx(header, rows, title=layout)
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=actor,
        target=survey,
        request=request,
        purpose="survey results export",
        details={
            "format": file_format,
            "layout": layout,
            "rows": len(rows),
            "filters": {k: str(v) for k, v in vars(filters).items() if v not in (None, "")},
        },
    )
    return Export(f"{name}.{file_format}", FORMATS[file_format], content, len(rows))
