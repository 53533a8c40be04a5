"""Reads for the staff inbox: open items against the 14-day limit, answered ones apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import AccessibilityFeedback

# Items with this many days or fewer left are shown as due soon.
DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class OpenItem:
    feedback: AccessibilityFeedback
    days_left: int

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_due_soon(self) -> bool:
        return 0 <= self.days_left <= DUE_SOON_DAYS


def days_left(feedback: AccessibilityFeedback, *, now: datetime) -> int:
    """Whole calendar days (local time) until the due date: 0 on the last day, negative once the
    deadline has passed, even later on that same day."""
    days = (timezone.localdate(feedback.due_at) - timezone.localdate(now)).days
    if now >= feedback.due_at:
        return min(days, -1)
    return days


def open_items(*, now: datetime) -> list[OpenItem]:
    """Unanswered feedback, most urgent first."""
    rows = AccessibilityFeedback.objects.filter(
        status=AccessibilityFeedback.Status.RECEIVED
    ).order_by("due_at", "pk")
    return [OpenItem(feedback=row, days_left=days_left(row, now=now)) for row in rows]


def answered_items(limit: int = 50) -> QuerySet[AccessibilityFeedback]:
    """The latest answers, newest first, with who answered."""
    return (
        AccessibilityFeedback.objects.filter(status=AccessibilityFeedback.Status.ANSWERED)
        .select_related("answered_by")
        .order_by("-answered_at")[:limit]
    )


def feedback_by_pk(pk: int) -> AccessibilityFeedback | None:
    return AccessibilityFeedback.objects.select_related("answered_by").filter(pk=pk).first()
