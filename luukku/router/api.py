"""`GET /api/v1/routing/suggest`: the services a free-text message is probably about.

For staff only: a signed-in user who handles cases or triages routing in some organisation, or
an API client that belongs to an organisation (a city system), identified by its key in the
`X-Api-Key` header (never in the URL, so keys stay out of access logs). Public API clients
without an organisation are refused: suggestions reveal nothing secret, but the endpoint costs
CPU and is meant for the region's own systems.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from luukku.accounts.permissions import has_permission
from luukku.accounts.roles import HANDLE_CASES, TRIAGE_ROUTING
from luukku.intake.models import ApiClient, hash_api_key

from . import services
from .models import MAX_TEXT_LENGTH

API_KEY_HEADER = "X-Api-Key"
MAX_LIMIT = 10


class ApiKeyAuthentication(BaseAuthentication):
    """An intake API client's key in the X-Api-Key header; the client is `request.auth`."""

    def authenticate(self, request: Request) -> tuple[Any, ApiClient] | None:
        raw_key = request.headers.get(API_KEY_HEADER, "").strip()
        if not raw_key:
            return None
        client = (
            ApiClient.objects.filter(key_hash=hash_api_key(raw_key), is_active=True)
            .select_related("organisation")
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed(_("The API key is not valid."))
        # The client is not a person: no user, and `IsRoutingStaff` looks at `request.auth`.
        return AnonymousUser(), client


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "luukku.router.api.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}


class IsRoutingStaff(BasePermission):
    """Staff who route messages, or an organisation's own API client."""

    message = _("Routing suggestions are for staff who handle cases or triage routing.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        client = request.auth
        if isinstance(client, ApiClient):
            return client.is_active and client.organisation_id is not None
        return has_permission(request.user, HANDLE_CASES) or has_permission(
            request.user, TRIAGE_ROUTING
        )


class SuggestParams(serializers.Serializer[dict[str, Any]]):
    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=True,
        help_text=f"The customer's message, at most {MAX_TEXT_LENGTH} characters.",
    )
    lang = serializers.ChoiceField(
        choices=["fi", "sv", "en"],
        default="fi",
        help_text="Language of the message and of the service names returned.",
    )
    municipality = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Where the customer is: a municipality code (297) or name (Kuopio). "
        "Decides which organisation produces the service there.",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, default=3, help_text="How many services, 1–10."
    )


class OrganisationOut(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()


class SuggestionOut(serializers.Serializer[Any]):
    slug = serializers.CharField(help_text="The service's identifier (Open311 service_code).")
    name = serializers.CharField(help_text="The service's name in `lang`.")
    organisation = serializers.CharField(
        allow_null=True,
        help_text="Name of the organisation producing the service at the place; null when "
        "several share it and no municipality was given.",
    )
    organisation_slug = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField(help_text="The model's probability, 0–1.")


class SuggestOut(serializers.Serializer[Any]):
    model_version = serializers.IntegerField()
    needs_triage = serializers.BooleanField(
        help_text="True when the router is unsure and a person should decide."
    )
    suggestions = SuggestionOut(many=True)


class SuggestView(APIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsRoutingStaff]

    @extend_schema(
        operation_id="routing_suggest",
        summary="Suggest the services a message is about",
        description=(
            "The likeliest services for a free-text message (feedback, a call note), best "
            "first, with the producing organisation at the municipality given and the model's "
            "confidence. Understands inflected Finnish, compound words, typos, Swedish and "
            "English. Staff session (handle cases or triage routing) or an organisation's API "
            f"key in the `{API_KEY_HEADER}` header."
        ),
        parameters=[SuggestParams],
        responses={
            200: SuggestOut,
            400: OpenApiResponse(
                description="Missing or too long text, unknown language or municipality.",
                examples=[
                    OpenApiExample("Missing text", value={"text": ["This field is required."]})
                ],
            ),
            403: OpenApiResponse(description="Not staff, or the API key is not valid."),
            503: OpenApiResponse(description="No trained router model is active yet."),
        },
    )
    def get(self, request: Request) -> Response:
        params = SuggestParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        language: str = data["lang"]
        try:
            suggestions = services.suggest_or_raise(
                data["text"],
                language=language,
                municipality=data.get("municipality") or None,
                limit=data["limit"],
            )
        except services.RouterError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from error
        except services.NoActiveModel as error:
            return Response(
                {"detail": f"{error} Run `manage.py train_router`."},
                status=503,
            )
        return Response(
            {
                "model_version": services.active_version(),
                "needs_triage": services.needs_triage(suggestions),
                "suggestions": [
                    {
                        "slug": suggestion.slug,
                        "name": suggestion.name,
                        "organisation": suggestion.organisation.name(language)
                        if suggestion.organisation
                        else None,
                        "organisation_slug": suggestion.organisation.slug
                        if suggestion.organisation
                        else None,
                        "confidence": suggestion.confidence,
                    }
                    for suggestion in suggestions
                ],
            }
        )
