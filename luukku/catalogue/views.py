"""Public catalogue pages: parse the request, ask a selector, render. No rules live here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from luukku.areas.models import Area
from luukku.catalogue import page_extras, selectors
from luukku.catalogue.models import LifeEvent, TargetGroup
from luukku.catalogue.search import search_services

PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200
# The resident's own municipality, remembered for the van stops on every service page.
SESSION_MUNICIPALITY = "luukku_municipality"


def _language() -> str:
    return get_language() or "fi"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/home.html",
        {
            "life_events": selectors.browse_entries(LifeEvent),
            "target_groups": selectors.browse_entries(TargetGroup),
            "domains": selectors.domains(),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page_number = _page_number(request)
    context: dict[str, object] = {"query": query, "page_number": page_number}
    if query:
        language = _language()
        result = search_services(
            query, language, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
        )
        selectors.prefetch_for_listing([hit.service for hit in result.hits])
        page_count = max(1, -(-result.total // PAGE_SIZE))
        context.update(
            {
                "hits": result.hits,
                "services": [hit.service for hit in result.hits],
                "total": result.total,
                "page_count": page_count,
                "previous_page": page_number - 1 if page_number > 1 else None,
                "next_page": page_number + 1 if page_number < page_count else None,
                "first_shown": (page_number - 1) * PAGE_SIZE + 1,
                "last_shown": (page_number - 1) * PAGE_SIZE + len(result.hits),
            }
        )
    if query and not context["hits"]:
        # Nothing found: offer the browse routes instead of a dead end.
        context["suggested_life_events"] = selectors.browse_entries(LifeEvent)
        context["suggested_domains"] = [d for d in selectors.domains() if d.service_count]
    return render(request, "catalogue/search.html", context)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 1000))
    except ValueError:
        return 1


@require_GET
def life_event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/concept_list.html",
        {
            "nodes": selectors.as_tree(selectors.life_events()),
            "kind": "life_event",
        },
    )


@require_GET
def life_event_detail(request: HttpRequest, code: str) -> HttpResponse:
    life_event = selectors.life_event_by_code(code)
    if life_event is None:
        raise Http404
    return render(
        request,
        "catalogue/concept_detail.html",
        {
            "concept": life_event,
            "kind": "life_event",
            "services": selectors.services_for_life_event(life_event, _language()),
        },
    )


@require_GET
def target_group_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/concept_list.html",
        {
            "nodes": selectors.as_tree(selectors.target_groups()),
            "kind": "target_group",
        },
    )


@require_GET
def target_group_detail(request: HttpRequest, code: str) -> HttpResponse:
    target_group = selectors.target_group_by_code(code)
    if target_group is None:
        raise Http404
    return render(
        request,
        "catalogue/concept_detail.html",
        {
            "concept": target_group,
            "kind": "target_group",
            "services": selectors.services_for_target_group(target_group, _language()),
        },
    )


@require_GET
def domain_detail(request: HttpRequest, code: str) -> HttpResponse:
    label = selectors.domain_label(code)
    if label is None:
        raise Http404
    return render(
        request,
        "catalogue/domain_detail.html",
        {
            "label": label,
            "services": selectors.services_in_domain(code, _language()),
        },
    )


@require_GET
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_detail(slug)
    if service is None:
        raise Http404
    now = timezone.now()
    today = timezone.localtime(now, selectors.LOCAL_TIMEZONE).date()
    channels = list(service.channels.all())
    responsible, producers = selectors.organisations_by_role(service)
    context: dict[str, object] = {
        "service": service,
        "tiers": selectors.service_tiers(channels),
        "detail_texts": selectors.detail_texts(service, _language()),
        "channel_groups": [
            (
                group,
                [
                    (
                        c,
                        selectors.weekly_hours(c, today=today),
                        selectors.exceptional_hours(c, today=today),
                    )
                    for c in group.channels
                ],
            )
            for group in selectors.group_channels(channels)
        ],
        "responsible": responsible,
        "producers": producers,
        "has_van": selectors.has_mobile_channel(service),
        "page_links": page_extras.links_for(service),
    }
    if context["has_van"]:
        municipality = _chosen_municipality(request)
        context.update(
            {
                "municipalities": selectors.municipalities(),
                "municipality": municipality,
                "next_stop": (
                    selectors.next_mobile_stop(
                        selectors.mobile_stops_in(service, municipality), now=now
                    )
                    if municipality is not None
                    else None
                ),
            }
        )
    return render(request, "catalogue/service_detail.html", context)


def _chosen_municipality(request: HttpRequest) -> Area | None:
    """The municipality from `?municipality=`, else the one remembered in the session."""
    code = request.GET.get("municipality")
    if code is not None:
        municipality = selectors.municipality_by_code(code) if code else None
        if municipality is None:
            request.session.pop(SESSION_MUNICIPALITY, None)
        else:
            request.session[SESSION_MUNICIPALITY] = municipality.code
        return municipality
    remembered = request.session.get(SESSION_MUNICIPALITY)
    return selectors.municipality_by_code(remembered) if remembered else None
