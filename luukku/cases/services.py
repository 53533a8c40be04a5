"""Writes for cases: the only place a case, its tasks, notes and consents change.

Every function is atomic, takes keyword-only arguments and raises `CaseError` on bad input; every
change writes a `CaseEvent` (who, when, why). Ownership changes lock the case row first
(SELECT ... FOR UPDATE), so concurrent transfers serialise and `expected_owner` lets a caller
detect that someone else moved the case since it was read.

A case that came from intake keeps its feedback's public status in step: ownership and tasks
move it to allocated / handling, closing to done. The public history (Open311 request_history)
names the handling *unit*, never a person: the 6Aika `handler` field is public.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.accounts.models import Membership, User
from luukku.accounts.roles import HANDLE_CASES, LEAD_UNIT, ROLE_PERMISSIONS, Role
from luukku.areas.models import Area
from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.core.identifiers import (
    mask_identity_code,
    validate_business_id,
    validate_identity_code,
)
from luukku.intake.models import ServiceRequest
from luukku.intake.services import merge_request, progress_request
from luukku.notifications.models import Notification
from luukku.notifications.services import notify
from luukku.organisations.models import Organisation
from luukku.router import services as router
from luukku.router.models import RoutingExample, TriageItem

from .models import (
    Case,
    CaseEvent,
    Channel,
    Consent,
    Customer,
    Note,
    Sensitivity,
    ServiceLevel,
    Task,
    new_case_reference,
)
from .signals import case_closed

logger = logging.getLogger(__name__)


class CaseError(ValueError):
    """A change the rules do not allow; `field` names the offending input."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class OwnershipConflict(CaseError):
    """The case changed owner after the caller read it: reload and decide again."""


# --- Customers -----------------------------------------------------------------------------


def identity_code_key() -> bytes:
    """The HMAC key for identity codes: its own setting, or one derived from SECRET_KEY.

    A deploy should set IDENTITY_CODE_HASH_KEY: rotating SECRET_KEY would otherwise make every
    stored hash unmatchable (the same person would become a new customer).
    """
    configured = getattr(settings, "IDENTITY_CODE_HASH_KEY", "")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"luukku.cases.identity-code:" + settings.SECRET_KEY.encode()).digest()


def identity_code_hash(code: str) -> str:
    """HMAC-SHA256 of the normalised code: matchable, but not reversible without the key."""
    normalised = code.strip().upper()
    return hmac.new(identity_code_key(), normalised.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def find_or_create_customer(
    *,
    kind: str,
    name: str,
    identity_code: str = "",
    business_id: str = "",
    email: str = "",
    phone: str = "",
    municipality: Area | None = None,
    language: str = "fi",
) -> Customer:
    """The customer with this identity code or business ID, or a new one.

    A person is matched only by identity code and an organisation only by business ID: names
    are not unique, and joining two people's matters would be worse than a duplicate. Contact
    details given for a known customer fill in the ones missing; they never overwrite.
    """
    if kind not in Customer.Kind.values:
        raise CaseError("kind", _("Unknown customer type."))
    name = name.strip()
    if not name:
        raise CaseError("name", _("The customer's name is required."))
    code_hash = masked = ""
    if identity_code.strip():
        if kind != Customer.Kind.PERSON:
            raise CaseError("identity_code", _("Only a person has a personal identity code."))
        code = _validated(validate_identity_code, identity_code, "identity_code")
        code_hash, masked = identity_code_hash(code), mask_identity_code(code)
    if business_id.strip():
        if kind == Customer.Kind.PERSON:
            raise CaseError("business_id", _("A person has no business ID."))
        business_id = _validated(validate_business_id, business_id, "business_id")

    lookup = {"identity_code_hash": code_hash} if code_hash else {}
    if business_id:
        lookup = {"business_id": business_id}
    contact = {"email": email.strip(), "phone": phone.strip()}
    if lookup:
        existing = Customer.objects.select_for_update().filter(**lookup).first()
        if existing is not None:
            return _fill_missing_contact(existing, contact, municipality)
    customer = Customer(
        kind=kind,
        name=name,
        identity_code_hash=code_hash,
        identity_code_masked=masked,
        business_id=business_id,
        municipality=municipality,
        language=language or "fi",
        **contact,
    )
    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError:
        # Someone registered the same code or business ID a moment ago: theirs is the customer.
        if not lookup:
            raise
        return Customer.objects.get(**lookup)
    return customer


def _validated(validator: Any, value: str, field_name: str) -> str:
    """Run a core.identifiers validator; its message never repeats the value given."""
    try:
        return str(validator(value))
    except ValidationError as error:
        raise CaseError(field_name, " ".join(error.messages)) from None


def _fill_missing_contact(
    customer: Customer, contact: dict[str, str], municipality: Area | None
) -> Customer:
    changed = [key for key, value in contact.items() if value and not getattr(customer, key)]
    for key in changed:
        setattr(customer, key, contact[key])
    if municipality is not None and customer.municipality_id is None:
        customer.municipality = municipality
        changed.append("municipality")
    if changed:
        customer.save(update_fields=changed)
    return customer


# --- Service levels ------------------------------------------------------------------------


def service_level_for(service: Service | None) -> ServiceLevel:
    """The service's promised times, or the defaults (an unsaved row) when none are set."""
    if service is None:
        return ServiceLevel()
    try:
        return service.service_level
    except ServiceLevel.DoesNotExist:
        return ServiceLevel(service=service)


def first_action_date(level: ServiceLevel, start: datetime) -> date:
    """The first next-action date a new case or task gets: its first-response promise."""
    return timezone.localdate(start + timedelta(hours=level.first_response_hours))


def due_at_for(level: ServiceLevel, start: datetime) -> datetime:
    return start + timedelta(days=level.resolution_days)


# --- Opening cases and tasks ---------------------------------------------------------------


def may_handle_cases(user: User, unit: Organisation) -> bool:
    """Whether `user` may own cases for `unit` (HANDLE_CASES there or in a parent)."""
    return user.is_active and user.has_org_permission(HANDLE_CASES, unit)


def _require_handler(user: User, unit: Organisation, field_name: str) -> None:
    if not may_handle_cases(user, unit):
        raise CaseError(
            field_name,
            _("%(user)s may not handle cases for %(unit)s.")
            % {"user": user.get_full_name() or user.username, "unit": unit.name()},
        )


def _check_next_action(on: date | None, field_name: str = "next_action_on") -> None:
    if on is not None and on < timezone.localdate():
        raise CaseError(field_name, _("The next action date cannot be in the past."))


@transaction.atomic
def open_case(
    *,
    channel: str,
    title: str,
    owner: User,
    owner_unit: Organisation,
    actor: User | None,
    description: str = "",
    customer: Customer | None = None,
    service_request: ServiceRequest | None = None,
    next_action_on: date | None = None,
) -> Case:
    """Open a case with its one responsible owner; the first-response promise sets its dates."""
    if channel not in Channel.values:
        raise CaseError("channel", _("Unknown channel."))
    title = title.strip()
    if not title:
        raise CaseError("title", _("A title is required."))
    _require_handler(owner, owner_unit, "owner")
    _check_next_action(next_action_on)
    now = timezone.now()
    if service_request is not None:
        if Case.objects.filter(service_request=service_request).exists():
            raise CaseError("service_request", _("This request already has a case."))
        level = service_level_for(service_request.service)
        start = service_request.requested_at
    else:
        level, start = service_level_for(None), now
    case = Case(
        title=title[:200],
        description=description.strip(),
        channel=channel,
        customer=customer,
        owner=owner,
        owner_unit=owner_unit,
        service_request=service_request,
        next_action_on=next_action_on
        or max(first_action_date(level, start), timezone.localdate(now)),
        due_at=due_at_for(level, start),
        opened_at=now,
        last_activity_at=now,
    )
    _save_with_fresh_reference(case)
    _record(
        case,
        CaseEvent.Kind.OPENED,
        actor,
        to_owner=owner,
        details={"channel": channel, "owner_unit": owner_unit.pk},
    )
    if owner != actor:
        _tell(
            owner,
            kind="case_assigned",
            subject=_("New case for you: %(case)s") % {"case": case.reference},
            body=_("You are the responsible owner of case %(case)s.") % {"case": case.reference},
            dedupe_key=f"case-assigned:{case.pk}:{owner.pk}:0",
        )
    if service_request is not None:
        service_request.expected_at = case.due_at
        service_request.save(update_fields=["expected_at", "updated_at"])
        _progress_intake(case, ServiceRequest.DetailedStatus.ALLOCATED, owner_unit)
    return case


def _save_with_fresh_reference(case: Case, attempts: int = 5) -> None:
    for _attempt in range(attempts):
        case.reference = new_case_reference()
        if not Case.objects.filter(reference=case.reference).exists():
            case.save(force_insert=True)
            return
    raise IntegrityError("no free case reference")


@transaction.atomic
def add_task(
    *,
    case: Case,
    service: Service,
    organisation: Organisation,
    actor: User | None,
    description: str = "",
    sensitivity: str = Sensitivity.GENERAL,
    assignee: User | None = None,
    next_action_on: date | None = None,
) -> Task:
    """Add a service need for the producing unit; its service level sets its dates."""
    case = _locked(case)
    _require_open(case)
    if sensitivity not in Sensitivity.values:
        raise CaseError("sensitivity", _("Unknown sensitivity."))
    if assignee is not None:
        _require_handler(assignee, organisation, "assignee")
    _check_next_action(next_action_on)
    now = timezone.now()
    level = service_level_for(service)
    task = Task.objects.create(
        case=case,
        service=service,
        organisation=organisation,
        assignee=assignee,
        description=description.strip(),
        sensitivity=sensitivity,
        next_action_on=next_action_on or first_action_date(level, now),
        due_at=due_at_for(level, now),
        created_at=now,
        last_activity_at=now,
    )
    _record(
        case,
        CaseEvent.Kind.TASK_ADDED,
        actor,
        task=task,
        details={"service": service.slug, "organisation": organisation.pk},
    )
    if assignee is not None and assignee != actor:
        _tell_assignee(task, assignee)
    _progress_intake(case, ServiceRequest.DetailedStatus.HANDLING, organisation)
    return task


@transaction.atomic
def update_task(
    *,
    task: Task,
    actor: User | None,
    status: str | None = None,
    assignee: User | None = None,
    next_action_on: date | None = None,
    note: str = "",
) -> Task:
    """Change a task's status, assignee or next action; a finished task no longer changes."""
    case = _locked(task.case)
    _require_open(case)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status not in Task.ACTIVE:
        raise CaseError("status", _("A finished task cannot change; add a new task instead."))
    if status is not None and status not in Task.Status.values:
        raise CaseError("status", _("Unknown task status."))
    _check_next_action(next_action_on)
    if assignee is not None and assignee.pk != task.assignee_id:
        _require_handler(assignee, task.organisation, "assignee")
    changes: dict[str, list[Any]] = {}
    if status is not None and status != task.status:
        changes["status"] = [task.status, status]
        task.status = status
    if assignee is not None and assignee.pk != task.assignee_id:
        changes["assignee"] = [task.assignee_id, assignee.pk]
        task.assignee = assignee
    finished = task.status not in Task.ACTIVE
    if finished:
        task.completed_at = timezone.now()
        task.next_action_on = None
    elif next_action_on is not None and next_action_on != task.next_action_on:
        changes["next_action_on"] = [_iso(task.next_action_on), next_action_on.isoformat()]
        task.next_action_on = next_action_on
        task.escalated_at = None
    if not changes and not note.strip():
        raise CaseError("status", _("Nothing to change."))
    task.last_activity_at = timezone.now()
    task.save()
    _record(case, CaseEvent.Kind.TASK_CHANGED, actor, task=task, reason=note, details=changes)
    if "assignee" in changes and assignee is not None and assignee != actor:
        _tell_assignee(task, assignee)
    if finished and "status" in changes and case.owner != actor:
        _tell(
            case.owner,
            kind="task_finished",
            subject=_("A task of %(case)s is finished") % {"case": case.reference},
            body=_("%(service)s: %(status)s. Decide the next step of the case.")
            % {"service": task.service.name(), "status": task.get_status_display()},
            channels=(Notification.Channel.IN_APP,),
            dedupe_key=f"task-finished:{task.pk}",
        )
    if task.status == Task.Status.IN_PROGRESS:
        _progress_intake(case, ServiceRequest.DetailedStatus.HANDLING, task.organisation)
    if task.status == Task.Status.DONE and case.service_request is not None:
        _teach_router(case.service_request, task.service)
    return task


def _teach_router(request: ServiceRequest, service: Service) -> None:
    """A handled need shows what the customer's message was about: the router learns it."""
    text = _request_text(request)
    if text.strip():
        router.record_example(
            text=text,
            service=service,
            language=_request_language(request),
            source=RoutingExample.Source.CASE,
        )


def _tell_assignee(task: Task, assignee: User) -> None:
    _tell(
        assignee,
        kind="task_assigned",
        subject=_("New task for you: %(case)s") % {"case": task.case.reference},
        body=_("You are assigned %(service)s in case %(case)s.")
        % {"service": task.service.name(), "case": task.case.reference},
        dedupe_key=f"task-assigned:{task.pk}:{assignee.pk}:{task.last_activity_at:%Y%m%d%H%M%S%f}",
    )


# --- Ownership -----------------------------------------------------------------------------


@transaction.atomic
def transfer_ownership(
    *,
    case: Case,
    to_owner: User,
    to_unit: Organisation,
    actor: User | None,
    reason: str,
    expected_owner: User | None = None,
) -> Case:
    """Hand the whole case to a new responsible owner, recording who, to whom and why.

    The row lock makes concurrent transfers queue up; with `expected_owner` a transfer based on
    a stale read fails with OwnershipConflict instead of silently overriding the other one.
    """
    reason = reason.strip()
    if not reason:
        raise CaseError("reason", _("Say why the ownership moves."))
    case = _locked(case)
    _require_open(case)
    if expected_owner is not None and case.owner_id != expected_owner.pk:
        raise OwnershipConflict(
            "owner", _("Someone else changed the owner of this case meanwhile. Reload the case.")
        )
    if case.owner_id == to_owner.pk and case.owner_unit_id == to_unit.pk:
        raise CaseError("to_owner", _("This person already owns the case for this unit."))
    _require_handler(to_owner, to_unit, "to_owner")
    from_owner, from_unit = case.owner, case.owner_unit
    case.owner, case.owner_unit = to_owner, to_unit
    case.owner_changes += 1
    case.escalated_at = None  # the new owner starts afresh; still-late work escalates again
    case.save(update_fields=["owner", "owner_unit", "owner_changes", "escalated_at"])
    _record(
        case,
        CaseEvent.Kind.OWNER_TRANSFERRED,
        actor,
        reason=reason,
        from_owner=from_owner,
        to_owner=to_owner,
        details={"from_unit": from_unit.pk, "to_unit": to_unit.pk},
    )
    if to_owner != actor:
        _tell(
            to_owner,
            kind="case_assigned",
            subject=_("Case %(case)s is now yours") % {"case": case.reference},
            body=_("You are the responsible owner of case %(case)s. Reason: %(reason)s")
            % {"case": case.reference, "reason": reason},
            dedupe_key=f"case-assigned:{case.pk}:{to_owner.pk}:{case.owner_changes}",
        )
    _progress_intake(
        case,
        ServiceRequest.DetailedStatus.ALLOCATED,
        to_unit,
        agency=to_unit.ancestors_and_self()[-1],
    )
    return case


# --- Notes, customer updates, next actions, consent ----------------------------------------


@transaction.atomic
def add_note(
    *,
    case: Case,
    author: User,
    author_unit: Organisation,
    body: str,
    visibility: str,
    sensitivity: str = Sensitivity.GENERAL,
    task: Task | None = None,
) -> Note:
    """Write a note; a general customer-visible one on an intake case joins its public history.

    Social and health content never reaches the public Open311 history, whatever its visibility.
    """
    body = body.strip()
    if not body:
        raise CaseError("body", _("The note is empty."))
    if visibility not in Note.Visibility.values:
        raise CaseError("visibility", _("Unknown visibility."))
    if sensitivity not in Sensitivity.values:
        raise CaseError("sensitivity", _("Unknown sensitivity."))
    if task is not None and task.case_id != case.pk:
        raise CaseError("task", _("The task belongs to another case."))
    _require_handler(author, author_unit, "author")
    case = _locked(case)
    note = Note.objects.create(
        case=case,
        task=task,
        author=author,
        author_unit=author_unit,
        body=body,
        visibility=visibility,
        sensitivity=sensitivity,
    )
    _record(
        case,
        CaseEvent.Kind.NOTE_ADDED,
        author,
        task=task,
        details={"note": note.pk, "visibility": visibility, "sensitivity": sensitivity},
    )
    if task is not None:
        Task.objects.filter(pk=task.pk).update(last_activity_at=note.created_at)
    public = visibility == Note.Visibility.CUSTOMER and sensitivity == Sensitivity.GENERAL
    if public and case.service_request is not None:
        request = case.service_request
        _progress_intake(case, request.detailed_status, author_unit, note=body)
    return note


@transaction.atomic
def record_customer_update(
    *, case: Case, body: str, channel: str, recorded_by: User | None = None
) -> CaseEvent:
    """The customer added something: the owner hears of it, and a closed case opens again.

    The update brings the next action forward to today: the customer is waiting now.
    `recorded_by` is the staff member who took the call or visit (None when the customer wrote
    in through intake); the event's details say whether the update reopened the case.
    """
    body = body.strip()
    if not body:
        raise CaseError("body", _("The update is empty."))
    if channel not in Channel.values:
        raise CaseError("channel", _("Unknown channel."))
    case = _survivor_of(_locked(case))
    details: dict[str, Any] = {"channel": channel}
    if case.status == Case.Status.CLOSED:
        case = reopen_case(
            case=case, reason=_("The customer got in touch again."), actor=recorded_by
        )
        details["reopened"] = True
    elif case.next_action_on is None or case.next_action_on > timezone.localdate():
        case.next_action_on = timezone.localdate()
        case.save(update_fields=["next_action_on"])
    event = _record(case, CaseEvent.Kind.CUSTOMER_UPDATE, recorded_by, reason=body, details=details)
    if case.owner == recorded_by:
        return event  # the owner took the call: nothing to tell them
    _tell(
        case.owner,
        kind="customer_update",
        subject=_("The customer of %(case)s got in touch") % {"case": case.reference},
        body=_("New message in case %(case)s (%(channel)s).")
        % {"case": case.reference, "channel": Channel(channel).label},
        dedupe_key=f"customer-update:{event.pk}",
    )
    return event


@transaction.atomic
def set_next_action(*, case: Case, on: date, actor: User | None, reason: str = "") -> Case:
    """Agree the next step's date; a new date clears an escalation of the old one."""
    case = _locked(case)
    _require_open(case)
    if on is None:
        raise CaseError("next_action_on", _("An open case needs a next action date."))
    _check_next_action(on)
    previous = case.next_action_on
    case.next_action_on = on
    case.escalated_at = None
    case.save(update_fields=["next_action_on", "escalated_at"])
    _record(
        case,
        CaseEvent.Kind.NEXT_ACTION_SET,
        actor,
        reason=reason.strip(),
        details={"from": _iso(previous), "to": on.isoformat()},
    )
    return case


@transaction.atomic
def give_consent(
    *,
    case: Case,
    organisation: Organisation,
    scope: str,
    includes_social_health: bool,
    how_given: str,
    actor: User | None,
) -> Consent:
    """Record the customer's consent to share the case; a new one replaces the organisation's
    previous consent (so a scope can be widened or narrowed), which stays in the timeline."""
    if scope not in Consent.Scope.values:
        raise CaseError("scope", _("Unknown consent scope."))
    how_given = how_given.strip()
    if not how_given:
        raise CaseError("how_given", _("Say how the customer gave the consent."))
    case = _locked(case)
    now = timezone.now()
    replaced = list(
        Consent.objects.filter(case=case, organisation=organisation, revoked_at__isnull=True)
    )
    for old in replaced:
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
    consent = Consent.objects.create(
        case=case,
        organisation=organisation,
        scope=scope,
        includes_social_health=includes_social_health,
        how_given=how_given[:200],
        given_at=now,
        recorded_by=actor,
    )
    _record(
        case,
        CaseEvent.Kind.CONSENT_GIVEN,
        actor,
        reason=how_given,
        details={
            "consent": consent.pk,
            "organisation": organisation.pk,
            "scope": scope,
            "includes_social_health": includes_social_health,
            "replaces": [old.pk for old in replaced],
        },
    )
    return consent


@transaction.atomic
def revoke_consent(*, consent: Consent, actor: User | None) -> Consent:
    case = _locked(consent.case)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        raise CaseError("consent", _("The consent has already been revoked."))
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    _record(
        case,
        CaseEvent.Kind.CONSENT_REVOKED,
        actor,
        details={"consent": consent.pk, "organisation": consent.organisation_id},
    )
    return consent


# --- Closing and reopening -----------------------------------------------------------------


@transaction.atomic
def close_case(
    *,
    case: Case,
    outcome: str,
    actor: User | None,
    summary: str = "",
    first_contact_resolution: bool = False,
) -> Case:
    """Close with an outcome once every task is finished; the customer's feedback shows done.

    `case_closed` is sent after commit (the post-service survey starts from it).
    """
    case = _locked(case)
    _require_open(case)
    if outcome not in Case.Outcome.values or outcome == Case.Outcome.MERGED:
        raise CaseError("outcome", _("Choose the outcome: solved, partly solved or not solved."))
    active = list(case.tasks.filter(status__in=Task.ACTIVE).select_related("service"))
    if active:
        raise CaseError(
            "tasks",
            _("Finish or cancel these tasks first: %(tasks)s.")
            % {"tasks": ", ".join(task.service.name() for task in active)},
        )
    handed_over = case.owner_changes or case.tasks.exclude(organisation=case.owner_unit).exists()
    if first_contact_resolution and (outcome != Case.Outcome.SOLVED or handed_over):
        raise CaseError(
            "first_contact_resolution",
            _(
                "First-contact resolution means solved by the first contact, with no hand-over "
                "and no tasks for other units."
            ),
        )
    summary = summary.strip()
    now = timezone.now()
    case.status = Case.Status.CLOSED
    case.outcome = outcome
    case.closed_at = now
    case.next_action_on = None
    case.first_contact_resolution = first_contact_resolution
    case.save(
        update_fields=[
            "status",
            "outcome",
            "closed_at",
            "next_action_on",
            "first_contact_resolution",
        ]
    )
    _record(case, CaseEvent.Kind.CLOSED, actor, reason=summary, details={"outcome": outcome})
    request = case.service_request
    if request is not None and request.status == ServiceRequest.Status.OPEN:
        done = (
            ServiceRequest.DetailedStatus.CLOSED
            if outcome == Case.Outcome.NOT_SOLVED
            else ServiceRequest.DetailedStatus.DONE
        )
        progress_request(
            request=request,
            detailed_status=done,
            note=summary,
            handler=_handler_name(case.owner_unit, request),
            status_notes=summary or None,
        )
    closed = case
    transaction.on_commit(lambda: case_closed.send(sender=Case, case=closed))
    return case


@transaction.atomic
def reopen_case(*, case: Case, reason: str, actor: User | None = None) -> Case:
    """Open a closed case again. An owner who can no longer handle cases for the unit is
    replaced by the unit's owner-of-last-resort (see `choose_owner`): never a dead end."""
    reason = reason.strip()
    if not reason:
        raise CaseError("reason", _("Say why the case is reopened."))
    case = _locked(case)
    if case.status != Case.Status.CLOSED:
        raise CaseError("case", _("The case is already open."))
    if case.merged_into_id is not None:
        raise CaseError("case", _("The case was merged into another one; reopen that instead."))
    previous_owner = case.owner
    if not may_handle_cases(case.owner, case.owner_unit):
        choice = choose_owner(case.owner_unit)
        if choice is None:
            raise CaseError("owner", _("Nobody can take this case over. Ask the region admin."))
        case.owner, case.owner_unit = choice
    case.status = Case.Status.OPEN
    case.outcome = ""
    case.closed_at = None
    case.first_contact_resolution = False
    case.escalated_at = None
    case.next_action_on = timezone.localdate()
    case.save(
        update_fields=[
            "owner",
            "owner_unit",
            "status",
            "outcome",
            "closed_at",
            "first_contact_resolution",
            "escalated_at",
            "next_action_on",
        ]
    )
    _record(
        case,
        CaseEvent.Kind.REOPENED,
        actor,
        reason=reason,
        from_owner=previous_owner if previous_owner != case.owner else None,
        to_owner=case.owner,
    )
    _tell(
        case.owner,
        kind="case_reopened",
        subject=_("Case %(case)s was reopened") % {"case": case.reference},
        body=_("Case %(case)s is open again: %(reason)s")
        % {"case": case.reference, "reason": reason},
        dedupe_key=f"case-reopened:{case.pk}:{case.last_activity_at:%Y%m%d%H%M%S%f}",
    )
    request = case.service_request
    if request is not None and request.status == ServiceRequest.Status.CLOSED:
        _progress_intake(case, ServiceRequest.DetailedStatus.ALLOCATED, case.owner_unit)
    return case


# --- Merge and split -----------------------------------------------------------------------


@transaction.atomic
def merge_cases(*, duplicate: Case, survivor: Case, actor: User | None, reason: str) -> Case:
    """Fold a duplicate into the surviving case: its active tasks and its feedback move over,
    the duplicate closes as merged. Consents stay with the case they were given for."""
    reason = reason.strip()
    if not reason:
        raise CaseError("reason", _("Say why the cases are merged."))
    for case in sorted([duplicate, survivor], key=lambda c: c.pk):  # one lock order: no deadlock
        _locked(case)
    duplicate, survivor = Case.objects.get(pk=duplicate.pk), Case.objects.get(pk=survivor.pk)
    survivor = _survivor_of(survivor)
    if duplicate.pk == survivor.pk:
        raise CaseError("survivor", _("A case cannot be merged into itself."))
    if duplicate.merged_into_id is not None:
        raise CaseError("duplicate", _("This case has already been merged."))
    _require_open(survivor, "survivor")
    if duplicate.customer_id and survivor.customer_id not in (None, duplicate.customer_id):
        raise CaseError("survivor", _("The cases belong to different customers."))

    moved = list(duplicate.tasks.filter(status__in=Task.ACTIVE).values_list("pk", flat=True))
    Task.objects.filter(pk__in=moved).update(case=survivor)
    survivor_fields = []
    if survivor.customer_id is None and duplicate.customer_id is not None:
        survivor.customer_id = duplicate.customer_id
        survivor_fields.append("customer")
    request_moves = duplicate.service_request is not None and survivor.service_request is None
    dup_request = duplicate.service_request
    duplicate.merged_into = survivor
    fields = ["merged_into"]
    if request_moves:
        duplicate.service_request = None
        fields.append("service_request")
    if duplicate.status == Case.Status.OPEN:
        duplicate.status = Case.Status.CLOSED
        duplicate.outcome = Case.Outcome.MERGED
        duplicate.closed_at = timezone.now()
        duplicate.next_action_on = None
        fields += ["status", "outcome", "closed_at", "next_action_on"]
    duplicate.save(update_fields=fields)
    if request_moves:
        survivor.service_request = dup_request
        survivor_fields.append("service_request")
    if survivor_fields:
        survivor.save(update_fields=survivor_fields)

    _record(
        duplicate,
        CaseEvent.Kind.MERGED,
        actor,
        reason=reason,
        details={"into": survivor.reference, "tasks": moved},
    )
    _record(
        survivor,
        CaseEvent.Kind.MERGED,
        actor,
        reason=reason,
        details={"merged": duplicate.reference, "tasks": moved},
    )
    if dup_request is not None and not request_moves and survivor.service_request is not None:
        merge_request(
            duplicate=dup_request,
            survivor=survivor.service_request,
            handler=_handler_name(survivor.owner_unit, dup_request),
        )
    if survivor.owner != actor:
        _tell(
            survivor.owner,
            kind="case_merged",
            subject=_("Case %(dup)s was merged into %(case)s")
            % {"dup": duplicate.reference, "case": survivor.reference},
            body=reason,
            channels=(Notification.Channel.IN_APP,),
            dedupe_key=f"case-merged:{duplicate.pk}",
        )
    return survivor


@transaction.atomic
def split_case(
    *,
    case: Case,
    tasks: Sequence[Task],
    actor: User | None,
    title: str,
    owner: User,
    owner_unit: Organisation,
    reason: str,
) -> Case:
    """Move some service needs into a new case of their own, with its own owner.

    Consents are not copied: the customer agreed to share the matter as it was; the new case's
    team needs the customer's word again.
    """
    reason = reason.strip()
    if not reason:
        raise CaseError("reason", _("Say why the case is split."))
    case = _locked(case)
    _require_open(case)
    task_ids = {task.pk for task in tasks}
    if not task_ids:
        raise CaseError("tasks", _("Choose the tasks that move to the new case."))
    if case.tasks.filter(pk__in=task_ids).count() != len(task_ids):
        raise CaseError("tasks", _("Some of the tasks belong to another case."))
    new_case = open_case(
        channel=case.channel,
        title=title,
        owner=owner,
        owner_unit=owner_unit,
        actor=actor,
        description=case.description,
        customer=case.customer,
    )
    Task.objects.filter(pk__in=task_ids).update(case=new_case)
    moved = sorted(task_ids)
    _record(
        case,
        CaseEvent.Kind.SPLIT,
        actor,
        reason=reason,
        details={"to": new_case.reference, "tasks": moved},
    )
    _record(
        new_case,
        CaseEvent.Kind.SPLIT,
        actor,
        reason=reason,
        details={"from": case.reference, "tasks": moved},
    )
    return new_case


# --- Who owns a case that nobody chose -----------------------------------------------------

_HANDLING_ROLES: list[str] = [
    role for role, perms in ROLE_PERMISSIONS.items() if HANDLE_CASES in perms
]
# Front-line roles take new cases first; leads and specialists only when no one else can.
_FRONT_LINE_ROLES: list[str] = [Role.CUSTOMER_SERVICE_AGENT, Role.CASE_OWNER]
_SECOND_LINE_ROLES: list[str] = [
    role for role in _HANDLING_ROLES if role not in _FRONT_LINE_ROLES and role != Role.REGION_ADMIN
]


def choose_owner(organisation: Organisation | None) -> tuple[User, Organisation] | None:
    """The owner of a case nobody chose (intake, reopening), and the unit they act for.

    The rule: among active people holding a front-line role (customer service agent, case
    owner) in the organisation or one of its units, the one with the fewest open cases (ties:
    the earliest account), so new cases go round the team; without any, the same among the
    organisation's unit leads and social and health professionals; without any, the region's
    customer service (every customer service agent). None when nobody at all can own a case.
    """
    tiers: list[tuple[list[str], set[int] | None]] = []
    if organisation is not None:
        subtree = organisation_subtree(organisation)
        tiers = [(_FRONT_LINE_ROLES, subtree), (_SECOND_LINE_ROLES, subtree)]
    tiers.append(([Role.CUSTOMER_SERVICE_AGENT], None))
    for roles, scope in tiers:
        memberships = Membership.objects.filter(role__in=roles, user__is_active=True)
        if scope is not None:
            memberships = memberships.filter(organisation_id__in=scope)
        chosen = _least_loaded(list(memberships.select_related("user", "organisation")))
        if chosen is not None:
            return chosen.user, chosen.organisation
    return None


def _least_loaded(memberships: list[Membership]) -> Membership | None:
    if not memberships:
        return None
    loads = dict(
        Case.objects.filter(status=Case.Status.OPEN, owner__in={m.user_id for m in memberships})
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("owner", "n")
    )
    return min(memberships, key=lambda m: (loads.get(m.user_id, 0), m.user_id, m.pk))


def organisation_subtree(organisation: Organisation) -> set[int]:
    """The organisation's id and those of all its units, however deep."""
    scope: set[int] = set()
    frontier = {organisation.pk}
    while frontier:
        scope |= frontier
        frontier = (
            set(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - scope
        )
    return scope


def unit_leads(unit: Organisation) -> list[User]:
    """Who hears of the unit's late work: its own leads, or the nearest parent's leads."""
    lead_roles = [role for role, perms in ROLE_PERMISSIONS.items() if LEAD_UNIT in perms]
    lead_roles = [role for role in lead_roles if role != Role.REGION_ADMIN]
    for organisation in unit.ancestors_and_self():
        leads = list(
            User.objects.filter(
                is_active=True,
                memberships__organisation=organisation,
                memberships__role__in=lead_roles,
            )
            .distinct()
            .order_by("pk")
        )
        if leads:
            return leads
    return []


# --- Intake hand-off -----------------------------------------------------------------------


@transaction.atomic
def open_case_from_request(request: ServiceRequest, *, skip_locked: bool = False) -> Case | None:
    """Open the case of a new feedback or service request; None when it already has one.

    The owner follows `choose_owner` for the responsible organisation. A request whose service
    is known gets a task for it at once; otherwise the router proposes one when it is
    confident, and sends the text to the triage queue when it is not.

    With `skip_locked` a request another transaction holds is left to it (None): hand-off
    batches running side by side after a burst then share the waiting requests instead of the
    second one waiting on each row the first holds (docs/reliability.md).
    """
    try:
        request = ServiceRequest.objects.select_for_update(skip_locked=skip_locked).get(
            pk=request.pk
        )
    except ServiceRequest.DoesNotExist:
        if skip_locked:
            return None
        raise
    if Case.objects.filter(service_request=request).exists() or request.merged_into_id:
        return None
    choice = choose_owner(request.agency_responsible)
    if choice is None:
        raise CaseError("owner", _("Nobody can own cases: add a customer service agent."))
    owner, unit = choice
    title = request.title or request.description.split("\n", 1)[0]
    case = open_case(
        channel=Channel.FEEDBACK,
        title=title[:200],
        description=request.description,
        owner=owner,
        owner_unit=unit,
        actor=None,
        customer=_customer_of(request),
        service_request=request,
    )
    if request.service is not None:
        organisation = producing_unit(request.service, request.agency_responsible)
        add_task(
            case=case,
            service=request.service,
            organisation=organisation or owner_organisation(unit),
            actor=None,
        )
    else:
        _route_by_text(case, request)
    return case


def producing_unit(service: Service, agency: Organisation | None) -> Organisation | None:
    """Who does the work: the service's producer inside the responsible organisation (its
    street unit, say), else the responsible organisation itself."""
    if agency is None:
        return None
    producer = (
        ServiceOrganisation.objects.filter(
            service=service,
            role=ServiceOrganisation.Role.PRODUCER,
            organisation_id__in=organisation_subtree(agency),
        )
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return producer.organisation if producer else agency


def _customer_of(request: ServiceRequest) -> Customer | None:
    """The person who left contact details, as a new customer (feedback carries no identity
    code, so nobody is matched by name); None for anonymous feedback."""
    name = f"{request.first_name} {request.last_name}".strip() or request.email
    if not name:
        return None
    return find_or_create_customer(
        kind=Customer.Kind.PERSON,
        name=name,
        email=request.email,
        phone=request.phone,
        language=_request_language(request),
    )


def owner_organisation(unit: Organisation) -> Organisation:
    """The top-level organisation a unit belongs to."""
    return unit.ancestors_and_self()[-1]


def _request_language(request: ServiceRequest) -> str:
    language = (request.locale or "fi")[:2].lower()
    return language if language in {"fi", "sv", "en"} else "fi"


def _request_text(request: ServiceRequest) -> str:
    return "\n".join(part for part in (request.title, request.description) if part)


def _route_by_text(case: Case, request: ServiceRequest) -> None:
    language = _request_language(request)
    text = _request_text(request)
    suggestions = router.suggest(text, language=language)
    best = suggestions[0] if suggestions else None
    if best is not None and not router.needs_triage(suggestions):
        organisation = best.organisation or request.agency_responsible
        if organisation is not None:
            add_task(case=case, service=best.service, organisation=organisation, actor=None)
            return
    router.send_to_triage(
        text=text,
        language=language,
        suggestions=suggestions,
        source="intake",
        source_id=request.service_request_id,
    )


TRIAGE_SOURCE = "intake"


@transaction.atomic
def decide_triage(*, item: TriageItem, service: Service, actor: User) -> Task | None:
    """A person chose the service of a message the router was unsure about: the router learns
    it and, for feedback from intake, the feedback's case gets its task (and the request its
    service), so the decision reaches the people who do the work."""
    router.decide_triage(item=item, service=service, decided_by=actor)
    if item.source != TRIAGE_SOURCE:
        return None
    case = (
        Case.objects.filter(service_request__service_request_id=item.source_id)
        .select_related("service_request", "owner_unit")
        .first()
    )
    request = case.service_request if case is not None else None
    if case is None or request is None or case.status != Case.Status.OPEN:
        return None
    if request.service_id is None:
        request.service = service
        request.save(update_fields=["service", "updated_at"])
    organisation = (
        producing_unit(service, request.agency_responsible)
        or first_producer(service)
        or owner_organisation(case.owner_unit)
    )
    return add_task(case=case, service=service, organisation=organisation, actor=actor)


def first_producer(service: Service) -> Organisation | None:
    """The service's first producer, else its first responsible organisation."""
    roles = ServiceOrganisation.objects.filter(service=service).select_related("organisation")
    role = (
        roles.filter(role=ServiceOrganisation.Role.PRODUCER).order_by("pk").first()
        or roles.order_by("pk").first()
    )
    return role.organisation if role else None


# How many waiting requests one read returns (tasks.open_new_cases reads until fewer come).
WAITING_BATCH = 200


def requests_waiting_for_a_case(
    *, older_than: timedelta, within: timedelta, after: int = 0
) -> list[int]:
    """Open requests with no case yet, in the order they came (ids above `after`), for the
    hand-off tasks: a caller reading on from the last id it got never reads one twice."""
    now = timezone.now()
    return list(
        ServiceRequest.objects.filter(
            case__isnull=True,
            merged_into__isnull=True,
            status=ServiceRequest.Status.OPEN,
            requested_at__lt=now - older_than,
            requested_at__gte=now - within,
            pk__gt=after,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:WAITING_BATCH]
    )


def case_for_request(request: ServiceRequest) -> Case | None:
    return Case.objects.filter(service_request=request).first()


@transaction.atomic
def reopen_for_request(*, request: ServiceRequest, note: str) -> Case | None:
    """The customer reopened their feedback ("not fixed"): its case opens again and the owner
    hears of it. A request reopened by its own case reopening (no note) changes nothing."""
    case = case_for_request(request)
    if case is None:
        return open_case_from_request(request)
    if case.status == Case.Status.OPEN and not note.strip():
        return case
    body = note.strip() or _("The customer reopened the feedback.")
    return record_customer_update(case=case, body=body, channel=Channel.FEEDBACK).case


# --- Escalation and digest -----------------------------------------------------------------


def _late_reasons(
    *,
    next_action_on: date | None,
    due_at: datetime | None,
    last_activity_at: datetime,
    level: ServiceLevel,
    now: datetime,
) -> list[str]:
    """Why a piece of open work is late: overdue next action, past its due time, stalled."""
    reasons = []
    if next_action_on is not None and next_action_on < timezone.localdate(now):
        reasons.append("overdue")
    if due_at is not None and due_at < now:
        reasons.append("past_due")
    if last_activity_at < stalled_before(level, now):
        reasons.append("stalled")
    return reasons


def stalled_before(level: ServiceLevel, now: datetime) -> datetime:
    """The stalled rule (decision 0004): open work with no event since this moment is stalled."""
    return now - timedelta(days=level.stalled_after_days)


def stalled_filter(*, now: datetime, service_path: str) -> Q:
    """The stalled rule as a database filter, for rows whose service is at `service_path`.

    Each service's own `stalled_after_days`, the model default for a service (or a case) without
    a level. One query reads the distinct periods (a handful); the rows are then filtered in the
    same query as the rest of the queue, never one by one.
    """
    level_path = f"{service_path}__service_level"
    rule = Q(
        **{f"{level_path}__isnull": True},
        last_activity_at__lt=stalled_before(ServiceLevel(), now),
    )
    periods = ServiceLevel.objects.values_list("stalled_after_days", flat=True).distinct()
    for days in sorted(set(periods)):
        rule |= Q(
            **{f"{level_path}__stalled_after_days": days},
            last_activity_at__lt=stalled_before(ServiceLevel(stalled_after_days=days), now),
        )
    return rule


def late_work(
    *, now: datetime, only_unescalated: bool = False
) -> tuple[list[tuple[Case, list[str]]], list[tuple[Task, list[str]]]]:
    """Open cases and active tasks that are overdue, past due or stalled, with the reasons.

    The database applies each service's own stalled period (stalled_filter, the same rule the
    work queue uses); the reasons are then named row by row.
    """
    today = timezone.localdate(now)
    maybe_late = Q(next_action_on__lt=today) | Q(due_at__lt=now)
    cases = Case.objects.filter(
        maybe_late | stalled_filter(now=now, service_path="service_request__service"),
        status=Case.Status.OPEN,
    ).select_related("owner", "owner_unit", "service_request__service__service_level")
    tasks = (
        Task.objects.filter(
            maybe_late | stalled_filter(now=now, service_path="service"), status__in=Task.ACTIVE
        )
        .select_related("case__owner", "case__owner_unit", "organisation", "service__service_level")
        .prefetch_related("service__texts")
    )
    if only_unescalated:
        cases, tasks = cases.filter(escalated_at__isnull=True), tasks.filter(escalated_at=None)
    late_cases = []
    for case in cases.order_by("pk"):
        service = case.service_request.service if case.service_request else None
        reasons = _late_reasons(
            next_action_on=case.next_action_on,
            due_at=case.due_at,
            last_activity_at=case.last_activity_at,
            level=service_level_for(service),
            now=now,
        )
        if reasons:
            late_cases.append((case, reasons))
    late_tasks = []
    for task in tasks.order_by("pk"):
        reasons = _late_reasons(
            next_action_on=task.next_action_on,
            due_at=task.due_at,
            last_activity_at=task.last_activity_at,
            level=service_level_for(task.service),
            now=now,
        )
        if reasons:
            late_tasks.append((task, reasons))
    return late_cases, late_tasks


@transaction.atomic
def escalate_due_work(*, now: datetime | None = None) -> list[CaseEvent]:
    """Tell the unit leads about late work, once per case or task (until its date is reset).

    Runs hourly. `escalated_at` marks what has been escalated, and the notifications carry
    dedupe keys, so a rerun or two overlapping runs tell nobody twice.
    """
    now = now or timezone.now()
    late_cases, late_tasks = late_work(now=now, only_unescalated=True)
    events = []
    for case, reasons in late_cases:
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.escalated_at is not None:
            continue
        Case.objects.filter(pk=case.pk).update(escalated_at=now)
        event = _record(
            case, CaseEvent.Kind.ESCALATED, None, details={"reasons": reasons}, at=now, touch=False
        )
        _tell_leads(
            case.owner_unit,
            case=case,
            label=case.reference,
            reasons=reasons,
            key=f"case:{case.pk}",
            now=now,
        )
        events.append(event)
    for task, reasons in late_tasks:
        locked_task = Task.objects.select_for_update().get(pk=task.pk)
        if locked_task.escalated_at is not None:
            continue
        Task.objects.filter(pk=task.pk).update(escalated_at=now)
        event = _record(
            task.case,
            CaseEvent.Kind.ESCALATED,
            None,
            task=task,
            details={"reasons": reasons},
            at=now,
            touch=False,
        )
        _tell_leads(
            task.organisation,
            case=task.case,
            label=f"{task.case.reference}: {task.service.name()}",
            reasons=reasons,
            key=f"task:{task.pk}",
            now=now,
        )
        events.append(event)
    return events


_REASON_LABELS = {
    "overdue": _("next action overdue"),
    "past_due": _("past its due time"),
    "stalled": _("stalled"),
}


def _reason_text(reasons: Iterable[str]) -> str:
    return ", ".join(str(_REASON_LABELS[reason]) for reason in reasons)


def _tell_leads(
    unit: Organisation, *, case: Case, label: str, reasons: list[str], key: str, now: datetime
) -> None:
    """Escalate to the unit's leads; a unit with no lead anywhere above it tells the owner."""
    recipients = unit_leads(unit) or [case.owner]
    for lead in recipients:
        _tell(
            lead,
            kind="escalation",
            subject=_("Late work in %(unit)s: %(item)s") % {"unit": unit.name(), "item": label},
            body=_("%(item)s is %(reasons)s. Owner: %(unit)s.")
            % {"item": label, "reasons": _reason_text(reasons), "unit": case.owner_unit.name()},
            dedupe_key=f"escalation:{key}:{lead.pk}:{timezone.localdate(now).isoformat()}",
        )


@transaction.atomic
def send_daily_digest(*, now: datetime | None = None) -> int:
    """One message per unit lead listing the late work of the units they lead; returns how
    many leads got one. Runs daily; the dedupe key makes a second run the same day a no-op."""
    now = now or timezone.now()
    late_cases, late_tasks = late_work(now=now)
    lines_by_unit: dict[int, list[str]] = {}
    units: dict[int, Organisation] = {}
    for case, reasons in late_cases:
        units[case.owner_unit_id] = case.owner_unit
        lines_by_unit.setdefault(case.owner_unit_id, []).append(
            f"- {case.reference}: {_reason_text(reasons)}"
        )
    for task, reasons in late_tasks:
        units[task.organisation_id] = task.organisation
        lines_by_unit.setdefault(task.organisation_id, []).append(
            f"- {task.case.reference} {task.service.name()}: {_reason_text(reasons)}"
        )
    digest: dict[int, tuple[User, list[str]]] = {}
    for unit_id, lines in lines_by_unit.items():
        unit = units[unit_id]
        for lead in unit_leads(unit):
            entry = digest.setdefault(lead.pk, (lead, []))
            entry[1].append(f"{unit.name()}:")
            entry[1].extend(lines)
    today = timezone.localdate(now).isoformat()
    for lead, lines in digest.values():
        _tell(
            lead,
            kind="daily_digest",
            subject=_("Late work on %(day)s: %(count)s items")
            % {"day": today, "count": sum(1 for line in lines if line.startswith("- "))},
            body="\n".join(lines),
            dedupe_key=f"digest:{lead.pk}:{today}",
        )
    return len(digest)


# --- Helpers -------------------------------------------------------------------------------


def _locked(case: Case) -> Case:
    """The case row, re-read under a lock (the caller's copy may be stale)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("service_request")
        .get(pk=case.pk)
    )


def _survivor_of(case: Case) -> Case:
    """The end of a merge chain: where a merged case's matter lives on."""
    while case.merged_into_id is not None:
        case = _locked(Case(pk=case.merged_into_id))
    return case


def _require_open(case: Case, field_name: str = "case") -> None:
    if case.status != Case.Status.OPEN:
        raise CaseError(field_name, _("The case is closed."))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _record(
    case: Case,
    kind: str,
    actor: User | None,
    *,
    task: Task | None = None,
    reason: str = "",
    from_owner: User | None = None,
    to_owner: User | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
    touch: bool = True,
) -> CaseEvent:
    """Append to the timeline; a change by a person or the customer counts as activity."""
    at = at or timezone.now()
    event = CaseEvent.objects.create(
        case=case,
        task=task,
        kind=kind,
        at=at,
        actor=actor,
        reason=reason,
        from_owner=from_owner,
        to_owner=to_owner,
        details=details or {},
    )
    if touch:
        case.last_activity_at = at
        Case.objects.filter(pk=case.pk).update(last_activity_at=at)
    return event


def _tell(
    user: User,
    *,
    kind: str,
    subject: str,
    body: str,
    dedupe_key: str,
    channels: Sequence[str] = (Notification.Channel.IN_APP, Notification.Channel.EMAIL),
) -> None:
    """Notify in-app and by e-mail. Messages name cases by number only: an e-mail leaves the
    system, and a title or a customer's words may carry personal or health data."""
    for channel in channels:
        notify(
            kind=kind,
            subject=subject,
            body=body,
            recipient=user,
            channel=channel,
            dedupe_key=f"{dedupe_key}:{channel}",
        )


# The order the public states move in; intake's own finer states count as handling.
_PROGRESS_ORDER: dict[str, int] = {
    ServiceRequest.DetailedStatus.RECEIVED: 0,
    ServiceRequest.DetailedStatus.ALLOCATED: 1,
}


def _handler_name(unit: Organisation, request: ServiceRequest) -> str:
    """The public handler label: the unit's name in the request's language, never a person."""
    return unit.name((request.locale or "fi")[:2])


def _progress_intake(
    case: Case,
    wanted: str,
    unit: Organisation,
    *,
    note: str = "",
    agency: Organisation | None = None,
) -> None:
    """Move the case's feedback forward (never back) to `wanted`, naming the handling unit.

    A closed request is opened again (intake logs it as reopened) only by reopening the case.
    """
    request = case.service_request
    if request is None:
        return
    current = request.detailed_status
    if request.status == ServiceRequest.Status.CLOSED:
        if case.status != Case.Status.OPEN:
            return
        target = wanted
    else:
        target = max(current, wanted, key=lambda status: _PROGRESS_ORDER.get(status, 2))
    progress_request(
        request=request,
        detailed_status=target,
        note=note,
        handler=_handler_name(unit, request),
        agency_responsible=agency,
    )
