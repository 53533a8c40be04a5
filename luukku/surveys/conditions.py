"""Whether a conditional question is shown, given the answers so far.

One function serves the answer form, the server-side validation and the exports, so a hidden
question is never required, never stored and always exported as an empty cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .models import Question

# An answer as the services pass it around: a number (scales), a list of choice codes
# (choice questions) or a string (free text); None when not answered.
AnswerValue = int | list[str] | str | None


def is_shown(question: Question, answers: Mapping[str, AnswerValue]) -> bool:
    """True unless the question has a condition its trigger's answer does not meet.

    `answers` maps question codes to values. A question whose trigger is itself hidden is
    hidden too (the caller evaluates questions in order, so the trigger's value is absent).
    """
    trigger = question.show_if_question
    if trigger is None:
        return True
    return condition_met(
        question.show_if_operator, question.show_if_value, answers.get(trigger.code)
    )


def condition_met(operator: str, expected: Any, value: AnswerValue) -> bool:
    if value is None or value == [] or value == "":
        return False
    chosen = set(value) if isinstance(value, list) else {value}
    if operator == Question.Operator.AT_MOST:
        return isinstance(value, int) and value <= int(expected)
    if operator == Question.Operator.AT_LEAST:
        return isinstance(value, int) and value >= int(expected)
    if operator == Question.Operator.EQUALS:
        return expected in chosen
    if operator == Question.Operator.ANY_OF:
        return bool(chosen & set(expected if isinstance(expected, list) else [expected]))
    return False


def shown_questions(
    questions: list[Question], answers: Mapping[str, AnswerValue]
) -> list[Question]:
    """The questions shown, in order; answers to hidden triggers do not count."""
    visible: dict[str, AnswerValue] = {}
    shown = []
    for question in questions:
        if is_shown(question, visible):
            shown.append(question)
            visible[question.code] = answers.get(question.code)
    return shown
