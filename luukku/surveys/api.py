"""`POST /api/v1/surveys/<survey>/responses/`: answer a customer survey from any client.

Anonymous (no session, so no CSRF), limited per client address with the same counter as the
public forms, and idempotent: the `Idempotency-Key` header, an invitation token or a resume
token makes a resend update the earlier response (200) instead of adding one (201). A key
already used through another invitation or touchpoint is refused (422), not followed. Staff
surveys are not answerable here: they need a login to check who may answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from luukku.core.audit import client_ip

from . import answering
from .answering import IdempotencyKeyConflict, SurveyAnswerError, SurveyUnavailable
from .models import Invitation, Survey, Touchpoint
from .serializers import ERRORS_SCHEMA, ResponseIn, ResponseOut

IDEMPOTENCY_HEADER = "Idempotency-Key"
# 409: the survey does not take answers now; 410: this invitation is gone for good.
STATUS_BY_REASON = {
    SurveyUnavailable.CLOSED: http.HTTP_409_CONFLICT,
    SurveyUnavailable.ALREADY_ANSWERED: http.HTTP_409_CONFLICT,
    SurveyUnavailable.EXPIRED: http.HTTP_410_GONE,
    SurveyUnavailable.USED: http.HTTP_410_GONE,
}
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _errors(errors: dict[str, list[str]], status: int) -> Response:
    return Response({"errors": errors}, status=status)


def _flat(errors: Any, key: str = "body") -> dict[str, list[str]]:
    """Serializer errors as {field: [messages]}: a nested field (background, other) by its own
    name, as the service names them."""
    if not isinstance(errors, dict | list):
        return {key: [str(errors)]}
    items = errors.items() if isinstance(errors, dict) else ((key, item) for item in errors)
    flat: dict[str, list[str]] = {}
    for name, value in items:
        for inner, messages in _flat(value, str(name)).items():
            flat.setdefault(inner, []).extend(messages)
    return flat


def _open_customer_survey(public_id: str) -> Survey | None:
    """A published customer survey; an id that is not a UUID is simply not found."""
    try:
        survey_id = uuid.UUID(public_id)
    except ValueError:
        return None
    return (
        Survey.objects.select_related("organisation")
        .filter(public_id=survey_id, kind=Survey.Kind.CUSTOMER)
        .exclude(status=Survey.Status.DRAFT)
        .first()
    )


class ResponseCreateView(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="surveys_response_create",
        summary="Answer a survey",
        description=(
            "Stores one respondent's answers to an open customer survey. Answers are given by "
            "question code: a number for scales, a choice code (single choice) or a list of "
            "codes (multiple choice), or text; `other` gives the text of an 'other' option. "
            "Answers to questions hidden by a condition are dropped. A resend with the same "
            f"`{IDEMPOTENCY_HEADER}`, invitation `token` or `resume_token` updates the earlier "
            "response."
        ),
        parameters=[
            OpenApiParameter(
                "public_id",
                OpenApiTypes.UUID,
                OpenApiParameter.PATH,
                description="The survey's public id (from its link).",
            ),
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="A client-chosen key of at most 100 characters for this answer; "
                "a resend with the same key, invitation and touchpoint updates it.",
            ),
        ],
        request=ResponseIn,
        responses={
            201: ResponseOut,
            200: OpenApiResponse(ResponseOut, description="An earlier response was updated."),
            400: OpenApiResponse(
                ERRORS_SCHEMA,
                description="Invalid answers: each question or field named, with the reason.",
                examples=[
                    OpenApiExample(
                        "Out of range",
                        value={"errors": {"overall": ["Choose a number from 1 to 5."]}},
                    )
                ],
            ),
            404: OpenApiResponse(_DETAIL, description="No such open customer survey."),
            409: OpenApiResponse(ERRORS_SCHEMA, description="The survey is closed."),
            410: OpenApiResponse(
                ERRORS_SCHEMA, description="The invitation has expired or is used."
            ),
            415: OpenApiResponse(_DETAIL, description="The body is not JSON."),
            422: OpenApiResponse(
                ERRORS_SCHEMA,
                description="The Idempotency-Key was already used for an answer given through "
                "another invitation or touchpoint; send a new answer with a new key.",
            ),
            429: OpenApiResponse(_DETAIL, description="Too many answers from this address."),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        wait = answering.submission_wait(client_ip(request) or "-")
        if wait is not None:
            return Response(
                {"detail": _("Too many answers from your network. Try again later.")},
                status=http.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        survey = _open_customer_survey(public_id)
        if survey is None:
            return Response({"detail": _("No such survey.")}, status=http.HTTP_404_NOT_FOUND)
        try:
            body = ResponseIn(data=request.data)
        except ParseError as error:
            return _errors({"body": [str(error.detail)]}, http.HTTP_400_BAD_REQUEST)
        if not body.is_valid():
            return _errors(_flat(body.errors), http.HTTP_400_BAD_REQUEST)
        data = body.validated_data
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        # Messages about the answers in the respondent's language, as on the answer page.
        with translation.override(data["language"]):
            return self._save(survey, data, key)

    def _save(self, survey: Survey, data: dict[str, Any], key: str) -> Response:
        try:
            saved = answering.save_response(
                survey,
                data.get("answers") or {},
                other=data.get("other") or {},
                background=data.get("background") or {},
                touchpoint=self._touchpoint(survey, data.get("touchpoint", ""), data),
                invitation=self._invitation(data.get("token", "")),
                status=data["status"],
                language=data["language"],
                idempotency_key=key,
                resume_token=data.get("resume_token", ""),
                consent=data["consent"],
            )
        except SurveyUnavailable as error:
            return _errors(error.errors, STATUS_BY_REASON.get(error.reason, 409))
        except IdempotencyKeyConflict as error:
            return _errors(error.errors, http.HTTP_422_UNPROCESSABLE_ENTITY)
        except SurveyAnswerError as error:
            return _errors(error.errors, http.HTTP_400_BAD_REQUEST)
        out: dict[str, Any] = {
            "id": answering.public_response_id(saved.response),
            "status": saved.response.status,
        }
        if saved.resume_token:
            out["resume_token"] = saved.resume_token
        return Response(out, status=http.HTTP_201_CREATED if saved.created else http.HTTP_200_OK)

    @staticmethod
    def _touchpoint(survey: Survey, code: str, data: dict[str, Any]) -> Touchpoint | None:
        if not code:
            return None
        found = answering.touchpoint_for_code(code)
        if found is None or found.survey_id != survey.pk:
            raise SurveyAnswerError(
                {"touchpoint": [_("This survey has no touchpoint with this code.")]}
            )
        if found.kind == Touchpoint.Kind.CASE_CLOSED and not data.get("token"):
            raise SurveyAnswerError(
                {"touchpoint": [_("Answers after a closed case come with their invitation token.")]}
            )
        return found

    @staticmethod
    def _invitation(token: str) -> Invitation | None:
        if not token:
            return None
        found = answering.invitation_for_token(token)
        if found is None:
            raise SurveyAnswerError({"token": [_("This survey link is not valid.")]})
        return found
