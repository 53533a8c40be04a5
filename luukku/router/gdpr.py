"""What the router holds about a person: the text of their feedback waiting for (or given) a
person's routing decision, and the training example a decision made of it.

Found through the feedback (intake) the item came from. Erasing replaces the item's text and
deletes the training example made of that text: the router forgets the words at its next
training. The item's row (status, decided service, times) stays for the triage figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import ERASED, Kind, Person, Record
from luukku.intake import gdpr as intake_gdpr

from .models import RoutingExample, TriageItem

SOURCE = "intake"  # what cases.services names as the source of feedback sent to triage

KINDS = (
    Kind(
        key="triage_items",
        models=(
            "router.TriageItem",
            "router.RoutingExample",
        ),
        description="Feedback texts a person routed to a service, and examples made of them.",
        purpose="Routing feedback to the right service; teaching the router.",
        legal_basis="Public task (GDPR 6(1)(e)).",
        retention=f"Texts erased with the feedback's personal details "
        f"({intake_gdpr.RETENTION_SETTING}, default 2 years after it closed).",
    ),
)


def items_of(person: Person) -> QuerySet[TriageItem]:
    numbers = intake_gdpr.requests_of(person).values_list("service_request_id", flat=True)
    return TriageItem.objects.filter(source=SOURCE, source_id__in=list(numbers))


def find(person: Person) -> list[Record]:
    return [Record.of("triage_items", item) for item in items_of(person).order_by("pk")]


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    rows = items_of(person).select_related("decided_service").order_by("pk")
    fields = ("source_id", "text", "language", "status", "decided_service", "created_at")
    return {"triage_items": [gdpr.row(item, fields) for item in rows]}


def erase_items(pks: list[int]) -> int:
    items = TriageItem.objects.filter(pk__in=pks).exclude(text=ERASED)
    texts = list(items.values_list("text", flat=True))
    RoutingExample.objects.filter(source=RoutingExample.Source.TRIAGE, text__in=texts).delete()
    return items.update(text=ERASED)


def erase(person: Person, now: datetime) -> dict[str, int]:
    return {"triage_items": erase_items(list(items_of(person).values_list("pk", flat=True)))}


def expired_items(now: datetime) -> QuerySet[TriageItem]:
    """Decided items older than the feedback's retention period, text not yet erased."""
    days = gdpr.retention_days(intake_gdpr.RETENTION_SETTING, intake_gdpr.DEFAULT_RETENTION_DAYS)
    return TriageItem.objects.filter(decided_at__lt=now - timedelta(days=days)).exclude(text=ERASED)


def apply_retention(now: datetime) -> int:
    return sum(gdpr.in_batches(expired_items(now), erase_items))


gdpr.register(gdpr.Provider(app_label="router", kinds=KINDS, find=find, export=export, erase=erase))
