"""Accessibility feedback as it arrives through the public form, for tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from luukku.accessibility.models import AccessibilityFeedback
from luukku.accessibility.services import submit_feedback


def received_feedback(received_at: datetime | None = None, **fields: Any) -> AccessibilityFeedback:
    """Feedback stored the way the form stores it (due date and reference included)."""
    values: dict[str, Any] = {
        "description": "Hakunappia ei voi painaa näppäimistöllä.",
        "page_url": "/haku/",
        "wants_answer": True,
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@example.fi",
        **fields,
    }
    return submit_feedback(received_at=received_at or timezone.now(), **values)
