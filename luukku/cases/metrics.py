"""How well the one-stop shop works, per service, unit or organisation, over a time window.

Definitions (each figure is over the cases *closed* in the window, merged duplicates left out,
unless it says otherwise):
- time to resolution: closed_at - opened_at, in hours; median and mean;
- owner changes per case: the mean of `owner_changes`;
- bounce count: the mean number of distinct organisations (units count separately) the
  customer dealt with: every unit that owned the case and every task's producing unit;
- first-contact resolution: the share (%) closed as solved at the first contact;
- SLA breaches: cases closed after their due time, plus open cases past their due time now
  (`open_past_due`, not limited by the window).

Grouping: by *unit* the owner's unit, by *organisation* that unit's top-level organisation, by
*service* every service the case dealt with (its tasks' and its feedback's), so one case with
two services counts once for each.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.catalogue.models import Service
from luukku.organisations.models import Organisation

from .models import Case, CaseEvent, Task

Dimension = Literal["service", "unit", "organisation"]
NO_SERVICE = 0  # the group key of cases that never named a service


@dataclass(frozen=True)
class CaseMetrics:
    key: int
    label: str
    cases_closed: int
    median_hours_to_resolution: float | None
    mean_hours_to_resolution: float | None
    owner_changes_per_case: float | None
    bounce_count: float | None
    first_contact_resolution_percent: float | None
    closed_late: int
    open_past_due: int

    @property
    def sla_breaches(self) -> int:
        return self.closed_late + self.open_past_due


@dataclass
class _Row:
    """One case's facts, read in bulk."""

    pk: int
    opened_at: datetime
    closed_at: datetime | None
    due_at: datetime | None
    owner_changes: int
    first_contact_resolution: bool
    owner_unit_id: int
    request_service_id: int | None
    services: set[int]
    organisations: set[int]


def case_metrics(
    *,
    by: Dimension,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    units: Iterable[int] | None = None,
) -> list[CaseMetrics]:
    """The figures per group, largest number of closed cases first.

    `units` limits the cases to those owned by these units (a unit lead's own view).
    """
    now = now or timezone.now()
    closed = Case.objects.filter(status=Case.Status.CLOSED).exclude(outcome=Case.Outcome.MERGED)
    if since is not None:
        closed = closed.filter(closed_at__gte=since)
    if until is not None:
        closed = closed.filter(closed_at__lt=until)
    past_due = Case.objects.filter(status=Case.Status.OPEN, due_at__lt=now)
    if units is not None:
        unit_ids = list(units)
        closed, past_due = (
            closed.filter(owner_unit_id__in=unit_ids),
            past_due.filter(owner_unit_id__in=unit_ids),
        )
    organisations = {org.pk: org for org in Organisation.objects.all()}
    group_of = _grouper(by, organisations)

    closed_groups: dict[int, list[_Row]] = defaultdict(list)
    for row in _rows(closed):
        for key in group_of(row):
            closed_groups[key].append(row)
    late_open: dict[int, int] = defaultdict(int)
    for row in _rows(past_due):
        for key in group_of(row):
            late_open[key] += 1

    labels = _labels(by, set(closed_groups) | set(late_open), organisations)
    result = [
        _figures(key, labels.get(key, ""), closed_groups.get(key, []), late_open.get(key, 0))
        for key in set(closed_groups) | set(late_open)
    ]
    return sorted(result, key=lambda m: (-m.cases_closed, -m.open_past_due, m.label))


def _rows(cases: Any) -> list[_Row]:
    rows = {
        values["pk"]: _Row(
            pk=values["pk"],
            opened_at=values["opened_at"],
            closed_at=values["closed_at"],
            due_at=values["due_at"],
            owner_changes=values["owner_changes"],
            first_contact_resolution=values["first_contact_resolution"],
            owner_unit_id=values["owner_unit_id"],
            request_service_id=values["service_request__service_id"],
            services=set(),
            organisations={values["owner_unit_id"]},
        )
        for values in cases.values(
            "pk",
            "opened_at",
            "closed_at",
            "due_at",
            "owner_changes",
            "first_contact_resolution",
            "owner_unit_id",
            "service_request__service_id",
        )
    }
    for case_id, service_id, organisation_id in Task.objects.filter(case_id__in=rows).values_list(
        "case_id", "service_id", "organisation_id"
    ):
        rows[case_id].services.add(service_id)
        rows[case_id].organisations.add(organisation_id)
    ownership_events = CaseEvent.objects.filter(
        case_id__in=rows, kind__in=[CaseEvent.Kind.OPENED, CaseEvent.Kind.OWNER_TRANSFERRED]
    ).values_list("case_id", "details")
    for case_id, details in ownership_events:
        for field in ("owner_unit", "from_unit", "to_unit"):
            if isinstance(details.get(field), int):
                rows[case_id].organisations.add(details[field])
    for row in rows.values():
        if row.request_service_id is not None:
            row.services.add(row.request_service_id)
    return list(rows.values())


def _grouper(by: Dimension, organisations: dict[int, Organisation]) -> Any:
    if by == "service":
        return lambda row: row.services or {NO_SERVICE}
    if by == "unit":
        return lambda row: {row.owner_unit_id}
    if by == "organisation":
        return lambda row: {_top(row.owner_unit_id, organisations)}
    raise ValueError(f"Unknown dimension {by!r}: use service, unit or organisation.")


def _top(organisation_id: int, organisations: dict[int, Organisation]) -> int:
    seen = {organisation_id}
    parent = organisations[organisation_id].parent_id
    while parent is not None and parent not in seen:
        organisation_id = parent
        seen.add(parent)
        parent = organisations[parent].parent_id
    return organisation_id


def _labels(
    by: Dimension, keys: set[int], organisations: dict[int, Organisation]
) -> dict[int, str]:
    if by == "service":
        labels = {s.pk: s.name() for s in Service.objects.filter(pk__in=keys)}
        labels[NO_SERVICE] = _("(no service named)")
        return labels
    return {key: organisations[key].name() for key in keys if key in organisations}


def _figures(key: int, label: str, rows: list[_Row], open_past_due: int) -> CaseMetrics:
    hours = [
        (row.closed_at - row.opened_at).total_seconds() / 3600 for row in rows if row.closed_at
    ]
    count = len(rows)
    return CaseMetrics(
        key=key,
        label=label,
        cases_closed=count,
        median_hours_to_resolution=statistics.median(hours) if hours else None,
        mean_hours_to_resolution=statistics.fmean(hours) if hours else None,
        owner_changes_per_case=_mean(row.owner_changes for row in rows),
        bounce_count=_mean(len(row.organisations) for row in rows),
        first_contact_resolution_percent=(
            100 * sum(row.first_contact_resolution for row in rows) / count if count else None
        ),
        closed_late=sum(
            1 for row in rows if row.due_at and row.closed_at and row.closed_at > row.due_at
        ),
        open_past_due=open_past_due,
    )


def _mean(values: Iterable[int]) -> float | None:
    numbers = list(values)
    return statistics.fmean(numbers) if numbers else None
