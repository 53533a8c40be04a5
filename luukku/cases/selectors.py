"""Reads for the staff work queue and the case page.

The queues are built to stay fast with 100,000 open cases: each tab filters on the leading
columns of one index in models.py (case_owner_queue, task_active_queue, case_unit_queue) and
sorts by the next action date, and reads a page's related rows in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from luukku.accounts.models import Membership, User
from luukku.accounts.roles import HANDLE_CASES, ROLE_PERMISSIONS
from luukku.catalogue.models import ServiceText
from luukku.organisations.models import Organisation
from luukku.router.models import TriageItem

from . import services
from .access import Viewer
from .models import Case, CaseEvent, Consent, Note, Task

PAGE_SIZE = 50


def _service_names() -> Prefetch:
    """Only the name rows of a service's texts: a service has dozens of texts, a queue needs one."""
    return Prefetch(
        "service__texts", queryset=ServiceText.objects.filter(kind=ServiceText.Kind.NAME)
    )


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue, without counting the whole queue.

    A unit's queue can hold tens of thousands of rows; counting them for "page 3 of 740" costs
    more than reading the page (an anti-join over every open case for "in transition"). One row
    more than the page tells whether a next page exists.
    """

    object_list: list[Any]
    number: int
    has_next: bool

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def paginate(queryset: QuerySet[Any], page_number: str | int | None) -> QueuePage:
    try:
        number = max(1, int(page_number or 1))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return QueuePage(rows[:PAGE_SIZE], number, has_next=len(rows) > PAGE_SIZE)


# Only the columns a queue row shows: a page reads 50 rows with three or four joined tables.
_PERSON = ("first_name", "last_name", "username")
_ORGANISATION = ("name_fi", "name_sv", "name_en")
_CASE_ROW = ("reference", "title", "next_action_on", "due_at", "status")


def _names(relation: str, fields: tuple[str, ...]) -> list[str]:
    return [f"{relation}__{field}" for field in fields]


_TASK_ROW = (
    "next_action_on",
    "status",
    "case__reference",
    "service__slug",
    *_names("organisation", _ORGANISATION),
    *_names("assignee", _PERSON),
)


def my_cases(user: Any) -> QuerySet[Case]:
    """The open cases the user owns, the most urgent next action first."""
    return (
        Case.objects.filter(owner=user, status=Case.Status.OPEN)
        .select_related("customer")
        .only(*_CASE_ROW, "customer__name")
        .order_by("next_action_on", "pk")
    )


def unit_tasks(viewer: Viewer) -> QuerySet[Task]:
    """Active tasks for the organisations (and units) where the user handles cases."""
    return (
        Task.objects.filter(organisation_id__in=viewer.case_org_ids, status__in=Task.ACTIVE)
        .select_related("case", "organisation", "assignee", "service")
        .only(*_TASK_ROW)
        .prefetch_related(_service_names())
        .order_by("next_action_on", "pk")
    )


def in_transition(viewer: Viewer) -> QuerySet[Case]:
    """Open cases of the user's units with no active task: between two service needs."""
    return (
        Case.objects.in_transition()
        .filter(owner_unit_id__in=viewer.case_org_ids)
        .select_related("owner")
        .only(*_CASE_ROW, *_names("owner", _PERSON))
        .order_by("next_action_on", "pk")
    )


@dataclass(frozen=True)
class LateWork:
    overdue_cases: QuerySet[Case]
    late_tasks: QuerySet[Task]


def late_work(lead_org_ids: frozenset[int], *, today: date | None = None) -> LateWork:
    """For a unit lead: open cases past their next action or due date, and tasks that are
    overdue, escalated, or stalled by their service's own level (services.stalled_filter, the
    rule the hourly escalation applies)."""
    now = timezone.now()
    today = today or timezone.localdate()
    overdue_cases = (
        Case.objects.filter(owner_unit_id__in=lead_org_ids, status=Case.Status.OPEN)
        .filter(Q(next_action_on__lt=today) | Q(due_at__lt=now))
        .select_related("owner", "owner_unit")
        .only(*_CASE_ROW, *_names("owner", _PERSON), *_names("owner_unit", _ORGANISATION))
        .order_by("next_action_on", "pk")
    )
    late_tasks = (
        Task.objects.filter(organisation_id__in=lead_org_ids, status__in=Task.ACTIVE)
        .filter(
            Q(next_action_on__lt=today)
            | Q(due_at__lt=now)
            | Q(escalated_at__isnull=False)
            | services.stalled_filter(now=now, service_path="service")
        )
        .select_related("case", "organisation", "assignee", "service")
        .only(*_TASK_ROW, "last_activity_at", "escalated_at")
        .prefetch_related(_service_names())
        .order_by("next_action_on", "pk")
    )
    return LateWork(overdue_cases, late_tasks)


def case_for_page(reference: str) -> Case | None:
    """A case with everything its page shows, in a fixed number of queries:
    the case with customer, owner and units; tasks (with service names); notes; events;
    consents. The page filters tasks and notes by access (access.py) in Python."""
    tasks = Task.objects.select_related("service", "organisation", "assignee").order_by(
        "created_at", "pk"
    )
    notes = Note.objects.select_related("author", "author_unit", "task").order_by(
        "created_at", "pk"
    )
    events = CaseEvent.objects.select_related("actor", "from_owner", "to_owner", "task").order_by(
        "at", "pk"
    )
    consents = Consent.objects.select_related("organisation").order_by("given_at", "pk")
    return (
        Case.objects.select_related("customer", "owner", "owner_unit", "merged_into")
        .prefetch_related(
            Prefetch("tasks", queryset=tasks),
            _service_names_of_tasks(),
            Prefetch("notes", queryset=notes),
            Prefetch("events", queryset=events),
            Prefetch("consents", queryset=consents),
        )
        .filter(reference=reference)
        .first()
    )


def _service_names_of_tasks() -> Prefetch:
    return Prefetch(
        "tasks__service__texts",
        queryset=ServiceText.objects.filter(kind=ServiceText.Kind.NAME),
    )


def case_handlers_for(organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """The people who may handle cases for each organisation: the choices of a task's assignee.

    The same rule as services.may_handle_cases (an active user with HANDLE_CASES in the
    organisation or a parent), read for all the case page's tasks at once: one query per level
    of the organisation tree and one for the people, however many tasks the case has.
    """
    parent_of: dict[int, int | None] = {}
    frontier = set(organisation_ids)
    while frontier:
        rows = list(Organisation.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parent_of.update(rows)
        frontier = {parent for _, parent in rows if parent is not None} - parent_of.keys()
    if not parent_of:
        return {}
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if HANDLE_CASES in permissions]
    memberships = (
        Membership.objects.filter(
            role__in=roles, user__is_active=True, organisation_id__in=parent_of.keys()
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )
    people_in: dict[int, list[User]] = {}
    for membership in memberships:
        people_in.setdefault(membership.organisation_id, []).append(membership.user)
    handlers: dict[int, list[User]] = {}
    for org_id in organisation_ids:
        chosen: dict[int, User] = {}
        node: int | None = org_id
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            for user in people_in.get(node, []):
                chosen.setdefault(user.pk, user)
            node = parent_of.get(node)
        handlers[org_id] = sorted(
            chosen.values(), key=lambda u: (u.last_name, u.first_name, u.username)
        )
    return handlers


def triage_waiting() -> QuerySet[TriageItem]:
    """Messages the router was unsure about, oldest first."""
    return TriageItem.objects.filter(status=TriageItem.Status.WAITING).order_by("created_at", "pk")
