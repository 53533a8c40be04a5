"""Reads for the public catalogue pages: what a resident sees, with every query prefetched.

The two rules a resident relies on live here and nowhere else: which service tier a channel
belongs to (`channel_tier`) and when the mobile service van next stops in a municipality
(`next_mobile_stop`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, cast
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luukku.areas.models import Area
from luukku.catalogue.models import (
    Domain,
    LifeEvent,
    MobileStop,
    Service,
    ServiceChannel,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
    TargetGroup,
)

# Opening hours and van stops are published in Finnish local time, whatever the server runs in.
LOCAL_TIMEZONE = ZoneInfo("Europe/Helsinki")
# A service point still open at or after this hour counts as open in the evening.
EVENING_STARTS = time(17, 0)


class Tier:
    """Service tiers by the customer's need: little → self-service, some → virtual, much → face
    to face (the seeds' *palvelutasot*). Ordered from the lightest to the heaviest."""

    SELF_SERVICE = "self-service"
    VIRTUAL = "virtual"
    FACE_TO_FACE = "face-to-face"

    ORDER = (SELF_SERVICE, VIRTUAL, FACE_TO_FACE)
    LABELS = {
        SELF_SERVICE: _("Self-service"),
        VIRTUAL: pgettext_lazy("service tier", "Remote"),
        FACE_TO_FACE: _("Face to face"),
    }
    HINTS = {
        SELF_SERVICE: _("Handle it yourself online, at any time."),
        VIRTUAL: _("Get help remotely: by phone or with a form."),
        FACE_TO_FACE: _("Meet staff at a service point or at the mobile service van."),
    }


def channel_tier(channel_type: str, *, is_mobile: bool = False) -> str:
    """The tier a channel serves: e-services and web pages are self-service, phone lines and
    printable forms remote (virtual), service locations and the mobile van face to face."""
    if is_mobile:
        return Tier.FACE_TO_FACE
    if channel_type in (ServiceChannel.Type.E_CHANNEL, ServiceChannel.Type.WEB_PAGE):
        return Tier.SELF_SERVICE
    if channel_type in (ServiceChannel.Type.PHONE, ServiceChannel.Type.PRINTABLE_FORM):
        return Tier.VIRTUAL
    if channel_type == ServiceChannel.Type.SERVICE_LOCATION:
        return Tier.FACE_TO_FACE
    raise ValueError(f"unknown channel type: {channel_type!r}")


@dataclass(frozen=True)
class TierBadge:
    code: str
    label: str
    hint: str


def service_tiers(channels: Iterable[ServiceChannel]) -> list[TierBadge]:
    """The tiers a service can be used at, lightest first, derived from its channels."""
    found = {channel_tier(c.channel_type, is_mobile=c.is_mobile) for c in channels}
    return [
        TierBadge(code=tier, label=str(Tier.LABELS[tier]), hint=str(Tier.HINTS[tier]))
        for tier in Tier.ORDER
        if tier in found
    ]


# --- Mobile service van ---------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingStop:
    stop: MobileStop
    arrives_at: datetime
    departs_at: datetime
    is_now: bool


def next_mobile_stop(stops: Iterable[MobileStop], *, now: datetime) -> UpcomingStop | None:
    """The van's next visit among weekly `stops`, in Helsinki local time.

    A stop where the van is right now (arrived, not yet left) counts; one that already left today
    comes round again next week.
    """
    local_now = now.astimezone(LOCAL_TIMEZONE)
    today = local_now.date()
    best: UpcomingStop | None = None
    for stop in stops:
        days_ahead = (stop.weekday - today.weekday()) % 7
        visit_day = today + timedelta(days=days_ahead)
        departs_at = _local(visit_day, stop.departs)
        if departs_at <= local_now:
            visit_day += timedelta(days=7)
            departs_at = _local(visit_day, stop.departs)
        arrives_at = _local(visit_day, stop.arrives)
        if best is None or arrives_at < best.arrives_at:
            best = UpcomingStop(
                stop=stop,
                arrives_at=arrives_at,
                departs_at=departs_at,
                is_now=arrives_at <= local_now,
            )
    return best


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TIMEZONE)


def municipalities() -> QuerySet[Area]:
    """Municipalities a resident can pick as their own, by Finnish name."""
    return Area.objects.filter(area_type=Area.Type.MUNICIPALITY).order_by("name_fi")


def municipality_by_code(code: str) -> Area | None:
    return Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code=code).first()


# --- Opening hours --------------------------------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    weekday: int
    label: str
    spans: list[tuple[time, time]]
    closed: bool
    is_today: bool
    is_evening: bool


def weekly_hours(channel: ServiceChannel, *, today: date) -> list[DayHours]:
    """The channel's regular week, Monday first, with today and evening openings marked.

    Uses the prefetched `hours`; a weekday without rows is left out (PTV lists open days only).
    """
    by_day: dict[int, list[ServiceHours]] = {}
    for row in channel.hours.all():
        if row.kind != ServiceHours.Kind.STANDARD or row.weekday is None:
            continue
        if (row.valid_from and row.valid_from > today) or (row.valid_to and row.valid_to < today):
            continue
        by_day.setdefault(row.weekday, []).append(row)
    days = []
    for weekday, label in ServiceHours.Weekday.choices:
        rows = by_day.get(weekday)
        if not rows:
            continue
        spans = sorted(
            (r.opens, r.closes)
            for r in rows
            if not r.is_closed and r.opens is not None and r.closes is not None
        )
        days.append(
            DayHours(
                weekday=weekday,
                label=str(label),
                spans=spans,
                closed=not spans,
                is_today=weekday == today.weekday(),
                is_evening=any(closes > EVENING_STARTS for _opens, closes in spans),
            )
        )
    return days


def exceptional_hours(channel: ServiceChannel, *, today: date) -> list[ServiceHours]:
    """Exceptions (holidays, closures) that have not yet passed, soonest first."""
    rows = [
        r
        for r in channel.hours.all()
        if r.kind == ServiceHours.Kind.EXCEPTION and (r.valid_to or r.valid_from or today) >= today
    ]
    return sorted(rows, key=lambda r: r.valid_from or today)


# --- Services -------------------------------------------------------------------------------


def _listing_channels() -> Prefetch[Literal["channels"], QuerySet[ServiceChannel], str]:
    # Only the fields the tier rule needs: a list page shows tiers, not channel details.
    return Prefetch(
        "channels", queryset=ServiceChannel.objects.only("id", "channel_type", "is_mobile")
    )


def services_for_listing() -> QuerySet[Service]:
    """Services with what a list row shows (name, summary, tiers) prefetched."""
    return Service.objects.prefetch_related("texts", _listing_channels())


def prefetch_for_listing(services: Sequence[Service]) -> None:
    """Fill the listing prefetches on services that came from elsewhere (search hits)."""
    prefetch_related_objects(list(services), "texts", _listing_channels())


def service_detail_queryset() -> QuerySet[Service]:
    """Services with every relation a full record shows (the public page and the API), in a
    fixed number of queries."""
    channels = ServiceChannel.objects.select_related(
        "municipality", "organisation"
    ).prefetch_related(
        "texts",
        "hours",
        Prefetch("stops", queryset=MobileStop.objects.select_related("municipality")),
    )
    roles = ServiceOrganisation.objects.select_related("organisation").order_by(
        "role", "organisation__name_fi"
    )
    return Service.objects.prefetch_related(
        "texts",
        "life_events",
        "target_groups",
        "service_classes",
        "areas",
        Prefetch("channels", queryset=channels.order_by("slug")),
        Prefetch("roles", queryset=roles),
    )


def service_detail(slug: str) -> Service | None:
    """One service with everything its public page shows."""
    return service_detail_queryset().filter(slug=slug).first()


# Further PTV texts a service may have, in the order a resident needs them.
DETAIL_TEXTS = (
    (ServiceText.Kind.USER_INSTRUCTION, _("How to use the service")),
    (ServiceText.Kind.REQUIREMENTS, _("Requirements")),
    (ServiceText.Kind.CONDITIONS, _("Charges")),
    (ServiceText.Kind.PROCESSING_TIME, _("Processing time")),
    (ServiceText.Kind.DEADLINE, _("Deadline")),
    (ServiceText.Kind.VALIDITY_TIME, _("Validity")),
)


def detail_texts(service: Service, language: str) -> list[tuple[str, str]]:
    """(heading, text) for each further text the service has, from the prefetched texts."""
    found = []
    for kind, heading in DETAIL_TEXTS:
        text = service.text(kind, language)
        if text:
            found.append((str(heading), text))
    return found


@dataclass(frozen=True)
class ChannelGroup:
    channel_type: str
    label: str
    channels: list[ServiceChannel]


CHANNEL_GROUP_ORDER = (
    ServiceChannel.Type.E_CHANNEL,
    ServiceChannel.Type.WEB_PAGE,
    ServiceChannel.Type.PHONE,
    ServiceChannel.Type.PRINTABLE_FORM,
    ServiceChannel.Type.SERVICE_LOCATION,
)
CHANNEL_GROUP_LABELS = {
    ServiceChannel.Type.E_CHANNEL: _("E-services"),
    ServiceChannel.Type.WEB_PAGE: _("Web pages"),
    ServiceChannel.Type.PHONE: _("Phone"),
    ServiceChannel.Type.PRINTABLE_FORM: _("Forms"),
    ServiceChannel.Type.SERVICE_LOCATION: _("Service points"),
}


def group_channels(channels: Iterable[ServiceChannel]) -> list[ChannelGroup]:
    """Channels by type in the order a resident usually tries them, the van among the places."""
    by_type: dict[str, list[ServiceChannel]] = {}
    for channel in channels:
        by_type.setdefault(channel.channel_type, []).append(channel)
    return [
        ChannelGroup(
            channel_type=str(kind), label=str(CHANNEL_GROUP_LABELS[kind]), channels=by_type[kind]
        )
        for kind in CHANNEL_GROUP_ORDER
        if kind in by_type
    ]


def mobile_stops_in(service: Service, municipality: Area) -> list[MobileStop]:
    """The weekly stops in `municipality` of the service's mobile channels (prefetched)."""
    return [
        stop
        for channel in service.channels.all()
        if channel.is_mobile
        for stop in channel.stops.all()
        if stop.municipality_id == municipality.pk
    ]


def has_mobile_channel(service: Service) -> bool:
    return any(channel.is_mobile for channel in service.channels.all())


def organisations_by_role(
    service: Service,
) -> tuple[list[ServiceOrganisation], list[ServiceOrganisation]]:
    """(responsible, producers): who organises the service and who actually provides it."""
    roles = list(service.roles.all())
    responsible = [r for r in roles if r.role == ServiceOrganisation.Role.RESPONSIBLE]
    producers = [r for r in roles if r.role == ServiceOrganisation.Role.PRODUCER]
    return responsible, producers


# --- Browsing -------------------------------------------------------------------------------


def life_events(*, top_level: bool = False, in_use: bool = False) -> QuerySet[LifeEvent]:
    """Life events (KE1–KE14 and their sub-events) with how many services each has.

    `top_level` leaves out the sub-events; `in_use` the events without any service.
    """
    queryset = LifeEvent.objects.annotate(service_count=Count("services", distinct=True))
    if top_level:
        queryset = queryset.filter(parent__isnull=True)
    if in_use:
        queryset = queryset.filter(service_count__gt=0)
    return queryset.order_by("code")


def target_groups(*, top_level: bool = False, in_use: bool = False) -> QuerySet[TargetGroup]:
    """Target groups (KR1 citizens, KR2 businesses, ...) with their services counted."""
    queryset = TargetGroup.objects.annotate(service_count=Count("services", distinct=True))
    if top_level:
        queryset = queryset.filter(parent__isnull=True)
    if in_use:
        queryset = queryset.filter(service_count__gt=0)
    return queryset.order_by("code")


@dataclass(frozen=True)
class BrowseEntry:
    concept: LifeEvent | TargetGroup
    service_count: int


def browse_entries(model: type[LifeEvent] | type[TargetGroup]) -> list[BrowseEntry]:
    """Top-level life events or target groups with the services under them, sub-entries
    included (as their pages list them), leaving out those with nothing to show.

    Three small queries, whatever the number of services: the concept tree, the (concept,
    service) pairs of the many-to-many table and the top-level concepts.
    """
    top_of = {pk: parent_id or pk for pk, parent_id in model.objects.values_list("pk", "parent_id")}
    column = f"{model._meta.model_name}_id"
    field = "life_events" if model is LifeEvent else "target_groups"
    through = Service._meta.get_field(field).remote_field.through  # type: ignore[union-attr]
    services_under: dict[int, set[int]] = {}
    for concept_id, service_id in through.objects.values_list(column, "service_id"):
        services_under.setdefault(top_of.get(concept_id, concept_id), set()).add(service_id)
    top_level = cast(
        list[LifeEvent | TargetGroup],
        list(model.objects.filter(parent__isnull=True).order_by("code")),
    )
    return [
        BrowseEntry(concept=c, service_count=len(services_under[c.pk]))
        for c in top_level
        if services_under.get(c.pk)
    ]


def life_event_by_code(code: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(code=code).first()


def target_group_by_code(code: str) -> TargetGroup | None:
    return TargetGroup.objects.filter(code=code).first()


def by_name(services: Iterable[Service], language: str) -> list[Service]:
    """Services in alphabetical order of their name in `language` (prefetched texts)."""
    return sorted(services, key=lambda service: service.name(language).casefold())


def services_for_life_event(life_event: LifeEvent, language: str) -> list[Service]:
    """The life event's services, also those filed under its sub-events, by name."""
    queryset = (
        services_for_listing()
        .filter(life_events__in=[life_event.pk, *life_event.children.values_list("pk", flat=True)])
        .distinct()
    )
    return by_name(queryset, language)


def services_for_target_group(target_group: TargetGroup, language: str) -> list[Service]:
    """The target group's services, also those of its sub-groups, by name."""
    queryset = (
        services_for_listing()
        .filter(
            target_groups__in=[target_group.pk, *target_group.children.values_list("pk", flat=True)]
        )
        .distinct()
    )
    return by_name(queryset, language)


@dataclass(frozen=True)
class DomainEntry:
    code: str
    label: str
    service_count: int


def domains() -> list[DomainEntry]:
    """Every domain with its number of services, in the order the choices declare them."""
    counts = dict(
        Service.objects.values_list("domain").annotate(n=Count("id")).values_list("domain", "n")
    )
    return [
        DomainEntry(code=str(code), label=str(label), service_count=counts.get(code, 0))
        for code, label in Domain.choices
    ]


def domain_label(code: str) -> str | None:
    return next((str(label) for value, label in Domain.choices if value == code), None)


def services_in_domain(code: str, language: str) -> list[Service]:
    return by_name(services_for_listing().filter(domain=code), language)


@dataclass(frozen=True)
class ConceptNode:
    concept: LifeEvent | TargetGroup
    children: list[LifeEvent | TargetGroup]


def as_tree(concepts: Iterable[LifeEvent | TargetGroup]) -> list[ConceptNode]:
    """Top-level entries with their direct children, from one flat query (no per-row queries)."""
    rows = list(concepts)
    children: dict[int, list[LifeEvent | TargetGroup]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    known = {row.pk for row in rows}
    return [
        ConceptNode(concept=row, children=children.get(row.pk, []))
        for row in rows
        if row.parent_id is None or row.parent_id not in known
    ]
