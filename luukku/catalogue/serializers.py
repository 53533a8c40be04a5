"""JSON shapes of the public catalogue API (/api/v1/services).

Every read works on prefetched relations (see `selectors.service_detail_queryset`): a
serializer never triggers a query of its own. Translated texts are given in all three
languages at once, as {"fi": ..., "sv": ..., "en": ...}, so a client needs one request per
service, not three.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from luukku.areas.models import Area
from luukku.catalogue.models import (
    LifeEvent,
    MobileStop,
    Service,
    ServiceChannel,
    ServiceClass,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
    TargetGroup,
)
from luukku.core.models import Language
from luukku.core.openapi import LocalTimeField

LANGUAGES: tuple[str, ...] = tuple(Language.values)
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_PAGE = 1_000_000


class ServiceListParams(serializers.Serializer[dict[str, Any]]):
    """Query parameters of the service list and search."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        trim_whitespace=True,
        help_text="Words to search for, in any inflected form. Without it every service is "
        "listed, ordered by slug.",
    )
    lang = serializers.ChoiceField(
        choices=LANGUAGES,
        default="fi",
        help_text="Language of the query and of the names and summaries returned.",
    )
    # Bounded: an unbounded page made an OFFSET past PostgreSQL's bigint, a server error.
    page = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE, default=1, help_text="Page number, from 1."
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
        help_text=f"Results per page, at most {MAX_PAGE_SIZE}.",
    )


@extend_schema_field(
    {
        "type": "object",
        "properties": {language: {"type": "string"} for language in LANGUAGES},
        "description": "The text in each language it exists in.",
    }
)
class TranslatedField(serializers.Field):
    """{"fi": ..., "sv": ..., "en": ...} from an object with `<prefix>_fi` style attributes."""

    def __init__(self, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, str]:
        return {
            language: getattr(value, f"{self.prefix}_{language}", "") or ""
            for language in LANGUAGES
        }


def texts_by_language(texts: Iterable[Any], kind: str) -> dict[str, str]:
    """One text of `kind` per language from prefetched (language, kind, value) rows."""
    found: dict[str, str] = {}
    for row in texts:
        if row.kind == kind and row.language not in found:
            found[row.language] = row.value
    return found


def _api_url(request: Any, slug: str) -> str:
    path = reverse("api:service-detail", kwargs={"slug": slug})
    return str(request.build_absolute_uri(path)) if request is not None else path


def _page_url(request: Any, slug: str, language: str) -> str:
    """The public service page in `language` (Finnish has no prefix, /sv/ and /en/ do)."""
    with translation.override(language):
        path = reverse("catalogue:service", kwargs={"slug": slug})
    return str(request.build_absolute_uri(path)) if request is not None else path


class ServiceSummarySerializer(serializers.Serializer[Service]):
    """A row of the list or of search results, in the requested language."""

    slug = serializers.SlugField(read_only=True)
    name = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField(
        help_text="Relevance to the query (higher is better); null when listing without q."
    )
    service_type = serializers.CharField(read_only=True)
    domain = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The full record in this API.")
    page_url = serializers.SerializerMethodField(help_text="The public page, in `lang`.")

    def _text(self, service: Service, kind: str) -> str:
        # The view passes {service id: {kind: text}} already in the right language.
        texts: dict[int, dict[str, str]] = self.context["texts"]
        return texts.get(service.pk, {}).get(kind, "")

    def get_name(self, service: Service) -> str:
        return self._text(service, ServiceText.Kind.NAME) or service.slug

    def get_summary(self, service: Service) -> str:
        return self._text(service, ServiceText.Kind.SUMMARY)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_score(self, service: Service) -> float | None:
        scores: dict[int, float] = self.context.get("scores", {})
        score = scores.get(service.pk)
        return round(score, 4) if score is not None else None

    def get_url(self, service: Service) -> str:
        return _api_url(self.context.get("request"), service.slug)

    def get_page_url(self, service: Service) -> str:
        language = str(self.context.get("language", "fi"))
        return _page_url(self.context.get("request"), service.slug, language)


class ServiceListPageSerializer(serializers.Serializer[dict[str, Any]]):
    """The page envelope (documentation only: the view builds the dict)."""

    count = serializers.IntegerField(help_text="Services matching in all, on every page.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ServiceSummarySerializer(many=True)


class ConceptSerializer(serializers.Serializer[ServiceClass | TargetGroup | LifeEvent]):
    code = serializers.CharField(read_only=True)
    uri = serializers.CharField(read_only=True)
    # A field named "label" shadows Field.label for the type checker only: DRF's metaclass takes
    # declared fields off the class.
    label = TranslatedField("label")  # type: ignore[assignment]


class AreaSerializer(serializers.Serializer[Area]):
    area_type = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = TranslatedField("name")


class OrganisationRoleSerializer(serializers.Serializer[ServiceOrganisation]):
    slug = serializers.CharField(source="organisation.slug", read_only=True)
    name = TranslatedField("name", source="organisation")
    organisation_type = serializers.CharField(
        source="organisation.organisation_type", read_only=True
    )
    business_id = serializers.CharField(source="organisation.business_id", read_only=True)
    role = serializers.CharField(read_only=True)
    provision_type = serializers.CharField(read_only=True)


class HoursSerializer(serializers.Serializer[ServiceHours]):
    kind = serializers.CharField(read_only=True)
    weekday = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="0 is Monday, 6 is Sunday."
    )
    opens = LocalTimeField(read_only=True, allow_null=True)
    closes = LocalTimeField(read_only=True, allow_null=True)
    is_closed = serializers.BooleanField(read_only=True)
    valid_from = serializers.DateField(read_only=True, allow_null=True)
    valid_to = serializers.DateField(read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True)


class MobileStopSerializer(serializers.Serializer[MobileStop]):
    municipality = AreaSerializer(read_only=True)
    place = serializers.CharField(read_only=True)
    street_address = serializers.CharField(read_only=True)
    weekday = serializers.IntegerField(read_only=True, help_text="0 is Monday, 6 is Sunday.")
    arrives = LocalTimeField(read_only=True)
    departs = LocalTimeField(read_only=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )


class ChannelSerializer(serializers.Serializer[ServiceChannel]):
    slug = serializers.CharField(read_only=True)
    ptv_id = serializers.UUIDField(read_only=True, allow_null=True)
    channel_type = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    is_mobile = serializers.BooleanField(read_only=True)
    url = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    phone_charge = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    street_address = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    post_office = serializers.CharField(read_only=True)
    municipality = AreaSerializer(read_only=True, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    hours = HoursSerializer(many=True, read_only=True)
    stops = MobileStopSerializer(many=True, read_only=True)

    @extend_schema_field(TranslatedField("name"))
    def get_name(self, channel: ServiceChannel) -> dict[str, str]:
        return texts_by_language(channel.texts.all(), "Name")

    @extend_schema_field(TranslatedField("summary"))
    def get_summary(self, channel: ServiceChannel) -> dict[str, str]:
        return texts_by_language(channel.texts.all(), "Summary")


class ServiceDetailSerializer(serializers.Serializer[Service]):
    """The full record of a service, every language at once."""

    slug = serializers.SlugField(read_only=True)
    ptv_id = serializers.UUIDField(read_only=True, allow_null=True)
    service_type = serializers.CharField(read_only=True)
    charge_type = serializers.CharField(read_only=True)
    area_type = serializers.CharField(read_only=True)
    domain = serializers.CharField(read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    name = serializers.SerializerMethodField()
    alternative_name = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    user_instruction = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    service_classes = ConceptSerializer(many=True, read_only=True)
    target_groups = ConceptSerializer(many=True, read_only=True)
    life_events = ConceptSerializer(many=True, read_only=True)
    organisations = OrganisationRoleSerializer(source="roles", many=True, read_only=True)
    channels = ChannelSerializer(many=True, read_only=True)
    areas = AreaSerializer(many=True, read_only=True)

    def _texts(self, service: Service, kind: str) -> dict[str, str]:
        return texts_by_language(service.texts.all(), kind)

    @extend_schema_field(TranslatedField("name"))
    def get_name(self, service: Service) -> dict[str, str]:
        return self._texts(service, ServiceText.Kind.NAME)

    @extend_schema_field(TranslatedField("alternative_name"))
    def get_alternative_name(self, service: Service) -> dict[str, str]:
        return self._texts(service, ServiceText.Kind.ALTERNATIVE_NAME)

    @extend_schema_field(TranslatedField("summary"))
    def get_summary(self, service: Service) -> dict[str, str]:
        return self._texts(service, ServiceText.Kind.SUMMARY)

    @extend_schema_field(TranslatedField("description"))
    def get_description(self, service: Service) -> dict[str, str]:
        return self._texts(service, ServiceText.Kind.DESCRIPTION)

    @extend_schema_field(TranslatedField("user_instruction"))
    def get_user_instruction(self, service: Service) -> dict[str, str]:
        return self._texts(service, ServiceText.Kind.USER_INSTRUCTION)

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"fi": ["rakentaminen"], "sv": ["byggande"]},
        }
    )
    def get_keywords(self, service: Service) -> dict[str, list[str]]:
        keywords: dict[str, list[str]] = {}
        for row in service.texts.all():
            if row.kind == ServiceText.Kind.KEYWORD:
                keywords.setdefault(row.language, []).append(row.value)
        return keywords
