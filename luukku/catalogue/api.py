"""Public JSON API of the catalogue: list and search services, and one service's full record.

Views only parse the query, call `search.search_services` or the read helpers below, and
serialise; ranking lives in `catalogue.search`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from luukku.catalogue import search, selectors
from luukku.catalogue.models import (
    Service,
    ServiceText,
)
from luukku.catalogue.serializers import (
    ServiceDetailSerializer,
    ServiceListPageSerializer,
    ServiceListParams,
    ServiceSummarySerializer,
)

_INVALID = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="Invalid parameters: each one named, with the reasons.",
    examples=[
        OpenApiExample(
            "Unknown language",
            value={"lang": ['"de" is not a valid choice.']},
            status_codes=["400"],
        )
    ],
)


def _not_found(description: str) -> OpenApiResponse:
    return OpenApiResponse(
        response={
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
        description=description,
    )


def listing_texts(services: list[Service], language: str) -> dict[int, dict[str, str]]:
    """{service id: {kind: text}} of the names and summaries list rows show, in one query.

    A text in `language` wins; Finnish, which PTV requires, stands in for a missing one.
    """
    rows = ServiceText.objects.filter(
        service_id__in=[service.pk for service in services],
        kind__in=[ServiceText.Kind.NAME, ServiceText.Kind.SUMMARY],
        language__in=sorted({language, "fi"}),
    ).values_list("service_id", "kind", "language", "value")
    texts: dict[int, dict[str, str]] = {}
    for service_id, kind, text_language, value in rows:
        by_kind = texts.setdefault(service_id, {})
        if text_language == language or kind not in by_kind:
            by_kind[kind] = value
    return texts


class ServiceListView(APIView):
    @extend_schema(
        operation_id="services_list",
        summary="List or search services",
        description=(
            "Without `q`, every service ordered by slug. With `q`, the services whose texts in "
            "`lang` match the words, best first: inflected forms, compound words and one-letter "
            'typos are understood ("rakennusluvan" finds the building permit).'
        ),
        parameters=[ServiceListParams],
        responses={
            200: ServiceListPageSerializer,
            400: _INVALID,
            404: _not_found("The page is past the last one."),
        },
    )
    def get(self, request: Request) -> Response:
        params = ServiceListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        query: str = params.validated_data.get("q", "")
        language: str = params.validated_data["lang"]
        page: int = params.validated_data["page"]
        page_size: int = params.validated_data["page_size"]
        offset = (page - 1) * page_size

        scores: dict[int, float] = {}
        if query:
            found = search.search_services(
                query, language, limit=page_size, offset=offset, prefetch=()
            )
            services = [hit.service for hit in found.hits]
            scores = {hit.service.pk: hit.score for hit in found.hits}
            total = found.total
        else:
            total = Service.objects.count()
            services = list(Service.objects.order_by("slug")[offset : offset + page_size])
        if page > 1 and not services:
            raise NotFound("Invalid page.")

        context = {
            "request": request,
            "language": language,
            "scores": scores,
            "texts": listing_texts(services, language),
        }
        return Response(
            {
                "count": total,
                "next": _page_link(request, page + 1) if offset + page_size < total else None,
                "previous": _page_link(request, page - 1) if page > 1 else None,
                "results": _summaries(services, context),
            }
        )


def _summaries(services: list[Service], context: dict[str, Any]) -> list[dict[str, Any]]:
    serializer = ServiceSummarySerializer(context=context)
    return [serializer.to_representation(service) for service in services]


def _page_link(request: Request, page: int) -> str:
    url = request.build_absolute_uri()
    if page == 1:
        return str(remove_query_param(url, "page"))
    return str(replace_query_param(url, "page", page))


class ServiceDetailView(APIView):
    @extend_schema(
        operation_id="services_retrieve",
        summary="One service's full record",
        description="Names and texts in every language, classifications, the organisations and "
        "their roles, every channel with its opening hours and mobile stops, and areas.",
        parameters=[
            OpenApiParameter("slug", str, OpenApiParameter.PATH, description="e.g. rakennuslupa")
        ],
        responses={
            200: ServiceDetailSerializer,
            404: OpenApiResponse(description="No such service."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        service = selectors.service_detail(slug)
        if service is None:
            raise NotFound("No service with this slug.")
        return Response(ServiceDetailSerializer(service, context={"request": request}).data)
