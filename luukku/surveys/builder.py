"""Building surveys: settings, questions, choices, conditions, touchpoints and publishing.

Every change goes through a function here, inside one transaction, and writes an audit row.
The rules that keep answers comparable live here too: once a survey has answers, its
questions' kinds, codes, choice codes and conditions are fixed (the answers and the export
columns depend on them); only texts can still be corrected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luukku.accounts.permissions import organisation_scope
from luukku.catalogue.models import Service, ServiceChannel
from luukku.core import audit
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation

from .exports import RESERVED_COLUMNS
from .models import LANGUAGES, Answer, Channel, Choice, Question, Survey, Touchpoint
from .tokens import new_public_code

# Export columns are `<question>__<choice>`: a double underscore in a code would be ambiguous.
CODE_SEPARATOR = "__"
OTHER = "other"
# Multiple choice exports add `<question>__other_text` beside the 0/1 `__other` column.
RESERVED_CHOICE_CODES = frozenset({OTHER, "other_text"})
# The survey's own texts; only the title is needed to publish (intro and thanks are optional).
SURVEY_TEXTS = {
    "title": gettext_lazy("The survey's title"),
    "intro": gettext_lazy("The survey's introduction"),
    "thanks": gettext_lazy("The survey's thank-you text"),
}
# Allowed status changes, the one place they are written down.
TRANSITIONS: dict[str, frozenset[str]] = {
    Survey.Status.DRAFT: frozenset({Survey.Status.OPEN}),
    Survey.Status.OPEN: frozenset({Survey.Status.CLOSED}),
    Survey.Status.CLOSED: frozenset({Survey.Status.OPEN}),
}


class BuilderError(Exception):
    """A change the rules refuse, with messages per form field ("" for the whole form)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _fail(field_name: str, message: str) -> BuilderError:
    return BuilderError({field_name: [message]})


# -- who may see what ---------------------------------------------------------------------------


def surveys_for(user: Any, permission: str) -> QuerySet[Survey]:
    """The surveys of the organisations where `user` holds `permission`."""
    scope = organisation_scope(user, permission)
    surveys = Survey.objects.select_related("organisation", "service")
    return surveys if scope is None else surveys.filter(organisation__in=scope)


def may_access(user: Any, survey: Survey, permission: str) -> bool:
    scope = organisation_scope(user, permission)
    return scope is None or scope.filter(pk=survey.organisation_id).exists()


def organisations_for(user: Any, permission: str) -> QuerySet[Organisation]:
    scope = organisation_scope(user, permission)
    organisations = Organisation.objects.all() if scope is None else scope
    return organisations.order_by("name_fi")


def has_answers(survey: Survey) -> bool:
    return Answer.objects.filter(response__survey=survey).exists()


# -- survey settings ----------------------------------------------------------------------------


def save_survey(
    *, survey: Survey, actor: Any, request: HttpRequest | None = None, changed: Iterable[str] = ()
) -> Survey:
    """Create or update a survey's settings (the form has filled in the instance)."""
    creating = survey.pk is None
    if survey.kind == Survey.Kind.STAFF:
        # Staff answers keep no link to the person, and unit, age and sex together could
        # single someone out in a small unit.
        survey.identified = False
        survey.asks_background = False
    if survey.kind == Survey.Kind.STAFF and survey.service_id is not None:
        raise _fail("service", _("A staff survey is not about one service."))
    if (
        not creating
        and has_answers(survey)
        and survey.kind != Survey.objects.get(pk=survey.pk).kind
    ):
        raise _fail("kind", _("The survey already has answers, so its kind cannot change."))
    problem = schedule_problem(survey.opens_at, survey.closes_at)
    if problem:
        raise _fail("closes_at", problem)
    with transaction.atomic():
        if creating:
            survey.created_by = actor
        survey.save()
        audit.record(
            action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
            actor=actor,
            target=survey,
            request=request,
            purpose="survey settings",
            details={"fields": sorted(changed)},
        )
    return survey


def schedule_problem(opens_at: Any, closes_at: Any) -> str | None:
    if opens_at and closes_at and closes_at <= opens_at:
        return _("The closing time must be after the opening time.")
    return None


@dataclass(frozen=True)
class PublicationCheck:
    """What stops publishing (errors) and what only deserves a warning (missing translations)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def publication_check(survey: Survey) -> PublicationCheck:
    errors: list[str] = []
    missing: dict[str, list[str]] = {"sv": [], "en": []}

    def check(instance: Any, name: str, label: Any, required: bool) -> None:
        values = {language: getattr(instance, f"{name}_{language}") for language in LANGUAGES}
        if not values["fi"]:
            if required or values["sv"] or values["en"]:
                errors.append(_("%(text)s has no Finnish version.") % {"text": label})
            return
        for language in ("sv", "en"):
            if not values[language]:
                missing[language].append(str(label))

    for name, label in SURVEY_TEXTS.items():
        check(survey, name, label, name == "title")
    questions = list(survey.questions.prefetch_related("choices"))
    if not questions:
        errors.append(_("The survey has no questions yet."))
    for question in questions:
        check(question, "text", _("Question %(code)s") % {"code": question.code}, True)
        check(question, "help", _("The help text of %(code)s") % {"code": question.code}, False)
        if question.is_choice and not question.choices.all() and not question.allows_other:
            errors.append(_("Question %(code)s has no choices.") % {"code": question.code})
        for choice in question.choices.all():
            choice_label = _("Choice %(choice)s of %(code)s") % {
                "choice": choice.code,
                "code": question.code,
            }
            check(choice, "label", choice_label, True)
    warnings = [
        _("No %(language)s version yet: %(texts)s.")
        % {
            "language": _("Swedish") if language == "sv" else _("English"),
            "texts": ", ".join(texts),
        }
        for language, texts in missing.items()
        if texts
    ]
    return PublicationCheck(errors=errors, warnings=warnings)


def change_status(
    *, survey: Survey, status: str, actor: Any, request: HttpRequest | None = None
) -> PublicationCheck:
    """Publish, close or reopen. Publishing needs questions and Finnish texts everywhere."""
    if status not in Survey.Status.values:
        raise _fail("", _("Unknown status."))
    if status not in TRANSITIONS.get(survey.status, frozenset()):
        raise _fail(
            "",
            _("A %(from)s survey cannot become %(to)s.")
            % {
                "from": survey.get_status_display(),
                "to": Survey.Status(status).label,
            },
        )
    check = PublicationCheck()
    if status == Survey.Status.OPEN:
        check = publication_check(survey)
        if check.errors:
            raise BuilderError({"": check.errors})
    with transaction.atomic():
        previous = survey.status
        survey.status = status
        survey.save(update_fields=["status", "updated_at"])
        audit.record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=survey,
            request=request,
            purpose="survey status",
            details={"from": previous, "to": status},
        )
    return check


# -- questions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceData:
    code: str
    label_fi: str
    label_sv: str = ""
    label_en: str = ""


def parse_condition_value(
    trigger: Question, operator: str, raw: str, *, choice_codes: Iterable[str] | None = None
) -> Any:
    """The stored condition value for `raw` text, or a BuilderError saying what is wrong.

    Scales take whole numbers in the trigger's range; choice questions take their choice
    codes (`choice_codes` when the trigger's choices are about to change); "is any of" takes
    several, separated by commas.
    """
    if trigger.kind == Question.Kind.FREE_TEXT:
        raise _fail(
            "show_if_question",
            _("A condition can only depend on a scale or a choice question, not on free text."),
        )
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts:
        raise _fail("condition_value", _("Give the value the condition compares with."))
    if operator != Question.Operator.ANY_OF and len(parts) > 1:
        raise _fail("condition_value", _("Give one value, or choose “is any of” for several."))
    if trigger.is_scale:
        low, high = Question.SCALES[trigger.kind]
        numbers = []
        for part in parts:
            try:
                number = int(part)
            except ValueError:
                raise _fail(
                    "condition_value",
                    _("%(question)s is a scale: give a whole number from %(low)s to %(high)s.")
                    % {"question": trigger.code, "low": low, "high": high},
                ) from None
            if not low <= number <= high:
                raise _fail(
                    "condition_value",
                    _("%(value)s is outside the scale of %(question)s (%(low)s–%(high)s).")
                    % {"value": number, "question": trigger.code, "low": low, "high": high},
                )
            numbers.append(number)
        return numbers if operator == Question.Operator.ANY_OF else numbers[0]
    if operator in (Question.Operator.AT_MOST, Question.Operator.AT_LEAST):
        raise _fail(
            "show_if_operator",
            _("“At most” and “at least” work with scale questions; choose “is” or “is any of”."),
        )
    known = list(
        choice_codes if choice_codes is not None else (c.code for c in trigger.choices.all())
    )
    if trigger.allows_other:
        known.append(OTHER)
    unknown = [part for part in parts if part not in known]
    if unknown:
        raise _fail(
            "condition_value",
            _("%(question)s has no choice %(codes)s. Its choices are: %(known)s.")
            % {"question": trigger.code, "codes": ", ".join(unknown), "known": ", ".join(known)},
        )
    return parts if operator == Question.Operator.ANY_OF else parts[0]


def condition_value_text(question: Question) -> str:
    """The condition value as the form shows it (the reverse of parse_condition_value)."""
    value = question.show_if_value
    if value is None:
        return ""
    return ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)


def _set_condition(question: Question, raw_value: str, earlier: Sequence[Question]) -> None:
    """Check the condition against its trigger and store the parsed value."""
    if question.show_if_question_id is None:
        question.show_if_operator = ""
        question.show_if_value = None
        return
    trigger = next((q for q in earlier if q.pk == question.show_if_question_id), None)
    if trigger is None:
        raise _fail("show_if_question", _("A condition can only depend on an earlier question."))
    if not question.show_if_operator:
        raise _fail("show_if_operator", _("Choose how the answer is compared."))
    question.show_if_value = parse_condition_value(trigger, question.show_if_operator, raw_value)


def _check_codes(question: Question, choices: Sequence[ChoiceData]) -> None:
    if CODE_SEPARATOR in question.code:
        raise _fail("code", _("A code cannot contain two underscores in a row (__)."))
    if question.code in RESERVED_COLUMNS:
        raise _fail(
            "code",
            _(
                "The code “%(code)s” is taken by a column of the exports (%(columns)s). "
                "Choose another one."
            )
            % {"code": question.code, "columns": ", ".join(sorted(RESERVED_COLUMNS))},
        )
    if question.measure and question.kind not in Question.MEASURE_KINDS[question.measure]:
        raise _fail(
            "measure",
            _("A %(kind)s question cannot measure %(measure)s.")
            % {"kind": question.get_kind_display(), "measure": question.get_measure_display()},
        )
    if question.is_choice:
        if not choices and not question.allows_other:
            raise _fail("", _("A choice question needs at least one choice."))
    elif choices:
        raise _fail("", _("Only choice questions have choices; remove them or change the type."))
    elif question.allows_other:
        question.allows_other = False
    seen: set[str] = set()
    for choice in choices:
        if choice.code in RESERVED_CHOICE_CODES:
            raise _fail(
                "",
                _("The choice code “%(code)s” is reserved; use the 'other' option instead.")
                % {"code": choice.code},
            )
        if CODE_SEPARATOR in choice.code:
            raise _fail("", _("A code cannot contain two underscores in a row (__)."))
        if choice.code in seen:
            raise _fail("", _("Two choices have the code “%(code)s”.") % {"code": choice.code})
        if not choice.label_fi:
            raise _fail("", _("Choice “%(code)s” has no Finnish label.") % {"code": choice.code})
        seen.add(choice.code)


def _check_locked_structure(
    question: Question, stored: Question, old_codes: list[str], choices: Sequence[ChoiceData]
) -> None:
    """Once answered, nothing that answers or export columns depend on may change."""
    why = _("the survey already has answers that depend on it")
    if question.kind != stored.kind:
        raise _fail("kind", _("The type cannot change: %(why)s.") % {"why": why})
    if question.code != stored.code:
        raise _fail("code", _("The code cannot change: %(why)s.") % {"why": why})
    removed = set(old_codes) - {choice.code for choice in choices}
    if removed:
        raise _fail(
            "",
            _("Choices %(codes)s cannot be removed: %(why)s.")
            % {"codes": ", ".join(sorted(removed)), "why": why},
        )
    if stored.allows_other and not question.allows_other:
        raise _fail(
            "allows_other", _("The 'other' option cannot be removed: %(why)s.") % {"why": why}
        )
    if (
        question.show_if_question_id != stored.show_if_question_id
        or question.show_if_operator != stored.show_if_operator
        or question.show_if_value != stored.show_if_value
    ):
        raise _fail("show_if_question", _("The condition cannot change: %(why)s.") % {"why": why})


def _check_dependants(question: Question, choices: Sequence[ChoiceData]) -> None:
    """A trigger's new kind and choices must still fit the conditions that point at it."""
    for dependant in question.dependants.all():
        operator = dependant.show_if_operator
        try:
            parse_condition_value(
                question,
                operator,
                condition_value_text(dependant),
                choice_codes=[choice.code for choice in choices],
            )
        except BuilderError:
            raise _fail(
                "",
                _(
                    "Question %(dependant)s is shown on a condition about this question "
                    "that would no longer fit. Change that condition first."
                )
                % {"dependant": dependant.code},
            ) from None


def save_question(
    *,
    question: Question,
    choices: Sequence[ChoiceData],
    condition_value: str = "",
    actor: Any,
    request: HttpRequest | None = None,
) -> Question:
    """Add or change a question with its choices (in order) and its condition.

    `condition_value` is the comparison value as typed (see parse_condition_value).
    """
    survey = question.survey
    creating = question.pk is None
    siblings = list(survey.questions.exclude(pk=question.pk).prefetch_related("choices"))
    if creating:
        question.position = max((q.position for q in siblings), default=-1) + 1
        earlier = siblings
    else:
        earlier = [q for q in siblings if (q.position, q.pk) < (question.position, question.pk)]
    if any(q.code == question.code for q in siblings):
        raise _fail(
            "code",
            _("Another question in this survey has the code “%(code)s”.") % {"code": question.code},
        )
    _check_codes(question, choices)
    _set_condition(question, condition_value, earlier)
    with transaction.atomic():
        if not creating:
            stored = Question.objects.select_for_update().get(pk=question.pk)
            old_codes = list(stored.choices.values_list("code", flat=True))
            if has_answers(survey):
                _check_locked_structure(question, stored, old_codes, choices)
            _check_dependants(question, choices)
        question.save()
        _sync_choices(question, choices)
        audit.record(
            action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
            actor=actor,
            target=question,
            request=request,
            purpose="survey question",
            details={"survey": str(survey.public_id), "code": question.code},
        )
    return question


def _sync_choices(question: Question, choices: Sequence[ChoiceData]) -> None:
    existing = {choice.code: choice for choice in question.choices.all()}
    wanted = {choice.code for choice in choices}
    question.choices.exclude(code__in=wanted).delete()
    for position, data in enumerate(choices):
        choice = existing.get(data.code) or Choice(question=question, code=data.code)
        choice.position = position
        choice.label_fi, choice.label_sv, choice.label_en = (
            data.label_fi,
            data.label_sv,
            data.label_en,
        )
        choice.save()


def delete_question(*, question: Question, actor: Any, request: HttpRequest | None = None) -> None:
    if has_answers(question.survey):
        raise _fail(
            "",
            _(
                "Questions cannot be removed once the survey has answers: the answers and the "
                "export columns depend on them. You can still correct the texts."
            ),
        )
    dependants = list(question.dependants.values_list("code", flat=True))
    if dependants:
        raise _fail(
            "",
            _("Questions %(codes)s are shown on a condition about this one; change them first.")
            % {"codes": ", ".join(dependants)},
        )
    with transaction.atomic():
        audit.record(
            action=AuditEvent.Action.DELETE,
            actor=actor,
            target=question,
            request=request,
            purpose="survey question",
            details={"survey": str(question.survey.public_id), "code": question.code},
        )
        survey = question.survey
        question.delete()
        _renumber(list(survey.questions.all()))


def move_question(
    *, question: Question, up: bool, actor: Any, request: HttpRequest | None = None
) -> None:
    """Swap the question with its neighbour; a condition must still point to an earlier one."""
    questions = list(question.survey.questions.all())
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(questions):
        return
    first, second = sorted((index, other))
    if questions[second].show_if_question_id == questions[first].pk:
        raise _fail(
            "",
            _("%(dependant)s depends on %(trigger)s, so it must stay after it.")
            % {"dependant": questions[second].code, "trigger": questions[first].code},
        )
    questions[first], questions[second] = questions[second], questions[first]
    with transaction.atomic():
        _renumber(questions)
        audit.record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=question,
            request=request,
            purpose="survey question order",
            details={"order": [q.code for q in questions]},
        )


def _renumber(questions: list[Question]) -> None:
    for position, question in enumerate(questions):
        if question.position != position:
            question.position = position
            question.save(update_fields=["position"])


def next_question_code(survey: Survey) -> str:
    """A free code like q4 to offer in the new-question form."""
    used = set(survey.questions.values_list("code", flat=True))
    number = (survey.questions.aggregate(n=Max("position"))["n"] or 0) + 1
    while f"q{number}" in used:
        number += 1
    return f"q{number}"


# -- touchpoints --------------------------------------------------------------------------------


def touchpoint_problems(touchpoint: Touchpoint) -> dict[str, list[str]]:
    """What each kind of touchpoint needs, by form field; empty when nothing is wrong."""
    kind = touchpoint.kind
    problems: dict[str, list[str]] = {}
    if touchpoint.survey.kind == Survey.Kind.STAFF:
        problems["kind"] = [
            _(
                "Staff surveys are answered from the staff pages after logging in; they have "
                "no public touchpoints."
            )
        ]
    location = touchpoint.location
    if kind in (Touchpoint.Kind.LOCATION, Touchpoint.Kind.KIOSK):
        if location is None:
            problems["location"] = [_("Choose the service location for a QR code or a kiosk.")]
        elif location.channel_type != ServiceChannel.Type.SERVICE_LOCATION:
            problems["location"] = [_("Choose a service location (a place people visit).")]
    elif location is not None:
        problems["location"] = [_("Only QR code and kiosk touchpoints have a location.")]
    if kind == Touchpoint.Kind.SERVICE_PAGE and touchpoint.service is None:
        problems["service"] = [_("Choose the service on whose page the link is shown.")]
    if kind != Touchpoint.Kind.CASE_CLOSED and touchpoint.organisation is not None:
        problems["organisation"] = [_("Only the case-closed touchpoint filters by organisation.")]
    return problems


def add_touchpoint(
    *, touchpoint: Touchpoint, actor: Any, request: HttpRequest | None = None
) -> Touchpoint:
    """Offer the survey somewhere; the public code is made here."""
    problems = touchpoint_problems(touchpoint)
    if problems:
        raise BuilderError(problems)
    kind = touchpoint.kind
    if kind in (Touchpoint.Kind.LOCATION, Touchpoint.Kind.KIOSK):
        touchpoint.channel = touchpoint.channel or Channel.WALK_IN
    elif kind == Touchpoint.Kind.SERVICE_PAGE:
        touchpoint.channel = touchpoint.channel or Channel.WEB
    if kind != Touchpoint.Kind.CASE_CLOSED:
        touchpoint.prefer_sms = False
    with transaction.atomic():
        touchpoint.code = new_public_code()
        touchpoint.save()
        audit.record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            target=touchpoint,
            request=request,
            purpose="survey touchpoint",
            details={"survey": str(touchpoint.survey.public_id), "kind": kind},
        )
    return touchpoint


def set_touchpoint_active(
    *, touchpoint: Touchpoint, active: bool, actor: Any, request: HttpRequest | None = None
) -> None:
    """Deactivated touchpoints take no answers; their past answers keep pointing to them."""
    with transaction.atomic():
        touchpoint.active = active
        touchpoint.save(update_fields=["active"])
        audit.record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=touchpoint,
            request=request,
            purpose="survey touchpoint",
            details={"active": active},
        )


def service_locations() -> QuerySet[ServiceChannel]:
    return ServiceChannel.objects.filter(
        channel_type=ServiceChannel.Type.SERVICE_LOCATION
    ).prefetch_related("texts")


def services() -> QuerySet[Service]:
    return Service.objects.prefetch_related("texts")
