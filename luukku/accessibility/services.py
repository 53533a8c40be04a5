"""Writes for accessibility feedback: receiving a report and answering it.

Both run inside one transaction and leave an audit row, so that who answered what and when can
be shown to the supervisory authority.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from luukku.core import audit
from luukku.core.models import AuditEvent

from .models import AccessibilityFeedback

# Act 306/2019 § 15: the provider must answer a feedback within 14 days of receiving it.
ANSWER_DEADLINE = timedelta(days=14)


def answer_due(received_at: datetime) -> datetime:
    """When the answer to feedback received at `received_at` is due at the latest."""
    return received_at + ANSWER_DEADLINE


def reference_for(feedback: AccessibilityFeedback) -> str:
    """A short number the sender can quote on the phone: SAA-<year>-<running number>."""
    return f"SAA-{timezone.localtime(feedback.received_at):%Y}-{feedback.pk:05d}"


@transaction.atomic
def submit_feedback(
    *,
    description: str,
    page_url: str = "",
    wants_answer: bool = False,
    contact_name: str = "",
    contact_email: str = "",
    language: str = "fi",
    received_at: datetime | None = None,
) -> AccessibilityFeedback:
    """Store a resident's report of an accessibility problem, with its 14-day due date."""
    received_at = received_at or timezone.now()
    feedback = AccessibilityFeedback.objects.create(
        received_at=received_at,
        due_at=answer_due(received_at),
        description=description.strip(),
        page_url=page_url[:500],
        wants_answer=wants_answer,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        language=language,
    )
    feedback.reference = reference_for(feedback)
    feedback.save(update_fields=["reference"])
    audit.record(
        action=AuditEvent.Action.CREATE, target=feedback, purpose="accessibility feedback received"
    )
    return feedback


@transaction.atomic
def answer_feedback(
    *,
    feedback: AccessibilityFeedback,
    answer: str,
    answered_by: Any,
    request: HttpRequest | None = None,
    answered_at: datetime | None = None,
) -> AccessibilityFeedback:
    """Record the answer, who gave it and when; the item leaves the open list.

    Answering again replaces the text (a correction) but keeps the audit trail of both.
    """
    feedback = AccessibilityFeedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.answer = answer.strip()
    feedback.answered_by = answered_by
    feedback.answered_at = answered_at or timezone.now()
    feedback.status = AccessibilityFeedback.Status.ANSWERED
    feedback.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=answered_by,
        target=feedback,
        purpose="accessibility feedback answered",
        request=request,
        details={"on_time": feedback.answered_at <= feedback.due_at},
    )
    return feedback
