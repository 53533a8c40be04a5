"""Shapes of the answer API. The serializers check only the shape of the body; what the values
may be (ranges, choice codes, required questions) is `answering.save_response`'s to decide."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from luukku.areas.demographics import AgeBand, CustomerType, Sex

from .answering import MAX_TEXT_LENGTH
from .models import LANGUAGES, Response


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "A scale answer (rating 1–5, NPS 0–10)."},
            {"type": "string", "description": "A choice code or a free-text answer."},
            {
                "type": "array",
                "items": {"type": "string"},
                "description": "The choice codes of a multiple-choice answer.",
            },
        ]
    }
)
class AnswerValueField(serializers.JSONField):
    """A number, a string or a list of strings; anything else is left for the service to
    refuse with a message about the question."""


class BackgroundIn(serializers.Serializer[dict[str, Any]]):
    municipality = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="Statistics Finland's municipality code, e.g. 297 (Kuopio).",
    )
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    customer_type = serializers.ChoiceField(
        choices=CustomerType.choices, required=False, allow_blank=True
    )


class ResponseIn(serializers.Serializer[dict[str, Any]]):
    touchpoint = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The public code of the touchpoint the answer came from (QR code, link).",
    )
    token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="An invitation's one-time token: one response per invitation, resends update.",
    )
    resume_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The `resume_token` of an earlier partial response, to continue it.",
    )
    language = serializers.ChoiceField(choices=list(LANGUAGES), default="fi")
    status = serializers.ChoiceField(
        choices=Response.Status.choices,
        default=Response.Status.COMPLETE,
        help_text="`partial` saves without checking required questions.",
    )
    answers = serializers.DictField(
        child=AnswerValueField(),
        required=False,
        help_text="Answers by question code.",
    )
    other = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_TEXT_LENGTH),
        required=False,
        help_text="The text of the 'other' option, by choice question code.",
    )
    background = BackgroundIn(required=False)
    consent = serializers.BooleanField(
        default=False,
        help_text="Identified surveys: the respondent agrees to the answer staying linked to "
        "their case (the current consent text of purpose survey_identified).",
    )


class ResponseOut(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="An opaque identifier of the response.")
    status = serializers.ChoiceField(choices=Response.Status.choices)
    resume_token = serializers.CharField(
        required=False,
        help_text="Only for a new partial response without an invitation: send it back as "
        "`resume_token` to continue.",
    )


# {"errors": {"<question code or field>": ["message", ...]}}
ERRORS_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by question code or field name.",
        }
    },
    "required": ["errors"],
}
