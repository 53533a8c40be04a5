"""Saving a respondent's answers: the one path for the answer page, the kiosk and the API.

`save_response` checks every value against the survey (scale ranges, choice codes, 'other'
texts, required questions, conditions), drops answers to questions the respondent was not
shown, and writes the response and its answers in one transaction. A response is found again
by its invitation, the client's idempotency key or a resume token, so a retried or repeated
submission updates the answer instead of adding a second one, also when two copies race (the
unique constraints decide, and the loser re-reads the winner's row). An idempotency key is
stored only as a keyed hash, and it finds an answer only for a request from the same invitation
(or none) and touchpoint: someone else's key cannot redirect an answer onto theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.accounts.models import User
from luukku.areas.demographics import AgeBand, CustomerType, Sex
from luukku.areas.models import Area
from luukku.catalogue.models import Service
from luukku.catalogue.page_extras import PageLink
from luukku.core.models import ConsentText
from luukku.intake.open311 import throttling
from luukku.organisations.models import Organisation

from .conditions import AnswerValue, shown_questions
from .models import (
    LANGUAGES,
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    StaffParticipation,
    Survey,
    Touchpoint,
)
from .tokens import hash_idempotency_key, hash_token, keyed_hash, new_token

MAX_TEXT_LENGTH = 5000
MAX_IDEMPOTENCY_KEY_LENGTH = 100
OTHER = "other"
# Touchpoints a person reaches by link or QR code (not an invitation, not a kiosk).
LINK_TOUCHPOINTS = (
    Touchpoint.Kind.LOCATION,
    Touchpoint.Kind.SERVICE_PAGE,
    Touchpoint.Kind.OPEN_LINK,
)
# Answers per client address and minute; a kiosk's whole day of answers fits well inside.
DEFAULT_SUBMIT_RATE = "600/minute"
BACKGROUND_FIELDS = ("municipality", "age_band", "sex", "customer_type")


class SurveyAnswerError(Exception):
    """Answers that cannot be saved: field or question code -> clear messages.

    Nothing has been written when this is raised.
    """

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {key: list(messages) for key, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class SurveyUnavailable(SurveyAnswerError):
    """The survey cannot be answered this way at all (closed, expired or used invitation,
    staff survey already answered). `reason` lets the API choose 409 or 410."""

    CLOSED = "closed"
    EXPIRED = "expired"
    USED = "used"
    ALREADY_ANSWERED = "already_answered"
    NOT_ELIGIBLE = "not_eligible"

    def __init__(self, reason: str, field: str, message: str) -> None:
        self.reason = reason
        super().__init__({field: [message]})


class IdempotencyKeyConflict(SurveyAnswerError):
    """The idempotency key belongs to an answer given through another invitation or touchpoint.

    The key is no password, so it may not overwrite another respondent's answer; the API
    answers 422, as the IETF Idempotency-Key draft asks for a key reused for another request.
    """

    def __init__(self) -> None:
        super().__init__(
            {
                "idempotency_key": [
                    _(
                        "This idempotency key was already used for another answer. "
                        "Send each new answer with a new key."
                    )
                ]
            }
        )


@dataclass(frozen=True)
class SavedResponse:
    response: Response
    created: bool
    # The plain resume token of a new partial response reached without an invitation (to be
    # kept by the respondent's browser or client); empty otherwise.
    resume_token: str = ""


def public_response_id(response: Response) -> str:
    """An opaque, stable id for a response: reveals neither the row number nor the count."""
    return keyed_hash(b"survey-response:", str(response.pk))[:24]


def submission_wait(ip_address: str) -> int | None:
    """Count one submission from `ip_address`: None when allowed, else seconds to wait.

    The same fixed-window counter as the Open311 API, with its own scope and rate
    (`SURVEYS_SUBMIT_RATE`, e.g. "600/minute"; empty for no limit).
    """
    rate = str(getattr(settings, "SURVEYS_SUBMIT_RATE", DEFAULT_SUBMIT_RATE))
    return throttling.allow(scope="surveys", ident=ip_address, rate=rate)


# ---------------------------------------------------------------------------------------------
# Finding the survey and the respondent's earlier answer


def questions_of(survey: Survey) -> list[Question]:
    """The survey's questions in order, with choices and condition triggers, in 2 queries."""
    return list(
        survey.questions.select_related("show_if_question").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
        )
    )


def asked_questions(questions: list[Question], touchpoint: Touchpoint | None) -> list[Question]:
    """A kiosk asks only the scale questions (touch buttons, no keyboard); others ask all."""
    if touchpoint is not None and touchpoint.kind == Touchpoint.Kind.KIOSK:
        return [question for question in questions if question.is_scale]
    return questions


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related(
            "survey", "survey__organisation", "touchpoint", "touchpoint__location"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def touchpoint_for_code(code: str) -> Touchpoint | None:
    if not code or len(code) > 20:
        return None
    return (
        Touchpoint.objects.select_related("survey", "survey__organisation", "location")
        .filter(code=code)
        .first()
    )


def response_for_invitation(invitation: Invitation) -> Response | None:
    return Response.objects.filter(invitation=invitation).first()


def resumable_response(survey: Survey, resume_token: str) -> Response | None:
    """The partial response a browser or client left for later, found by its resume token."""
    if not resume_token or len(resume_token) > 200:
        return None
    return Response.objects.filter(
        survey=survey, resume_token_hash=hash_token(resume_token), status=Response.Status.PARTIAL
    ).first()


def given_values(response: Response | None) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """An earlier response's answers by question code, and its 'other' texts: to fill the form
    again when the respondent comes back."""
    values: dict[str, AnswerValue] = {}
    other: dict[str, str] = {}
    if response is None:
        return values, other
    for answer in response.answers.select_related("question"):
        question = answer.question
        if question.is_scale:
            values[question.code] = answer.number
        elif question.is_choice:
            values[question.code] = list(answer.choices)
            if OTHER in answer.choices:
                other[question.code] = answer.text
        else:
            values[question.code] = answer.text
    return values, other


def check_answerable(survey: Survey, invitation: Invitation | None = None) -> None:
    """Raise SurveyUnavailable when the survey (or the invitation) takes no answers now."""
    if not survey.accepts_answers():
        raise SurveyUnavailable(
            SurveyUnavailable.CLOSED, "survey", _("This survey is closed and takes no answers.")
        )
    if invitation is None:
        return
    if not invitation.is_valid():
        raise SurveyUnavailable(
            SurveyUnavailable.EXPIRED,
            "token",
            _("This survey link has expired. Thank you for your interest."),
        )
    if invitation.first_answered_at is not None and not response_exists(invitation):
        # Answered, and the answer since removed by the retention period: not answerable again.
        raise SurveyUnavailable(
            SurveyUnavailable.USED, "token", _("This survey link has already been used.")
        )


def response_exists(invitation: Invitation) -> bool:
    return Response.objects.filter(invitation=invitation).exists()


def service_page_links(service: Service) -> list[PageLink]:
    """The catalogue's service page offers the open surveys that have an active service-page
    touchpoint for the service (registered in SurveysConfig.ready()). One query."""
    now = timezone.now()
    touchpoints = (
        Touchpoint.objects.filter(
            kind=Touchpoint.Kind.SERVICE_PAGE,
            active=True,
            service=service,
            survey__kind=Survey.Kind.CUSTOMER,
            survey__status=Survey.Status.OPEN,
        )
        .filter(Q(survey__opens_at__isnull=True) | Q(survey__opens_at__lte=now))
        .filter(Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now))
        .select_related("survey")
        .order_by("survey__created_at", "pk")
    )
    several = len(touchpoints) > 1
    return [
        PageLink(
            text=_("Give feedback on this service"),
            url=reverse("surveys:touchpoint", args=[touchpoint.code]),
            description=touchpoint.survey.title() if several else "",
        )
        for touchpoint in touchpoints
    ]


# ---------------------------------------------------------------------------------------------
# Staff surveys


def staff_units(user: User, survey: Survey) -> list[Organisation]:
    """The user's organisations that are the survey's organisation or one of its units.

    These make the user eligible to answer; the answer records one of them as its unit.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    units: dict[int, Organisation] = {}
    memberships = user.memberships.select_related("organisation")
    for membership in memberships:
        organisation = membership.organisation
        if any(node.pk == survey.organisation_id for node in organisation.ancestors_and_self()):
            units.setdefault(organisation.pk, organisation)
    return sorted(units.values(), key=lambda unit: unit.name())


def staff_surveys_for(user: User) -> list[tuple[Survey, bool]]:
    """Open staff surveys the user may answer, each with whether they already have."""
    if not user.is_authenticated or not user.is_active:
        return []
    organisation_ids: set[int] = set()
    for membership in user.memberships.select_related("organisation"):
        organisation_ids.update(node.pk for node in membership.organisation.ancestors_and_self())
    surveys = [
        survey
        for survey in Survey.objects.filter(
            kind=Survey.Kind.STAFF,
            status=Survey.Status.OPEN,
            organisation_id__in=organisation_ids,
        ).select_related("organisation")
        if survey.accepts_answers()
    ]
    answered = set(
        StaffParticipation.objects.filter(user=user, survey__in=surveys).values_list(
            "survey_id", flat=True
        )
    )
    return [(survey, survey.pk in answered) for survey in surveys]


def eligible_units(survey: Survey, user: User | None) -> list[Organisation]:
    """The units a staff member answers for; SurveyUnavailable when they may not answer."""
    if user is None or not user.is_authenticated:
        raise SurveyUnavailable(
            SurveyUnavailable.NOT_ELIGIBLE, "survey", _("Log in to answer this staff survey.")
        )
    units = staff_units(user, survey)
    if not units:
        raise SurveyUnavailable(
            SurveyUnavailable.NOT_ELIGIBLE,
            "survey",
            _("This staff survey is for the staff of %(organisation)s.")
            % {"organisation": survey.organisation.name()},
        )
    return units


def has_participated(survey: Survey, user: User) -> bool:
    return StaffParticipation.objects.filter(survey=survey, user=user).exists()


def _staff_unit(survey: Survey, user: User | None, chosen: Organisation | None) -> Organisation:
    units = eligible_units(survey, user)
    if chosen is not None:
        if any(unit.pk == chosen.pk for unit in units):
            return chosen
        raise SurveyAnswerError({"staff_unit": [_("Choose one of your own units.")]})
    if len(units) == 1:
        return units[0]
    raise SurveyAnswerError({"staff_unit": [_("Choose the unit you answer for.")]})


def start_of_day(moment: datetime) -> datetime:
    """Midnight (local time) of the day: staff answers keep no time a login could be matched to."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------------------------------------
# Validating the values


def _parse_scale(question: Question, raw: Any) -> int:
    low, high = Question.SCALES[question.kind]
    message = _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError(message)
    try:
        number = int(str(raw).strip())
    except ValueError:
        raise ValueError(message) from None
    if not low <= number <= high:
        raise ValueError(message)
    return number


def _parse_choices(question: Question, raw: Any) -> list[str]:
    multiple = question.kind == Question.Kind.MULTIPLE_CHOICE
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(code, str) for code in raw):
        raise ValueError(_("Choose from the options given."))
    codes = list(dict.fromkeys(code.strip() for code in raw if code.strip()))
    if len(codes) > 1 and not multiple:
        raise ValueError(_("Choose only one option."))
    known = {choice.code for choice in question.choices.all()}
    if question.allows_other:
        known.add(OTHER)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValueError(
            _("Unknown option: %(codes)s. Choose from the options given.")
            % {"codes": ", ".join(unknown)[:200]}
        )
    return codes


def _parse_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(_("Write the answer as text."))
    text = raw.replace("\x00", "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(
            _("Write at most %(limit)s characters (now %(count)s).")
            % {"limit": MAX_TEXT_LENGTH, "count": len(text)}
        )
    return text


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


@dataclass
class _Cleaned:
    values: dict[str, AnswerValue]
    other: dict[str, str]
    shown: list[Question]


def clean_answers(
    questions: list[Question],
    values: Mapping[str, Any],
    other: Mapping[str, Any],
    *,
    complete: bool,
    known_codes: Iterable[str] = (),
) -> _Cleaned:
    """The answers to the questions shown, parsed; SurveyAnswerError lists every problem.

    A code in `known_codes` but not among `questions` (not asked here) is ignored.
    """
    errors: dict[str, list[str]] = {}
    known = {question.code for question in questions} | set(known_codes)
    for code in values:
        if code not in known:
            errors[str(code)[:50]] = [_("This survey has no such question.")]
    parsed: dict[str, AnswerValue] = {}
    problems: dict[str, str] = {}
    for question in questions:
        raw = values.get(question.code)
        if _is_empty(raw):
            continue
        try:
            if question.is_scale:
                parsed[question.code] = _parse_scale(question, raw)
            elif question.is_choice:
                parsed[question.code] = _parse_choices(question, raw)
            else:
                parsed[question.code] = _parse_text(raw)
        except ValueError as error:
            problems[question.code] = str(error)
    shown = shown_questions(questions, parsed)
    kept: dict[str, AnswerValue] = {}
    other_texts: dict[str, str] = {}
    for question in shown:
        code = question.code
        if code in problems:
            errors[code] = [problems[code]]
            continue
        value = parsed.get(code)
        if value is None or value == []:
            if complete and question.required:
                errors[code] = [_("Answer this question.")]
            continue
        if isinstance(value, list) and OTHER in value:
            try:
                text = _parse_text(other.get(code, ""))
            except ValueError as error:
                errors[code] = [str(error)]
                continue
            if not text:
                errors[code] = [_("Write what the other option is.")]
                continue
            other_texts[code] = text
        kept[code] = value
    if errors:
        raise SurveyAnswerError(errors)
    return _Cleaned(values=kept, other=other_texts, shown=shown)


def clean_background(survey: Survey, background: Mapping[str, Any]) -> dict[str, Any]:
    """The optional background fields, in the standard categories; unknown values refused."""
    if not survey.asks_background or not background:
        return {}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in background:
        if name not in BACKGROUND_FIELDS:
            errors[str(name)[:50]] = [_("Unknown background question.")]
    for name, choices in (("age_band", AgeBand), ("sex", Sex), ("customer_type", CustomerType)):
        value = background.get(name)
        if _is_empty(value):
            continue
        if not isinstance(value, str) or value not in choices.values:
            errors[name] = [_("Choose from the options given.")]
        else:
            cleaned[name] = value
    code = background.get("municipality")
    if not _is_empty(code):
        municipality = (
            Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code=code.strip()).first()
            if isinstance(code, str) and len(code) <= 10
            else None
        )
        if municipality is None:
            errors["municipality"] = [_("Choose a municipality from the list.")]
        cleaned["municipality"] = municipality
    if errors:
        raise SurveyAnswerError(errors)
    return cleaned


# ---------------------------------------------------------------------------------------------
# Saving


def save_response(
    survey: Survey,
    values: Mapping[str, Any],
    *,
    other: Mapping[str, Any] | None = None,
    background: Mapping[str, Any] | None = None,
    touchpoint: Touchpoint | None = None,
    invitation: Invitation | None = None,
    status: str = Response.Status.COMPLETE,
    language: str = "fi",
    idempotency_key: str = "",
    resume_token: str = "",
    consent: bool = False,
    staff_user: User | None = None,
    staff_unit: Organisation | None = None,
) -> SavedResponse:
    """Validate and store one respondent's answers; update their earlier response if any.

    `values` maps question codes to a number, a choice code or list of codes, or text;
    `other` gives the 'other' option's text per choice question. A partial response skips the
    required-question check. Answers to questions hidden by a condition (or not asked at a
    kiosk) are dropped. The earlier response is found by the invitation, then the idempotency
    key, then the resume token; its answers are replaced.

    Staff surveys need `staff_user`, who must belong to the survey's organisation or one of
    its units. They are answered once and cannot be updated or saved half-way: the answer is
    stored without any link to the person (only a StaffParticipation row says that they have
    answered, and nothing connects it to the response), so a second submission could not know
    which response to update, and is refused. Their times are kept at day precision.
    """
    if status not in Response.Status.values:
        raise SurveyAnswerError({"status": [_("Status must be partial or complete.")]})
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise SurveyAnswerError(
            {
                "idempotency_key": [
                    _("The idempotency key is at most %(limit)s characters.")
                    % {"limit": MAX_IDEMPOTENCY_KEY_LENGTH}
                ]
            }
        )
    language = language if language in LANGUAGES else "fi"
    request = _Submission(
        survey=survey,
        values=values,
        other=other or {},
        background=background or {},
        touchpoint=invitation.touchpoint if invitation is not None else touchpoint,
        invitation=invitation,
        status=status,
        language=language,
        idempotency_key_hash=hash_idempotency_key(idempotency_key) if idempotency_key else "",
        resume_token=resume_token,
        consent=consent,
        staff_user=staff_user,
        staff_unit=staff_unit,
    )
    request.check()
    questions = questions_of(survey)
    cleaned = clean_answers(
        asked_questions(questions, request.touchpoint),
        values,
        request.other,
        complete=status == Response.Status.COMPLETE,
        known_codes=[question.code for question in questions],
    )
    cleaned_background = clean_background(survey, request.background)
    # Two copies of the same submission may race: the unique constraints (invitation,
    # idempotency key, staff participation) let one insert through; the other one re-reads.
    for attempt in range(2):
        try:
            with transaction.atomic():
                return request.write(cleaned, cleaned_background)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _Submission:
    survey: Survey
    values: Mapping[str, Any]
    other: Mapping[str, Any]
    background: Mapping[str, Any]
    touchpoint: Touchpoint | None
    invitation: Invitation | None
    status: str
    language: str
    idempotency_key_hash: str
    resume_token: str
    consent: bool
    staff_user: User | None
    staff_unit: Organisation | None

    @property
    def is_staff(self) -> bool:
        return self.survey.kind == Survey.Kind.STAFF

    def check(self) -> None:
        """Whether this kind of submission may be made at all, before any value is read."""
        survey = self.survey
        if self.invitation is not None and self.invitation.survey_id != survey.pk:
            raise SurveyAnswerError({"token": [_("This link is not for this survey.")]})
        if self.touchpoint is not None and (
            self.touchpoint.survey_id != survey.pk or not self.touchpoint.active
        ):
            raise SurveyAnswerError(
                {"touchpoint": [_("This survey is not offered at this touchpoint.")]}
            )
        check_answerable(survey, self.invitation)
        if self.is_staff:
            if self.invitation is not None:
                raise SurveyAnswerError(
                    {"token": [_("Staff surveys are answered after logging in, not by link.")]}
                )
            if self.status != Response.Status.COMPLETE:
                raise SurveyAnswerError(
                    {"status": [_("A staff survey is answered in one go; it cannot be saved.")]}
                )
            self.staff_unit = _staff_unit(survey, self.staff_user, self.staff_unit)

    def write(self, cleaned: _Cleaned, background: dict[str, Any]) -> SavedResponse:
        now = timezone.now()
        response = self._existing()
        if self.is_staff:
            if response is not None:
                # The same form sent twice (double click): the first one counts.
                return SavedResponse(response=response, created=False)
            if has_participated(self.survey, cast(User, self.staff_user)):
                raise SurveyUnavailable(
                    SurveyUnavailable.ALREADY_ANSWERED,
                    "survey",
                    _(
                        "You have already answered this staff survey. Staff answers cannot be "
                        "changed afterwards, because nothing links them to you."
                    ),
                )
            now = start_of_day(now)
        if (
            response is not None
            and response.status == Response.Status.COMPLETE
            and self.status == Response.Status.PARTIAL
        ):
            raise SurveyAnswerError(
                {"status": [_("These answers were already sent. Send them again to change them.")]}
            )
        created = response is None
        plain_resume_token = ""
        if response is None:
            response = Response(survey=self.survey, started_at=now)
            self._copy_context(response)
            response.idempotency_key = self.idempotency_key_hash
            if (
                self.status == Response.Status.PARTIAL
                and self.invitation is None
                and not self.is_staff
            ):
                plain_resume_token, response.resume_token_hash = new_token()
        response.language = self.language
        response.status = self.status
        response.updated_at = now
        if self.status == Response.Status.COMPLETE:
            response.submitted_at = response.submitted_at or now
            # Once submitted, the browser's resume token no longer opens the answer.
            response.resume_token_hash = ""
        for name in BACKGROUND_FIELDS:
            setattr(response, name, background.get(name, None if name == "municipality" else ""))
        self._record_consent(response, now)
        response.save()
        if not created:
            response.answers.all().delete()
        Answer.objects.bulk_create(_answer_rows(response, cleaned))
        if self.is_staff:
            # check() made sure there is an eligible user.
            StaffParticipation.objects.create(survey=self.survey, user=cast(User, self.staff_user))
        if self.invitation is not None:
            self._mark_invitation(self.invitation, now)
        return SavedResponse(response=response, created=created, resume_token=plain_resume_token)

    def _existing(self) -> Response | None:
        """The earlier response this submission updates, locked against a concurrent update."""
        rows = Response.objects.select_for_update()
        if self.invitation is not None:
            found = rows.filter(invitation=self.invitation).first()
            if found is not None:
                return found
        if self.idempotency_key_hash:
            found = rows.filter(
                survey=self.survey, idempotency_key=self.idempotency_key_hash
            ).first()
            if found is not None:
                if not self._same_origin(found):
                    raise IdempotencyKeyConflict()
                return found
        if self.resume_token and not self.is_staff:
            return rows.filter(
                survey=self.survey,
                resume_token_hash=hash_token(self.resume_token),
                status=Response.Status.PARTIAL,
            ).first()
        return None

    def _same_origin(self, response: Response) -> bool:
        """Whether the response came the way this request comes: the same invitation (or
        neither has one) and the same touchpoint (or neither)."""
        invitation_id = self.invitation.pk if self.invitation is not None else None
        touchpoint_id = self.touchpoint.pk if self.touchpoint is not None else None
        return response.invitation_id == invitation_id and response.touchpoint_id == touchpoint_id

    def _copy_context(self, response: Response) -> None:
        """What the answer remembers of where it came from: from the invitation, else the
        touchpoint. Staff answers remember their unit and nothing else."""
        response.invitation = self.invitation
        response.touchpoint = self.touchpoint
        if self.is_staff:
            response.organisation = self.survey.organisation
            response.staff_unit = self.staff_unit
            return
        touchpoint = self.touchpoint
        if touchpoint is not None:
            response.location = touchpoint.location
            response.service_id = touchpoint.service_id or self.survey.service_id
            response.channel = touchpoint.channel
            # Only case-closed touchpoints name an organisation; at a location it is the
            # location's own.
            response.organisation_id = touchpoint.organisation_id or (
                touchpoint.location.organisation_id if touchpoint.location else None
            )
        else:
            response.service_id = self.survey.service_id
        if self.invitation is not None:
            response.service_id = self.invitation.service_id or response.service_id
            response.channel = self.invitation.channel or response.channel
            response.organisation = self.invitation.organisation or response.organisation

    def _record_consent(self, response: Response, now: datetime) -> None:
        """An identified survey keeps the link to the case only with the respondent's consent,
        recorded as the exact text version they agreed to. A resend without it withdraws the
        consent, as it unlinks the case (_mark_invitation)."""
        if not (self.survey.identified and self.invitation is not None and self.consent):
            response.consent = None
            response.consented_at = None
            return
        if response.consent_id is not None:
            return
        text = ConsentText.current(ConsentText.Purpose.SURVEY_IDENTIFIED)
        if text is None:
            raise SurveyAnswerError(
                {"consent": [_("Consent cannot be given now. Answer without it.")]}
            )
        response.consent = text
        response.consented_at = now

    def _mark_invitation(self, invitation: Invitation, now: datetime) -> None:
        """First answer: remember when; an anonymous answer (or one given without consent)
        forgets the case, keeping only the keyed hash that stops a second invitation."""
        fields = []
        if invitation.first_answered_at is None:
            invitation.first_answered_at = now
            fields.append("first_answered_at")
        keeps_case = self.survey.identified and self.consent
        if invitation.case_id is not None and not keeps_case:
            invitation.case = None
            fields.append("case")
        if fields:
            invitation.save(update_fields=fields)


def _answer_rows(response: Response, cleaned: _Cleaned) -> Iterable[Answer]:
    for question in cleaned.shown:
        value = cleaned.values.get(question.code)
        if value is None:
            continue
        if isinstance(value, int):
            yield Answer(response=response, question=question, number=value)
        elif isinstance(value, list):
            yield Answer(
                response=response,
                question=question,
                choices=value,
                text=cleaned.other.get(question.code, ""),
            )
        else:
            yield Answer(response=response, question=question, text=value)
