"""What case management holds about a person: the customer record and the cases about them.

A resident is found as a customer (identity code through its keyed hash, e-mail, phone) and
through the feedback that opened a case. A staff member's part is only how much they handled:
the cases themselves are about residents and are not given out in a staff member's export.

Anonymising keeps every case, task, note, consent and event row with its organisation, service,
channel, status, outcome, owner and exact times: the case metrics (times to resolution, bounces,
first-contact resolution, SLA breaches) are computed from these and stay the same. Titles, texts
and the customer's name, contact details and identity code hash go. Free text is cleared, not
scrubbed (see intake/gdpr.py for why).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import ERASED, Kind, Person, Record
from luukku.intake import gdpr as intake_gdpr

from .models import Case, CaseEvent, Customer, Note, Task
from .services import identity_code_hash

RETENTION_SETTING = "LUUKKU_CASE_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 1826  # five years

_RETENTION = (
    f"Anonymised {RETENTION_SETTING} (default 5 years) after the case closed; the rows stay "
    "for the case metrics."
)
KINDS = (
    Kind(
        key="customers",
        models=("cases.Customer",),
        description="The customer record: name, identity code (as a keyed hash), contacts.",
        purpose="Finding the customer's matters again and contacting them about them.",
        legal_basis="Public task (GDPR 6(1)(e)); the identity code under the Data Protection "
        "Act 1050/2018, section 29.",
        retention=f"Anonymised once the customer has had no open case and no case closed within "
        f"{RETENTION_SETTING} (default 5 years).",
    ),
    Kind(
        key="cases",
        models=(
            "cases.Case",
            "cases.Task",
            "cases.Note",
            "cases.Consent",
            "cases.CaseEvent",
        ),
        description="Cases about the customer: tasks, notes, consents and the timeline.",
        purpose="Handling the customer's matter across organisations.",
        legal_basis="Public task and legal obligation (GDPR 6(1)(c), (e)); social and health "
        "content under art. 9(2)(h) and the Act on Client Documents 254/2015.",
        retention=_RETENTION,
    ),
    Kind(
        key="handled_cases",
        models=(
            "cases.Case",
            "cases.Task",
            "cases.Note",
        ),
        description="Staff: how many cases, tasks and notes are the staff member's.",
        purpose="Responsibility for the handling (who owned, who wrote).",
        legal_basis="Public task and legal obligation (GDPR 6(1)(c), (e)).",
        retention=_RETENTION + " An erased staff member stays as a pseudonymous account.",
    ),
)


def customers_of(person: Person) -> QuerySet[Customer]:
    condition = Q(pk__in=[])
    if person.identity_code:
        condition |= Q(identity_code_hash=identity_code_hash(person.identity_code))
    if person.email:
        condition |= Q(email__iexact=person.email)
    return gdpr.matching(Customer.objects.all(), condition, person)


def cases_of(person: Person) -> QuerySet[Case]:
    """The person's cases: as the customer, or opened from their feedback."""
    if not person.is_resident:
        return Case.objects.none()
    return Case.objects.filter(
        Q(customer__in=customers_of(person))
        | Q(service_request__in=intake_gdpr.requests_of(person))
    )


def find(person: Person) -> list[Record]:
    records = [Record.of("customers", customer) for customer in customers_of(person)]
    return records + [Record.of("cases", case) for case in cases_of(person).order_by("pk")]


def _handled(username: str) -> dict[str, int]:
    return {
        "cases_owned": Case.objects.filter(owner__username=username).count(),
        "tasks_assigned": Task.objects.filter(assignee__username=username).count(),
        "notes_written": Note.objects.filter(author__username=username).count(),
    }


CUSTOMER_FIELDS = (
    "kind", "name", "identity_code_masked", "business_id", "email", "phone", "municipality",
    "language", "created_at",
)  # fmt: skip
CASE_FIELDS = (
    "reference", "title", "description", "channel", "status", "outcome", "owner_unit",
    "opened_at", "closed_at", "due_at", "first_contact_resolution",
)  # fmt: skip


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    customers = [
        gdpr.row(customer, CUSTOMER_FIELDS)
        for customer in customers_of(person).select_related("municipality").order_by("pk")
    ]
    cases = [
        _case_export(case)
        for case in cases_of(person)
        .select_related("owner_unit", "service_request")
        .prefetch_related(
            "tasks__service", "tasks__organisation", "notes__author_unit", "consents", "events"
        )
        .order_by("opened_at", "pk")
    ]
    handled = []
    if person.username:
        counts = _handled(person.username)
        if any(counts.values()):
            handled.append(counts)
    return {"customers": customers, "cases": cases, "handled_cases": handled}


def _case_export(case: Case) -> dict[str, Any]:
    item = gdpr.row(case, CASE_FIELDS)
    item["service_request_id"] = (
        case.service_request.service_request_id if case.service_request else None
    )
    item["tasks"] = [
        gdpr.row(task, ("service", "organisation", "status", "description", "sensitivity"))
        | gdpr.row(task, ("created_at", "completed_at"))
        for task in case.tasks.all()
    ]
    item["notes"] = [
        gdpr.row(note, ("created_at", "author_unit", "visibility", "sensitivity", "body"))
        for note in case.notes.all()
    ]
    item["consents"] = [
        gdpr.row(
            consent,
            ("organisation", "scope", "includes_social_health", "how_given", "given_at"),
        )
        | gdpr.row(consent, ("revoked_at",))
        for consent in case.consents.all()
    ]
    item["events"] = [gdpr.row(event, ("kind", "at", "reason")) for event in case.events.all()]
    return item


def anonymise_cases(pks: list[int]) -> int:
    """Clear the texts of these cases; every row, date and figure stays."""
    changed = (
        Case.objects.filter(pk__in=pks)
        .filter(~Q(title=ERASED) | ~Q(description=""))
        .update(title=ERASED, description="")
    )
    Task.objects.filter(case_id__in=pks).exclude(description="").update(description="")
    Note.objects.filter(case_id__in=pks).exclude(body=ERASED).update(body=ERASED)
    CaseEvent.objects.filter(case_id__in=pks).exclude(reason="").update(reason="")
    return changed


def anonymise_customers(pks: list[int]) -> int:
    """A person loses name, contacts and identity code; an organisation only the contacts (the
    contact person's), keeping its name and business ID. Municipality and language stay."""
    customers = Customer.objects.filter(pk__in=pks)
    people = customers.filter(kind=Customer.Kind.PERSON).exclude(
        name=ERASED, email="", phone="", identity_code_hash=""
    )
    changed = people.update(
        name=ERASED, email="", phone="", identity_code_hash="", identity_code_masked=""
    )
    others = customers.exclude(kind=Customer.Kind.PERSON).filter(~Q(email="") | ~Q(phone=""))
    return changed + others.update(email="", phone="")


def erase(person: Person, now: datetime) -> dict[str, int]:
    case_pks = list(cases_of(person).values_list("pk", flat=True))
    customer_pks = list(customers_of(person).values_list("pk", flat=True))
    return {"cases": anonymise_cases(case_pks), "customers": anonymise_customers(customer_pks)}


def holds(person: Person) -> list[str]:
    return [
        f"Case {reference} is still open."
        for reference in cases_of(person)
        .filter(status=Case.Status.OPEN)
        .values_list("reference", flat=True)
    ]


def expired_cases(now: datetime) -> QuerySet[Case]:
    days = gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS)
    return Case.objects.filter(
        status=Case.Status.CLOSED, closed_at__lt=now - timedelta(days=days)
    ).filter(~Q(title=ERASED) | ~Q(description=""))


def expired_customers(now: datetime) -> QuerySet[Customer]:
    """Customers with no open case and no case closed within the retention period."""
    cutoff = now - timedelta(days=gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS))
    recent = Case.objects.filter(Q(status=Case.Status.OPEN) | Q(closed_at__gte=cutoff))
    return (
        Customer.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=recent.filter(customer__isnull=False).values("customer_id"))
        .filter(~Q(email="") | ~Q(phone="") | (Q(kind=Customer.Kind.PERSON) & ~Q(name=ERASED)))
    )


def apply_retention(now: datetime) -> dict[str, int]:
    """Anonymise expired cases, then customers left with nothing recent, in batches."""
    return {
        "cases": sum(gdpr.in_batches(expired_cases(now), anonymise_cases)),
        "customers": sum(gdpr.in_batches(expired_customers(now), anonymise_customers)),
    }


gdpr.register(
    gdpr.Provider(
        app_label="cases", kinds=KINDS, find=find, export=export, erase=erase, holds=holds
    )
)
