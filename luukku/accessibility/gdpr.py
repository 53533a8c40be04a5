"""What accessibility feedback holds about a person: their contact details and their words.

Erasing keeps the row (received and answered times, due date, status: the accessibility
statement's figures) and clears the name, e-mail, description and answer. Free text is cleared,
not scrubbed, for the reasons in intake/gdpr.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import ERASED, Kind, Person, Record

from .models import AccessibilityFeedback

RETENTION_SETTING = "LUUKKU_ACCESSIBILITY_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 730

KINDS = (
    Kind(
        key="accessibility_feedback",
        models=("accessibility.AccessibilityFeedback",),
        description="Feedback on the site's accessibility, with the sender's contact details.",
        purpose="Answering the sender within 14 days (Act on the Provision of Digital Services "
        "306/2019, section 15).",
        legal_basis="Legal obligation (GDPR 6(1)(c)).",
        retention=f"Anonymised {RETENTION_SETTING} (default 2 years) after it was answered "
        "(unanswered feedback that wants no answer: after it was received).",
    ),
)


def feedback_of(person: Person) -> QuerySet[AccessibilityFeedback]:
    if not person.email:
        return AccessibilityFeedback.objects.none()
    return AccessibilityFeedback.objects.filter(contact_email__iexact=person.email)


def find(person: Person) -> list[Record]:
    return [Record.of("accessibility_feedback", f) for f in feedback_of(person).order_by("pk")]


FIELDS = (
    "reference", "received_at", "page_url", "description", "wants_answer", "contact_name",
    "contact_email", "language", "status", "answer", "answered_at",
)  # fmt: skip


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    rows = feedback_of(person).order_by("received_at", "pk")
    return {"accessibility_feedback": [gdpr.row(feedback, FIELDS) for feedback in rows]}


def anonymise_feedback(pks: list[int]) -> int:
    return (
        AccessibilityFeedback.objects.filter(pk__in=pks)
        .exclude(description=ERASED, contact_name="", contact_email="", answer="")
        .update(description=ERASED, contact_name="", contact_email="", answer="", page_url="")
    )


def erase(person: Person, now: datetime) -> dict[str, int]:
    pks = list(feedback_of(person).values_list("pk", flat=True))
    return {"accessibility_feedback": anonymise_feedback(pks)}


def holds(person: Person) -> list[str]:
    waiting = feedback_of(person).filter(
        status=AccessibilityFeedback.Status.RECEIVED, wants_answer=True
    )
    return [
        f"Accessibility feedback {reference or '(no number)'} still waits for its answer."
        for reference in waiting.values_list("reference", flat=True)
    ]


def expired_feedback(now: datetime) -> QuerySet[AccessibilityFeedback]:
    cutoff = now - timedelta(days=gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS))
    answered = Q(status=AccessibilityFeedback.Status.ANSWERED, answered_at__lt=cutoff)
    unanswerable = Q(
        status=AccessibilityFeedback.Status.RECEIVED, wants_answer=False, received_at__lt=cutoff
    )
    return AccessibilityFeedback.objects.filter(answered | unanswerable).exclude(
        description=ERASED, contact_name="", contact_email="", answer=""
    )


def apply_retention(now: datetime) -> int:
    return sum(gdpr.in_batches(expired_feedback(now), anonymise_feedback))


gdpr.register(
    gdpr.Provider(
        app_label="accessibility", kinds=KINDS, find=find, export=export, erase=erase, holds=holds
    )
)
