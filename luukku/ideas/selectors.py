"""Reads for the ideas pages: lists with their filters, one idea with its thread, who decides.

Every list reads in a fixed number of queries: support and comment counts are subqueries, and
the services' names are prefetched (only the name texts), so a page of 25 ideas costs the same
as a page of one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from luukku.accounts.models import User
from luukku.accounts.permissions import has_permission, is_region_admin, organisation_scope
from luukku.accounts.roles import DECIDE_IDEAS, ROLE_PERMISSIONS
from luukku.catalogue.models import Domain, Service, ServiceOrganisation, ServiceText
from luukku.organisations.models import Organisation

from .models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport

PAGE_SIZE = 25


class Tab:
    """Which ideas a list shows: everyone's, the user's own, or those the user decides on."""

    ALL = "all"
    MINE = "mine"
    MY_SERVICES = "my_services"


class Sort:
    NEWEST = "newest"
    SUPPORT = "support"


@dataclass(frozen=True)
class IdeaFilters:
    tab: str = Tab.ALL
    status: str = ""
    kind: str = ""
    service: str = ""  # a service slug
    sort: str = Sort.NEWEST


def _count_of(model: type[IdeaSupport] | type[IdeaComment]) -> Coalesce:
    rows = (
        model.objects.filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _service_names() -> Prefetch:
    """Services with only their name texts: what a list or a heading shows."""
    return Prefetch(
        "services",
        queryset=Service.objects.prefetch_related(
            Prefetch("texts", queryset=ServiceText.objects.filter(kind=ServiceText.Kind.NAME))
        ).order_by("slug"),
    )


def _with_counts(queryset: QuerySet[Idea]) -> QuerySet[Idea]:
    return queryset.annotate(
        support_count=_count_of(IdeaSupport), comment_count=_count_of(IdeaComment)
    )


def decidable_ideas(user: Any) -> QuerySet[Idea]:
    """Ideas about a service that an organisation where the user holds DECIDE_IDEAS is
    responsible for or produces (a role in an organisation covers its units); all for the
    region admin."""
    scope = organisation_scope(user, DECIDE_IDEAS)
    if scope is None:
        return Idea.objects.all()
    return Idea.objects.filter(
        Exists(
            ServiceOrganisation.objects.filter(
                service__ideas=OuterRef("pk"), organisation__in=scope
            )
        )
    )


def may_decide(user: Any, idea: Idea) -> bool:
    """Whether the user may change the idea's status (see `decidable_ideas`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_region_admin(user):
        return True
    return decidable_ideas(user).filter(pk=idea.pk).exists()


def is_decider(user: Any) -> bool:
    """Whether the user decides on some services' ideas: they get the "for my services" tab."""
    return has_permission(user, DECIDE_IDEAS)


def idea_list(user: User, filters: IdeaFilters) -> QuerySet[Idea]:
    """The ideas a list page shows, filtered and sorted; every staff member sees every idea."""
    if filters.tab == Tab.MY_SERVICES:
        queryset = decidable_ideas(user)
    elif filters.tab == Tab.MINE:
        queryset = Idea.objects.filter(author=user)
    else:
        queryset = Idea.objects.all()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.service:
        queryset = queryset.filter(
            Exists(Service.objects.filter(ideas=OuterRef("pk"), slug=filters.service))
        )
    queryset = _with_counts(queryset).select_related("author", "author_unit")
    queryset = queryset.prefetch_related(_service_names())
    if filters.sort == Sort.SUPPORT:
        return queryset.order_by(F("support_count").desc(), "-created_at", "-pk")
    return queryset.order_by("-created_at", "-pk")


def paginate(queryset: QuerySet[Idea], page_number: str | None) -> Page[Idea]:
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)


def idea_detail(pk: int, user: User) -> Idea | None:
    """One idea with its services, comments, history, counts and the user's own support."""
    queryset = _with_counts(Idea.objects.filter(pk=pk)).annotate(
        supported_by_me=Exists(IdeaSupport.objects.filter(idea=OuterRef("pk"), user=user))
    )
    return (
        queryset.select_related("author", "author_unit")
        .prefetch_related(
            _service_names(),
            Prefetch("comments", queryset=IdeaComment.objects.select_related("author")),
            Prefetch(
                "status_changes", queryset=IdeaStatusChange.objects.select_related("changed_by")
            ),
        )
        .first()
    )


def services_with_ideas() -> list[Service]:
    """The services some idea is about, by name: the list page's service filter."""
    services = list(
        Service.objects.filter(Exists(Idea.services.through.objects.filter(service=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("texts", queryset=ServiceText.objects.filter(kind=ServiceText.Kind.NAME))
        )
        .order_by("slug")
    )
    language = get_language() or "fi"
    return sorted(services, key=lambda s: s.name(language).casefold())


@dataclass(frozen=True)
class ServiceChoice:
    pk: int
    name: str


@dataclass(frozen=True)
class ServiceGroup:
    """The catalogue's services of one domain, for the submit form's grouped checkboxes."""

    domain: str
    label: str
    services: list[ServiceChoice]


def service_choices() -> list[ServiceGroup]:
    """Every service of the catalogue by domain, names in the user's language, in two queries."""
    language = get_language() or "fi"
    services = Service.objects.prefetch_related(
        Prefetch("texts", queryset=ServiceText.objects.filter(kind=ServiceText.Kind.NAME))
    ).order_by("slug")
    by_domain: dict[str, list[ServiceChoice]] = {}
    for service in services:
        by_domain.setdefault(service.domain, []).append(
            ServiceChoice(pk=service.pk, name=service.name(language))
        )
    labels = dict(Domain.choices)
    groups = [
        ServiceGroup(
            domain=domain,
            label=str(labels.get(domain, domain)),
            services=sorted(choices, key=lambda c: c.name.casefold()),
        )
        for domain, choices in by_domain.items()
    ]
    return sorted(groups, key=lambda g: g.label.casefold())


def _ancestors_and_selves(organisation_ids: Iterable[int]) -> set[int]:
    scope = set(organisation_ids)
    frontier = set(scope)
    while frontier:
        parents = set(
            Organisation.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
        frontier = parents - scope
        scope |= frontier
    return scope


def service_managers(service_ids: Iterable[int]) -> QuerySet[User]:
    """Active users who decide on ideas about these services: DECIDE_IDEAS in an organisation
    responsible for or producing one of them, or in a parent of such an organisation."""
    organisation_ids = ServiceOrganisation.objects.filter(
        service_id__in=list(service_ids)
    ).values_list("organisation_id", flat=True)
    deciding_roles = [role for role, perms in ROLE_PERMISSIONS.items() if DECIDE_IDEAS in perms]
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=_ancestors_and_selves(organisation_ids),
            memberships__role__in=deciding_roles,
        )
        .distinct()
        .order_by("pk")
    )
