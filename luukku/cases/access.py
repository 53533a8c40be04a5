"""Who may see which parts of a case: the customer's consent and confidentiality, in one place.

"The customer is shared", but confidentially. The owner and the owner's unit see the whole case.
An organisation with a task on the case (a team member) sees its own tasks and the case summary.
Any other part of the case is shown to another organisation only with the customer's active
consent, and only within its scope (summary: the other tasks; full: the notes as well). Social
and health care content is shown only to holders of VIEW_SOCIAL_HEALTH_CONTENT whose
organisation produces that task, or whose organisation's active consent includes it.

Consents are read afresh on every request, so a revocation takes effect at once. Every view of a
case page is written to the audit log with the access basis as the why (`audit_case_view`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from luukku.accounts.roles import HANDLE_CASES, VIEW_SOCIAL_HEALTH_CONTENT
from luukku.core import audit
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation

from .models import Case, Consent, Note, Sensitivity, Task


class Level(enum.IntEnum):
    """How much of a case a user sees; higher levels include the lower ones."""

    NONE = 0
    OWN_TASKS = 1  # the case summary and the tasks of the user's own organisations
    SUMMARY = 2  # the summary and every task (consent scope "summary"); notes of others hidden
    FULL = 3  # the whole case (owner, owner's unit, consent scope "full")


class Viewer:
    """A user's organisations for the case rules, read once per request.

    `case_org_ids`: where the user holds HANDLE_CASES, with their units (their own work).
    `consent_org_ids`: those and the organisations above the granting ones, because a consent
    given to an organisation covers its units. Read only when a case has consents (the queues
    never need them).
    """

    def __init__(
        self,
        user: Any,
        case_org_ids: frozenset[int],
        social_health_org_ids: frozenset[int],
        is_superuser: bool,
    ) -> None:
        self.user = user
        self.case_org_ids = case_org_ids
        self.social_health_org_ids = social_health_org_ids
        self.is_superuser = is_superuser

    @cached_property
    def consent_org_ids(self) -> frozenset[int]:
        if not self.case_org_ids:
            return frozenset()
        return self.case_org_ids | _ancestors(self.user, HANDLE_CASES)

    @cached_property
    def social_health_consent_org_ids(self) -> frozenset[int]:
        if not self.social_health_org_ids:
            return frozenset()
        return self.social_health_org_ids | _ancestors(self.user, VIEW_SOCIAL_HEALTH_CONTENT)


def viewer_for(user: Any) -> Viewer:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Viewer(user, frozenset(), frozenset(), is_superuser=False)
    return Viewer(
        user=user,
        case_org_ids=_scope(user, HANDLE_CASES),
        social_health_org_ids=_scope(user, VIEW_SOCIAL_HEALTH_CONTENT),
        is_superuser=bool(user.is_superuser),
    )


def _scope(user: Any, permission: str) -> frozenset[int]:
    if not user.memberships_with(permission):
        return frozenset()
    return frozenset(user.organisations_with(permission).values_list("pk", flat=True))


def _ancestors(user: Any, permission: str) -> frozenset[int]:
    ids: set[int] = set()
    for membership in user.memberships_with(permission):
        organisation: Organisation | None = membership.organisation
        while organisation is not None and organisation.pk not in ids:
            ids.add(organisation.pk)
            organisation = organisation.parent
    return frozenset(ids)


@dataclass(frozen=True)
class CaseAccess:
    """What one viewer may see of one case, and on what basis (for the audit log)."""

    case: Case
    viewer: Viewer
    level: Level
    basis: str
    consent: Consent | None
    social_health_by_consent: bool

    @property
    def may_view(self) -> bool:
        return self.level > Level.NONE

    @property
    def may_manage(self) -> bool:
        """Owner's work: transfer, close, reopen, merge, split, consents, next action of the case.

        A consent lets another organisation see the case, never run it.
        """
        return self.basis in (BASIS_OWNER, BASIS_OWNER_UNIT, BASIS_SUPERUSER)

    @property
    def is_team_member(self) -> bool:
        """The user's organisation has work on the case: it may add notes and take ownership."""
        return self.may_manage or any(
            task.organisation_id in self.viewer.case_org_ids for task in self.case.tasks.all()
        )

    def sees_task(self, task: Task) -> bool:
        if self.level >= Level.SUMMARY:
            return True
        return self.level == Level.OWN_TASKS and self.is_own_task(task)

    def is_own_task(self, task: Task) -> bool:
        return task.organisation_id in self.viewer.case_org_ids

    def sees_task_content(self, task: Task) -> bool:
        """The service, description and notes of a visible task; social and health work only
        for the entitled."""
        if not self.sees_task(task):
            return False
        if task.sensitivity != Sensitivity.SOCIAL_HEALTH:
            return True
        return self._sees_social_health(task.organisation_id)

    def sees_note(self, note: Note) -> bool:
        task = note.task
        if task is not None and not self.sees_task_content(task):
            return False
        if self.level < Level.FULL and not (
            (task is not None and self.is_own_task(task))
            or note.author_unit_id in self.viewer.case_org_ids
        ):
            return False
        if note.sensitivity != Sensitivity.SOCIAL_HEALTH:
            return True
        producing_org = task.organisation_id if task is not None else note.author_unit_id
        return self._sees_social_health(producing_org)

    def _sees_social_health(self, producing_org_id: int) -> bool:
        if self.viewer.is_superuser:
            return False  # break-glass is for running the service, not for reading client data
        if not self.viewer.social_health_org_ids:
            return False
        return (
            producing_org_id in self.viewer.social_health_org_ids or self.social_health_by_consent
        )

    def visible_tasks(self, tasks: Iterable[Task]) -> list[Task]:
        return [task for task in tasks if self.sees_task(task)]

    def visible_notes(self, notes: Iterable[Note]) -> list[Note]:
        return [note for note in notes if self.sees_note(note)]


BASIS_OWNER = "owner"
BASIS_OWNER_UNIT = "owner's unit"
BASIS_TASK_ORGANISATION = "task organisation"
BASIS_SUPERUSER = "superuser"
BASIS_NONE = "no access"


def case_access(
    viewer: Viewer, case: Case, consents: Iterable[Consent] | None = None
) -> CaseAccess:
    """The viewer's access to `case`. `consents`: the case's consents if already read (any state;
    only active ones count), so the case page reads them in its one prefetch."""
    if consents is None:
        consents = Consent.objects.filter(case=case, revoked_at__isnull=True)
    active = [consent for consent in consents if consent.revoked_at is None]
    own_consents = [c for c in active if c.organisation_id in viewer.consent_org_ids]
    social_health_by_consent = any(
        c.includes_social_health and c.organisation_id in viewer.social_health_consent_org_ids
        for c in active
    )

    def grant(level: Level, basis: str, consent: Consent | None = None) -> CaseAccess:
        return CaseAccess(case, viewer, level, basis, consent, social_health_by_consent)

    user = viewer.user
    if getattr(user, "pk", None) is not None and case.owner_id == user.pk:
        return grant(Level.FULL, BASIS_OWNER)
    if case.owner_unit_id in viewer.case_org_ids:
        return grant(Level.FULL, BASIS_OWNER_UNIT)
    best = max(own_consents, key=lambda c: (c.scope == Consent.Scope.FULL, c.pk), default=None)
    if best is not None and best.scope == Consent.Scope.FULL:
        return grant(Level.FULL, f"consent #{best.pk} (full)", best)
    if best is not None:
        return grant(Level.SUMMARY, f"consent #{best.pk} (summary)", best)
    if any(task.organisation_id in viewer.case_org_ids for task in case.tasks.all()):
        return grant(Level.OWN_TASKS, BASIS_TASK_ORGANISATION)
    if viewer.is_superuser:
        return grant(Level.FULL, BASIS_SUPERUSER)
    return grant(Level.NONE, BASIS_NONE)


def audit_case_view(access: CaseAccess, *, request: HttpRequest | None = None) -> AuditEvent:
    """One audit row per case page view: who (the actor), what (case and customer by number,
    never an identity code) and why (the access basis)."""
    case = access.case
    return audit.record(
        action=AuditEvent.Action.READ,
        actor=access.viewer.user,
        target=case,
        purpose=f"case page; access basis: {access.basis}",
        request=request,
        details={
            "case": case.reference,
            "customer": case.customer_id,
            "basis": access.basis,
            "consent": access.consent.pk if access.consent is not None else None,
        },
    )
